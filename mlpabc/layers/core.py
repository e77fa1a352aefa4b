r"""The core layers: :func:`Input`, :class:`Dense` and :class:`Activation`.

A :class:`Dense` layer is the book's layer of neurons, :math:`h = G(W^\top x + b)`,
written for a whole batch at once; an :class:`Activation` layer applies
:math:`G` alone. Both keep the pre-activation :math:`z` of their last forward
pass in ``self.logits`` so that a model can start back-propagation at the
logits (the fused sigmoid/softmax + cross-entropy gradient, chapter 6).

Introduced in the chapter *Multilayer networks and forward propagation*.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import activations, initializers, regularizers
from .._validation import check_bool, check_int, describe
from .base import Layer, _input_error, check_gradient

__all__ = ["Activation", "Dense", "Input", "InputLayer"]


# -- helpers shared by the layer modules ----------------------------------------------------------


def _check_name(name, owner):
    """``name`` must be ``None`` (generated) or a non-empty string."""
    if name is None or (isinstance(name, str) and name):
        return name
    raise TypeError(
        f"The 'name' argument of {owner} must be a non-empty string or None. "
        f"Got {describe(name)} instead."
    )


# -- Input ----------------------------------------------------------------------------------------


class InputLayer(Layer):
    """The placeholder for a model's input: it holds the input shape and nothing else.

    Create it with :func:`Input`. :class:`mlpabc.Sequential` reads ``shape``
    from it to build the next layers; its forward and backward passes are the
    identity.

    Parameters
    ----------
    shape : tuple of int
        Shape of one sample (without the batch axis), e.g. ``(3,)``.
    name : str or None, default=None

    Notes
    -----
    Introduced in the chapter *Multilayer networks and forward propagation*.
    """

    def __init__(self, shape, name=None):
        super().__init__(name=_check_name(name, "Input"))
        self.shape = _check_shape(shape)

    def build(self, input_shape, rng=None, dtype=np.float64) -> None:
        super().build(self.shape, rng, dtype)

    def forward(self, x, training=False):
        return x

    def backward(self, dy, input_gradient=True):
        return dy

    def compute_output_shape(self, input_shape=None) -> tuple:
        return self.shape

    def __repr__(self) -> str:
        return f"<InputLayer name={self.name!r} shape={self.shape}>"


def _check_shape(shape):
    if isinstance(shape, (list, tuple)) and all(
        isinstance(d, numbers.Integral) and not isinstance(d, (bool, np.bool_)) for d in shape
    ):
        shape = tuple(int(d) for d in shape)
        if shape and all(d > 0 for d in shape):
            return shape
        raise ValueError(
            "The 'shape' argument of Input must be a non-empty tuple of positive integers. "
            f"Got {shape!r} instead."
        )
    hint = ""
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        hint = f" For {shape} features write Input(({shape},)) (note the comma), as in Keras."
    raise TypeError(
        "The 'shape' argument of Input must be a tuple of positive integers, the shape of one "
        f"sample without the batch axis, such as (3,). Got {describe(shape)} instead.{hint}"
    )


def Input(shape, name=None) -> InputLayer:  # noqa: N802  (Keras's name)
    """Declare the shape of one input sample, as ``keras.Input``.

    Parameters
    ----------
    shape : tuple of int
        Shape of one sample **without** the batch axis: ``(3,)`` for three
        features. A bare integer is refused (``Input(3)`` raises a
        ``TypeError`` that shows ``Input((3,))``), as in Keras, so code moves
        between the two libraries unchanged.
    name : str or None, default=None

    Returns
    -------
    InputLayer

    Examples
    --------
    >>> Input((3,)).shape
    (3,)

    Introduced in the chapter *Multilayer networks and forward propagation*.
    """
    return InputLayer(shape, name=name)


# -- Dense ----------------------------------------------------------------------------------------


class Dense(Layer):
    r"""A fully connected layer of ``units`` neurons, as ``keras.layers.Dense``.

    For one sample the book writes :math:`h = G(W^\top x + b)`; with the
    samples of a batch as the rows of :math:`X` this is

    .. math::
        Z = X W + b, \qquad H = G(Z),

    with the kernel :math:`W` of shape ``(n_in, units)`` (rows = inputs,
    columns = neurons; Keras's layout, so ``set_weights`` needs no transpose)
    and the bias :math:`b` of shape ``(units,)`` added to every row.

    Parameters
    ----------
    units : int
        Number of neurons, ``n_out``. Must be positive.
    activation : str, Activation or None, default=None
        :math:`G`: a name from :mod:`mlpabc.activations` (``"relu"``,
        ``"sigmoid"``, ...) or an instance. ``None`` is the identity.
    use_bias : bool, default=True
    kernel_initializer, bias_initializer : str or Initializer, default="glorot_uniform", "zeros"
    kernel_regularizer, bias_regularizer : str, Regularizer or None, default=None
        A penalty added to the loss (see :meth:`regularization_loss`); its
        gradient is added to the parameter's gradient in :meth:`backward`.
    name : str or None, default=None

    Attributes
    ----------
    params : dict
        ``{"kernel": W, "bias": b}`` (Keras's weight order; no ``"bias"`` if
        ``use_bias=False``).
    logits : ndarray
        :math:`Z` of the last forward pass.

    Notes
    -----
    Back-propagation receives :math:`\partial L/\partial H` and computes, with
    :math:`\delta = \partial L/\partial Z`,

    .. math::
        \delta = \frac{\partial L}{\partial H} \odot G'(Z), \quad
        \frac{\partial L}{\partial W} = X^\top \delta, \quad
        \frac{\partial L}{\partial b} = \sum_{\text{rows}} \delta, \quad
        \frac{\partial L}{\partial X} = \delta\, W^\top .

    (For softmax, :math:`G'` is a Jacobian per row and the product is the
    activation's ``backward``.) :meth:`backward_from_logits` starts from a
    given :math:`\delta`, which is how a model uses the simple gradient
    :math:`(\hat y - y)/N` of sigmoid/softmax with cross-entropy.

    Examples
    --------
    >>> import numpy as np
    >>> layer = Dense(2, activation="relu", kernel_initializer="ones")
    >>> layer(np.array([[1.0, 2.0, -4.0]]))      # z = 1 + 2 - 4 = -1 for both neurons
    array([[0., 0.]])
    >>> layer.logits
    array([[-1., -1.]])
    >>> [w.shape for w in layer.get_weights()]
    [(3, 2), (2,)]

    Introduced in the chapter *Multilayer networks and forward propagation*; its
    backward pass in *Back-propagation, worked by hand*.
    """

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        name=None,
    ):
        super().__init__(name=_check_name(name, "Dense"))
        self.units = check_int(units, "units", "Dense", minimum=1)
        self.activation = activations.get(activation)
        self.use_bias = check_bool(use_bias, "use_bias", "Dense")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.logits = None
        self._x = self._a = None  # the cache of the last forward pass

    @property
    def output_activation(self) -> str:
        """Name of :math:`G` (``"sigmoid"``, ``"softmax"``, ``"linear"``, ...)."""
        return self.activation.name

    def build(self, input_shape, rng, dtype=np.float64) -> None:
        super().build(input_shape, rng, dtype)
        if not self.input_shape:
            raise ValueError(
                f"Dense {self.name!r} needs inputs with a feature axis; got the input shape "
                f"{self.input_shape} (one sample, without the batch axis)."
            )
        n_in = self.input_shape[-1]
        init_W, init_b = self.kernel_initializer.init, self.bias_initializer.init
        self.add_weight(
            "kernel", init_W((n_in, self.units), self.dtype, rng), self.kernel_regularizer
        )
        if self.use_bias:
            self.add_weight("bias", init_b((self.units,), self.dtype, rng), self.bias_regularizer)

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)[:-1] + (self.units,)

    def check_input(self, x) -> None:
        if x.ndim < 2 or x.shape[-1] != self.input_shape[-1]:  # any leading axes, as in Keras
            _input_error(self, x)

    def forward(self, x, training=False):
        W = self.params["kernel"]
        z = x @ W
        if self.use_bias:
            z += self.params["bias"]  # z = x W + b
        a = self.activation.forward(z)  # a = G(z)
        self._x, self.logits, self._a = x, z, a  # what backward needs
        return a

    def backward(self, dy, input_gradient=True):
        if self.logits is None or dy.shape != self.logits.shape:
            check_gradient(self, dy, "dy", "backward", self.logits)
        delta = self.activation.backward(self.logits, self._a, dy)  # dL/dz = dL/da * G'(z)
        return self.backward_from_logits(delta, input_gradient)

    def backward_from_logits(self, delta, input_gradient=True):
        r"""Given :math:`\delta = \partial L/\partial Z`: fill ``grads``, return dL/dX.

        ``input_gradient=False`` (for the first layer: its input is the data) skips dL/dX.
        """
        if self.logits is None or delta.shape != self.logits.shape:
            check_gradient(self, delta, "delta", "backward_from_logits", self.logits)
        x, W, delta_in = self._x, self.params["kernel"], delta
        if x.ndim > 2:  # a Dense on (n, ..., n_in) acts on the last axis: one row per vector
            x, delta = x.reshape(-1, x.shape[-1]), delta.reshape(-1, self.units)
        self.grads["kernel"] = x.T @ delta  # dL/dW = X^T delta
        if self.use_bias:
            self.grads["bias"] = np.add.reduce(delta, axis=0)  # dL/db = the sum of delta's rows
        if not input_gradient:
            return None
        return delta_in @ W.T  # dL/dX = delta W^T

    def __repr__(self) -> str:
        return (
            f"<Dense name={self.name!r} units={self.units} activation={self.output_activation!r}>"
        )


# -- Activation -----------------------------------------------------------------------------------


class Activation(Layer):
    r"""An activation function :math:`G` as a layer of its own, as ``keras.layers.Activation``.

    ``Dense(3, activation="relu")`` and ``Dense(3)`` followed by
    ``Activation("relu")`` compute the same thing; the second form shows the
    two steps :math:`z = W^\top x + b` and :math:`h = G(z)` as two layers.

    Parameters
    ----------
    activation : str or Activation
        A name from :mod:`mlpabc.activations` or an instance.
    name : str or None, default=None

    Notes
    -----
    Forward :math:`H = G(X)`; backward
    :math:`\partial L/\partial X = \partial L/\partial H \odot G'(X)` (a
    Jacobian-vector product for softmax). The input is the layer's
    ``logits``, so :meth:`backward_from_logits` returns its argument.

    Examples
    --------
    >>> import numpy as np
    >>> Activation("relu")(np.array([[-2.0, 0.5]]))
    array([[0. , 0.5]])

    Introduced in the chapter *Activation functions*.
    """

    def __init__(self, activation, name=None):
        super().__init__(name=_check_name(name, "Activation"))
        self.activation = activations.get(activation)
        self.logits = None

    @property
    def output_activation(self) -> str:
        """Name of :math:`G`."""
        return self.activation.name

    def check_input(self, x) -> None:
        pass  # an elementwise function takes any shape

    def forward(self, x, training=False):
        a = self.activation.forward(x)  # a = G(z), with z = x
        self.logits, self._a = x, a
        return a

    def backward(self, dy, input_gradient=True):
        if self.logits is None or dy.shape != self.logits.shape:
            check_gradient(self, dy, "dy", "backward", self.logits)
        return self.activation.backward(self.logits, self._a, dy)  # dL/dz = dL/da * G'(z)

    def backward_from_logits(self, delta, input_gradient=True):
        """The input *is* the logits: dL/dX = dL/dZ."""
        if self.logits is None or delta.shape != self.logits.shape:
            check_gradient(self, delta, "delta", "backward_from_logits", self.logits)
        return delta

    def __repr__(self) -> str:
        return f"<Activation name={self.name!r} activation={self.output_activation!r}>"
