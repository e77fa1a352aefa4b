r"""Dropout: switch random units off during training.

Introduced in the chapter *Batch normalisation, dropout and residual connections*.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._random import as_generator
from .._validation import check_float, describe
from .base import Layer
from .core import _check_name

__all__ = ["Dropout"]


class Dropout(Layer):
    r"""Inverted dropout, as ``keras.layers.Dropout``.

    During training each input is kept with probability :math:`1 - p` and
    scaled up by :math:`1/(1-p)`, so its expected value does not change;
    at inference the layer is the identity:

    .. math::
        m_{ij} = [\,u_{ij} \ge p\,],\quad u_{ij} \sim U[0, 1), \qquad
        h = \begin{cases} x \odot m \cdot \frac{1}{1-p} & \text{training} \\
                          x & \text{inference} \end{cases}

    Parameters
    ----------
    rate : float
        :math:`p`, the fraction of inputs dropped, in ``[0, 1)``.
    noise_shape : tuple of int or None, default=None
        Shape of the mask, including the batch axis, broadcast against the
        input; ``None`` entries take the input's size. ``(None, 1)`` drops
        whole samples, ``(1, None)`` the same features for every sample.
        ``None`` means the input's shape.
    seed : int, numpy.random.Generator or None, default=None
        With a seed the layer draws its masks from its own generator;
        otherwise from the generator it is built with (the model gives each
        layer one), so one model seed makes training reproducible.
    name : str or None, default=None

    Attributes
    ----------
    mask : ndarray or None
        The 0/1 mask :math:`m` of the last training forward pass (``None``
        after an inference pass or with ``rate=0``).

    Notes
    -----
    Only ``training=True`` drops anything (``model.fit`` passes it;
    ``predict`` and ``evaluate`` do not). The backward pass lets the gradient
    through the kept units only, with the same scale:
    :math:`\partial L/\partial x = \partial L/\partial h \odot m \cdot \frac{1}{1-p}`.

    As in Keras the scale is the Python float ``1 / (1 - rate)`` and the
    comparison is :math:`u \ge p`. Keras draws :math:`u` with TensorFlow's
    Philox generator, which numpy cannot reproduce: the masks differ, their
    statistics do not. To compare with Keras exactly, read ``mask`` and give
    it to Keras (see the tests).

    Examples
    --------
    >>> import numpy as np
    >>> layer = Dropout(0.5, seed=0)
    >>> x = np.ones((2, 4))
    >>> bool(np.all(layer(x) == x))                             # inference: the identity
    True
    >>> h = layer(x, training=True)
    >>> sorted(set(h.ravel().tolist()))                        # dropped, or 1 / (1 - 0.5)
    [0.0, 2.0]
    >>> bool(np.all(h == 2.0 * layer.mask))
    True

    Introduced in the chapter *Batch normalisation, dropout and residual connections*.
    """

    def __init__(self, rate, noise_shape=None, seed=None, name=None):
        super().__init__(name=_check_name(name, "Dropout"))
        self.rate = check_float(rate, "rate", "Dropout", low=0, high=1, closed="left")
        self.noise_shape = _check_noise_shape(noise_shape)
        self.seed = seed
        self.rng = None if seed is None else as_generator(seed, name="seed", owner="Dropout")
        self.scale = float(1.0 / (1.0 - self.rate))  # Python double, as Keras
        self.mask = None

    def build(self, input_shape, rng, dtype=np.float64) -> None:
        super().build(input_shape, rng, dtype)
        if self.noise_shape is not None:
            if len(self.noise_shape) != len(self.input_shape) + 1:
                raise ValueError(
                    f"The 'noise_shape' argument of Dropout {self.name!r} must have one entry "
                    f"per input axis including the batch axis ({len(self.input_shape) + 1} here). "
                    f"Got {self.noise_shape} for inputs of shape "
                    f"(n_samples, {', '.join(map(str, self.input_shape))})."
                )
            for d, n in zip(self.noise_shape[1:], self.input_shape):
                if d is not None and d not in (1, n):
                    raise ValueError(
                        f"The 'noise_shape' argument of Dropout {self.name!r} must broadcast "
                        f"against inputs of shape (n_samples, "
                        f"{', '.join(map(str, self.input_shape))}): each entry must be None, 1 "
                        f"or the input's size. Got {self.noise_shape}."
                    )
        if self.rng is None:
            self.rng = as_generator(rng, name="rng", owner="Dropout.build")

    def check_input(self, x) -> None:
        pass  # elementwise: any shape, as in Keras (noise_shape is matched in forward)

    def forward(self, x, training=False):
        if not training or self.rate == 0.0:
            self.mask = None
            return x
        shape = x.shape
        if self.noise_shape is not None:
            shape = tuple(n if d is None else d for d, n in zip(self.noise_shape, x.shape))
            if shape[0] not in (1, x.shape[0]):
                raise ValueError(
                    f"The 'noise_shape' argument of Dropout {self.name!r} fixes the batch axis to "
                    f"{shape[0]}, which does not broadcast against a batch of {x.shape[0]} samples."
                )
        u = self.rng.random(shape, dtype=self.dtype)
        self.mask = (u >= self.rate).astype(self.dtype)
        h = x * self.scale
        h *= self.mask
        return h

    def backward(self, dy, input_gradient=True):
        if self.mask is None:  # the last forward was the identity
            return dy
        dx = dy * self.scale
        dx *= self.mask
        return dx

    def __repr__(self) -> str:
        return f"<Dropout name={self.name!r} rate={self.rate}>"


def _check_noise_shape(noise_shape):
    if noise_shape is None:
        return None
    ok = isinstance(noise_shape, (list, tuple)) and all(
        d is None or (isinstance(d, numbers.Integral) and not isinstance(d, bool))
        for d in noise_shape
    )
    if not ok:
        raise TypeError(
            "The 'noise_shape' argument of Dropout must be a tuple of integers or None "
            f"(including the batch axis), such as (None, 1). Got {describe(noise_shape)} instead."
        )
    if any(d is not None and d < 1 for d in noise_shape):
        raise ValueError(
            "The 'noise_shape' argument of Dropout must hold positive integers or None. "
            f"Got {tuple(noise_shape)} instead."
        )
    return tuple(None if d is None else int(d) for d in noise_shape)
