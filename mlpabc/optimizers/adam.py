r"""Adam: momentum on the gradient plus an RMSprop-style scale, with bias correction.

Introduced in the chapter *Gradient descent and optimizers*.
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import check_bool, check_float, check_one_of
from .base import OPTIMIZERS, Optimizer, _check_kwargs, f32

__all__ = ["Adam"]


@OPTIMIZERS.register("adam")
class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2014), in Keras's formulation by default.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default=0.001
        :math:`\eta > 0`.
    beta_1 : float, default=0.9
        :math:`\beta_1 \in [0, 1)`, decay of the first-moment estimate :math:`m_t`.
    beta_2 : float, default=0.999
        :math:`\beta_2 \in [0, 1)`, decay of the second-moment estimate :math:`v_t`.
    epsilon : float, default=1e-7
        :math:`\epsilon \ge 0` (the paper's default is 1e-8).
    amsgrad : bool, default=False
        Use the AMSGrad variant (Reddi et al., 2018): divide by the largest
        :math:`v` seen so far, :math:`\hat v_t = \max(\hat v_{t-1}, v_t)`.
    formulation : {"keras", "textbook"}, default="keras"
        ``"keras"`` reproduces ``keras.optimizers.Adam`` to the last bit;
        ``"textbook"`` is Algorithm 1 of the paper (see Notes).
    name : str or None
        A label.

    Notes
    -----
    Both formulations keep, elementwise, with :math:`m_0 = v_0 = 0` (Keras's
    slots ``"momentum"`` and ``"velocity"``),

    .. math::
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 .

    **Textbook** (``formulation="textbook"``, the paper's Algorithm 1):

    .. math::
        \hat m_t = \frac{m_t}{1 - \beta_1^t}, \quad
        \hat v_t = \frac{v_t}{1 - \beta_2^t}, \quad
        \theta_t = \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} .

    **Keras** (the default) folds both corrections into the rate:

    .. math::
        \eta_t = \eta\, \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}, \quad
        \theta_t = \theta_{t-1} - \eta_t\, \frac{m_t}{\sqrt{v_t} + \epsilon} .

    Multiply out: this is the textbook rule with its :math:`\epsilon` replaced by
    :math:`\epsilon / \sqrt{1 - \beta_2^t}` (the paper's "epsilon-hat" remark at the
    end of its section 2), a larger constant in the first steps, while
    :math:`\beta_2^t` is close to 1. The two agree closely while
    :math:`\sqrt{v_t} \gg \epsilon`; with a large :math:`\epsilon` (say 0.1) they
    differ visibly. Keras also computes :math:`\beta_1^t, \beta_2^t` from the
    float32-rounded betas even in float64 mode (not the betas in the moment
    updates), and mlpabc does the same in the Keras formulation. With
    ``amsgrad=True`` the Keras form uses :math:`\sqrt{\hat v_t}` for
    :math:`\sqrt{v_t}`; the textbook form takes the maximum of the raw
    :math:`v_t` and then bias-corrects it (as PyTorch does).

    Introduced in the chapter *Gradient descent and optimizers*.

    Examples
    --------
    The first step moves every parameter by about :math:`\eta`, whatever the
    size of its gradient (:math:`\hat m_1 / \sqrt{\hat v_1} = g_1/|g_1|`):

    >>> import numpy as np
    >>> w = np.array([1.0, 1.0])
    >>> opt = Adam(learning_rate=0.1)
    >>> opt.apply_gradients([(np.array([100.0, -1.0]), w)])
    >>> w.round(4)
    array([0.9, 1.1])
    >>> opt.get_slots(w)["momentum"]    # m_1 = (1 - beta_1) g_1
    array([10. , -0.1])
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        formulation="keras",
        name=None,
        **kwargs,
    ):
        _check_kwargs(kwargs, Adam)
        super().__init__(learning_rate, name=name)
        self.beta_1 = check_float(beta_1, "beta_1", "Adam", low=0, high=1, closed="left")
        self.beta_2 = check_float(beta_2, "beta_2", "Adam", low=0, high=1, closed="left")
        self.epsilon = check_float(epsilon, "epsilon", "Adam", low=0)
        self.amsgrad = check_bool(amsgrad, "amsgrad", "Adam")
        self.formulation = check_one_of(formulation, "formulation", "Adam", ("keras", "textbook"))
        if self.formulation == "keras":
            # Keras: ops.cast(beta, float64) goes through float32 -- only in the powers beta^t
            self._b1_pow_base, self._b2_pow_base = f32(self.beta_1), f32(self.beta_2)
        else:
            self._b1_pow_base, self._b2_pow_base = self.beta_1, self.beta_2

    def _create_slots(self, w):
        slots = {"momentum": np.zeros_like(w), "velocity": np.zeros_like(w)}
        if self.amsgrad:
            slots["velocity_hat"] = np.zeros_like(w)
        return slots

    def update_step(self, gradient, variable, learning_rate):
        g, theta, eta, t = gradient, variable, learning_rate, self.iterations + 1
        beta_1, beta_2, eps = self.beta_1, self.beta_2, self.epsilon
        slots = self.slots(variable)
        m, v = slots["momentum"], slots["velocity"]
        bc1 = 1 - self._b1_pow_base**t  # 1 - beta_1^t
        bc2 = 1 - self._b2_pow_base**t  # 1 - beta_2^t
        if self.formulation == "keras":
            m += (g - m) * (1 - beta_1)  # m_t = beta_1 m_{t-1} + (1 - beta_1) g_t
            v += (g * g - v) * (1 - beta_2)  # v_t = beta_2 v_{t-1} + (1 - beta_2) g_t^2
            if self.amsgrad:
                v = np.maximum(slots["velocity_hat"], v, out=slots["velocity_hat"])
            eta_t = eta * math.sqrt(bc2) / bc1
            # theta_t = theta_{t-1} - eta_t m_t / (sqrt(v_t) + eps)
            theta -= m * eta_t / (np.sqrt(v) + eps)
            return
        m *= beta_1
        m += g * (1 - beta_1)  # m_t
        v *= beta_2
        v += g * g * (1 - beta_2)  # v_t
        if self.amsgrad:
            v = np.maximum(slots["velocity_hat"], v, out=slots["velocity_hat"])
        m_hat, v_hat = m / bc1, v / bc2
        # theta_t = theta_{t-1} - eta m_hat / (sqrt(v_hat) + eps)
        theta -= m_hat * eta / (np.sqrt(v_hat) + eps)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
            "formulation": self.formulation,
        }
