r"""Nadam: Adam with Nesterov momentum, in Keras's (Dozat 2016) formulation.

Introduced in the chapter *Gradient descent and optimizers*.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_float
from .base import OPTIMIZERS, Optimizer, _check_kwargs, f32

__all__ = ["Nadam"]


@OPTIMIZERS.register("nadam")
class Nadam(Optimizer):
    r"""Nadam (Dozat, 2016): Adam whose momentum looks one step ahead.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default=0.001
        :math:`\eta > 0`.
    beta_1 : float, default=0.9
        :math:`\beta_1 \in [0, 1)`.
    beta_2 : float, default=0.999
        :math:`\beta_2 \in [0, 1)`.
    epsilon : float, default=1e-7
        :math:`\epsilon \ge 0`.
    name : str or None
        A label.

    Notes
    -----
    Keras (after Dozat) lets the momentum coefficient warm up,
    :math:`\mu_t = \beta_1 (1 - \tfrac12 \cdot 0.96^{t})`, and keeps the product
    :math:`U_t = \prod_{i \le t} \mu_i` (updated once per step, before the
    parameters). Elementwise, with :math:`m_0 = v_0 = 0`:

    .. math::
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        \hat m_t &= \frac{\mu_{t+1}\, m_t}{1 - U_t\, \mu_{t+1}}
                  + \frac{(1 - \mu_t)\, g_t}{1 - U_t}, \qquad
        \hat v_t = \frac{v_t}{1 - \beta_2^t} \\
        \theta_t &= \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    The first term of :math:`\hat m_t` is the bias-corrected momentum one step
    ahead, the second the current gradient's share: Nesterov's look-ahead
    without evaluating a gradient elsewhere.

    **Keras vs textbook.** The textbook Nadam (Goodfellow et al.; Dozat's
    simplified form) uses a constant :math:`\mu = \beta_1`, giving
    :math:`\hat m_t = \beta_1 m_t/(1-\beta_1^{t+1}) + (1-\beta_1) g_t/(1-\beta_1^t)`.
    Keras's warm-up schedule makes early steps differ. Keras also rounds
    :math:`\beta_1`, :math:`\beta_2` and 0.96 to float32 inside the per-parameter
    update (not in :math:`U_t`) even in float64 mode; mlpabc does the same.

    Introduced in the chapter *Gradient descent and optimizers*.

    Examples
    --------
    With :math:`\mu_1 = 0.468`, :math:`\mu_2 = 0.48528` the first step is
    :math:`\hat m_1 / \sqrt{\hat v_1} \approx 1.0628`, a little over :math:`\eta`
    (Adam's is 1):

    >>> import numpy as np
    >>> w = np.array([1.0])
    >>> opt = Nadam(learning_rate=0.1)
    >>> opt.apply_gradients([(np.array([5.0]), w)])
    >>> w.round(4)
    array([0.8937])
    """

    def __init__(
        self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name=None, **kwargs
    ):
        _check_kwargs(kwargs, Nadam)
        super().__init__(learning_rate, name=name)
        self.beta_1 = check_float(beta_1, "beta_1", "Nadam", low=0, high=1, closed="left")
        self.beta_2 = check_float(beta_2, "beta_2", "Nadam", low=0, high=1, closed="left")
        self.epsilon = check_float(epsilon, "epsilon", "Nadam", low=0)
        # Keras casts these to the variable dtype through float32 in update_step
        self._b1, self._b2, self._decay = f32(self.beta_1), f32(self.beta_2), f32(0.96)
        self._u_product = 1.0  # U_0

    def _create_slots(self, w):
        return {"momentum": np.zeros_like(w), "velocity": np.zeros_like(w)}

    def _prepare_step(self, lr):
        t = self.iterations + 1
        # once per step, exact Python constants (Keras's _backend_update_step)
        self._u_product = self._u_product * self.beta_1 * (1.0 - 0.5 * 0.96**t)
        b1, d = self._b1, self._decay
        u_t = b1 * (1.0 - 0.5 * d**t)  # mu_t
        u_next = b1 * (1.0 - 0.5 * d ** (t + 1))  # mu_{t+1}
        self._c_m = u_next  # coefficient of m_t
        self._d_m = 1 - self._u_product * u_next  # 1 - U_t mu_{t+1}
        self._c_g = 1 - u_t  # coefficient of g_t
        self._d_g = 1 - self._u_product  # 1 - U_t
        self._d_v = 1 - self._b2**t  # 1 - beta_2^t

    def update_step(self, gradient, variable, learning_rate):
        g, theta, eta = gradient, variable, learning_rate
        slots = self.slots(variable)
        m, v = slots["momentum"], slots["velocity"]
        m += (g - m) * (1 - self._b1)  # m_t = beta_1 m_{t-1} + (1 - beta_1) g_t
        v += (g * g - v) * (1 - self._b2)  # v_t = beta_2 v_{t-1} + (1 - beta_2) g_t^2
        m_hat = m * self._c_m / self._d_m + g * self._c_g / self._d_g
        v_hat = v / self._d_v  # v_t / (1 - beta_2^t)
        theta -= m_hat * eta / (np.sqrt(v_hat) + self.epsilon)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }
