"""mlpabc: the companion package of the course *MLP ABC*.

Every idea of the course, implemented from scratch in numpy with Keras's names
and defaults, so that each chapter can compare it number for number with Keras.

>>> import mlpabc
>>> from mlpabc import layers
>>> model = mlpabc.Sequential([layers.Input((3,)), layers.Dense(2, activation="sigmoid")], seed=0)
>>> model.count_params()
8

Modules: :mod:`~mlpabc.models` (``Sequential``), :mod:`~mlpabc.layers`,
:mod:`~mlpabc.activations`, :mod:`~mlpabc.losses`, :mod:`~mlpabc.metrics`,
:mod:`~mlpabc.optimizers`, :mod:`~mlpabc.initializers`,
:mod:`~mlpabc.regularizers`, :mod:`~mlpabc.callbacks`, :mod:`~mlpabc.gradcheck`,
:mod:`~mlpabc.linear` (``Perceptron``, least squares),
:mod:`~mlpabc.model_selection`, :mod:`~mlpabc.datasets`, :mod:`~mlpabc.plotting`,
:mod:`~mlpabc.keras_bridge` and :mod:`~mlpabc.coursework`. Importing mlpabc
never imports TensorFlow, Keras, matplotlib or scikit-learn; the modules that
use them import them when called.
"""

import importlib

from . import (
    activations,
    callbacks,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    regularizers,
)
from .models import History, Sequential

# Imported on first use, to keep `import mlpabc` light: the data sets, plots, linear
# models, model selection and gradient checking are not needed to build and train a model.
_LAZY_MODULES = ("datasets", "gradcheck", "linear", "model_selection", "plotting")
_LAZY_NAMES = {"Perceptron": "linear", "LeastSquares": "linear"}


def __getattr__(name):
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'mlpabc' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_MODULES) | set(_LAZY_NAMES))


__version__ = "0.1.0"

__all__ = [
    "History",
    "LeastSquares",
    "Perceptron",
    "Sequential",
    "activations",
    "callbacks",
    "datasets",
    "gradcheck",
    "initializers",
    "layers",
    "linear",
    "losses",
    "metrics",
    "model_selection",
    "optimizers",
    "plotting",
    "regularizers",
]
