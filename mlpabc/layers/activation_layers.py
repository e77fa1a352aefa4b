r"""Activation layers with a slope for negative inputs: :class:`LeakyReLU` and :class:`PReLU`.

Both compute :math:`h = x` for :math:`x > 0` and :math:`h = \alpha x` for
:math:`x < 0`. In :class:`LeakyReLU` the slope :math:`\alpha` is a fixed
hyperparameter; in :class:`PReLU` it is a weight learned by gradient descent,
one per feature.

Introduced in the chapter *Activation functions*.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import initializers, regularizers
from .._validation import check_float, describe
from .base import Layer, check_gradient
from .core import _check_name

__all__ = ["LeakyReLU", "PReLU"]


class LeakyReLU(Layer):
    r"""Leaky rectified linear unit, as ``keras.layers.LeakyReLU``.

    .. math::
        h = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}
        \qquad
        \frac{\partial h}{\partial x} = \begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}

    Parameters
    ----------
    negative_slope : float, default=0.3
        :math:`\alpha \ge 0`. The **layer's** default is 0.3, while the
        function ``activation="leaky_relu"`` uses 0.2 (both as in Keras).
    name : str or None, default=None

    Notes
    -----
    Keras passes the slope to TensorFlow as a float32 attribute, even in
    float64 mode, so the slope used is ``float(np.float32(negative_slope))``
    (0.30000001192092896 for 0.3); mlpabc does the same so that the numbers
    agree to the last bit. ``negative_slope`` keeps the value you gave.

    Examples
    --------
    >>> import numpy as np
    >>> LeakyReLU(negative_slope=0.5)(np.array([[-2.0, 3.0]]))
    array([[-1.,  3.]])

    Introduced in the chapter *Activation functions*.
    """

    def __init__(self, negative_slope=0.3, name=None):
        super().__init__(name=_check_name(name, "LeakyReLU"))
        self.negative_slope = check_float(negative_slope, "negative_slope", "LeakyReLU", low=0)
        self._alpha = float(np.float32(self.negative_slope))  # Keras's float32-rounded slope
        self._x = None  # the input of the last forward pass

    def check_input(self, x) -> None:
        pass  # an elementwise function takes any shape

    def forward(self, x, training=False):
        self._x = x
        return np.where(x > 0, x, self._alpha * x)

    def backward(self, dy, input_gradient=True):
        if self._x is None or dy.shape != self._x.shape:
            check_gradient(self, dy, "dy", "backward", self._x)
        return np.where(self._x > 0, dy, self._alpha * dy)

    def __repr__(self) -> str:
        return f"<LeakyReLU name={self.name!r} negative_slope={self.negative_slope}>"


class PReLU(Layer):
    r"""Parametric ReLU: a leaky ReLU whose slopes are trained, as ``keras.layers.PReLU``.

    .. math::
        h = \operatorname{relu}(x) - \alpha \odot \operatorname{relu}(-x)

    with one :math:`\alpha` per input feature (shape ``input_shape``, without
    the batch axis), broadcast over the batch.

    Parameters
    ----------
    alpha_initializer : str or Initializer, default="zeros"
        Initial slopes; ``"zeros"`` makes the layer start as a plain ReLU.
    alpha_regularizer : str, Regularizer or None, default=None
    shared_axes : int, list of int or None, default=None
        Axes (counting the batch axis as 0, as Keras does) along which one
        :math:`\alpha` is shared: for inputs of shape ``(n, 4, 3)``,
        ``shared_axes=[1]`` gives :math:`\alpha` of shape ``(1, 3)``.
    name : str or None, default=None

    Notes
    -----
    With :math:`r = \operatorname{relu}(-x)`,

    .. math::
        \frac{\partial L}{\partial x} = \frac{\partial L}{\partial h} \odot
        \begin{cases} 1 & x > 0 \\ \alpha & x < 0 \\ 0 & x = 0 \end{cases},
        \qquad
        \frac{\partial L}{\partial \alpha} = -\sum_{\text{batch, shared axes}}
        \frac{\partial L}{\partial h} \odot r .

    Examples
    --------
    >>> import numpy as np
    >>> layer = PReLU(alpha_initializer="ones")   # slope 1: the identity
    >>> layer(np.array([[-2.0, 3.0]]))
    array([[-2.,  3.]])
    >>> layer.params["alpha"].shape
    (2,)

    Introduced in the chapter *Activation functions*.
    """

    def __init__(
        self, alpha_initializer="zeros", alpha_regularizer=None, shared_axes=None, name=None
    ):
        super().__init__(name=_check_name(name, "PReLU"))
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.shared_axes = _check_axes(shared_axes)
        self._x = self._r = None  # the input of the last forward pass and relu(-x)

    def build(self, input_shape, rng, dtype=np.float64) -> None:
        super().build(input_shape, rng, dtype)
        shape = list(self.input_shape)
        for axis in self.shared_axes:
            if axis > len(shape):
                raise ValueError(
                    f"The 'shared_axes' argument of PReLU {self.name!r} names axis {axis}, but "
                    f"its inputs of shape (n_samples, {', '.join(map(str, shape))}) have "
                    f"{len(shape) + 1} axes (0 is the batch axis)."
                )
            shape[axis - 1] = 1
        alpha = self.alpha_initializer.init(tuple(shape), self.dtype, rng)
        self.add_weight("alpha", alpha, self.alpha_regularizer)
        self._sum_axes = (0,) + self.shared_axes  # where d(alpha) sums over

    def forward(self, x, training=False):
        r = np.maximum(-x, 0.0)  # relu(-x)
        self._x, self._r = x, r
        return np.maximum(x, 0.0) - self.params["alpha"] * r

    def backward(self, dy, input_gradient=True):
        if self._x is None or dy.shape != self._x.shape:
            check_gradient(self, dy, "dy", "backward", self._x)
        x, alpha = self._x, self.params["alpha"]
        # d/dx: 1 where x > 0, alpha where x < 0, 0 at x = 0 (TensorFlow's relu'(0) = 0).
        dx = np.where(x > 0, dy, 0.0) + np.where(x < 0, alpha * dy, 0.0)
        self.grads["alpha"] = -(dy * self._r).sum(axis=self._sum_axes, keepdims=True)[0]
        return dx


def _check_axes(shared_axes):
    if shared_axes is None:
        return ()
    axes = shared_axes if isinstance(shared_axes, (list, tuple)) else [shared_axes]
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, numbers.Integral):
            raise TypeError(
                "The 'shared_axes' argument of PReLU must be an integer, a list of integers or "
                f"None. Got {describe(shared_axes)} instead."
            )
        if a < 1:
            raise ValueError(
                "The 'shared_axes' argument of PReLU must name axes >= 1 (axis 0 is the batch "
                f"axis, which is always shared). Got {describe(shared_axes)} instead."
            )
    return tuple(sorted({int(a) for a in axes}))
