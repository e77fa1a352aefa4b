"""Tests of mlpabc.optimizers.schedules: goldens, float32 arithmetic, Keras parity, bad input."""

import itertools

import numpy as np
import pytest

from mlpabc.optimizers import SGD, Adam
from mlpabc.optimizers.schedules import (
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    StepDecay,
)

STEPS = range(50)

# name -> a factory taking the module (mlpabc's schedules or keras.optimizers.schedules)
CASES = {
    "exponential": lambda S: S.ExponentialDecay(0.1, 3, 0.5),
    "exponential_staircase": lambda S: S.ExponentialDecay(0.1, 3, 0.5, staircase=True),
    "exponential_float_steps": lambda S: S.ExponentialDecay(0.37, 2.5, 0.93),
    "inverse_time": lambda S: S.InverseTimeDecay(0.1, 2, 0.7),
    "inverse_time_staircase": lambda S: S.InverseTimeDecay(0.1, 2, 0.7, staircase=True),
    "piecewise": lambda S: S.PiecewiseConstantDecay([2, 5], [0.1, 0.05, 0.01]),
    "piecewise_one_boundary": lambda S: S.PiecewiseConstantDecay([10], [0.3, 0.03]),
}


def _ours(name):
    import mlpabc.optimizers.schedules as S

    return CASES[name](S)


# -- goldens -------------------------------------------------------------------------------------


def test_exponential_decay_by_hand():
    sched = ExponentialDecay(1.0, decay_steps=2, decay_rate=0.25)
    assert [sched(k) for k in (0, 2, 4)] == [1.0, 0.25, 0.0625]
    assert sched(1) == 0.5  # 0.25 ** 0.5
    stair = ExponentialDecay(1.0, decay_steps=2, decay_rate=0.25, staircase=True)
    assert [stair(k) for k in range(5)] == [1.0, 1.0, 0.25, 0.25, 0.0625]


def test_inverse_time_decay_by_hand():
    sched = InverseTimeDecay(1.0, decay_steps=2, decay_rate=1.0)
    assert [sched(k) for k in (0, 2, 6)] == [1.0, 0.5, 0.25]
    stair = InverseTimeDecay(1.0, decay_steps=2, decay_rate=1.0, staircase=True)
    assert [stair(k) for k in range(5)] == [1.0, 1.0, 0.5, 0.5, float(np.float32(1 / 3))]
    assert InverseTimeDecay(0.5, 1, 0.0)(100) == 0.5  # rate 0: constant


def test_piecewise_constant_upper_bounds_are_inclusive():
    sched = PiecewiseConstantDecay([2, 5], [1.0, 0.5, 0.25])
    assert [sched(k) for k in range(8)] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]
    assert sched(2.5) == 0.5  # fractional steps compare as numbers


def test_step_decay_by_hand():
    sched = StepDecay(0.8, drop=0.5, steps_per_drop=3)
    expected = [0.8] * 3 + [0.4] * 3 + [0.2] * 3 + [0.1]
    assert [sched(k) for k in range(10)] == [float(np.float32(v)) for v in expected]  # float32
    assert StepDecay(0.1)(9) == StepDecay(0.1)(0) and StepDecay(0.1)(10) == float(np.float32(0.05))


def test_step_decay_is_staircase_exponential_decay_to_the_bit():
    for lr0, drop, every in [(0.1, 0.5, 10), (0.37, 0.9, 3), (1e-3, 0.1, 1)]:
        a, b = StepDecay(lr0, drop, every), ExponentialDecay(lr0, every, drop, staircase=True)
        assert [a(k) for k in STEPS] == [b(k) for k in STEPS]


def test_schedules_compute_in_float32():
    sched = ExponentialDecay(0.1, 3, 0.5)
    value = sched(1)
    assert value == float(np.float32(0.1) * np.float32(0.5) ** (np.float32(1) / np.float32(3)))
    assert value != 0.1 * 0.5 ** (1 / 3)  # the float64 value differs in the 9th digit
    assert isinstance(value, float)


def test_power_is_correctly_rounded_and_subnormal_rates_flush_to_zero():
    # rate**p with float32 rate and p: np.power in float32 gives 0.79276675 here, one unit in
    # the last place below the correctly rounded 0.7927668 that TensorFlow returns
    rate, p = np.float32(0.93), np.float32(8) / np.float32(2.5)
    value = ExponentialDecay(1.0, 2.5, 0.93)(8)
    assert value == float(np.float32(float(rate) ** float(p))) == float(np.float32(0.7927668))
    # 0.1 ** 40 = 1e-40 is a float32 subnormal: TensorFlow's CPU kernels return 0
    assert ExponentialDecay(0.1, 1, 0.1)(39) == 0.0
    assert ExponentialDecay(0.1, 1, 0.1)(np.array([39])).tolist() == [0.0]
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert ExponentialDecay(0.1, 1, 10.0)(500) == np.inf  # a growing schedule far out
        assert ExponentialDecay(0.1, 1, 10.0)(np.array([500])).tolist() == [np.inf]


def test_array_of_steps_gives_the_same_values():
    for name in CASES:
        sched = _ours(name)
        values = sched(np.arange(50))
        assert values.dtype == np.float64 and values.shape == (50,)
        assert values.tolist() == [sched(k) for k in STEPS], name
    assert ExponentialDecay(0.1, 3, 0.5)(np.array([], dtype=int)).shape == (0,)


def test_numpy_scalar_steps():
    sched = InverseTimeDecay(0.1, 2, 0.7)
    assert sched(np.int64(7)) == sched(7) == sched(7.0) == sched(np.float32(7))


def test_custom_schedule_subclass():
    class Halving(LearningRateSchedule):
        def _value(self, step):
            return np.float32(1.0) / np.float32(2.0) ** step

    assert [Halving()(k) for k in range(3)] == [1.0, 0.5, 0.25]
    with pytest.raises(NotImplementedError):
        LearningRateSchedule()(0)


def test_optimizer_uses_schedule_at_the_number_of_completed_updates():
    # the first update uses schedule(0): w = 1 - 1.0 * 1 - 0.5 * 1 - 0.25 * 1
    w = np.ones(1)
    opt = SGD(ExponentialDecay(1.0, 1, 0.5))
    for _ in range(3):
        opt.apply_gradients([(np.ones(1), w)])
    np.testing.assert_array_equal(w, [1.0 - 1.0 - 0.5 - 0.25])
    assert opt.current_learning_rate() == 0.125


def test_repr_config_and_equality():
    assert repr(StepDecay(0.1)) == (
        "StepDecay(initial_learning_rate=0.1, drop=0.5, steps_per_drop=10)"
    )
    assert repr(PiecewiseConstantDecay([2], [0.1, 0.01])) == (
        "PiecewiseConstantDecay(boundaries=[2], values=[0.1, 0.01])"
    )
    for name in CASES:
        sched = _ours(name)
        assert type(sched)(**sched.get_config()) == sched
    assert ExponentialDecay(0.1, 3, 0.5) != InverseTimeDecay(0.1, 3, 0.5)
    assert SGD(StepDecay(0.1)).get_config()["learning_rate"] == StepDecay(0.1)


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (
            lambda: ExponentialDecay(0.0, 10, 0.5),
            ValueError,
            r"'initial_learning_rate' argument of ExponentialDecay must be a float > 0",
        ),
        (lambda: ExponentialDecay("0.1", 10, 0.5), TypeError, r"'initial_learning_rate'"),
        (
            lambda: ExponentialDecay(0.1, 0, 0.5),
            ValueError,
            r"'decay_steps' argument of ExponentialDecay must be a float > 0\. Got 0",
        ),
        (lambda: ExponentialDecay(0.1, -5, 0.5), ValueError, r"'decay_steps'"),
        (
            lambda: ExponentialDecay(0.1, 10, 0.0),
            ValueError,
            r"'decay_rate' argument of ExponentialDecay must be a float > 0",
        ),
        (
            lambda: ExponentialDecay(0.1, 10, 0.5, staircase="yes"),
            TypeError,
            r"'staircase' argument of ExponentialDecay",
        ),
        (
            lambda: InverseTimeDecay(0.1, 10, -0.5),
            ValueError,
            r"'decay_rate' argument of InverseTimeDecay must be a float >= 0",
        ),
        (
            lambda: InverseTimeDecay(0.1, float("inf"), 0.5),
            ValueError,
            r"'decay_steps' argument of InverseTimeDecay",
        ),
        (
            lambda: PiecewiseConstantDecay([5, 2], [0.1, 0.05, 0.01]),
            ValueError,
            r"'boundaries' argument of PiecewiseConstantDecay must be strictly increasing",
        ),
        (
            lambda: PiecewiseConstantDecay([2, 2], [0.1, 0.05, 0.01]),
            ValueError,
            r"strictly increasing",
        ),
        (
            lambda: PiecewiseConstantDecay([2, 5], [0.1, 0.05]),
            ValueError,
            r"'values' argument of PiecewiseConstantDecay must hold len\(boundaries\) \+ 1 = 3",
        ),
        (lambda: PiecewiseConstantDecay([], [0.1]), ValueError, r"at least one step"),
        (
            lambda: PiecewiseConstantDecay([2.5], [0.1, 0.01]),
            TypeError,
            r"'boundaries' argument of PiecewiseConstantDecay must be an integer",
        ),
        (
            lambda: PiecewiseConstantDecay([2], [0.1, -0.01]),
            ValueError,
            r"'values' argument of PiecewiseConstantDecay must be a float > 0",
        ),
        (
            lambda: PiecewiseConstantDecay(3, [0.1]),
            TypeError,
            r"'boundaries' argument of PiecewiseConstantDecay must be a list",
        ),
        (lambda: PiecewiseConstantDecay([3], "ab"), TypeError, r"'values' argument"),
        (
            lambda: StepDecay(0.1, drop=0.0),
            ValueError,
            r"'drop' argument of StepDecay must be a float in \(0, 1\]",
        ),
        (lambda: StepDecay(0.1, drop=1.5), ValueError, r"'drop' argument of StepDecay"),
        (
            lambda: StepDecay(0.1, steps_per_drop=0),
            ValueError,
            r"'steps_per_drop' argument of StepDecay must be an integer >= 1",
        ),
        (
            lambda: StepDecay(0.1, steps_per_drop=2.5),
            TypeError,
            r"'steps_per_drop' argument of StepDecay must be an integer",
        ),
        (lambda: StepDecay(-0.1), ValueError, r"'initial_learning_rate' argument of StepDecay"),
        (lambda: StepDecay(0.1, epochs_drop=10), TypeError, r"epochs_drop"),
    ],
)
def test_bad_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize("step", [-1, -0.5, float("nan"), [0, -2]])
def test_bad_steps(step):
    match = r"'step' argument of ExponentialDecay.__call__ must be a number >= 0"
    with pytest.raises(ValueError, match=match):
        ExponentialDecay(0.1, 3, 0.5)(step)


@pytest.mark.parametrize("step", ["3", None])
def test_step_of_the_wrong_type(step):
    with pytest.raises(TypeError, match=r"'step' argument of StepDecay.__call__"):
        StepDecay(0.1)(step)


# -- Keras parity ----------------------------------------------------------------------------------


@pytest.mark.keras
@pytest.mark.parametrize("name", sorted(CASES))
def test_schedule_values_are_bit_identical_to_keras(keras64, name):
    ours, theirs = _ours(name), CASES[name](keras64.optimizers.schedules)
    keras_values = [float(theirs(k)) for k in STEPS]
    assert [ours(k) for k in STEPS] == keras_values  # measured: 0 difference, steps 0..49


@pytest.mark.keras
def test_decay_grid_is_bit_identical_to_keras(keras64):
    KS = keras64.optimizers.schedules
    grid = itertools.product([0.93, 0.96, 0.1, 1.5], [1, 2.5, 7], [False, True])
    for rate, steps, staircase in grid:
        pairs = [(ExponentialDecay, KS.ExponentialDecay)]
        if rate < 1:
            pairs.append((InverseTimeDecay, KS.InverseTimeDecay))
        for ours_cls, keras_cls in pairs:
            ours = ours_cls(0.37, steps, rate, staircase)
            theirs = keras_cls(0.37, steps, rate, staircase)
            keras_values = [float(theirs(k)) for k in STEPS]
            assert ours(np.arange(50)).tolist() == keras_values, (ours, keras_values)


@pytest.mark.keras
def test_step_decay_equals_keras_staircase_exponential_decay(keras64):
    theirs = keras64.optimizers.schedules.ExponentialDecay(0.1, 4, 0.5, staircase=True)
    ours = StepDecay(0.1, drop=0.5, steps_per_drop=4)
    assert [ours(k) for k in STEPS] == [float(theirs(k)) for k in STEPS]


@pytest.mark.keras
@pytest.mark.parametrize("name", sorted(CASES))
def test_sgd_with_schedule_matches_keras_for_10_steps(keras64, name):
    import mlpabc.optimizers as O

    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(3, 2))
    grads = [rng.normal(size=(3, 2)) for _ in range(10)]
    w = w0.copy()
    opt = O.SGD(_ours(name), momentum=0.9)
    var = keras64.Variable(w0.copy())
    kopt = keras64.optimizers.SGD(CASES[name](keras64.optimizers.schedules), momentum=0.9)
    for g in grads:
        assert opt.current_learning_rate() == float(kopt.learning_rate)
        opt.apply_gradients([(g, w)])
        kopt.apply_gradients([(keras64.ops.convert_to_tensor(g), var)])
    np.testing.assert_allclose(w, var.numpy(), rtol=1e-12, atol=1e-15)  # measured: 0


@pytest.mark.keras
def test_adam_with_exponential_decay_matches_keras(keras64):
    rng = np.random.default_rng(1)
    w0 = rng.normal(size=(4,))
    grads = [rng.normal(size=(4,)) for _ in range(10)]
    w = w0.copy()
    opt = Adam(ExponentialDecay(0.05, 3, 0.5))
    var = keras64.Variable(w0.copy())
    kopt = keras64.optimizers.Adam(keras64.optimizers.schedules.ExponentialDecay(0.05, 3, 0.5))
    for g in grads:
        opt.apply_gradients([(g, w)])
        kopt.apply_gradients([(keras64.ops.convert_to_tensor(g), var)])
    np.testing.assert_allclose(w, var.numpy(), rtol=1e-12, atol=1e-15)  # measured: 0
