r"""Learning-rate schedules: :math:`\eta_k`, the step size of update :math:`k`.

A schedule is a function of the **step** :math:`k`, the number of updates
the optimizer has already made (0 for the first update, as in Keras). Pass
one as ``learning_rate`` and the optimizer evaluates it before every update::

    opt = SGD(learning_rate=ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5))

With ``Sequential.fit`` a step is one mini-batch, not one epoch: an epoch of
``n_samples`` samples has ``ceil(n_samples / batch_size)`` steps.

Keras evaluates its schedules in **float32 arithmetic**, even when everything
else is float64, and so do these (the result is returned as a Python float
holding that float32 value). That keeps the learning rates, and therefore the
trained weights, identical to Keras's to the last bit.

Each schedule also accepts an array of steps and then returns an array, which
is handy for plotting :math:`\eta_k` against :math:`k`.

Introduced in the chapter *Gradient descent and optimizers*.
"""

from __future__ import annotations

import bisect
import numbers

import numpy as np

from .._validation import check_array, check_bool, check_float, check_int, describe

__all__ = [
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "StepDecay",
]

_F = np.float32
_F32_MAX = float(np.finfo(np.float32).max)
_F32_TINY = float(np.finfo(np.float32).tiny)  # smallest normal float32, ~1.18e-38


def _flush(v):
    """Flush subnormal values to 0, as TensorFlow's CPU kernels do (values are >= 0 here)."""
    if np.ndim(v) == 0:
        return v if v >= _F32_TINY else _F(0)
    return np.where(v >= _F32_TINY, v, _F(0))


def _pow32(base: float, p):
    """``base ** p`` in float32, correctly rounded, as TensorFlow computes it for a scalar.

    ``np.power`` on float32 is sometimes one unit in the last place off (for 0.93 ** (8/2.5),
    say); the float64 power rounded to float32 is what TensorFlow returns.
    """
    if np.ndim(p) == 0:
        try:
            v = base ** float(p)
        except OverflowError:  # a growing schedule (rate > 1) far out
            v = np.inf
        return _flush(_F(v) if v <= _F32_MAX else _F(np.inf))
    with np.errstate(over="ignore"):
        v = np.power(base, p.astype(np.float64))
        return _flush(np.where(v <= _F32_MAX, v, np.inf).astype(_F))


class LearningRateSchedule:
    r"""Base class: a learning rate :math:`\eta_k` that depends on the step :math:`k`.

    Subclasses implement :meth:`_value`, which receives the step as a float32
    scalar or array and computes in float32. :meth:`__call__` checks the step
    and converts the result: a Python ``float`` for a scalar step, a float64
    array (holding float32 values) for an array of steps. Like TensorFlow on a
    CPU, rates below the smallest normal float32 (about 1.2e-38) become 0.

    Introduced in the chapter *Gradient descent and optimizers*.

    Examples
    --------
    A schedule of your own, :math:`\eta_k = 0.1 / (k + 1)`:

    >>> class OneOverK(LearningRateSchedule):
    ...     def _value(self, step):
    ...         return np.float32(0.1) / (step + np.float32(1))
    >>> OneOverK()(3)
    0.02500000037252903
    """

    def __call__(self, step):
        """The learning rate at ``step`` (an integer >= 0, or an array of them)."""
        if isinstance(step, numbers.Integral) and not isinstance(step, (bool, np.bool_)):
            if step < 0:
                self._bad_step(step)
            return float(_flush(self._value(_F(step))))
        if isinstance(step, numbers.Real) and not isinstance(step, (bool, np.bool_)):
            if not (np.isfinite(step) and step >= 0):
                self._bad_step(step)
            return float(_flush(self._value(_F(step))))
        owner = f"{type(self).__name__}.__call__"
        steps = check_array(step, "step", owner, dtype=None, allow_empty=True)
        if steps.dtype.kind not in "iuf" or (steps.size and steps.min() < 0):
            self._bad_step(steps)
        return np.asarray(_flush(self._value(steps.astype(_F))), dtype=np.float64)

    def _bad_step(self, step):
        raise ValueError(
            f"The 'step' argument of {type(self).__name__}.__call__ must be a number >= 0 (the "
            f"number of updates made so far) or an array of them. Got {describe(step)} instead."
        )

    def _value(self, step):
        raise NotImplementedError(f"{type(self).__name__} must implement _value(step).")

    def get_config(self) -> dict:
        """The constructor arguments, as a dict."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()

    __hash__ = object.__hash__


def _check_lr(value, owner):
    return check_float(value, "initial_learning_rate", owner, low=0, closed="neither")


def _check_decay_steps(value, owner):
    return check_float(value, "decay_steps", owner, low=0, closed="neither")


class ExponentialDecay(LearningRateSchedule):
    r"""Exponential decay, :math:`\eta_k = \eta_0\, r^{k / s}`.

    The rate is multiplied by :math:`r` every :math:`s` steps, smoothly
    (``staircase=False``) or in jumps (``staircase=True``, exponent
    :math:`\lfloor k / s \rfloor`).

    Parameters
    ----------
    initial_learning_rate : float
        :math:`\eta_0 > 0`, the rate of the first update.
    decay_steps : float
        :math:`s > 0`, the number of steps over which the rate is multiplied by :math:`r`.
    decay_rate : float
        :math:`r > 0`; below 1 the rate decays (above 1 it grows).
    staircase : bool, default=False
        Use :math:`\lfloor k/s \rfloor`: the rate stays constant for :math:`s` steps, then drops.

    Notes
    -----
    Computed as Keras does, in float32: ``lr0 * rate ** (step / decay_steps)``, with
    the power correctly rounded like TensorFlow's.

    Introduced in the chapter *Gradient descent and optimizers*.

    Examples
    --------
    >>> sched = ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
    >>> [round(sched(k), 6) for k in range(5)]
    [0.1, 0.070711, 0.05, 0.035355, 0.025]
    >>> stair = ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5, staircase=True)
    >>> [round(stair(k), 6) for k in range(5)]
    [0.1, 0.1, 0.05, 0.05, 0.025]
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        owner = type(self).__name__
        self.initial_learning_rate = _check_lr(initial_learning_rate, owner)
        self.decay_steps = _check_decay_steps(decay_steps, owner)
        self.decay_rate = check_float(decay_rate, "decay_rate", owner, low=0, closed="neither")
        self.staircase = check_bool(staircase, "staircase", owner)
        self._lr0, self._s = _F(self.initial_learning_rate), _F(self.decay_steps)
        self._r = _F(self.decay_rate)

    def _value(self, step):
        p = step / self._s
        if self.staircase:
            p = np.floor(p)
        return self._lr0 * _pow32(float(self._r), p)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
        }


class InverseTimeDecay(LearningRateSchedule):
    r"""Inverse-time ("time-based") decay, :math:`\eta_k = \eta_0 / (1 + r\,k/s)`.

    The rate falls like :math:`1/k`: after :math:`s` steps it is
    :math:`\eta_0/(1 + r)`, after :math:`2s` steps :math:`\eta_0/(1 + 2r)`.
    With :math:`s = 1` this is the "time-based decay"
    :math:`\eta_k = \eta_0 / (1 + r k)` of older Keras versions (their
    ``decay`` argument).

    Parameters
    ----------
    initial_learning_rate : float
        :math:`\eta_0 > 0`.
    decay_steps : float
        :math:`s > 0`.
    decay_rate : float
        :math:`r \ge 0` (0 keeps the rate constant).
    staircase : bool, default=False
        Use :math:`\lfloor k/s \rfloor` instead of :math:`k/s`.

    Notes
    -----
    Computed as Keras does, in float32: ``lr0 / (1 + rate * (step / decay_steps))``.

    Introduced in the chapter *Gradient descent and optimizers*.

    Examples
    --------
    >>> sched = InverseTimeDecay(0.1, decay_steps=1, decay_rate=1.0)
    >>> [round(sched(k), 6) for k in range(4)]
    [0.1, 0.05, 0.033333, 0.025]
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        owner = type(self).__name__
        self.initial_learning_rate = _check_lr(initial_learning_rate, owner)
        self.decay_steps = _check_decay_steps(decay_steps, owner)
        self.decay_rate = check_float(decay_rate, "decay_rate", owner, low=0)
        self.staircase = check_bool(staircase, "staircase", owner)
        self._lr0, self._s = _F(self.initial_learning_rate), _F(self.decay_steps)
        self._r = _F(self.decay_rate)

    def _value(self, step):
        p = step / self._s
        if self.staircase:
            p = np.floor(p)
        return self._lr0 / (_F(1) + self._r * p)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    r"""A constant rate on each interval of steps.

    With boundaries :math:`b_0 < b_1 < \dots` and values :math:`\eta^{(0)},
    \eta^{(1)}, \dots`, the rate is :math:`\eta^{(0)}` for :math:`k \le b_0`,
    :math:`\eta^{(i)}` for :math:`b_{i-1} < k \le b_i`, and the last value
    after the last boundary. Each upper bound is **inclusive**, as in Keras.

    Parameters
    ----------
    boundaries : sequence of int
        Strictly increasing steps, at least one.
    values : sequence of float
        ``len(boundaries) + 1`` positive learning rates.

    Notes
    -----
    Introduced in the chapter *Gradient descent and optimizers*.

    Examples
    --------
    >>> sched = PiecewiseConstantDecay(boundaries=[2, 5], values=[0.1, 0.05, 0.01])
    >>> [round(sched(k), 6) for k in range(8)]
    [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.01, 0.01]
    """

    def __init__(self, boundaries, values):
        owner = type(self).__name__
        if isinstance(boundaries, (str, bytes)) or not hasattr(boundaries, "__len__"):
            raise TypeError(
                f"The 'boundaries' argument of {owner} must be a list of integers. "
                f"Got {describe(boundaries)} instead."
            )
        if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
            raise TypeError(
                f"The 'values' argument of {owner} must be a list of floats. "
                f"Got {describe(values)} instead."
            )
        boundaries = [check_int(b, "boundaries", owner, minimum=0) for b in boundaries]
        values = [check_float(v, "values", owner, low=0, closed="neither") for v in values]
        if not boundaries:
            raise ValueError(
                f"The 'boundaries' argument of {owner} must hold at least one step. Got [] instead."
            )
        if any(b1 <= b0 for b0, b1 in zip(boundaries, boundaries[1:])):
            raise ValueError(
                f"The 'boundaries' argument of {owner} must be strictly increasing. "
                f"Got {boundaries} instead."
            )
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                f"The 'values' argument of {owner} must hold len(boundaries) + 1 = "
                f"{len(boundaries) + 1} learning rates (one per interval). "
                f"Got {len(values)} instead."
            )
        self.boundaries = boundaries
        self.values = values
        self._values = np.array(values, dtype=_F)

    def _value(self, step):
        if np.ndim(step) == 0:
            return self._values[bisect.bisect_left(self.boundaries, step)]
        # side="left": the first boundary >= step, so each upper bound is inclusive
        return self._values[np.searchsorted(self.boundaries, step, side="left")]

    def get_config(self) -> dict:
        return {"boundaries": list(self.boundaries), "values": list(self.values)}


class StepDecay(ExponentialDecay):
    r"""Step decay: multiply the rate by ``drop`` every ``steps_per_drop`` steps.

    .. math::
        \eta_k = \eta_0 \cdot \text{drop}^{\lfloor k / \text{steps\_per\_drop} \rfloor}

    This is exactly ``ExponentialDecay(initial_learning_rate, decay_steps=steps_per_drop,
    decay_rate=drop, staircase=True)`` (it is implemented as that, so the two agree to the
    bit); Keras has no separate class for it. The sources write it per epoch
    (``epochs_drop``); here, as in every schedule, a step is one update, so use
    ``steps_per_drop = epochs_drop * steps_per_epoch`` to drop once every few epochs.

    Parameters
    ----------
    initial_learning_rate : float
        :math:`\eta_0 > 0`.
    drop : float, default=0.5
        The factor in :math:`(0, 1]` applied at each drop.
    steps_per_drop : int, default=10
        Steps between drops, at least 1.

    Notes
    -----
    Introduced in the chapter *Gradient descent and optimizers*.

    Examples
    --------
    >>> sched = StepDecay(0.1, drop=0.5, steps_per_drop=2)
    >>> [round(sched(k), 6) for k in range(6)]
    [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    """

    def __init__(self, initial_learning_rate, drop=0.5, steps_per_drop=10):
        owner = type(self).__name__
        drop = check_float(drop, "drop", owner, low=0, high=1, closed="right")
        steps_per_drop = check_int(steps_per_drop, "steps_per_drop", owner, minimum=1)
        lr0 = _check_lr(initial_learning_rate, owner)
        super().__init__(lr0, decay_steps=steps_per_drop, decay_rate=drop, staircase=True)
        self.drop = drop
        self.steps_per_drop = steps_per_drop

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "drop": self.drop,
            "steps_per_drop": self.steps_per_drop,
        }
