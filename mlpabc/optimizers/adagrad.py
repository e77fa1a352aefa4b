r"""Adagrad: a per-parameter rate that shrinks with the sum of squared gradients.

Introduced in the chapter *Gradient descent and optimizers*.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_float
from .base import OPTIMIZERS, Optimizer, _check_kwargs, f32

__all__ = ["Adagrad"]


@OPTIMIZERS.register("adagrad")
class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011): divide by the root of all past squared gradients.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default=0.001
        :math:`\eta > 0`.
    initial_accumulator_value : float, default=0.1
        :math:`r_0 \ge 0`, the starting value of the accumulator.
    epsilon : float, default=1e-7
        :math:`\epsilon \ge 0`, keeps the denominator away from 0.
    name : str or None
        A label.

    Notes
    -----
    With the accumulator :math:`r` (Keras's slot ``"accumulator"``), elementwise:

    .. math::
        r_t &= r_{t-1} + g_t^2 \\
        \theta_t &= \theta_{t-1} - \frac{\eta\, g_t}{\sqrt{r_t + \epsilon}}

    Parameters with large past gradients take small steps and vice versa.

    **Keras vs textbook.** The textbook starts from :math:`r_0 = 0` and puts
    the constant outside the root, :math:`\eta g_t / (\delta + \sqrt{r_t})`.
    Keras starts from :math:`r_0 = 0.1` and adds :math:`\epsilon` *inside* the
    root; its first steps are therefore much smaller than the textbook's
    :math:`\eta\,\mathrm{sign}(g_1)`. Keras also rounds :math:`r_0` to float32 in
    float64 mode (0.10000000149011612), and so does mlpabc.

    Introduced in the chapter *Gradient descent and optimizers*.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0])
    >>> opt = Adagrad(learning_rate=0.1, initial_accumulator_value=0.0, epsilon=0.0)
    >>> opt.apply_gradients([(np.array([2.0]), w)])
    >>> w                      # r1 = 4, step 0.1 * 2 / 2
    array([0.9])
    """

    def __init__(
        self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, name=None, **kwargs
    ):
        _check_kwargs(kwargs, Adagrad)
        super().__init__(learning_rate, name=name)
        self.initial_accumulator_value = check_float(
            initial_accumulator_value, "initial_accumulator_value", "Adagrad", low=0
        )
        self.epsilon = check_float(epsilon, "epsilon", "Adagrad", low=0)
        # Keras fills the accumulator with a Constant initializer, through float32
        self._r0 = f32(self.initial_accumulator_value)

    def _create_slots(self, w):
        return {"accumulator": np.full_like(w, self._r0)}

    def update_step(self, gradient, variable, learning_rate):
        g, theta, eta = gradient, variable, learning_rate
        r = self.slots(variable)["accumulator"]
        r += g * g  # r_t = r_{t-1} + g_t^2
        theta -= g * eta / np.sqrt(r + self.epsilon)  # theta_t = theta - eta g_t / sqrt(r_t + eps)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }
