r"""Stochastic gradient descent, with optional (Nesterov) momentum.

Introduced in the chapter *Gradient descent and optimizers*.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_bool, check_float
from .base import OPTIMIZERS, Optimizer, _check_kwargs, f32

__all__ = ["SGD"]


@OPTIMIZERS.register("sgd")
class SGD(Optimizer):
    r"""Gradient descent, :math:`\theta \leftarrow \theta - \eta\, g_t`, optionally with momentum.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default=0.01
        :math:`\eta > 0`.
    momentum : float, default=0.0
        :math:`\mu \in [0, 1)`; 0 is plain gradient descent.
    nesterov : bool, default=False
        Use Nesterov momentum (look ahead along the velocity).
    name : str or None
        A label.

    Notes
    -----
    With :math:`g_t` the gradient at step :math:`t` and :math:`v_0 = 0` (the
    velocity, Keras's slot ``"momentum"``):

    .. math::
        v_t &= \mu\, v_{t-1} - \eta\, g_t \\
        \theta_t &= \theta_{t-1} + v_t
        \qquad\text{or, with Nesterov,}\qquad
        \theta_t = \theta_{t-1} + \mu\, v_t - \eta\, g_t .

    **Keras vs textbook.** Many texts write the velocity without the rate,
    :math:`v_t = \mu v_{t-1} + g_t`, :math:`\theta_t = \theta_{t-1} - \eta v_t`;
    for a constant :math:`\eta` the two give the same parameters, but with a
    schedule they differ (here each gradient keeps the rate of its own step).
    Nesterov's look-ahead is written in Keras's reparametrised form, which needs
    no gradient at :math:`\theta + \mu v`. Keras casts :math:`\mu` to float32 even
    in float64 mode, so mlpabc uses ``float(np.float32(momentum))``
    (0.8999999761581421 for 0.9); otherwise 10 steps differ from Keras by ~1e-7.

    Introduced in the chapter *Gradient descent and optimizers*.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0, 2.0])
    >>> opt = SGD(learning_rate=0.1)
    >>> opt.apply_gradients([(np.array([1.0, -2.0]), w)])
    >>> w                      # [1 - 0.1*1, 2 + 0.1*2]
    array([0.9, 2.2])
    >>> opt = SGD(learning_rate=0.1, momentum=0.5)
    >>> w = np.array([1.0])
    >>> for _ in range(2):
    ...     opt.apply_gradients([(np.array([1.0]), w)])
    >>> w                      # v1 = -0.1, v2 = 0.5*(-0.1) - 0.1 = -0.15
    array([0.75])
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name=None, **kwargs):
        _check_kwargs(kwargs, SGD)
        super().__init__(learning_rate, name=name)
        self.momentum = check_float(momentum, "momentum", "SGD", low=0, high=1, closed="left")
        self.nesterov = check_bool(nesterov, "nesterov", "SGD")
        self._mu = f32(self.momentum)  # Keras: ops.cast(momentum, float64) goes through float32

    def _create_slots(self, w):
        return {"momentum": np.zeros_like(w)} if self.momentum else {}

    def update_step(self, gradient, variable, learning_rate):
        g, theta, eta = gradient, variable, learning_rate
        if not self.momentum:
            theta -= eta * g  # theta_t = theta_{t-1} - eta g_t
            return
        mu, v = self._mu, self.slots(variable)["momentum"]
        v *= mu
        v -= eta * g  # v_t = mu v_{t-1} - eta g_t
        if self.nesterov:
            theta += mu * v - eta * g  # theta_t = theta_{t-1} + mu v_t - eta g_t
        else:
            theta += v  # theta_t = theta_{t-1} + v_t

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
