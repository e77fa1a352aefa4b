"""Reliability of mlpabc as a whole: what a learner meets when something goes wrong.

Five promises, each tested across the package (the per-module test files test
the details; this file checks the promises consistently, in one place):

1. **Bad input** is refused at the public entry point with a ``ValueError`` or
   ``TypeError`` whose message names the argument, what was expected and what
   was received; no numpy broadcasting error, ``IndexError``, ``KeyError`` or
   ``AttributeError`` from deep inside ever reaches the learner.
2. **Numerical stability**: activations and losses (values, derivatives,
   gradients, logits forms) are finite, without overflow, invalid-value or
   division-by-zero warnings, at inputs of +-1000 and probabilities of exactly
   0 and 1; so is a whole model's forward and backward pass.
3. **Divergence**: ``fit`` stops at the first non-finite loss with a warning
   that names the epoch and suggests a smaller learning rate, returns the
   history of the finished epochs and keeps the last finite weights.
4. **Data safety**: weights files round-trip bit-exactly without pickle and are
   refused, changing nothing, by another architecture; nothing modifies the
   caller's arrays.
5. **Determinism**: one seed gives bit-identical training, in one process and
   in fresh processes.

A row of the table may carry ``xfail=...`` to record a known gap (none does
now): the mark is strict, so a fixed gap fails until the mark is removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import subprocess
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")  # before pyplot is imported anywhere: no window, ever

import mlpabc  # noqa: E402
from mlpabc import (  # noqa: E402
    activations,
    coursework,
    datasets,
    gradcheck,
    initializers,
    keras_bridge,
    linear,
    losses,
    metrics,
    model_selection,
    optimizers,
    plotting,
    regularizers,
)
from mlpabc.callbacks import LambdaCallback  # noqa: E402
from mlpabc.layers import (  # noqa: E402
    Activation,
    BatchNormalization,
    Dense,
    Dropout,
    Input,
    LeakyReLU,
    PReLU,
    Residual,
)
from mlpabc.models import Sequential  # noqa: E402
from mlpabc.optimizers import schedules  # noqa: E402

PACKAGE_DIR = Path(mlpabc.__file__).resolve().parent
RAISE = dict(over="raise", invalid="raise", divide="raise")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


# -- small builders shared by the tables -----------------------------------------------------------


def _x(n=10, d=3):
    return np.linspace(-1.0, 1.0, n * d).reshape(n, d)


def _y(n=10):
    return np.linspace(0.0, 1.0, n).reshape(n, 1)


def _with(a, index, value):
    out = np.array(a, dtype=np.float64)
    out[index] = value
    return out


def _net(compiled=True, units=4, loss="mse", seed=0):
    model = Sequential([Input((3,)), Dense(units, activation="relu"), Dense(1)], seed=seed)
    if compiled:
        model.compile(optimizer="sgd", loss=loss)
    return model


def _classifier(n_classes=3, loss="sparse_categorical_crossentropy"):
    model = Sequential([Input((3,)), Dense(n_classes, activation="softmax")], seed=0)
    model.compile(optimizer="sgd", loss=loss)
    return model


def _built(layer, n_in=3):
    layer.build((n_in,), np.random.default_rng(0))
    return layer


def _backward_wrong_shape():
    layer = _built(Dense(2))
    layer.forward(_x(4), training=True)
    return layer.backward(np.ones((5, 2)))  # 5 rows of dL/dy for a batch of 4


def _load_other_architecture():
    _net(units=5).save_weights("other.weights.npz")
    _net(units=4).load_weights("other.weights.npz")


def _load_truncated_file():
    model = _net()
    model.save_weights("whole.npz")
    Path("truncated.npz").write_bytes(Path("whole.npz").read_bytes()[:200])
    model.load_weights("truncated.npz")


def _load_plain_npz():
    np.savez("plain.npz", a=np.ones(3))
    _net().load_weights("plain.npz")


def _notebook_without_exercises():
    path = Path("no_exercises.ipynb")
    cell = {
        "cell_type": "markdown", "id": "a-chapter", "metadata": {},
        "source": "# A chapter\n\nNo exercises.",
    }  # fmt: skip
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


# -- 1. bad input ---------------------------------------------------------------------------------

# Fragments of numpy's and Python's internal messages that must never reach a learner.
LEAKS = (
    "operands could not be broadcast",
    "could not convert",
    "has no attribute",
    "not subscriptable",
    "unhashable type",
    "out of bounds",
    "gufunc signature",
    "NoneType",
)

KINDS = {
    "shape": "rows of x against y, features against the Input, shapes of arrays",
    "nan": "NaN or infinity in the data",
    "empty": "no samples",
    "name": "an unknown name: the valid ones are listed, the closest suggested",
    "range": "a hyperparameter out of its range",
    "kwarg": "a misspelt keyword argument",
    "type": "a value of the wrong type",
    "label": "class labels out of range",
    "weights": "set_weights / load_weights with the wrong count, shapes or architecture",
    "folds": "more folds than samples",
    "order": "a call in the wrong order (fit before compile, ...)",
}


def bad(kind, name, call, exc, pattern, xfail=None):
    """A row: ``call()`` must raise exactly ``exc``, with a message matching ``pattern``."""
    assert kind in KINDS, kind
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(kind, call, exc, pattern, id=f"{kind}-{name}", marks=marks)


BAD_INPUTS = [
    # Sequential: construction and compile
    bad(
        "type",
        "Sequential-layers-not-a-list",
        lambda: Sequential(Dense(3)),
        TypeError,
        r"'layers' argument of Sequential must be a list of layers.*Got <Dense",
    ),
    bad(
        "range",
        "Sequential-dtype",
        lambda: Sequential(dtype="float16"),
        ValueError,
        r"'dtype' argument of Sequential must be 'float64' .* or 'float32'\. Got 'float16'",
    ),
    bad(
        "kwarg",
        "Sequential-layer",
        lambda: Sequential(layer=[Dense(1)]),
        TypeError,
        r"unexpected keyword argument 'layer'",
    ),
    bad(
        "name",
        "compile-optimizer",
        lambda: _net(False).compile(optimizer="adma", loss="mse"),
        ValueError,
        r"Unknown optimizer 'adma'\. Valid names are: 'adagrad', 'adam', 'nadam', "
        r"'rmsprop', 'sgd'\. Did you mean 'adam'\?",
    ),
    bad(
        "name",
        "compile-loss",
        lambda: _net(False).compile(loss="mean_squared_eror"),
        ValueError,
        r"Unknown loss 'mean_squared_eror'\. Valid names are: .*'mse'.*Did you mean "
        r"'mean_squared_error'\?",
    ),
    bad(
        "name",
        "compile-metric",
        lambda: _net(False).compile(loss="mse", metrics=["acuracy"]),
        ValueError,
        r"Unknown metric 'acuracy'\. Valid names are: .*'r2_score'.*Did you mean 'accuracy'\?",
    ),
    bad(
        "kwarg",
        "compile-optimiser",
        lambda: _net(False).compile(optimiser="sgd", loss="mse"),
        TypeError,
        r"Unrecognized keyword argument\(s\) for Sequential\.compile: 'optimiser' "
        r"\(did you mean 'optimizer'\?\)",
    ),
    bad(
        "type",
        "compile-metrics-a-string",
        lambda: _net(False).compile(loss="mse", metrics="mae"),
        TypeError,
        r"'metrics' argument of Sequential\.compile must be a list \(or None\)\. Got 'mae' "
        r"instead\. Write metrics=\['mae'\]",
    ),
    bad(
        "type",
        "compile-without-loss",
        lambda: _net(False).compile(optimizer="sgd"),
        TypeError,
        r"'loss' argument of Sequential\.compile is required: a name such as 'mse'.*Got None",
    ),
    # Sequential.fit
    bad(
        "order",
        "fit-before-compile",
        lambda: _net(False).fit(_x(), _y(), verbose=0),
        ValueError,
        r"Call model\.compile\(optimizer=\.\.\., loss=\.\.\.\) before fit\(\)",
    ),
    bad(
        "shape",
        "fit-rows-of-x-and-y",
        lambda: _net().fit(_x(), _y(7), verbose=0),
        ValueError,
        r"'x' and 'y' arguments of Sequential\.fit must have the same number of samples "
        r"\(rows\)\. Got 10 rows in 'x' and 7 in 'y'",
    ),
    bad(
        "shape",
        "fit-features-vs-Input",
        lambda: _net().fit(_x(d=4), _y(), verbose=0),
        ValueError,
        r"'x' argument of Sequential\.fit must have shape \(n_samples, 3\) to match "
        r"the model's input\. Got an array of shape \(10, 4\)",
    ),
    bad(
        "shape",
        "fit-targets-vs-output",
        lambda: _net().fit(_x(), np.ones((10, 2)), verbose=0),
        ValueError,
        r"'y' argument of Sequential\.fit does not fit the model's output of shape "
        r"\(None, 1\) and the loss 'mean_squared_error'.*Got y_true of shape \(10, 2\)",
    ),
    bad(
        "shape",
        "fit-1-D-x",
        lambda: _net().fit(np.ones(10), _y(), verbose=0),
        ValueError,
        r"'x' argument of Sequential\.fit must be a 2-D array of shape \(n_samples, "
        r"n_features\)\. Got an array of shape \(10,\).*x\.reshape\(-1, 1\)",
    ),
    bad(
        "nan",
        "fit-NaN-in-x",
        lambda: _net().fit(_with(_x(), (2, 1), np.nan), _y(), verbose=0),
        ValueError,
        r"'x' argument of Sequential\.fit must be an array of finite numbers\. "
        r"Got an array of shape \(10, 3\) and dtype float64 instead\. It contains NaN",
    ),
    bad(
        "nan",
        "fit-inf-in-x",
        lambda: _net().fit(_with(_x(), (0, 0), np.inf), _y(), verbose=0),
        ValueError,
        r"'x' argument of Sequential\.fit must be an array of finite numbers\. "
        r"Got .* It contains infinity",
    ),
    bad(
        "nan",
        "fit-NaN-in-y",
        lambda: _net().fit(_x(), _with(_y(), 4, np.nan), verbose=0),
        ValueError,
        r"'y' argument of Sequential\.fit must be an array of finite numbers\. "
        r"Got an array of shape \(10, 1\).*NaN",
    ),
    bad(
        "nan",
        "fit-NaN-in-validation_data",
        lambda: _net().fit(_x(), _y(), validation_data=(_x(), _with(_y(), 0, np.nan)), verbose=0),
        ValueError,
        r"'validation_data\[1\]' argument of Sequential\.fit must be an array of "
        r"finite numbers\. Got .*NaN",
    ),
    bad(
        "empty",
        "fit-no-samples",
        lambda: _net().fit(np.ones((0, 3)), np.ones((0, 1)), verbose=0),
        ValueError,
        r"'x' argument of Sequential\.fit must be a non-empty array\. Got an array "
        r"of shape \(0, 3\)",
    ),
    bad(
        "range",
        "fit-batch_size-0",
        lambda: _net().fit(_x(), _y(), batch_size=0, verbose=0),
        ValueError,
        r"'batch_size' argument of Sequential\.fit must be an integer >= 1\. "
        r"Got 0 instead",
    ),
    bad(
        "type",
        "fit-batch_size-float",
        lambda: _net().fit(_x(), _y(), batch_size=2.5, verbose=0),
        TypeError,
        r"'batch_size' argument of Sequential\.fit must be an integer\. Got 2\.5",
    ),
    bad(
        "range",
        "fit-epochs-0",
        lambda: _net().fit(_x(), _y(), epochs=0, verbose=0),
        ValueError,
        r"'epochs' argument of Sequential\.fit must be an integer >= 1\. Got 0 instead",
    ),
    bad(
        "range",
        "fit-epochs-negative",
        lambda: _net().fit(_x(), _y(), epochs=-3, verbose=0),
        ValueError,
        r"'epochs' argument of Sequential\.fit must be an integer >= 1\. Got -3",
    ),
    bad(
        "range",
        "fit-validation_split-1",
        lambda: _net().fit(_x(), _y(), validation_split=1.0, verbose=0),
        ValueError,
        r"'validation_split' argument of Sequential\.fit must be a float in \[0, 1\)\. "
        r"Got 1\.0 instead",
    ),
    bad(
        "range",
        "fit-validation_split-negative",
        lambda: _net().fit(_x(), _y(), validation_split=-0.1, verbose=0),
        ValueError,
        r"'validation_split' argument of Sequential\.fit must be a float in \[0, 1\)\. Got -0\.1",
    ),
    bad(
        "range",
        "fit-validation_split-leaves-nothing",
        lambda: _net().fit(_x(), _y(), validation_split=0.95, verbose=0),
        ValueError,
        r"'validation_split' argument of Sequential\.fit leaves no training samples: 10 samples "
        r"with validation_split=0\.95 give 0 for training",
    ),
    bad(
        "kwarg",
        "fit-epoch",
        lambda: _net().fit(_x(), _y(), epoch=3, verbose=0),
        TypeError,
        r"Unrecognized keyword argument\(s\) for Sequential\.fit: 'epoch' \(did you mean "
        r"'epochs'\?\)",
    ),
    bad(
        "kwarg",
        "fit-batchsize",
        lambda: _net().fit(_x(), _y(), batchsize=3, verbose=0),
        TypeError,
        r"for Sequential\.fit: 'batchsize' \(did you mean 'batch_size'\?\)",
    ),
    bad(
        "type",
        "fit-complex-x",
        lambda: _net().fit(_x() + 1j, _y(), verbose=0),
        TypeError,
        r"'x' argument of Sequential\.fit must be an array of real numbers\. Got an array of "
        r"shape \(10, 3\) and dtype complex128",
    ),
    bad(
        "type",
        "fit-text-targets",
        lambda: _net().fit(_x(), np.array(["a"] * 10), verbose=0),
        TypeError,
        r"'y' argument of Sequential\.fit must be an array of numbers\. Got an array "
        r"of shape \(10,\) and dtype <U1",
    ),
    bad(
        "range",
        "fit-verbose-3",
        lambda: _net().fit(_x(), _y(), verbose=3),
        ValueError,
        r"'verbose' argument of Sequential\.fit must be 'auto', 0, 1 or 2\. Got 3",
    ),
    bad(
        "type",
        "fit-shuffle-a-string",
        lambda: _net().fit(_x(), _y(), shuffle="yes", verbose=0),
        TypeError,
        r"'shuffle' argument of Sequential\.fit must be True or False\. Got 'yes'",
    ),
    # Sequential.evaluate and predict
    bad(
        "order",
        "evaluate-before-compile",
        lambda: _net(False).evaluate(_x(), _y()),
        ValueError,
        r"Call model\.compile\(optimizer=\.\.\., loss=\.\.\.\) before evaluate\(\)",
    ),
    bad(
        "shape",
        "evaluate-rows-of-x-and-y",
        lambda: _net().evaluate(_x(), _y(3)),
        ValueError,
        r"'x' and 'y' arguments of Sequential\.evaluate must have the same number of samples "
        r"\(rows\)\. Got 10 rows in 'x' and 3 in 'y'",
    ),
    bad(
        "shape",
        "predict-1-D-input",
        lambda: _net().predict(np.ones(3)),
        ValueError,
        r"'x' argument of Sequential\.predict must be a 2-D array of shape \(n_samples, "
        r"n_features\)\. Got an array of shape \(3,\).*x\.reshape\(1, -1\) for a single sample",
    ),
    bad(
        "shape",
        "predict-features-vs-Input",
        lambda: _net().predict(np.ones((2, 5))),
        ValueError,
        r"'x' argument of Sequential\.predict must have shape \(n_samples, 3\) to match the "
        r"model's input\. Got an array of shape \(2, 5\)",
    ),
    bad(
        "nan",
        "predict-NaN",
        lambda: _net().predict(_with(_x(), (1, 1), np.nan)),
        ValueError,
        r"'x' argument of Sequential\.predict must be an array of finite numbers\..*NaN",
    ),
    bad(
        "empty",
        "predict-no-samples",
        lambda: _net().predict(np.ones((0, 3))),
        ValueError,
        r"'x' argument of Sequential\.predict must be a non-empty array\. Got an array of "
        r"shape \(0, 3\)",
    ),
    bad(
        "kwarg",
        "predict-batchsize",
        lambda: _net().predict(_x(), batchsize=3),
        TypeError,
        r"for Sequential\.predict: 'batchsize' \(did you mean 'batch_size'\?\)",
    ),
    bad(
        "range",
        "predict-batch_size-0",
        lambda: _net().predict(_x(), batch_size=0),
        ValueError,
        r"'batch_size' argument of Sequential\.predict must be an integer >= 1\. Got 0",
    ),
    # weights
    bad(
        "weights",
        "set_weights-count",
        lambda: _net().set_weights([np.ones((3, 4))]),
        ValueError,
        r"'weights' argument of Sequential\.set_weights must be a list of 4 arrays, one per "
        r"weight of model '\w+' \(dense\w*/kernel, dense\w*/bias, .*\)\. Got 1 arrays instead",
    ),
    bad(
        "weights",
        "set_weights-shapes",
        lambda: _net().set_weights([np.ones((4, 3)), np.ones(4), np.ones((4, 1)), np.ones(1)]),
        ValueError,
        r"'weights' argument of Sequential\.set_weights: item 0 \(dense\w*/kernel\) "
        r"must have shape \(3, 4\)\. Got shape \(4, 3\) instead",
    ),
    bad(
        "type",
        "set_weights-not-a-list",
        lambda: _net().set_weights(np.ones(3)),
        TypeError,
        r"'weights' argument of Sequential\.set_weights must be a list of arrays\. Got an array",
    ),
    bad(
        "weights",
        "load_weights-other-architecture",
        _load_other_architecture,
        ValueError,
        r"load_weights: the weights in 'other\.weights\.npz' belong to a different "
        r"architecture\. At position 1 the file has \[Dense: kernel \(3, 5\), bias \(5,\)\] but "
        r"model '\w+' has \[Dense: kernel \(3, 4\), bias \(4,\)\].*The model is unchanged",
    ),
    bad(
        "weights",
        "load_weights-not-a-weights-file",
        _load_plain_npz,
        ValueError,
        r"load_weights: 'plain\.npz' is not a weights file \(not a file written by "
        r"Sequential\.save_weights\)",
    ),
    bad(
        "weights",
        "load_weights-damaged-file",
        _load_truncated_file,
        ValueError,
        r"Sequential\.load_weights: 'truncated\.npz' is not a weights file",
    ),
    bad(
        "order",
        "load_weights-unbuilt-model",
        lambda: Sequential([Dense(1)]).load_weights("any.npz"),
        ValueError,
        r"load_weights needs a built model to receive the weights: start model '\w+' with "
        r"Input\(\(n_features,\)\) or call model\.build",
    ),
    bad(
        "weights",
        "Dense.set_weights-count",
        lambda: _built(Dense(3)).set_weights([np.ones((3, 3))]),
        ValueError,
        r"'weights' argument of dense\w*\.set_weights must be a list of 2 arrays "
        r"\(kernel, bias\)\. Got 1 arrays instead",
    ),
    # layers
    bad(
        "range",
        "Dense-units-0",
        lambda: Dense(0),
        ValueError,
        r"'units' argument of Dense must be an integer >= 1\. Got 0 instead",
    ),
    bad(
        "type",
        "Dense-units-float",
        lambda: Dense(2.5),
        TypeError,
        r"'units' argument of Dense must be an integer\. Got 2\.5",
    ),
    bad(
        "name",
        "Dense-activation",
        lambda: Dense(3, activation="rleu"),
        ValueError,
        r"Unknown activation 'rleu'\. Valid names are: 'elu', 'leaky_relu', 'linear', 'relu', "
        r"'sigmoid', 'softmax', 'tanh'\. Did you mean 'relu'\?",
    ),
    bad(
        "kwarg",
        "Dense-activaton",
        lambda: Dense(3, activaton="relu"),
        TypeError,
        r"unexpected keyword argument 'activaton'",
    ),
    bad(
        "name",
        "Dense-kernel_initializer",
        lambda: Dense(3, kernel_initializer="glorot_unifrom"),
        ValueError,
        r"Unknown initializer 'glorot_unifrom'\. Valid names are: .*'he_normal'.*"
        r"Did you mean 'glorot_uniform'\?",
    ),
    bad(
        "shape",
        "Dense-forward-features",
        lambda: _built(Dense(3))(np.ones((2, 4))),
        ValueError,
        r"Dense '\w+' was built for inputs with 3 features \(last axis\) but received "
        r"an array of shape \(2, 4\)",
    ),
    bad(
        "shape",
        "Dense-forward-1-D",
        lambda: _built(Dense(3))(np.ones(3)),
        ValueError,
        r"Dense '\w+' expects a batch, an array of shape \(n_samples, 3\)\. Got an array of "
        r"shape \(3,\)",
    ),
    *[
        bad(
            "order",
            f"{type(layer).__name__}-backward-before-forward",
            lambda layer=layer: _built(layer).backward(np.ones((4, 3))),
            RuntimeError,
            rf"{type(layer).__name__} '\w+'.*forward.*before backward",
        )
        for layer, where in [
            (Dense(3), "core.py"),
            (Activation("tanh"), "core.py"),
            (LeakyReLU(), "activation_layers.py"),
            (PReLU(), "activation_layers.py"),
            (BatchNormalization(), "normalization.py"),
        ]
    ],
    bad(
        "shape",
        "Dense-backward-dy",
        _backward_wrong_shape,
        ValueError,
        r"'dy' argument of Dense\.backward must have shape \(4, 2\).*Got .*\(5, 2\)",
    ),
    bad(
        "type",
        "Layer.set_weights-text",
        lambda: _built(Dense(2)).set_weights([np.ones((3, 2)), "ab"]),
        TypeError,
        r"'weights' argument of dense\w*\.set_weights.*bias.*array of numbers\. "
        r"Got 'ab'",
    ),
    bad(
        "type",
        "Layer-call-training-a-string",
        lambda: Dropout(0.5)(_x(), training="False"),
        TypeError,
        r"'training' argument of Dropout\.__call__ must be True or False\. Got 'False'",
    ),
    bad(
        "range",
        "Dropout-rate-1",
        lambda: Dropout(1.0),
        ValueError,
        r"'rate' argument of Dropout must be a float in \[0, 1\)\. Got 1\.0 instead",
    ),
    bad(
        "range",
        "Dropout-rate-negative",
        lambda: Dropout(-0.1),
        ValueError,
        r"'rate' argument of Dropout must be a float in \[0, 1\)\. Got -0\.1",
    ),
    bad(
        "type",
        "Dropout-rate-a-string",
        lambda: Dropout("0.5"),
        TypeError,
        r"'rate' argument of Dropout must be a number\. Got '0\.5'",
    ),
    bad(
        "range",
        "BatchNormalization-momentum",
        lambda: BatchNormalization(momentum=1.5),
        ValueError,
        r"'momentum' argument of BatchNormalization must be a float in \[0, 1\]\. Got 1\.5",
    ),
    bad(
        "range",
        "BatchNormalization-epsilon",
        lambda: BatchNormalization(epsilon=0),
        ValueError,
        r"'epsilon' argument of BatchNormalization must be a float > 0\. Got 0\.0",
    ),
    bad(
        "range",
        "LeakyReLU-negative_slope",
        lambda: LeakyReLU(negative_slope=-1),
        ValueError,
        r"'negative_slope' argument of LeakyReLU must be a float >= 0\. Got -1\.0",
    ),
    bad(
        "type",
        "Input-shape-an-int",
        lambda: Input(3),
        TypeError,
        r"'shape' argument of Input must be a tuple of positive integers.*Got 3 instead\. "
        r"For 3 features write Input\(\(3,\)\)",
    ),
    bad(
        "shape",
        "Residual-width",
        lambda: Sequential([Input((3,)), Residual([Dense(4)])]),
        ValueError,
        r"Residual '\w+' adds its input to the output of its layers.*input has shape "
        r"\(n_samples, 3\) but the last layer '\w+' outputs shape \(n_samples, 4\)",
    ),
    bad(
        "empty",
        "Residual-no-layers",
        lambda: Residual([]),
        ValueError,
        r"'layers' argument of Residual must hold at least one layer\. Got \[\] instead",
    ),
    # optimizers and schedules
    bad(
        "range",
        "SGD-learning_rate-0",
        lambda: optimizers.SGD(learning_rate=0),
        ValueError,
        r"'learning_rate' argument of SGD must be a float > 0\. Got 0\.0 instead",
    ),
    bad(
        "range",
        "SGD-learning_rate-negative",
        lambda: optimizers.SGD(learning_rate=-0.1),
        ValueError,
        r"'learning_rate' argument of SGD must be a float > 0\. Got -0\.1",
    ),
    bad(
        "nan",
        "Adam-learning_rate-NaN",
        lambda: optimizers.Adam(learning_rate=float("nan")),
        ValueError,
        r"'learning_rate' argument of Adam must be a float > 0\. Got nan",
    ),
    bad(
        "range",
        "SGD-momentum-1",
        lambda: optimizers.SGD(momentum=1.0),
        ValueError,
        r"'momentum' argument of SGD must be a float in \[0, 1\)\. Got 1\.0",
    ),
    bad(
        "range",
        "SGD-momentum-negative",
        lambda: optimizers.SGD(momentum=-0.5),
        ValueError,
        r"'momentum' argument of SGD must be a float in \[0, 1\)\. Got -0\.5",
    ),
    bad(
        "kwarg",
        "SGD-lr",
        lambda: optimizers.SGD(lr=0.1),
        TypeError,
        r"Unrecognized keyword argument 'lr' for SGD: use 'learning_rate'",
    ),
    bad(
        "range",
        "Adam-beta_1",
        lambda: optimizers.Adam(beta_1=1.0),
        ValueError,
        r"'beta_1' argument of Adam must be a float in \[0, 1\)\. Got 1\.0",
    ),
    bad(
        "range",
        "RMSprop-rho",
        lambda: optimizers.RMSprop(rho=1.5),
        ValueError,
        r"'rho' argument of RMSprop must be a float in \[0, 1\)\. Got 1\.5",
    ),
    bad(
        "name",
        "optimizers.get",
        lambda: optimizers.get("rmsprob"),
        ValueError,
        r"Unknown optimizer 'rmsprob'\. Valid names are: .*Did you mean 'rmsprop'\?",
    ),
    bad(
        "range",
        "ExponentialDecay-decay_steps",
        lambda: schedules.ExponentialDecay(0.1, 0, 0.9),
        ValueError,
        r"'decay_steps' argument of ExponentialDecay must be a float > 0\. Got 0",
    ),
    bad(
        "range",
        "ExponentialDecay-initial_learning_rate",
        lambda: schedules.ExponentialDecay(-0.1, 10, 0.9),
        ValueError,
        r"'initial_learning_rate' argument of ExponentialDecay must be a float > 0\. Got -0\.1",
    ),
    bad(
        "range",
        "PiecewiseConstantDecay-boundaries",
        lambda: schedules.PiecewiseConstantDecay([10, 5], [1.0, 0.5, 0.1]),
        ValueError,
        r"'boundaries' argument of PiecewiseConstantDecay must be strictly increasing\. "
        r"Got \[10, 5\]",
    ),
    bad(
        "shape",
        "PiecewiseConstantDecay-values",
        lambda: schedules.PiecewiseConstantDecay([10], [1.0, 0.5, 0.1]),
        ValueError,
        r"'values' argument of PiecewiseConstantDecay must hold len\(boundaries\) \+ 1 = 2 "
        r"learning rates.*Got 3",
    ),
    bad(
        "range",
        "schedule-negative-step",
        lambda: schedules.ExponentialDecay(0.1, 10, 0.9)(-1),
        ValueError,
        r"'step' argument of ExponentialDecay\.__call__ must be a number >= 0.*Got -1",
    ),
    # losses
    bad(
        "name",
        "losses.get",
        lambda: losses.get("binary_crossentrophy"),
        ValueError,
        r"Unknown loss 'binary_crossentrophy'\. Valid names are: .*Did you mean "
        r"'binary_crossentropy'\?",
    ),
    bad(
        "shape",
        "mean_squared_error-rows",
        lambda: losses.mean_squared_error(np.ones((3, 2)), np.ones((4, 2))),
        ValueError,
        r"'y_true' and 'y_pred' arguments of mean_squared_error must have the same shape.*"
        r"Got y_true of shape \(3, 2\) and y_pred of shape \(4, 2\)",
    ),
    bad(
        "nan",
        "mean_squared_error-NaN",
        lambda: losses.mean_squared_error(np.ones(3), np.array([1.0, np.nan, 2.0])),
        ValueError,
        r"'y_pred' argument of mean_squared_error must be an array of finite numbers\..*NaN",
    ),
    bad(
        "empty",
        "mean_squared_error-empty",
        lambda: losses.mean_squared_error([], []),
        ValueError,
        r"'y_pred' argument of mean_squared_error must be a non-empty array\. Got an array of "
        r"shape \(0,\)",
    ),
    bad(
        "range",
        "binary_crossentropy-not-probabilities",
        lambda: losses.binary_crossentropy(np.ones((2, 1)), np.full((2, 1), 1.5)),
        ValueError,
        r"'y_pred' argument of binary_crossentropy must hold probabilities in \[0, 1\]\. Got "
        r"values from 1\.5 to 1\.5 instead\. If y_pred holds logits.*from_logits=True",
    ),
    bad(
        "label",
        "sparse_categorical_crossentropy-label-k",
        lambda: losses.sparse_categorical_crossentropy([0, 3], np.full((2, 3), 1 / 3)),
        ValueError,
        r"'y_true' argument of sparse_categorical_crossentropy must hold integer class labels "
        r"in \[0, 3\)\. Got 3 \(at index 1\) instead",
    ),
    bad(
        "label",
        "sparse_categorical_crossentropy-label-negative",
        lambda: losses.SparseCategoricalCrossentropy()([0, -1], np.full((2, 3), 1 / 3)),
        ValueError,
        r"'y_true' argument of SparseCategoricalCrossentropy must hold integer class labels in "
        r"\[0, 3\)\. Got -1 \(at index 1\)",
    ),
    bad(
        "label",
        "sparse_categorical_crossentropy-label-fractional",
        lambda: losses.sparse_categorical_crossentropy([0, 1.5], np.full((2, 3), 1 / 3)),
        ValueError,
        r"must hold integer class labels in \[0, 3\)\. Got 1\.5 \(at index 1\)",
    ),
    bad(
        "label",
        "fit-sparse-labels-out-of-range",
        lambda: _classifier().fit(_x(), [0, 1, 2, 3, 0, 1, 2, 0, 1, 2], verbose=0),
        ValueError,
        r"'y' argument of Sequential\.fit does not fit the model's output of shape \(None, 3\) "
        r"and the loss 'sparse_categorical_crossentropy'.*integer class labels in \[0, 3\)\. "
        r"Got 3 \(at index 3\)",
    ),
    bad(
        "shape",
        "categorical_crossentropy-labels-not-one-hot",
        lambda: losses.categorical_crossentropy([0, 1, 2], np.full((3, 3), 1 / 3)),
        ValueError,
        r"'y_true' and 'y_pred' arguments of categorical_crossentropy must have the same "
        r"shape.*Got y_true of shape \(3,\).*For integer class labels use "
        r"'sparse_categorical_crossentropy'",
    ),
    bad(
        "range",
        "BinaryCrossentropy-label_smoothing",
        lambda: losses.BinaryCrossentropy(label_smoothing=1.5),
        ValueError,
        r"'label_smoothing' argument of BinaryCrossentropy must be a float in \[0, 1\]\. Got 1\.5",
    ),
    bad(
        "kwarg",
        "BinaryCrossentropy-from_logit",
        lambda: losses.BinaryCrossentropy(from_logit=True),
        TypeError,
        r"unexpected keyword argument 'from_logit'",
    ),
    bad(
        "type",
        "MeanSquaredError-has-no-logits-form",
        lambda: losses.MeanSquaredError().value_from_logits(np.ones(3), np.ones(3)),
        TypeError,
        r"MeanSquaredError\.value_from_logits is not available: MeanSquaredError has no logits "
        r"form",
    ),
    # metrics
    bad(
        "name",
        "metrics.get",
        lambda: metrics.get("accurasy"),
        ValueError,
        r"Unknown metric 'accurasy'\. Valid names are: .*Did you mean 'accuracy'\?",
    ),
    bad(
        "shape",
        "metrics.mse-lengths",
        lambda: metrics.mse(np.ones(3), np.ones(4)),
        ValueError,
        r"'y_true' and 'y_pred' arguments of mse must have the same shape.*Got y_true of shape "
        r"\(3,\) and y_pred of shape \(4,\)",
    ),
    bad(
        "shape",
        "categorical_accuracy-classes",
        lambda: metrics.categorical_accuracy(np.eye(3), np.ones((3, 4))),
        ValueError,
        r"arguments of categorical_accuracy must have the same shape \(one-hot targets\)\. Got "
        r"y_true of shape \(3, 3\) and y_pred of shape \(3, 4\)",
    ),
    bad(
        "label",
        "sparse_categorical_accuracy-label",
        lambda: metrics.sparse_categorical_accuracy([0, 7], np.full((2, 3), 1 / 3)),
        ValueError,
        r"'y_true' argument of sparse_categorical_accuracy must hold integer class labels in "
        r"\[0, 3\)\. Got 7 \(at index 1\)",
    ),
    bad(
        "nan",
        "r2_score-NaN",
        lambda: metrics.r2_score(np.ones(3), [1.0, np.nan, 0.0]),
        ValueError,
        r"'y_pred' argument of metric 'r2_score' must be an array of finite "
        r"numbers\..*NaN",
    ),
    # activations
    bad(
        "name",
        "activations.get",
        lambda: activations.get("sigmoig"),
        ValueError,
        r"Unknown activation 'sigmoig'\. Valid names are: .*Did you mean 'sigmoid'\?",
    ),
    bad(
        "type",
        "activations.get-a-number",
        lambda: activations.get(5),
        TypeError,
        r"'activation' argument must be None, a name \(one of 'elu', .*\).*Got 5 instead",
    ),
    bad(
        "type",
        "activations.relu-text",
        lambda: activations.relu("abc"),
        TypeError,
        r"'x' argument of relu must be an array of numbers\. Got 'abc'",
    ),
    bad(
        "range",
        "softmax-axis",
        lambda: activations.softmax(np.ones((2, 3)), axis=5),
        ValueError,
        r"'axis' argument of softmax must be .*Got 5",
    ),
    # regularizers and initializers
    bad(
        "name",
        "regularizers.get",
        lambda: regularizers.get("l2x"),
        ValueError,
        r"Unknown regularizer 'l2x'\. Valid names are: 'l1', 'l1l2', 'l2'\. Did you mean 'l2'\?",
    ),
    bad(
        "range",
        "L2-negative",
        lambda: regularizers.L2(-0.1),
        ValueError,
        r"'l2' argument of L2 must be a float >= 0\. Got -0\.1",
    ),
    bad(
        "type",
        "regularizers.get-a-dict",
        lambda: regularizers.get({"l2": 0.1}),
        TypeError,
        r"regularizer identifier must be None, a name \('l1', 'l1l2', 'l2'\) or a Regularizer "
        r"instance\. Got \{'l2': 0\.1\}",
    ),
    bad(
        "name",
        "initializers.get",
        lambda: initializers.get("he_unifrom"),
        ValueError,
        r"Unknown initializer 'he_unifrom'\. Valid names are: .*Did you mean 'he_uniform'\?",
    ),
    bad(
        "range",
        "RandomNormal-stddev",
        lambda: initializers.RandomNormal(stddev=-1),
        ValueError,
        r"'stddev' argument of RandomNormal must be a float > 0\. Got -1\.0",
    ),
    bad(
        "range",
        "RandomUniform-bounds",
        lambda: initializers.RandomUniform(minval=1, maxval=0),
        ValueError,
        r"'maxval' argument of RandomUniform must be a float > minval = 1\.0\. Got 0\.0",
    ),
    bad(
        "name",
        "VarianceScaling-mode",
        lambda: initializers.VarianceScaling(mode="fan_io"),
        ValueError,
        r"'mode' argument of VarianceScaling must be one of 'fan_avg', 'fan_in', "
        r"'fan_out'\. Got 'fan_io' instead\. Did you mean 'fan_in'\?",
    ),
    # model_selection
    bad(
        "folds",
        "KFold-more-folds-than-samples",
        lambda: list(model_selection.KFold(5).split(np.ones((3, 2)))),
        ValueError,
        r"'n_splits' argument of KFold \(5\) must not exceed the number of samples "
        r"\(n_samples=3\)",
    ),
    bad(
        "folds",
        "cross_val_score-more-folds-than-samples",
        lambda: model_selection.cross_val_score(linear.LeastSquares, _x(4), _y(4), cv=5),
        ValueError,
        r"'cv' argument of cross_val_score must be at most the number of samples "
        r"\(n_samples=4\).*Got cv=5 instead",
    ),
    bad(
        "folds",
        "LeaveOneOut-one-sample",
        lambda: list(model_selection.LeaveOneOut().split(np.ones((1, 2)))),
        ValueError,
        r"'X' argument of LeaveOneOut\.split must hold at least 2 samples\. Got n_samples=1",
    ),
    bad(
        "range",
        "KFold-n_splits-1",
        lambda: model_selection.KFold(1),
        ValueError,
        r"'n_splits' argument of KFold must be an integer >= 2\. Got 1",
    ),
    bad(
        "range",
        "train_test_split-test_size",
        lambda: model_selection.train_test_split(_x(), _y(), test_size=1.5),
        ValueError,
        r"'test_size' argument of train_test_split must be a float in \(0, 1\)\. Got 1\.5",
    ),
    bad(
        "range",
        "train_test_split-test_size-too-many",
        lambda: model_selection.train_test_split(_x(), _y(), test_size=20),
        ValueError,
        r"'test_size' argument of train_test_split must leave at least one sample in each "
        r"part\. Got test_size=20 with n_samples=10",
    ),
    bad(
        "shape",
        "train_test_split-lengths",
        lambda: model_selection.train_test_split(_x(), _y(4)),
        ValueError,
        r"arrays given to train_test_split must have the same number of samples \(rows\)\. "
        r"Got \[10, 4\]",
    ),
    bad(
        "range",
        "train_val_test_split-sizes",
        lambda: model_selection.train_val_test_split(_x(), _y(), sizes=(0.5, 0.5, 0.5)),
        ValueError,
        r"'sizes' argument of train_val_test_split must be three fractions in \(0, 1\) that sum "
        r"to 1\. Got \(0\.5, 0\.5, 0\.5\) \(sum 1\.5\)",
    ),
    bad(
        "name",
        "cross_val_score-scoring",
        lambda: model_selection.cross_val_score(linear.LeastSquares, _x(), _y(), scoring="mes"),
        ValueError,
        r"'scoring' argument of cross_val_score must be one of 'accuracy', 'mae', "
        r"'mape', 'mse', 'r2'\. Got 'mes' instead\. Did you mean 'mse'\?",
    ),
    bad(
        "type",
        "GridSearch-param_grid-value",
        lambda: model_selection.GridSearch(
            lambda alpha: linear.LeastSquares(), {"alpha": 0.1}, cv=2
        ).fit(_x(), _y()),
        TypeError,
        r"entry 'alpha' of the 'param_grid' argument of GridSearch must be a list of "
        r"options.*Got 0\.1",
    ),
    bad(
        "kwarg",
        "KFold-n_split",
        lambda: model_selection.KFold(n_split=3),
        TypeError,
        r"unexpected keyword argument 'n_split'",
    ),
    # linear
    bad(
        "label",
        "Perceptron-three-classes",
        lambda: linear.Perceptron().fit(np.ones((3, 2)), [0, 1, 2]),
        ValueError,
        r"'y' argument of Perceptron\.fit must hold two classes labelled -1/\+1 or 0/1\. Got the "
        r"labels \[0\.0, 1\.0, 2\.0\]",
    ),
    bad(
        "range",
        "Perceptron-learning_rate-0",
        lambda: linear.Perceptron(learning_rate=0).fit(_x(), [0, 1] * 5),
        ValueError,
        r"'learning_rate' argument of Perceptron must be a float > 0\. Got 0\.0",
    ),
    bad(
        "shape",
        "Perceptron-rows",
        lambda: linear.Perceptron().fit(_x(), [0, 1] * 3),
        ValueError,
        r"'x' and 'y' arguments of Perceptron\.fit must have the same number of samples "
        r"\(rows\)\. Got 10 rows in 'x' and 6 in 'y'",
    ),
    bad(
        "nan",
        "Perceptron-NaN",
        lambda: linear.Perceptron().fit(_with(_x(), (0, 0), np.nan), [0, 1] * 5),
        ValueError,
        r"'x' argument of Perceptron\.fit must be an array of finite numbers\..*NaN",
    ),
    bad(
        "shape",
        "least_squares-lengths",
        lambda: linear.least_squares(np.ones(5), np.ones(4)),
        ValueError,
        r"'x' and 'y' arguments of least_squares must have the same number of "
        r"samples \(rows\)\. Got 5 rows in 'x' and 4 in 'y'",
    ),
    bad(
        "shape",
        "least_squares-two-columns",
        lambda: linear.least_squares(np.ones((4, 2)), np.arange(4.0)),
        ValueError,
        r"'x' argument of least_squares must be a 1-D array or a column of shape "
        r"\(n_samples, 1\)\. Got an array of shape \(4, 2\)",
    ),
    bad(
        "empty",
        "least_squares-empty",
        lambda: linear.least_squares([], []),
        ValueError,
        r"'x' argument of least_squares must be a non-empty array\. Got an array of shape \(0,\)",
    ),
    bad(
        "shape",
        "LeastSquares.predict-features",
        lambda: linear.LeastSquares().fit(_x(), _y().ravel()).predict(np.ones((2, 4))),
        ValueError,
        r"'x' argument of LeastSquares\.predict must have 3 features \(columns\), as in fit\. "
        r"Got an array of shape \(2, 4\)",
    ),
    # datasets
    bad(
        "range",
        "make_sine-n_samples-0",
        lambda: datasets.make_sine(n_samples=0),
        ValueError,
        r"'n_samples' argument of make_sine must be an integer >= 1\. Got 0 instead",
    ),
    bad(
        "range",
        "make_xor-n_samples-negative",
        lambda: datasets.make_xor(n_samples=-4),
        ValueError,
        r"'n_samples' argument of make_xor must be an integer >= 1\. Got -4",
    ),
    bad(
        "type",
        "make_blobs2d-n_samples-float",
        lambda: datasets.make_blobs2d(n_samples=10.5),
        TypeError,
        r"'n_samples' argument of make_blobs2d must be an integer\. Got 10\.5",
    ),
    bad(
        "range",
        "make_spirals-n_classes",
        lambda: datasets.make_spirals(n_classes=1),
        ValueError,
        r"'n_classes' argument of make_spirals must be an integer >= 2\. Got 1",
    ),
    bad(
        "range",
        "make_polynomial-x_range",
        lambda: datasets.make_polynomial(x_range=(1, -1)),
        ValueError,
        r"'x_range' argument of make_polynomial must be a pair \(low, high\) of "
        r"finite numbers with low < high\. Got \(1, -1\)",
    ),
    bad(
        "kwarg",
        "make_sine-n_sample",
        lambda: datasets.make_sine(n_sample=10),
        TypeError,
        r"unexpected keyword argument 'n_sample'",
    ),
    # plotting
    bad(
        "type",
        "plot_history-ax",
        lambda: plotting.plot_history({"loss": [1.0, 0.5]}, ax="left"),
        TypeError,
        r"'ax' argument of plot_history must be a matplotlib Axes \(from "
        r"plt\.subplots\(\)\) or None\. Got 'left' instead",
    ),
    bad(
        "type",
        "plot_fit-ax-grid",
        lambda: plotting.plot_fit([1.0, 2.0], [1.0, 2.0], ax=np.empty((2, 2), dtype=object)),
        TypeError,
        r"'ax' argument of plot_fit must be a matplotlib Axes.*Got an array of shape "
        r"\(2, 2\).*pass one of them, such as axes\[0\]",
    ),
    bad(
        "type",
        "plot_history-history",
        lambda: plotting.plot_history(42),
        TypeError,
        r"'history' argument of plot_history must be a History returned by fit or a non-empty "
        r"dict of logged values\. Got 42",
    ),
    bad(
        "name",
        "plot_history-keys",
        lambda: plotting.plot_history({"loss": [1.0], "val_loss": [2.0]}, keys=["val_los"]),
        ValueError,
        r"'keys' argument of plot_history names 'val_los', which the history does "
        r"not hold\. Available: 'loss', 'val_loss'\. Did you mean 'val_loss'\?",
    ),
    bad(
        "type",
        "plot_history-values",
        lambda: plotting.plot_history({"loss": "falling"}),
        TypeError,
        r"\"history\['loss'\]\" argument of plot_history must be an array of numbers\. "
        r"Got 'falling'",
    ),
    bad(
        "shape",
        "plot_decision_boundary-features",
        lambda: plotting.plot_decision_boundary(_net(), _x(), np.zeros(10)),
        ValueError,
        r"'x' argument of plot_decision_boundary must have exactly 2 features \(columns\).*"
        r"Got an array of shape \(10, 3\)",
    ),
    bad(
        "range",
        "plot_learning_rate-steps",
        lambda: plotting.plot_learning_rate(0.1, steps=0),
        ValueError,
        r"'steps' argument of plot_learning_rate must be an integer >= 1\. Got 0",
    ),
    # coursework
    bad(
        "empty",
        "coursework.release-no-exercises",
        lambda: coursework.release([_notebook_without_exercises()], "handout"),
        ValueError,
        r"no_exercises\.ipynb has no exercises \(no '### Exercise N\.k' heading\)",
    ),
    bad(
        "empty",
        "coursework.grade-no-exercises",
        # the reference decides what is graded: a reference without exercises is refused
        lambda: coursework.grade(
            _notebook_without_exercises(), reference=_notebook_without_exercises()
        ),
        ValueError,
        r"The reference no_exercises\.ipynb has no exercises \(no '### Exercise N\.k' heading\)",
    ),
    # gradcheck and keras_bridge (checked before TensorFlow is imported)
    bad(
        "order",
        "check_model-uncompiled",
        lambda: gradcheck.check_model(_net(False), _x(), _y()),
        ValueError,
        r"'model' argument of check_model must be compiled.*Got an uncompiled model",
    ),
    bad(
        "range",
        "numerical_gradient-eps",
        lambda: gradcheck.numerical_gradient(np.sum, _x(), eps=0),
        ValueError,
        r"'eps' argument of numerical_gradient must be a float > 0\. Got 0\.0",
    ),
    bad(
        "type",
        "to_keras-not-a-model",
        lambda: keras_bridge.to_keras("model.keras"),
        TypeError,
        r"'model' argument of to_keras must be an mlpabc Sequential\. Got 'model\.keras'",
    ),
    bad(
        "order",
        "to_keras-unbuilt",
        lambda: keras_bridge.to_keras(Sequential([Dense(1)])),
        ValueError,
        r"'model' argument of to_keras must be built \(start it with Input",
    ),
]


@pytest.mark.parametrize("kind, call, exc, pattern", BAD_INPUTS)
def test_bad_input_is_refused_with_a_clear_message(kind, call, exc, pattern, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the rows that write files write them here
    with pytest.raises(Exception) as info:
        call()
    err, message = info.value, str(info.value)
    # exactly that type: numpy's AxisError, say, is a ValueError but also an IndexError
    assert type(err) is exc, f"expected {exc.__name__}, got {type(err).__name__}: {message}"
    assert re.search(pattern, message, re.S), f"{pattern!r} not found in:\n{message}"
    for leak in LEAKS:
        assert leak not in message, message
    # Raised by mlpabc itself, or (a misspelt keyword) by Python at the call; never inside numpy.
    origin = Path(str(info.traceback[-1].path)).resolve()
    assert origin.is_relative_to(PACKAGE_DIR) or origin == Path(__file__).resolve(), origin


def test_the_table_covers_every_kind_of_mistake():
    rows = [p for p in BAD_INPUTS if not p.marks]
    assert len(rows) >= 40
    covered = {p.values[0] for p in rows}
    assert covered == set(KINDS), set(KINDS) - covered


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: Sequential(layer=[]), "layer"),
        (lambda: Dense(3, activaton="relu"), "activaton"),
        (lambda: Dropout(rat=0.5), "rat"),
        (lambda: BatchNormalization(momentun=0.9), "momentun"),
        (lambda: losses.CategoricalCrossentropy(from_logit=True), "from_logit"),
        (lambda: model_selection.KFold(3, shufle=True), "shufle"),
        (lambda: linear.Perceptron(learningrate=0.1), "learningrate"),
        (lambda: datasets.make_spirals(n_class=3), "n_class"),
        (lambda: optimizers.Adam(learningrate=0.1), "learningrate"),
        (lambda: _net().evaluate(_x(), _y(), batchsize=2), "batchsize"),
    ],
)
def test_every_misspelt_keyword_is_a_type_error_naming_it(call, name):
    with pytest.raises(TypeError, match=rf"'{name}'"):
        call()


# -- 2. numerical stability ------------------------------------------------------------------------

EXTREMES = np.array([[-1000.0, -30.0, -1.0, 0.0, 1.0, 30.0, 1000.0],
                     [1000.0, 1000.0, -1000.0, 999.0, -999.0, 0.5, 1000.0]])  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", activations.names())
def test_activations_are_finite_and_warning_free_at_extremes(name, dtype):
    z = EXTREMES.astype(dtype)
    act = activations.get(name)
    function = getattr(activations, name)
    derivative = getattr(activations, f"{name}_derivative")
    with np.errstate(**RAISE):
        a = act(z)
        da = np.ones_like(z)
        outputs = [a, act.derivative(z), act.backward(z, a, da), function(z), derivative(z)]
    for out in outputs:
        assert np.all(np.isfinite(out)), (name, out)
    np.testing.assert_array_equal(function(z), a)


def test_activation_values_at_extremes():
    with np.errstate(**RAISE):
        np.testing.assert_array_equal(activations.sigmoid([-1000.0, 0.0, 1000.0]), [0.0, 0.5, 1.0])
        np.testing.assert_array_equal(activations.sigmoid_derivative([-1000.0, 1000.0]), [0.0, 0.0])
        np.testing.assert_array_equal(activations.tanh([-1000.0, 1000.0]), [-1.0, 1.0])
        np.testing.assert_array_equal(activations.tanh_derivative([-1000.0, 1000.0]), [0.0, 0.0])
        np.testing.assert_array_equal(activations.elu([-1000.0, 1000.0]), [-1.0, 1000.0])
        np.testing.assert_array_equal(activations.elu_derivative([-1000.0, 1000.0]), [0.0, 1.0])
        np.testing.assert_array_equal(activations.softmax([[1000.0, 0.0]]), [[1.0, 0.0]])
        np.testing.assert_array_equal(activations.softmax([[-1000.0, -1000.0]]), [[0.5, 0.5]])


def test_softmax_is_computed_by_log_sum_exp():
    """softmax(z + c) = softmax(z) for any shift c: the max is subtracted before exp."""
    z = np.array([[0.25, -1.5, 2.0], [3.0, 3.0, -0.5]])
    reference = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    with np.errstate(**RAISE):
        for shift in (-1000.0, 0.0, 1000.0, 1e6):
            out = activations.softmax(z + shift)
            np.testing.assert_allclose(out, reference, rtol=1e-9, atol=0)
            np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-15)
        jacobian = activations.softmax_derivative(z + 1000.0)
    a = activations.softmax(z)
    np.testing.assert_allclose(jacobian, a[:, :, None] * (np.eye(3) - a[:, None, :]), atol=1e-12)


def _loss_cases():
    """Name -> (y_true, y_pred at probabilities 0 and 1 or at +-1000, logits at +-1000 or None)."""
    binary_y = np.array([[0.0], [0.0], [1.0], [1.0]])
    binary_p = np.array([[0.0], [1.0], [0.0], [1.0]])
    binary_z = np.array([[-1000.0], [1000.0], [-1000.0], [1000.0]])
    onehot = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    probs = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])  # wrong, right, wrong
    logits = np.array([[-1000.0, 1000.0, 0.0], [0.0, 1000.0, -1000.0], [1000.0, -1000.0, 1000.0]])
    regression = (EXTREMES[::-1].copy(), EXTREMES)
    return {
        "binary_crossentropy": (binary_y, binary_p, binary_z),
        "categorical_crossentropy": (onehot, probs, logits),
        "sparse_categorical_crossentropy": (np.array([0, 1, 2]), probs, logits),
        "mean_squared_error": (*regression, None),
        "mean_absolute_error": (*regression, None),
        "mean_absolute_percentage_error": (np.zeros_like(EXTREMES), EXTREMES, None),  # y = 0 too
        "hinge": (*regression, None),
    }


LOSS_CASES = _loss_cases()


@pytest.mark.parametrize("name", sorted(LOSS_CASES))
def test_losses_are_finite_and_warning_free_at_extremes(name):
    y, p, z = LOSS_CASES[name]
    loss = losses.get(name)
    function = getattr(losses, name)
    with np.errstate(**RAISE):
        outputs = [loss(y, p), loss.gradient(y, p), function(y, p)]
        if z is not None:
            logit_loss = type(loss)(from_logits=True)
            outputs += [
                loss.value_from_logits(y, z),
                loss.gradient_from_logits(y, z),
                logit_loss(y, z),
                logit_loss.gradient(y, z),
                function(y, z, from_logits=True),
            ]
    for out in outputs:
        assert np.all(np.isfinite(out)), (name, out)


def test_cross_entropy_values_at_probabilities_0_and_1_and_logits_of_1000():
    eps = losses.EPSILON  # Keras clips probabilities to [eps, 1 - eps]
    y, p, z = LOSS_CASES["binary_crossentropy"]
    with np.errstate(**RAISE):
        # right answers cost -log(1 - eps), wrong ones -log(eps) = 16.118...
        expected = [-np.log1p(-eps), -np.log(eps), -np.log(eps), -np.log1p(-eps)]
        np.testing.assert_allclose(losses.binary_crossentropy(y, p), expected, rtol=1e-9)
        # from logits: max(z, 0) - z y + log(1 + e^-|z|) is exactly 0 or 1000
        np.testing.assert_array_equal(
            losses.binary_crossentropy(y, z, from_logits=True), [0.0, 1000.0, 1000.0, 0.0]
        )
        grad = losses.BinaryCrossentropy().gradient_from_logits(y, z)
        np.testing.assert_array_equal(grad, (activations.sigmoid(z) - y) / 4)
        y, p, z = LOSS_CASES["categorical_crossentropy"]
        # logits: -log softmax(z)[true class]: 2000, 0, 1000 + log 2
        np.testing.assert_allclose(
            losses.categorical_crossentropy(y, z, from_logits=True),
            [2000.0, 0.0, np.log(2.0)],
            rtol=1e-12,
        )
        grad = losses.CategoricalCrossentropy().gradient_from_logits(y, z)
        np.testing.assert_allclose(grad, (activations.softmax(z) - y) / 3, atol=1e-17)
        labels = LOSS_CASES["sparse_categorical_crossentropy"][0]
        sparse = losses.sparse_categorical_crossentropy(labels, z, from_logits=True)
        np.testing.assert_allclose(sparse, [2000.0, 0.0, np.log(2.0)], rtol=1e-12)


@pytest.mark.parametrize("layer", [
    lambda: Dense(4, activation="sigmoid"),
    lambda: Dense(4, activation="softmax"),
    lambda: Activation("elu"),
    lambda: Activation("tanh"),
    lambda: LeakyReLU(),
    lambda: PReLU(),
    lambda: Dropout(0.5, seed=0),
    lambda: BatchNormalization(),
    lambda: Residual([Dense(7, activation="tanh")]),
], ids=["dense-sigmoid", "dense-softmax", "elu", "tanh", "leaky_relu", "prelu", "dropout",
        "batch_normalization", "residual"])  # fmt: skip
def test_layers_forward_and_backward_are_stable_at_extremes(layer):
    layer = _built(layer(), n_in=7)
    with np.errstate(**RAISE):
        for training in (True, False):
            out = layer.forward(EXTREMES, training=training)
            dx = layer.backward(np.ones_like(out))
            assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx))
            assert all(np.all(np.isfinite(g)) for g in layer.grads.values())


@pytest.mark.parametrize(
    "output, loss, n_out",
    [
        ("sigmoid", "binary_crossentropy", 1),  # the logits path
        ("softmax", "categorical_crossentropy", 3),
        ("softmax", "sparse_categorical_crossentropy", 3),
        ("softmax", "mse", 3),  # probabilities, no logits path
        ("linear", losses.BinaryCrossentropy(from_logits=True), 1),
        ("tanh", "mae", 1),
        ("linear", "mape", 1),
    ],
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_whole_model_is_stable_at_huge_inputs(output, loss, n_out, dtype):
    rng = np.random.default_rng(0)
    x = 1000.0 * np.sign(rng.normal(size=(16, 4)))
    labels = np.arange(16) % n_out if n_out > 1 else np.arange(16) % 2
    y = (
        labels
        if loss == "sparse_categorical_crossentropy"
        else (np.eye(n_out)[labels] if n_out > 1 else labels[:, None].astype(float))
    )
    model = Sequential([
        Input((4,)), Dense(8, activation="elu"), BatchNormalization(),
        Dense(8, activation="sigmoid"), LeakyReLU(), Dense(8, activation="tanh"), Dropout(0.25),
        Residual([Dense(8, activation="relu")]), Dense(n_out, activation=output),
    ], seed=0, dtype=dtype)  # fmt: skip
    model.compile(optimizer=optimizers.Adam(learning_rate=1e-3), loss=loss)
    with np.errstate(**RAISE):
        value, grads = model.compute_gradients(x, y)
        history = model.fit(x, y, batch_size=4, epochs=2, verbose=0)
        prediction = model.predict(x)
        evaluated = model.evaluate(x, y)
    assert np.isfinite(value) and np.isfinite(evaluated)
    assert all(np.all(np.isfinite(g)) for g in grads)
    assert np.all(np.isfinite(history.history["loss"])) and len(history.epoch) == 2
    assert np.all(np.isfinite(prediction))


# -- 3. divergence ---------------------------------------------------------------------------------


def _regression(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    return x, x @ np.array([[1.0], [-2.0], [0.5]])


@pytest.mark.parametrize(
    "make_optimizer, batch_size",
    [
        (lambda: optimizers.SGD(learning_rate=3.0), 8),  # diverges inside an epoch
        (lambda: optimizers.SGD(learning_rate=3.0), 24),  # one step per epoch: at its first batch
        (lambda: optimizers.SGD(learning_rate=1.0, momentum=0.9), 8),
        (lambda: optimizers.SGD(learning_rate=1.5, momentum=0.5, nesterov=True), 8),
    ],
    ids=["sgd-3-batches", "sgd-1-batch", "momentum", "nesterov"],
)
def test_divergence_stops_at_the_step_keeping_history_and_last_finite_weights(
    make_optimizer, batch_size
):
    x, y = _regression()
    model = _net()
    model.compile(optimizer=make_optimizer(), loss="mse", metrics=["mae"])
    steps, epochs = [], []  # (epoch, batch, weights after the step); logs of finished epochs
    epoch_now = [0]

    def after_step(batch, logs):
        steps.append((epoch_now[0], batch, model.get_weights()))

    cb = LambdaCallback(
        on_epoch_begin=lambda epoch, logs: epoch_now.__setitem__(0, epoch),
        on_train_batch_end=after_step,
        on_epoch_end=lambda epoch, logs: epochs.append(dict(logs)),
    )
    with pytest.warns(RuntimeWarning) as record:
        history = model.fit(
            x,
            y,
            batch_size=batch_size,
            epochs=500,
            validation_split=0.25,
            callbacks=[cb],
            verbose=0,
        )
    # one warning that training diverged (before it, at most one that the loss grew by
    # orders of magnitude: the guard says so as soon as it sees it)
    diverged = [str(r.message) for r in record if "Training diverged" in str(r.message)]
    assert len(diverged) == 1 and len(record) <= 2, [str(r.message) for r in record]
    assert str(record[-1].message) == diverged[0]
    message = diverged[0]
    match = re.search(r"the loss became (inf|nan) at epoch (\d+)/500, batch (\d+)/(\d+)\.", message)
    assert match, message
    assert "Try a smaller learning rate (it is " in message
    failed_epoch, failed_batch = int(match.group(2)) - 1, int(match.group(3)) - 1
    n_batches = -(-24 // batch_size)  # 24 training samples after the split
    assert int(match.group(4)) == n_batches
    # it stopped at once: the step after the last finite one is the one that failed
    last_epoch, last_batch, last_weights = steps[-1]
    assert (failed_epoch, failed_batch) == (
        (last_epoch, last_batch + 1) if last_batch + 1 < n_batches else (last_epoch + 1, 0)
    )
    # the history holds the finished epochs, every key the same length; the training values are
    # finite (a validation value may already have overflowed: it is kept as measured)
    assert history.epoch == list(range(failed_epoch)) == list(range(len(epochs)))
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    for key, values in history.history.items():
        assert values == [logs[key] for logs in epochs]
    assert np.all(np.isfinite(history.history["loss"] + history.history["mae"]))
    assert len(history.batch_order) == failed_epoch
    # the weights: exactly those after the last step with a finite loss, all finite
    weights = model.get_weights()
    for w, w_last in zip(weights, last_weights):
        np.testing.assert_array_equal(w, w_last)
        assert np.all(np.isfinite(w))
    assert model.optimizer.iterations == len(steps)  # the failing step made no update


def test_an_overflowing_update_is_undone_to_the_start_of_the_epoch():
    """A finite loss whose update overflows: the weights go back to the start of the epoch."""
    model = Sequential([Input((1,)), Dense(1, kernel_initializer="ones")], seed=0)
    model.compile(optimizer=optimizers.SGD(learning_rate=1e10), loss="mse")
    x, y = np.array([[1e150]]), np.array([[0.0]])  # loss 1e300, gradient 2e300, step 2e310 = inf
    before = model.get_weights()
    with pytest.warns(
        RuntimeWarning,
        match=r"weights stopped being finite numbers during epoch "
        r"1/3.*those at the start of that epoch.*smaller "
        r"learning rate",
    ):
        history = model.fit(x, y, epochs=3, verbose=0)
    assert history.epoch == [] and history.history == {}
    for w, w0 in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, w0)


def _overflow_then_nan():
    """Batch 1 has a finite loss but an update that overflows; batch 2's loss is then NaN."""
    model = Sequential([Input((1,)), Dense(1, kernel_initializer="ones")], seed=0)
    model.compile(optimizer=optimizers.SGD(learning_rate=1e10), loss="mse")
    before = model.get_weights()
    with pytest.warns(RuntimeWarning) as record:
        history = model.fit(
            np.array([[1e150], [1.0]]),
            np.zeros((2, 1)),
            batch_size=1,
            epochs=3,
            shuffle=False,
            verbose=0,
        )
    return model, before, history, [str(r.message) for r in record]


def test_a_non_finite_loss_after_an_overflowing_update_restores_the_start_of_the_epoch():
    model, before, history, messages = _overflow_then_nan()
    assert len(messages) == 1 and history.epoch == []
    assert re.search(r"at epoch 1/3, batch 2/2\..*Try a smaller learning rate", messages[0])
    for w, w0 in zip(model.get_weights(), before):  # not the infinite weights of the last step
        np.testing.assert_array_equal(w, w0)


def test_the_divergence_warning_says_which_weights_were_kept():
    _, _, _, messages = _overflow_then_nan()
    assert "start of that epoch" in messages[0], messages[0]


def test_train_on_batch_skips_a_non_finite_step():
    model = _net()
    model.compile(optimizer=optimizers.SGD(learning_rate=1e10), loss="mse")
    x, y = 1e200 * _x(), _y()  # the loss overflows at once
    before = model.get_weights()
    with pytest.warns(
        RuntimeWarning,
        match=r"The loss is inf: the update of this step was not "
        r"applied\. Try a smaller learning rate",
    ):
        loss = model.train_on_batch(x, y)
    assert loss == np.inf and model.optimizer.iterations == 0
    for w, w0 in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, w0)


# -- 4. data safety --------------------------------------------------------------------------------


def _trained_model(dtype="float64", seed=0, residual=False):
    block = [Residual([Dense(5, activation="relu"), Dense(5)])] if residual else [Dense(5)]
    model = Sequential([
        Input((3,)), Dense(5, activation="tanh"), BatchNormalization(), PReLU(), Dropout(0.2),
        *block, Dense(2, activation="softmax"),
    ], seed=seed, dtype=dtype)  # fmt: skip
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(1).normal(size=(20, 3))
    model.fit(x, (x[:, 0] > 0).astype(int), batch_size=5, epochs=2, verbose=0)
    return model, x


def _same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("residual", [
    False, True,
], ids=["plain", "residual"])  # fmt: skip
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_save_and_load_weights_round_trip_bit_exactly_without_pickle(
    dtype, residual, tmp_path, monkeypatch
):
    model, x = _trained_model(dtype, residual=residual)
    path = tmp_path / "model.weights"  # any name: the file is written exactly there
    model.save_weights(path)
    assert os.listdir(tmp_path) == ["model.weights"]
    # the file holds plain arrays only: numpy reads every entry with pickling forbidden
    with np.load(path, allow_pickle=False) as data:
        entries = {key: data[key] for key in data.files}
    dtypes = {key: a.dtype for key, a in entries.items()}
    assert all(dtype.kind in "fU" for dtype in dtypes.values()), dtypes
    assert sum(a.dtype.kind == "f" for a in entries.values()) == len(model.weights)

    def no_pickle(*args, **kwargs):
        raise AssertionError("load_weights must not unpickle anything")

    monkeypatch.setattr(pickle, "load", no_pickle)
    monkeypatch.setattr(pickle, "loads", no_pickle)
    copy, _ = _trained_model(dtype, seed=1, residual=residual)
    assert not all(_same_bits(a, b) for a, b in zip(copy.get_weights(), model.get_weights()))
    copy.load_weights(path)
    for a, b in zip(copy.get_weights(), model.get_weights()):
        assert _same_bits(a, b)
    assert _same_bits(copy.predict(x), model.predict(x))


def _architectures():
    return {
        "wider layer": [Input((3,)), Dense(6, activation="tanh"), Dense(2, activation="softmax")],
        "extra layer": [Input((3,)), Dense(5, activation="tanh"), Dense(5), Dense(2)],
        "other layer type": [Input((3,)), Dense(5), LeakyReLU(), Dense(2)],
        "other input": [Input((4,)), Dense(5, activation="tanh"), Dense(2, activation="softmax")],
        "fewer layers": [Input((3,)), Dense(2)],
    }


@pytest.mark.parametrize("name", list(_architectures()))
def test_loading_into_another_architecture_fails_clearly_and_changes_nothing(name, tmp_path):
    source = Sequential([Input((3,)), Dense(5, activation="tanh"), Dense(2, activation="softmax")])
    source.save_weights(tmp_path / "w.npz")
    target = Sequential(_architectures()[name], seed=3)
    before = target.get_weights()
    with pytest.raises(
        ValueError,
        match=r"belong to a different architecture\. At position \d+ "
        r"the file has \[.*\] but model '\w+' has \[.*\].*"
        r"The model is unchanged\.",
    ):
        target.load_weights(tmp_path / "w.npz")
    for a, b in zip(target.get_weights(), before):
        assert _same_bits(a, b)


def test_a_tampered_weights_file_fails_clearly_and_changes_nothing(tmp_path):
    """The right architecture but one array of another shape: all is checked before any write."""
    model, _ = _trained_model()
    model.save_weights(tmp_path / "w.npz")
    before = model.get_weights()
    with np.load(tmp_path / "w.npz", allow_pickle=False) as data:
        entries = {key: data[key] for key in data.files}
    entries["weight_0003"] = np.zeros(7)
    np.savez(tmp_path / "tampered.npz", **entries)
    with pytest.raises(ValueError, match=r"item 3 \(.*\) must have shape"):
        model.load_weights(tmp_path / "tampered.npz")
    for a, b in zip(model.get_weights(), before):
        assert _same_bits(a, b)


def _fingerprint(a):
    a = np.asarray(a)
    digest = hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()
    return a.shape, a.dtype.str, a.flags.writeable, digest


def _caller_arrays(writeable):
    rng = np.random.default_rng(7)
    z = rng.normal(size=(12, 3))
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    labels = np.arange(12) % 3
    arrays = SimpleNamespace(
        x=rng.normal(size=(12, 3)),  # float64, C-contiguous: used without a copy where possible
        y=rng.normal(size=(12, 1)),
        y1=rng.normal(size=12),
        labels=labels,
        binary=(labels == 1).astype(float),
        onehot=np.eye(3)[labels],
        probs=probs,
        p1=probs[:, :1].copy(),
        z=z,
        x32=rng.normal(size=(12, 3)).astype(np.float32),
        weights=[rng.normal(size=shape) for shape in [(3, 4), (4,), (4, 1), (1,)]],
    )
    if not writeable:  # any write into them would raise
        for a in [*vars(arrays).values(), *arrays.weights]:
            if isinstance(a, np.ndarray):
                a.setflags(write=False)
    return arrays


def _every_array(arrays):
    return [*(v for v in vars(arrays).values() if isinstance(v, np.ndarray)), *arrays.weights]


def _bn_dropout_net(**kwargs):
    model = Sequential([Input((3,)), BatchNormalization(), Dropout(0.3),
                        Dense(4, activation="relu"), Dense(1)], seed=0, **kwargs)  # fmt: skip
    model.compile(optimizer="adam", loss="mse")
    return model


def _every_layer_forward_backward(a):
    for make in (lambda: Dense(3, activation="softmax"), lambda: Activation("sigmoid"), LeakyReLU,
                 PReLU, lambda: Dropout(0.5, seed=0), BatchNormalization,
                 lambda: Residual([Dense(3, activation="tanh")])):  # fmt: skip
        layer = _built(make())
        layer.forward(a.x, training=True)
        layer.backward(a.z)
        layer(a.x, training=False)


def _every_loss(a):
    for name, y_true, y_pred in [
        ("mse", a.y1, a.z[:, 0]), ("mae", a.onehot, a.probs), ("mape", a.onehot, a.probs),
        ("hinge", a.onehot, a.z), ("binary_crossentropy", a.binary, a.p1),
        ("categorical_crossentropy", a.onehot, a.probs),
        ("sparse_categorical_crossentropy", a.labels, a.probs),
    ]:  # fmt: skip
        loss = losses.get(name)
        loss(y_true, y_pred)
        loss.gradient(y_true, y_pred)
        getattr(losses, loss.name)(y_true, y_pred)
        loss.check_targets(y_true, np.shape(y_pred))
        if loss.logits_activation:
            loss.value_from_logits(y_true, a.z[:, :1] if name == "binary_crossentropy" else a.z)
            loss.gradient_from_logits(y_true, a.z[:, :1] if name == "binary_crossentropy" else a.z)


def _every_metric(a):
    metrics.mse(a.y1, a.z[:, 0])
    metrics.mae(a.y, a.x[:, :1])
    metrics.r2_score(a.y1, a.z[:, 0])
    metrics.accuracy(a.labels, a.probs)
    metrics.binary_accuracy(a.binary, a.p1)
    metrics.categorical_accuracy(a.onehot, a.probs)
    metrics.sparse_categorical_accuracy(a.labels, a.probs)
    for name in ("accuracy", "mse", "r2_score"):
        metric = metrics.get(name)
        metric.update(a.labels if name == "accuracy" else a.onehot, a.probs)
        metric.result()


def _every_activation(a):
    for name in activations.names():
        act = activations.get(name)
        out = act(a.z)
        act.derivative(a.z)
        act.backward(a.z, out, a.probs)
        getattr(activations, name)(a.z)


def _set_weights_then_train(a):
    """The model copies the arrays in: training afterwards must not write into the caller's list."""
    model = _net()
    model.set_weights(a.weights)
    model.fit(a.x, a.y, epochs=2, verbose=0)


def _search(a):
    model_selection.GridSearch(
        lambda fit_intercept: linear.LeastSquares(fit_intercept),
        {"fit_intercept": [True, False]},
        cv=3,
    ).fit(a.x, a.y1)


def _plots(a):
    plotting.plot_fit(a.x[:, 0], a.y1, curves={"line": (a.x[:, 1], a.y1)})
    plotting.plot_decision_boundary(
        lambda points: points[:, 0] > 0, a.x[:, :2], a.labels, resolution=5
    )
    plotting.plot_history({"loss": a.y1})


USES_OF_CALLER_ARRAYS = {
    # one batch, no shuffling: the layers receive the caller's array itself (no copy is made)
    "fit-no-shuffle-one-batch": lambda a: _bn_dropout_net().fit(
        a.x, a.y, batch_size=12, shuffle=False, validation_data=(a.x, a.y), verbose=0
    ),
    "fit-shuffle": lambda a: _bn_dropout_net().fit(
        a.x, a.y1, batch_size=5, validation_split=0.25, verbose=0
    ),
    "fit-float32-model": lambda a: _bn_dropout_net(dtype="float32").fit(
        a.x, a.y, epochs=2, verbose=0
    ),
    "fit-float32-data": lambda a: _bn_dropout_net().fit(a.x32, a.y, epochs=2, verbose=0),
    "fit-sparse-labels": lambda a: _classifier().fit(a.x, a.labels, epochs=2, verbose=0),
    "fit-one-hot": lambda a: _classifier(loss="categorical_crossentropy").fit(
        a.x, a.onehot, verbose=0
    ),
    "evaluate": lambda a: _bn_dropout_net().evaluate(a.x, a.y, batch_size=5),
    "predict": lambda a: _bn_dropout_net().predict(a.x),
    "predict-identity-model": lambda a: Sequential([Input((3,)), Activation("linear")]).predict(
        a.x
    ),
    "call-training": lambda a: _bn_dropout_net()(a.x, training=True),
    "train_on_batch": lambda a: _bn_dropout_net().train_on_batch(a.x, a.y),
    "compute_gradients": lambda a: _bn_dropout_net().compute_gradients(a.x, a.y),
    "set_weights-then-fit": _set_weights_then_train,
    "layers": _every_layer_forward_backward,
    "losses": _every_loss,
    "metrics": _every_metric,
    "activations": _every_activation,
    "regularizers": lambda a: [
        (reg(a.x), reg.gradient(a.x))
        for reg in (regularizers.L1(0.1), regularizers.L2(0.1), regularizers.L1L2(0.1, 0.2))
    ],
    "train_test_split": lambda a: model_selection.train_test_split(a.x, a.y, a.labels, seed=0),
    "train_val_test_split": lambda a: model_selection.train_val_test_split(a.x, a.y, seed=0),
    "KFold-shuffled": lambda a: list(
        model_selection.KFold(3, shuffle=True, random_state=0).split(a.x)
    ),
    "cross_val_score": lambda a: model_selection.cross_val_score(_bn_dropout_net, a.x, a.y, cv=3),
    "GridSearch": _search,
    "Perceptron": lambda a: linear.Perceptron(seed=0).fit(a.x, a.binary).predict(a.x),
    "least_squares": lambda a: (
        linear.least_squares(a.x[:, 0], a.y1),
        linear.normal_equation(a.x, a.y1),
    ),
    "LeastSquares": lambda a: linear.LeastSquares().fit(a.x, a.y1).score(a.x, a.y1),
    "plotting": _plots,
    "check_layer": lambda a: gradcheck.check_layer(Dense(2, activation="tanh"), a.x),
}


@pytest.mark.parametrize("writeable", [True, False], ids=["writeable", "read-only"])
@pytest.mark.parametrize("use", list(USES_OF_CALLER_ARRAYS))
def test_the_callers_arrays_are_never_modified(use, writeable):
    arrays = _caller_arrays(writeable)
    before = [_fingerprint(a) for a in _every_array(arrays)]
    USES_OF_CALLER_ARRAYS[use](arrays)
    assert [_fingerprint(a) for a in _every_array(arrays)] == before


def test_returned_arrays_are_never_the_callers_or_the_models():
    arrays = _caller_arrays(writeable=True)
    model = Sequential([Input((3,)), Activation("linear")])
    out = model.predict(arrays.x)
    assert not np.shares_memory(out, arrays.x)
    model = _net()
    model.set_weights(arrays.weights)
    for got, live, given in zip(model.get_weights(), model.weights, arrays.weights):
        assert not np.shares_memory(got, live) and not np.shares_memory(live, given)


def test_numerical_gradient_restores_its_point_exactly_even_when_f_raises():
    x = np.random.default_rng(0).normal(size=(3, 2))
    before = _fingerprint(x)
    gradcheck.numerical_gradient(lambda v: np.sum(np.sin(v) * v), x)
    assert _fingerprint(x) == before

    def fails(v):
        raise ZeroDivisionError("a learner's bug")

    with pytest.raises(ZeroDivisionError):
        gradcheck.numerical_gradient(fails, x)
    assert _fingerprint(x) == before


# -- 5. determinism --------------------------------------------------------------------------------


def _train(seed, dtype="float64"):
    """A training run with every source of randomness: initial weights, shuffles, dropout masks.

    BatchNormalization is in it too (its batch statistics depend on the shuffled batches).
    """
    data = np.random.default_rng(1234)  # the data stay fixed; only the model's seed varies
    x = data.normal(size=(60, 4))
    y = (x[:, 0] * x[:, 1] > 0).astype(int) + (x[:, 2] > 1).astype(int)
    model = Sequential([
        Input((4,)), Dense(16, activation="relu"), BatchNormalization(), Dropout(0.3),
        Dense(8, activation="tanh"), Dropout(0.2), Dense(3, activation="softmax"),
    ], seed=seed, dtype=dtype)  # fmt: skip
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(
        x, y, batch_size=16, epochs=3, validation_split=0.2, shuffle=True, verbose=0
    )
    return SimpleNamespace(
        weights=model.get_weights(),
        history=history.history,
        order=history.batch_order,
        prediction=model.predict(x),
        dropped=model(x, training=True),
    )


def _digest(run):
    h = hashlib.sha256()
    for a in [*run.weights, *run.order, run.prediction, run.dropped]:
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(np.ascontiguousarray(a).tobytes())
    for key, values in sorted(run.history.items()):
        h.update(key.encode() + b"".join(float(v).hex().encode() for v in values))
    return h.hexdigest()


def training_digest(seed, dtype="float64"):
    """The fingerprint of :func:`_train` (what the fresh processes print)."""
    return _digest(_train(seed, dtype))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_same_seed_gives_bit_identical_training_in_one_process(dtype):
    a, b = _train(0, dtype), _train(0, dtype)
    for u, v in zip(
        [*a.weights, *a.order, a.prediction, a.dropped],
        [*b.weights, *b.order, b.prediction, b.dropped],
    ):
        assert _same_bits(u, v)
    assert a.history == b.history
    assert _digest(a) == _digest(b)


def test_different_seeds_give_different_training():
    a, b = _train(0), _train(1)
    assert all(not np.array_equal(u, v) for u, v in zip(a.weights[:1], b.weights[:1]))
    assert not all(np.array_equal(u, v) for u, v in zip(a.order, b.order))
    assert a.history != b.history
    assert _digest(a) != _digest(b)


def test_the_same_seed_gives_bit_identical_training_in_fresh_processes():
    """Two new interpreters (with different hash seeds) reproduce this process's training."""
    here = Path(__file__).resolve().parent
    code = "import test_reliability as t; print(t.training_digest(0)); print(t.training_digest(1))"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=here,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": str(hash_seed), "MPLBACKEND": "Agg"},
        )
        for hash_seed in (1, 2)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append(out.split())
    expected = [training_digest(0), training_digest(1)]
    assert outputs == [expected, expected]
    assert expected[0] != expected[1]


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: datasets.make_spirals(n_samples=30, noise=0.2, seed=seed).x,
        lambda seed: datasets.make_sine(n_samples=20, seed=seed).y,
        lambda seed: np.concatenate(model_selection.train_test_split(np.arange(20.0), seed=seed)),
        lambda seed: np.concatenate(
            [
                test
                for _, test in model_selection.KFold(4, shuffle=True, random_state=seed).split(
                    np.zeros((10, 1))
                )
            ]
        ),
        lambda seed: initializers.GlorotUniform(seed=seed).init((4, 3)),
        lambda seed: Dropout(0.5, seed=seed)(np.ones((4, 6)), training=True),
        lambda seed: linear.Perceptron(seed=seed).fit(_x(), [0, 1] * 5).coef_,
    ],
    ids=[
        "make_spirals",
        "make_sine",
        "train_test_split",
        "KFold",
        "GlorotUniform",
        "Dropout",
        "Perceptron",
    ],
)
def test_every_seeded_helper_is_reproducible(make):
    assert _same_bits(np.asarray(make(3)), np.asarray(make(3)))
    assert not np.array_equal(make(3), make(4))


def test_no_global_random_state_is_touched():
    """Training with a seed neither reads nor moves numpy's global generator."""
    state = np.random.get_state()
    before = training_digest(0)
    np.random.seed(12345)  # a learner's global seeding changes nothing
    np.random.random(10)
    assert training_digest(0) == before
    np.random.set_state(state)
    legacy = np.random.get_state()
    _train(0)
    after = np.random.get_state()
    assert legacy[0] == after[0] and np.array_equal(legacy[1], after[1]) and legacy[2:] == after[2:]


def test_no_warnings_in_ordinary_use():
    """A plain training run emits nothing: a warning always means something."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _train(0)
