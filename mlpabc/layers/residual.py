r"""Residual (skip) connections: :math:`y = f(x) + x`.

Introduced in the chapter *Batch normalisation, dropout and residual connections*.
"""

from __future__ import annotations

import numpy as np

from .._random import spawn
from .._validation import check_bool, describe
from .base import Layer
from .core import _check_name

__all__ = ["Residual"]


class Residual(Layer):
    r"""A block of layers :math:`f` with a skip connection around it: :math:`y = f(x) + x`.

    Parameters
    ----------
    layers : list of Layer
        The layers of :math:`f`, applied in order. The output of the last one
        must have the shape of the block's input, since the two are added.
    name : str or None, default=None

    Attributes
    ----------
    layers : list of Layer
    params, grads, state : dict
        The inner layers' dicts, keys prefixed by the layer's name
        (``"dense/kernel"``); the arrays are the inner layers' own.

    Notes
    -----
    The input reaches the output along two paths, so its gradient is the sum
    of the two: the skip path contributes the identity,

    .. math::
        \frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}
        + \frac{\partial L}{\partial y}\,\frac{\partial f}{\partial x},

    which is why gradients survive deep stacks of residual blocks: even when
    :math:`\partial f/\partial x` is tiny the "+1" path carries the signal.

    Keras has no ``Residual`` layer; the same block is written with the
    functional API, and ``get_weights()`` lists the same arrays in the same
    order::

        inputs = keras.Input((3,))
        x = inputs
        y = keras.layers.Dense(8, activation="relu")(x)
        y = keras.layers.Dense(3)(y)
        outputs = keras.layers.Add()([x, y])
        model = keras.Model(inputs, outputs)

    Examples
    --------
    >>> import numpy as np
    >>> from mlpabc.layers import Dense
    >>> block = Residual([Dense(2, kernel_initializer="ones")])   # f(x) = [x1 + x2, x1 + x2]
    >>> block(np.array([[1.0, 2.0]]))                              # f(x) + x = [3 + 1, 3 + 2]
    array([[4., 5.]])

    Introduced in the chapter *Batch normalisation, dropout and residual connections*.
    """

    def __init__(self, layers, name=None):
        super().__init__(name=_check_name(name, "Residual"))
        if isinstance(layers, Layer):
            layers = [layers]
        if not isinstance(layers, (list, tuple)) or not all(
            isinstance(lay, Layer) for lay in layers
        ):
            raise TypeError(
                "The 'layers' argument of Residual must be a list of mlpabc layers, such as "
                f"[Dense(8, activation='relu'), Dense(3)]. Got {describe(layers)} instead."
            )
        if not layers:
            raise ValueError(
                "The 'layers' argument of Residual must hold at least one layer. Got [] instead."
            )
        self.layers = list(layers)

    def build(self, input_shape, rng, dtype=np.float64) -> None:
        super().build(input_shape, rng, dtype)
        shape = self.input_shape
        rngs = spawn(rng, len(self.layers)) if rng is not None else [None] * len(self.layers)
        for layer, child in zip(self.layers, rngs):
            if not layer.built:
                layer.build(shape, child, dtype)
            elif tuple(layer.input_shape) != shape:
                raise ValueError(
                    f"Layer {layer.name!r} inside Residual {self.name!r} was already built for "
                    f"inputs of shape {tuple(layer.input_shape)}, but receives shape {shape} here."
                )
            shape = tuple(layer.compute_output_shape(shape))
        if shape != self.input_shape:
            n_in, n_out = self.input_shape[-1], shape[-1]
            raise ValueError(
                f"Residual {self.name!r} adds its input to the output of its layers, so the two "
                f"must have the same shape. The input has shape (n_samples, "
                f"{', '.join(map(str, self.input_shape))}) but the last layer "
                f"{self.layers[-1].name!r} outputs shape (n_samples, {', '.join(map(str, shape))}):"
                f" {n_out} features cannot be added to {n_in}. Make the last layer output {n_in} "
                f"features (e.g. Dense({n_in})), or put a projection Dense({n_out}) before the "
                f"Residual block so that its input already has {n_out} features."
            )
        # Views of the inner layers' dicts, keyed "layer_name/param": the same arrays, not copies.
        self._keys = [(f"{lay.name}/{k}", lay, k) for lay in self.layers for k in lay.params]
        self.params = {key: lay.params[k] for key, lay, k in self._keys}
        self.grads = {key: lay.grads[k] for key, lay, k in self._keys}
        self.state = {f"{lay.name}/{k}": v for lay in self.layers for k, v in lay.state.items()}
        self.regularizers = {
            f"{lay.name}/{k}": r for lay in self.layers for k, r in lay.regularizers.items()
        }

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    @property
    def trainable(self) -> bool:
        """Whether training updates the block; setting it sets every inner layer (as in Keras)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value) -> None:
        self._trainable = check_bool(value, "trainable", "Residual")
        for layer in getattr(self, "layers", ()):  # the base __init__ sets it before self.layers
            layer.trainable = self._trainable

    def forward(self, x, training=False):
        h = x
        for layer in self.layers:
            h = layer.forward(h, training=training)
        return h + x  # f(x) + x (a new array: neither x nor h is changed)

    def backward(self, dy, input_gradient=True):
        d = dy
        for layer in reversed(self.layers):
            d = layer.backward(d)
        for key, lay, k in self._keys:  # the inner layers wrote new gradient arrays
            self.grads[key] = lay.grads[k]
        # dL/dx = dL/dy * df/dx  +  dL/dy * 1   (the "+1" is the skip path)
        return d + dy

    def regularization_loss(self) -> float:
        return float(sum(layer.regularization_loss() for layer in self.layers))

    def add_regularization_gradients(self) -> None:
        for layer in self.layers:  # in place: self.grads holds the same arrays
            layer.add_regularization_gradients()

    @property
    def weights(self) -> list[np.ndarray]:
        """The inner layers' weights, layer by layer (each: params, then state), as in Keras."""
        return [w for layer in self.layers for w in layer.weights]

    @property
    def weight_names(self) -> list[str]:
        return [f"{layer.name}/{n}" for layer in self.layers for n in layer.weight_names]

    def __repr__(self) -> str:
        inner = ", ".join(type(layer).__name__ for layer in self.layers)
        return f"<Residual name={self.name!r} layers=[{inner}]>"
