r"""Batch normalisation.

Introduced in the chapter *Batch normalisation, dropout and residual connections*.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import initializers, regularizers
from .._validation import check_bool, check_float, describe
from .base import Layer, check_gradient
from .core import _check_name

__all__ = ["BatchNormalization"]


class BatchNormalization(Layer):
    r"""Normalise each feature over the batch, then scale and shift, as Keras's layer.

    **Training** (``training=True``), for a batch of :math:`N` rows:

    .. math::
        \mu = \frac{1}{N}\sum_i x_i, \quad
        \sigma^2 = \frac{1}{N}\sum_i (x_i - \mu)^2, \quad
        \hat x_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}}, \quad
        y_i = \gamma \odot \hat x_i + \beta,

    and the moving statistics follow the batch statistics,

    .. math::
        \mu_{\text{mov}} \leftarrow m\,\mu_{\text{mov}} + (1 - m)\,\mu, \qquad
        \sigma^2_{\text{mov}} \leftarrow m\,\sigma^2_{\text{mov}} + (1 - m)\,\sigma^2 .

    **Inference** (``training=False``) uses the moving statistics in place
    of :math:`\mu, \sigma^2` and changes nothing.

    Parameters
    ----------
    axis : int, default=-1
        The feature axis; only the last axis is supported (the usual case for
        an MLP), statistics are taken over all the other axes.
    momentum : float, default=0.99
        :math:`m \in [0, 1]`, the weight of the **old** moving value (Keras's
        convention; PyTorch's ``momentum=0.1`` is the weight of the new one).
    epsilon : float, default=1e-3
        :math:`\epsilon > 0`, added to the variance.
    center, scale : bool, default=True
        Whether to learn :math:`\beta` and :math:`\gamma` (otherwise
        :math:`\beta = 0`, :math:`\gamma = 1`).
    beta_initializer, gamma_initializer : str or Initializer, default="zeros", "ones"
    moving_mean_initializer, moving_variance_initializer : str or Initializer
        Defaults ``"zeros"`` and ``"ones"``.
    beta_regularizer, gamma_regularizer : str, Regularizer or None, default=None
    name : str or None, default=None

    Attributes
    ----------
    params : dict
        ``{"gamma": ..., "beta": ...}`` (trainable, those enabled).
    state : dict
        ``{"moving_mean": ..., "moving_variance": ...}`` (changed by training
        forward passes, never by the optimizer). ``get_weights()`` returns
        gamma, beta, moving mean, moving variance: Keras's order.

    Notes
    -----
    The variance is the **biased** one (divided by :math:`N`), for
    normalising and for the moving average, as in Keras 3. A layer with
    ``trainable=False`` runs in inference mode even when ``training=True``
    (Keras's rule for fine-tuning).

    Back-propagation in training mode goes through :math:`\mu` and
    :math:`\sigma^2` as well; with :math:`g = \partial L/\partial y \odot \gamma`
    and sums over the batch,

    .. math::
        \frac{\partial L}{\partial x_i} = \frac{1}{N\sqrt{\sigma^2+\epsilon}}
        \Big(N g_i - \sum_j g_j - \hat x_i \sum_j g_j \odot \hat x_j\Big), \quad
        \frac{\partial L}{\partial \gamma} = \sum_i \frac{\partial L}{\partial y_i} \odot \hat x_i,
        \quad
        \frac{\partial L}{\partial \beta} = \sum_i \frac{\partial L}{\partial y_i}.

    In inference mode the layer is an affine map and
    :math:`\partial L/\partial x_i = g_i / \sqrt{\sigma^2_{\text{mov}}+\epsilon}`.

    Examples
    --------
    >>> import numpy as np
    >>> bn = BatchNormalization()
    >>> x = np.array([[1.0], [3.0]])              # mean 2, biased variance 1
    >>> np.round(bn(x, training=True), 4)         # (x - 2) / sqrt(1 + 0.001)
    array([[-0.9995],
           [ 0.9995]])
    >>> bn.state["moving_mean"]        # 0.99 * 0 + 0.01 * 2
    array([0.02])
    >>> bn.state["moving_variance"]    # 0.99 * 1 + 0.01 * 1
    array([1.])

    Introduced in the chapter *Batch normalisation, dropout and residual connections*.
    """

    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        name=None,
    ):
        owner = "BatchNormalization"
        super().__init__(name=_check_name(name, owner))
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise TypeError(
                f"The 'axis' argument of {owner} must be an integer (-1 for the feature axis). "
                f"Got {describe(axis)} instead."
            )
        self.axis = int(axis)
        self.momentum = check_float(momentum, "momentum", owner, low=0, high=1)
        self.epsilon = check_float(epsilon, "epsilon", owner, low=0, closed="neither")
        self.center = check_bool(center, "center", owner)
        self.scale = check_bool(scale, "scale", owner)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self._x_hat = None  # the normalised input of the last forward pass
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)

    def build(self, input_shape, rng, dtype=np.float64) -> None:
        super().build(input_shape, rng, dtype)
        ndim = len(self.input_shape) + 1  # with the batch axis, as Keras counts `axis`
        if not -ndim <= self.axis < ndim or self.axis % ndim != ndim - 1:
            raise ValueError(
                f"The 'axis' argument of BatchNormalization {self.name!r} must be the last "
                f"(feature) axis, -1 or {ndim - 1} for inputs of shape (n_samples, "
                f"{', '.join(map(str, self.input_shape))}). Got {self.axis} instead."
            )
        d = (self.input_shape[-1],)
        if self.scale:
            self.add_weight("gamma", self.gamma_initializer.init(d, self.dtype, rng),
                            self.gamma_regularizer)  # fmt: skip
        if self.center:
            self.add_weight("beta", self.beta_initializer.init(d, self.dtype, rng),
                            self.beta_regularizer)  # fmt: skip
        self.state = {
            "moving_mean": self.moving_mean_initializer.init(d, self.dtype, rng),
            "moving_variance": self.moving_variance_initializer.init(d, self.dtype, rng),
        }
        self._axes = tuple(range(ndim - 1))  # statistics over every axis but the features

    def forward(self, x, training=False):
        self._training = bool(training) and self.trainable
        if self._training:
            mu = x.mean(axis=self._axes)
            x_c = x - mu
            var = (x_c * x_c).mean(axis=self._axes)  # biased: divided by N
            m = self.momentum
            mm, mv = self.state["moving_mean"], self.state["moving_variance"]
            mm[...] = mm * m + mu * (1.0 - m)  # in place: references to the state stay valid
            mv[...] = mv * m + var * (1.0 - m)
        else:
            mu, var = self.state["moving_mean"], self.state["moving_variance"]
            x_c = x - mu
        inv = 1.0 / np.sqrt(var + self.epsilon)  # 1 / sqrt(sigma^2 + eps)
        x_hat = x_c * inv
        self._x_hat, self._inv = x_hat, inv
        y = x_hat * self.params["gamma"] if self.scale else x_hat.copy()
        if self.center:
            y += self.params["beta"]
        return y

    def backward(self, dy, input_gradient=True):
        if self._x_hat is None or dy.shape != self._x_hat.shape:
            check_gradient(self, dy, "dy", "backward", self._x_hat)
        x_hat, inv, axes = self._x_hat, self._inv, self._axes
        g = dy * self.params["gamma"] if self.scale else dy  # dL/dx_hat
        if self._training:  # through mu and sigma^2 as well
            n = dy.size // dy.shape[-1]
            dx = (inv / n) * (n * g - g.sum(axis=axes) - x_hat * (g * x_hat).sum(axis=axes))
        else:  # moving statistics are constants: an affine map
            dx = g * inv
        if self.scale:
            self.grads["gamma"] = (dy * x_hat).sum(axis=axes)  # dL/dgamma
        if self.center:
            self.grads["beta"] = dy.sum(axis=axes)  # dL/dbeta
        return dx

    def __repr__(self) -> str:
        return f"<BatchNormalization name={self.name!r} momentum={self.momentum}>"
