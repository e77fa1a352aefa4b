r"""RMSprop: divide by a running root-mean-square of recent gradients.

Introduced in the chapter *Gradient descent and optimizers*.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_bool, check_float
from .base import OPTIMIZERS, Optimizer, _check_kwargs

__all__ = ["RMSprop"]


@OPTIMIZERS.register("rmsprop")
class RMSprop(Optimizer):
    r"""RMSprop (Hinton, 2012): Adagrad with a moving average instead of a sum.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default=0.001
        :math:`\eta > 0`.
    rho : float, default=0.9
        :math:`\rho \in [0, 1)`, the decay of the moving average.
    momentum : float, default=0.0
        :math:`\mu \in [0, 1)`; above 0, the increments are accumulated with momentum.
    epsilon : float, default=1e-7
        :math:`\epsilon \ge 0`.
    centered : bool, default=False
        Divide by an estimate of the gradient's *variance* instead of its second moment.
    name : str or None
        A label.

    Notes
    -----
    Elementwise, with :math:`v_0 = 0` (Keras's slot ``"velocity"``):

    .. math::
        v_t &= \rho\, v_{t-1} + (1 - \rho)\, g_t^2 \\
        \Delta_t &= \frac{\eta\, g_t}{\sqrt{v_t + \epsilon}} \\
        \theta_t &= \theta_{t-1} - \Delta_t

    ``centered=True`` also keeps :math:`\bar g_t = \rho \bar g_{t-1} + (1 - \rho) g_t`
    (slot ``"average_gradient"``) and uses :math:`\sqrt{v_t - \bar g_t^2 + \epsilon}`.
    ``momentum`` :math:`\mu > 0` keeps :math:`m_t = \mu m_{t-1} + \Delta_t` (slot
    ``"momentum"``) and steps :math:`\theta_t = \theta_{t-1} - m_t`.

    **Keras vs textbook.** Keras adds :math:`\epsilon` *inside* the root, as
    Goodfellow et al. (Algorithm 8.5) do; many other texts (and PyTorch) write
    :math:`\sqrt{v_t} + \epsilon`. The difference matters only while
    :math:`v_t` is tiny. :math:`v_0 = 0`, and :math:`\rho`, :math:`\mu` are used
    exactly (no float32 rounding).

    Introduced in the chapter *Gradient descent and optimizers*.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0])
    >>> opt = RMSprop(learning_rate=0.1, rho=0.75, epsilon=0.0)
    >>> opt.apply_gradients([(np.array([2.0]), w)])
    >>> w                      # v1 = 0.25 * 4 = 1, step 0.1 * 2 / 1
    array([0.8])
    """

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-7,
        centered=False,
        name=None,
        **kwargs,
    ):
        _check_kwargs(kwargs, RMSprop)
        super().__init__(learning_rate, name=name)
        self.rho = check_float(rho, "rho", "RMSprop", low=0, high=1, closed="left")
        self.momentum = check_float(momentum, "momentum", "RMSprop", low=0, high=1, closed="left")
        self.epsilon = check_float(epsilon, "epsilon", "RMSprop", low=0)
        self.centered = check_bool(centered, "centered", "RMSprop")

    def _create_slots(self, w):
        slots = {"velocity": np.zeros_like(w)}
        if self.momentum > 0:
            slots["momentum"] = np.zeros_like(w)
        if self.centered:
            slots["average_gradient"] = np.zeros_like(w)
        return slots

    def update_step(self, gradient, variable, learning_rate):
        g, theta, eta, rho = gradient, variable, learning_rate, self.rho
        slots = self.slots(variable)
        v = slots["velocity"]
        v *= rho
        v += g * g * (1 - rho)  # v_t = rho v_{t-1} + (1 - rho) g_t^2
        if self.centered:
            g_bar = slots["average_gradient"]
            g_bar *= rho
            g_bar += g * (1 - rho)  # g_bar_t = rho g_bar_{t-1} + (1 - rho) g_t
            delta = g * eta / np.sqrt(v - g_bar * g_bar + self.epsilon)
        else:
            delta = g * eta / np.sqrt(v + self.epsilon)  # Delta_t = eta g_t / sqrt(v_t + eps)
        if self.momentum > 0:
            m = slots["momentum"]
            m *= self.momentum
            m += delta  # m_t = momentum m_{t-1} + Delta_t
            theta -= m
        else:
            theta -= delta

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }
