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
from .base import Layer, _no_forward_error

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


def _checked_gradient(layer, d, name, method):
    """``d`` (dL/d output or dL/dz), refused unless it has the shape of the last forward's output."""
    if layer.logits is None:
        raise _no_forward_error(layer)
    if type(d) is not np.ndarray:
        d = np.asarray(d, dtype=layer.dtype)
    if d.shape != layer.logits.shape:
        raise ValueError(
            f"The {name!r} argument of {type(layer).__name__}.{method} must have shape "
            f"{layer.logits.shape}, the shape of the layer's output in its last forward pass. "
            f"Got {describe(d)} instead."
        )
    return d


def _input_error(layer, x):
    """Raise the error for an input the (built) layer cannot take; called on the error path only."""
    owner = f"{type(layer).__name__} {layer.name!r}"
    if not layer.built:
        raise RuntimeError(
            f"{owner} has not been built yet. Call it on a batch, layer(x), or build it with "
            "layer.build(input_shape, rng) before calling forward."
        )
    if x.ndim < 2:
        raise ValueError(
            f"{owner} expects a batch, an array of shape (n_samples, "
            f"{', '.join(map(str, layer.input_shape))}). Got an array of shape {x.shape} instead. "
            "Use x.reshape(1, -1) for a single sample."
        )
    if isinstance(layer, Dense):
        raise ValueError(
            f"{owner} was built for inputs with {layer.input_shape[-1]} features (last axis) but "
            f"received an array of shape {x.shape}."
        )
    raise ValueError(
        f"{owner} was built for inputs of shape (n_samples, "
        f"{', '.join(map(str, layer.input_shape))}) but received an array of shape {x.shape}."
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

    def backward(self, dy):
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
        self._n_in = None  # input features, once built

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
        n_in = self._n_in = self.input_shape[-1]
        self.params = {"kernel": self.kernel_initializer.init((n_in, self.units), self.dtype, rng)}
        if self.use_bias:
            self.params["bias"] = self.bias_initializer.init((self.units,), self.dtype, rng)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)[:-1] + (self.units,)

    def forward(self, x, training=False):
        if type(x) is not np.ndarray or x.dtype != self.dtype:
            x = np.asarray(x, dtype=self.dtype)
        if x.ndim < 2 or x.shape[-1] != self._n_in:
            _input_error(self, x)
        return self._forward(x)

    def _forward(self, x, training=False):
        # forward without the checks, for a model that checked the data once
        params = self.params
        z = x @ params["kernel"]
        if self.use_bias:
            z += params["bias"]
        a = self.activation._forward(z)  # G(z); z is already a float array, no need to check it
        self._x, self.logits, self._a = x, z, a  # cache for backward
        return a

    def _logits(self, x, training=False):
        # _forward up to z only: for a model that computes its loss from the logits and never
        # reads the activation, or whose activation is the identity (backward_from_logits does
        # not need the cached activation)
        params = self.params
        z = x @ params["kernel"]
        if self.use_bias:
            z += params["bias"]
        self._x, self.logits, self._a = x, z, None
        return z

    def backward(self, dy):
        dy = _checked_gradient(self, dy, "dy", "backward")
        if self._a is None:  # a training step that stopped at the logits did not keep G(z)
            self._a = self.activation._forward(self.logits)
        dz = self.activation.backward(self.logits, self._a, dy)  # delta = dL/dz
        return self.backward_from_logits(dz)

    def backward_from_logits(self, dz):
        r"""Given :math:`\delta = \partial L/\partial Z`, fill ``grads``; return dL/dX."""
        return self._backward(_checked_gradient(self, dz, "dz", "backward_from_logits"))

    def _backward(self, dz, input_gradient=True):
        # backward_from_logits; input_gradient=False skips dL/dX (a matrix product) for a
        # model's first layer, whose dL/dX nobody receives.
        x, dz2 = self._x, dz
        if x.ndim > 2:  # a Dense on (n, ..., n_in) acts on the last axis: flatten the others
            x, dz2 = x.reshape(-1, x.shape[-1]), dz.reshape(-1, self.units)
        dW = x.T @ dz2
        if self.kernel_regularizer is not None:
            dW += self.kernel_regularizer.gradient(self.params["kernel"])
        self.grads["kernel"] = dW
        if self.use_bias:
            db = np.add.reduce(dz2, 0)  # the sum over the rows (dz2.sum(axis=0) without its wrapper)
            if self.bias_regularizer is not None:
                db += self.bias_regularizer.gradient(self.params["bias"])
            self.grads["bias"] = db
        if input_gradient:
            return dz @ self.params["kernel"].T
        return None

    def regularization_loss(self) -> float:
        r"""The penalties :math:`\Omega(W) + \Omega(b)` of this layer (added to the loss)."""
        loss = 0.0
        if self.kernel_regularizer is not None:
            loss += float(self.kernel_regularizer(self.params["kernel"]))
        if self.use_bias and self.bias_regularizer is not None:
            loss += float(self.bias_regularizer(self.params["bias"]))
        return loss

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

    def forward(self, x, training=False):
        z = np.asarray(x, dtype=self.dtype)
        a = self.activation._forward(z)
        self.logits, self._a = z, a
        return a

    def backward(self, dy):
        dy = _checked_gradient(self, dy, "dy", "backward")
        return self.activation.backward(self.logits, self._a, dy)

    def backward_from_logits(self, dz):
        """The input *is* the logits: dL/dX = dL/dZ."""
        return _checked_gradient(self, dz, "dz", "backward_from_logits")

    def __repr__(self) -> str:
        return f"<Activation name={self.name!r} activation={self.output_activation!r}>"
