"""Layers: the building blocks of a :class:`mlpabc.Sequential` model.

Every layer follows the contract of :class:`Layer` (``layers/base.py``):
``forward`` computes the output and caches what ``backward`` needs;
``backward`` turns dL/d(output) into dL/d(input) and fills ``grads``.
Names, arguments, defaults and weight order are Keras's.

Introduced in the chapter *Multilayer networks and forward propagation*.
"""

from .activation_layers import LeakyReLU, PReLU
from .base import Layer
from .core import Activation, Dense, Input, InputLayer
from .dropout import Dropout
from .normalization import BatchNormalization
from .residual import Residual

__all__ = [
    "Activation",
    "BatchNormalization",
    "Dense",
    "Dropout",
    "Input",
    "InputLayer",
    "Layer",
    "LeakyReLU",
    "PReLU",
    "Residual",
]
