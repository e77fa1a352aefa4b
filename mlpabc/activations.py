r"""Activation functions and their derivatives.

An activation :math:`G` is applied elementwise to the pre-activation
:math:`z = xW + b` of a layer, :math:`a = G(z)` (softmax is the exception: it
mixes the entries of each row). Back-propagation needs its derivative, so
every function here comes with one.

Three levels, as in Keras:

* **functions** -- :func:`sigmoid`, :func:`tanh`, :func:`relu`,
  :func:`leaky_relu`, :func:`elu`, :func:`softmax`, :func:`linear`, each with
  a ``<name>_derivative`` beside it;
* **classes** -- :class:`Sigmoid`, :class:`Tanh`, :class:`ReLU`,
  :class:`LeakyReLU`, :class:`ELU`, :class:`Softmax`, :class:`Linear`, which
  hold the parameters and add :meth:`Activation.backward`, the
  vector-Jacobian product a layer calls;
* :func:`get` -- turns ``"relu"``, ``None``, a function or an instance into
  an :class:`Activation`.

The functions keep the float dtype of their input (``float32`` stays
``float32``); anything else (lists, integers) becomes ``float64``. They never
modify their input and raise no overflow warnings, even at :math:`\pm 1000`.

Introduced in the chapter *Activation functions*.
"""

from __future__ import annotations

import numpy as np

from ._config import Configurable
from ._registry import Registry
from ._validation import check_array, check_float, check_int, describe

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "Activation",
    "LeakyReLU",
    "Linear",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "elu",
    "elu_derivative",
    "get",
    "leaky_relu",
    "leaky_relu_derivative",
    "linear",
    "linear_derivative",
    "names",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "softmax_derivative",
    "tanh",
    "tanh_derivative",
]

#: The name -> class table behind :func:`get`.
ACTIVATIONS = Registry("activation")


def _as_float(x, owner):
    """``x`` as a float array (float inputs keep their dtype; no copy if already one)."""
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return x
    return check_array(x, "x", owner, dtype=np.float64, allow_empty=True, finite=False)


def _f32(c: float) -> float:
    # Keras passes some constants through float32 even in float64 mode (KERAS_PARITY 0.1).
    return float(np.float32(c))


def _check_axis_of(axis, x, owner):
    """``axis`` must be an axis of ``x``: an integer in [-x.ndim, x.ndim - 1]."""
    return check_int(axis, "axis", owner, minimum=-x.ndim, maximum=x.ndim - 1)


# -- sigmoid ----------------------------------------------------------------------------------


def sigmoid(x):
    r"""The logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`.

    Parameters
    ----------
    x : array_like
        Any shape.

    Returns
    -------
    ndarray
        Same shape as ``x``, values in :math:`[0, 1]`.

    Notes
    -----
    :math:`e^{-x}` overflows for :math:`x < -709`. The stable form computes
    only :math:`e = e^{-|x|} \in (0, 1]` and uses

    .. math::
        \sigma(x) = \begin{cases} 1/(1 + e) & x \ge 0 \\ e/(1 + e) & x < 0. \end{cases}

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> sigmoid([0.0, 1000.0, -1000.0])
    array([0.5, 1. , 0. ])
    """
    return Sigmoid().forward(_as_float(x, "sigmoid"))


def sigmoid_derivative(x):
    r"""Derivative of the sigmoid, :math:`\sigma'(x) = \sigma(x)\,(1 - \sigma(x))`.

    Its largest value is :math:`1/4`, at :math:`x = 0`.

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> sigmoid_derivative([0.0])
    array([0.25])
    """
    s = sigmoid(x)
    return s * (1.0 - s)


# -- tanh -------------------------------------------------------------------------------------


def tanh(x):
    r"""The hyperbolic tangent :math:`\tanh(x) = 2\sigma(2x) - 1`, values in :math:`[-1, 1]`.

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> tanh([0.0, 1000.0])
    array([0., 1.])
    """
    return np.tanh(_as_float(x, "tanh"))


def tanh_derivative(x):
    r"""Derivative of tanh, :math:`\tanh'(x) = 1 - \tanh^2(x)`.

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> tanh_derivative([0.0])
    array([1.])
    """
    t = tanh(x)
    return 1.0 - t * t


# -- ReLU -------------------------------------------------------------------------------------


def relu(x):
    r"""The rectified linear unit :math:`\mathrm{relu}(x) = \max(x, 0)`.

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> relu([-2.0, 0.0, 3.0])
    array([0., 0., 3.])
    """
    x = _as_float(x, "relu")
    return np.maximum(x, 0.0, dtype=x.dtype)


def relu_derivative(x):
    r"""Derivative of ReLU: 1 for :math:`x > 0`, else 0.

    ReLU has a kink at 0; like TensorFlow we take the derivative there to be 0.

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> relu_derivative([-2.0, 0.0, 3.0])
    array([0., 0., 1.])
    """
    x = _as_float(x, "relu_derivative")
    return (x > 0).astype(x.dtype)


# -- leaky ReLU -------------------------------------------------------------------------------


def leaky_relu(x, negative_slope=0.2):
    r"""Leaky ReLU: :math:`x` for :math:`x > 0`, else :math:`s\,x`.

    Parameters
    ----------
    x : array_like
        Any shape.
    negative_slope : float, default=0.2
        The slope :math:`s \ge 0` for negative inputs. The default is that of
        ``keras.activations.leaky_relu``; the layer ``keras.layers.LeakyReLU``
        uses 0.3.

    Notes
    -----
    TensorFlow stores the slope as a float32 attribute, so even in float64
    Keras multiplies by ``float32(0.2) = 0.20000000298...``. We round the same
    way so that numbers agree with Keras to the last bit.

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> leaky_relu([-10.0, 0.0, 5.0], negative_slope=0.5)
    array([-5.,  0.,  5.])
    """
    s = _f32(check_float(negative_slope, "negative_slope", "leaky_relu", low=0))
    return _leaky_relu(_as_float(x, "leaky_relu"), s)


def _leaky_relu(x, s):
    return np.where(x > 0, x, s * x)


def leaky_relu_derivative(x, negative_slope=0.2):
    r"""Derivative of leaky ReLU: 1 for :math:`x > 0`, else :math:`s` (also at 0, like TensorFlow).

    The slope is float32-rounded as in :func:`leaky_relu`.

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> leaky_relu_derivative([-1.0, 2.0], negative_slope=0.5)
    array([0.5, 1. ])
    """
    s = _f32(check_float(negative_slope, "negative_slope", "leaky_relu_derivative", low=0))
    x = _as_float(x, "leaky_relu_derivative")
    return np.where(x > 0, 1.0, s).astype(x.dtype, copy=False)


# -- ELU --------------------------------------------------------------------------------------


def elu(x, alpha=1.0):
    r"""Exponential linear unit: :math:`x` for :math:`x > 0`, else :math:`\alpha\,(e^x - 1)`.

    Parameters
    ----------
    x : array_like
        Any shape.
    alpha : float, default=1.0
        The value :math:`-\alpha` that ELU approaches as :math:`x \to -\infty`.

    Notes
    -----
    ``np.expm1`` computes :math:`e^x - 1` accurately for small :math:`|x|`;
    it is applied to :math:`\min(x, 0)` so that large positive inputs never
    reach the exponential.

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> elu([-1000.0, 0.0, 2.0])
    array([-1.,  0.,  2.])
    """
    alpha = check_float(alpha, "alpha", "elu")
    return _elu(_as_float(x, "elu"), alpha)


def _elu(x, alpha):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_derivative(x, alpha=1.0):
    r"""Derivative of ELU: 1 for :math:`x > 0`, else :math:`\alpha e^x` (:math:`\alpha` at 0).

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> elu_derivative([0.0, 3.0], alpha=0.5)
    array([0.5, 1. ])
    """
    alpha = check_float(alpha, "alpha", "elu_derivative")
    x = _as_float(x, "elu_derivative")
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0))).astype(x.dtype, copy=False)


# -- softmax ----------------------------------------------------------------------------------


def softmax(x, axis=-1):
    r"""Softmax along ``axis``: :math:`s_i = e^{x_i} / \sum_j e^{x_j}`.

    Each slice along ``axis`` (each row, by default) becomes a probability
    vector: positive entries that sum to 1.

    Parameters
    ----------
    x : array_like
        Usually of shape ``(n_samples, n_classes)``.
    axis : int, default=-1
        The axis that is normalised.

    Notes
    -----
    Softmax does not change when a constant is added to every :math:`x_i`, so
    we subtract the row maximum first: the largest exponent is then
    :math:`e^0 = 1` and nothing overflows.

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> softmax([[0.0, 0.0], [1000.0, -1000.0]])
    array([[0.5, 0.5],
           [1. , 0. ]])
    """
    x = _as_float(x, "softmax")
    return Softmax(axis=_check_axis_of(axis, x, "softmax")).forward(x)


def softmax_derivative(x, axis=-1):
    r"""The Jacobian of softmax, :math:`\partial s_i / \partial x_j = s_i(\delta_{ij} - s_j)`.

    Softmax mixes the entries of a row, so its derivative is a matrix per
    row, not a number per entry.

    Parameters
    ----------
    x : array_like
        Of shape ``(n_samples, k)`` (or ``(k,)``, or any shape).
    axis : int, default=-1
        The softmax axis.

    Returns
    -------
    ndarray
        The Jacobians: shape ``(n_samples, k, k)`` for 2-D ``x`` and
        ``(k, k)`` for 1-D ``x``; in general the shape of ``x`` with ``axis``
        moved last, plus one more axis of length ``k``. ``J[n, i, j]`` is
        :math:`\partial s_{ni} / \partial x_{nj}`.

    Notes
    -----
    A layer never builds this matrix: :meth:`Softmax.backward` computes the
    vector-Jacobian product :math:`s \odot (\delta - \langle \delta, s\rangle)`
    directly.

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> softmax_derivative([0.0, 0.0])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    s = np.moveaxis(softmax(x, axis), axis, -1)
    k = s.shape[-1]
    return s[..., :, None] * (np.eye(k, dtype=s.dtype) - s[..., None, :])


# -- linear -----------------------------------------------------------------------------------


def linear(x):
    r"""The identity, :math:`\mathrm{linear}(x) = x` (Keras's ``activation=None``).

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> linear([-1.0, 2.0])
    array([-1.,  2.])
    """
    return _as_float(x, "linear")


def linear_derivative(x):
    r"""Derivative of the identity: 1 everywhere.

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> linear_derivative([-1.0, 2.0])
    array([1., 1.])
    """
    return np.ones_like(_as_float(x, "linear_derivative"))


# -- classes ----------------------------------------------------------------------------------


class Activation(Configurable):
    r"""Base class: an activation :math:`a = G(z)` with its derivative.

    Subclasses set ``name`` (Keras's name) and implement :meth:`forward` (the
    math, on a float array; :meth:`__call__` checks the input and calls it) and
    :meth:`derivative`; they may override :meth:`backward` with a cheaper
    form that reuses the cached output ``a``.

    Introduced in the chapter *Activation functions*.
    """

    #: Keras's name of the activation, e.g. ``"relu"``.
    name: str = ""

    def __call__(self, z):
        """Check ``z`` (any array_like), then return :meth:`forward`, :math:`a = G(z)`."""
        return self.forward(_as_float(z, type(self).__name__))

    def forward(self, z):
        """The activation :math:`a = G(z)` of a float array ``z``, same shape: the math alone."""
        raise NotImplementedError

    def derivative(self, z):
        r"""The elementwise derivative :math:`G'(z)`, same shape as ``z``."""
        raise NotImplementedError

    def backward(self, z, a, da):
        r"""Back-propagate: :math:`\partial L/\partial z` from :math:`\partial L/\partial a`.

        This is the vector-Jacobian product a layer needs.

        Parameters
        ----------
        z : ndarray
            The pre-activation of the forward pass.
        a : ndarray
            The output ``self(z)`` of that forward pass (cached by the layer).
        da : ndarray
            :math:`\partial L/\partial a`, same shape as ``z``.

        Returns
        -------
        ndarray
            :math:`\partial L/\partial z = \partial L/\partial a \odot G'(z)`
            for an elementwise activation.
        """
        return da * self.derivative(z)


@ACTIVATIONS.register("sigmoid")
class Sigmoid(Activation):
    r"""The sigmoid :math:`\sigma(z)`; see :func:`sigmoid`.

    ``backward`` uses the cached output: :math:`\delta = \partial L/\partial a \odot a(1 - a)`.

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> act = Sigmoid()
    >>> z = np.array([0.0]); a = act(z)
    >>> act.backward(z, a, np.array([1.0]))
    array([0.25])
    """

    name = "sigmoid"

    def __call__(self, z):
        return self.forward(_as_float(z, "sigmoid"))

    def forward(self, z):
        if not z.ndim:  # a single number: the in-place steps below need an array
            return self.forward(z.reshape(1)).reshape(())
        e = np.exp(np.copysign(z, -1.0))  # e = e^{-|z|} in (0, 1]: never overflows
        a = 1.0 / (1.0 + e)  # sigma(|z|)
        np.multiply(a, e, out=a, where=np.signbit(z))  # sigma(z) = e / (1 + e) where z < 0
        return a

    def derivative(self, z):
        return sigmoid_derivative(z)

    def backward(self, z, a, da):
        dz = da * a
        dz *= 1.0 - a
        return dz


@ACTIVATIONS.register("tanh")
class Tanh(Activation):
    r"""The hyperbolic tangent; see :func:`tanh`.

    ``backward`` uses the cached output: :math:`\delta = \partial L/\partial a \odot (1 - a^2)`.

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> Tanh().derivative(np.array([0.0]))
    array([1.])
    """

    name = "tanh"

    def __call__(self, z):
        return self.forward(_as_float(z, "tanh"))

    def forward(self, z):
        return np.tanh(z)

    def derivative(self, z):
        return tanh_derivative(z)

    def backward(self, z, a, da):
        g = a * a
        np.subtract(1.0, g, out=g)  # 1 - a^2
        g *= da
        return g


@ACTIVATIONS.register("relu")
class ReLU(Activation):
    r"""The rectified linear unit :math:`\max(z, 0)`; see :func:`relu`.

    ``backward`` passes the gradient where :math:`z > 0` and blocks it elsewhere.

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> act = ReLU()
    >>> z = np.array([-1.0, 2.0])
    >>> act.backward(z, act(z), np.array([5.0, 5.0]))
    array([0., 5.])
    """

    name = "relu"

    def __call__(self, z):
        return self.forward(_as_float(z, "relu"))

    def forward(self, z):
        return np.maximum(z, 0.0)  # a Python float keeps z's dtype

    def derivative(self, z):
        return relu_derivative(z)

    def backward(self, z, a, da):
        return np.where(z > 0, da, 0.0)


@ACTIVATIONS.register("leaky_relu")
class LeakyReLU(Activation):
    r"""Leaky ReLU with slope ``negative_slope`` for negative inputs; see :func:`leaky_relu`.

    Parameters
    ----------
    negative_slope : float, default=0.2
        Keras's default for ``activation="leaky_relu"`` (the *layer*
        ``keras.layers.LeakyReLU`` defaults to 0.3). Rounded through float32
        in the arithmetic, as Keras does.

    Notes
    -----
    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> LeakyReLU(negative_slope=0.5)(np.array([-2.0, 2.0]))
    array([-1.,  2.])
    """

    name = "leaky_relu"

    def __init__(self, negative_slope=0.2):
        self.negative_slope = check_float(negative_slope, "negative_slope", "LeakyReLU", low=0)
        self._s = _f32(self.negative_slope)

    def __call__(self, z):
        return self.forward(_as_float(z, "LeakyReLU"))

    def forward(self, z):
        return _leaky_relu(z, self._s)

    def derivative(self, z):
        return leaky_relu_derivative(z, self.negative_slope)

    def backward(self, z, a, da):
        return np.where(z > 0, da, self._s * da)

    def get_config(self) -> dict:
        return {"negative_slope": self.negative_slope}


@ACTIVATIONS.register("elu")
class ELU(Activation):
    r"""Exponential linear unit; see :func:`elu`.

    ``backward`` uses the cached output: for :math:`z \le 0`,
    :math:`G'(z) = \alpha e^z = a + \alpha`.

    Parameters
    ----------
    alpha : float, default=1.0
        The negative saturation value is :math:`-\alpha`.

    Notes
    -----
    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> act = ELU()
    >>> z = np.array([0.0, 1.0])
    >>> act.backward(z, act(z), np.array([1.0, 1.0]))
    array([1., 1.])
    """

    name = "elu"

    def __init__(self, alpha=1.0):
        self.alpha = check_float(alpha, "alpha", "ELU")

    def __call__(self, z):
        return self.forward(_as_float(z, "ELU"))

    def forward(self, z):
        return _elu(z, self.alpha)

    def derivative(self, z):
        return elu_derivative(z, self.alpha)

    def backward(self, z, a, da):
        return np.where(z > 0, da, da * (a + self.alpha))

    def get_config(self) -> dict:
        return {"alpha": self.alpha}


@ACTIVATIONS.register("softmax")
class Softmax(Activation):
    r"""Softmax along ``axis``; see :func:`softmax`.

    :meth:`derivative` returns the Jacobian stack (see
    :func:`softmax_derivative`); :meth:`backward` computes the
    vector-Jacobian product without building it:

    .. math::
        \frac{\partial L}{\partial z} = a \odot \Big(\frac{\partial L}{\partial a}
        - \sum_j \frac{\partial L}{\partial a_j} a_j\Big).

    Parameters
    ----------
    axis : int, default=-1
        The axis that is normalised.

    Notes
    -----
    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> act = Softmax()
    >>> z = np.array([[0.0, 0.0]])
    >>> act.backward(z, act(z), np.array([[1.0, 0.0]]))
    array([[ 0.25, -0.25]])
    """

    name = "softmax"

    def __init__(self, axis=-1):
        self.axis = check_int(axis, "axis", "Softmax")

    def __call__(self, z):
        z = _as_float(z, "Softmax")
        _check_axis_of(self.axis, z, "Softmax")
        return self.forward(z)

    def forward(self, z):
        # softmax is unchanged by a shift: subtract the maximum so that nothing overflows
        e = np.exp(z - z.max(axis=self.axis, keepdims=True))
        return e / e.sum(axis=self.axis, keepdims=True)

    def derivative(self, z):
        return softmax_derivative(z, self.axis)

    def backward(self, z, a, da):
        return a * (da - (da * a).sum(axis=self.axis, keepdims=True))

    def get_config(self) -> dict:
        return {"axis": self.axis}


@ACTIVATIONS.register("linear")
class Linear(Activation):
    r"""The identity (Keras's ``activation=None`` or ``"linear"``).

    ``__call__`` and ``backward`` return their input itself, not a copy.

    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> Linear()(np.array([-1.0, 2.0]))
    array([-1.,  2.])
    """

    name = "linear"

    def __call__(self, z):
        return _as_float(z, "linear")

    def forward(self, z):
        return z

    def derivative(self, z):
        return linear_derivative(z)

    def backward(self, z, a, da):
        return da


# -- get --------------------------------------------------------------------------------------

_FUNCTION_TO_CLASS = {
    sigmoid: Sigmoid,
    tanh: Tanh,
    relu: ReLU,
    leaky_relu: LeakyReLU,
    elu: ELU,
    softmax: Softmax,
    linear: Linear,
}


def names() -> list[str]:
    """The names :func:`get` accepts, sorted.

    Examples
    --------
    >>> names()
    ['elu', 'leaky_relu', 'linear', 'relu', 'sigmoid', 'softmax', 'tanh']
    """
    return ACTIVATIONS.names()


def get(identifier):
    """An :class:`Activation` from a name, a function, a class, an instance or ``None``.

    Parameters
    ----------
    identifier : str, Activation, function, Activation subclass or None
        * ``None`` -- the identity, :class:`Linear` (as Keras's ``activation=None``);
        * a Keras name (case-insensitive): ``"sigmoid"``, ``"tanh"``, ``"relu"``,
          ``"leaky_relu"``, ``"elu"``, ``"softmax"``, ``"linear"`` -- a new
          instance with default parameters;
        * an :class:`Activation` instance -- returned unchanged;
        * one of this module's functions (``mlpabc.activations.relu``) or an
          :class:`Activation` subclass -- a new instance of that class.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones).
    TypeError
        For anything else.

    Notes
    -----
    Introduced in the chapter *Activation functions*.

    Examples
    --------
    >>> get("ReLU")
    ReLU()
    >>> get(None)
    Linear()
    >>> get(leaky_relu)
    LeakyReLU(negative_slope=0.2)
    """
    if identifier is None:
        return Linear()
    activation = ACTIVATIONS.resolve(identifier, Activation, _FUNCTION_TO_CLASS)
    if activation is not None:
        return activation
    raise TypeError(
        "The 'activation' argument must be None, a name (one of "
        + ", ".join(repr(n) for n in names())
        + "), an mlpabc.activations.Activation instance or one of the functions of "
        f"mlpabc.activations. Got {_describe(identifier)} instead."
    )


def _describe(value) -> str:
    if callable(value) and hasattr(value, "__name__"):
        return f"the callable {getattr(value, '__module__', '?')}.{value.__name__}"
    return describe(value)
