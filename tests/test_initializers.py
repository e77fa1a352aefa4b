"""Tests of mlpabc.initializers: Keras's fans and limits, distributions, seeding, get(), errors."""

import math

import numpy as np
import pytest

from mlpabc import initializers
from mlpabc.initializers import (
    TRUNCATED_STD,
    Constant,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    Initializer,
    LecunNormal,
    LecunUniform,
    Ones,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    Zeros,
    compute_fans,
)

SHAPE = (300, 200)

# class -> (scale, mode, distribution), Keras's definitions
FAMILY = {
    GlorotUniform: (1.0, "fan_avg", "uniform"),
    GlorotNormal: (1.0, "fan_avg", "truncated_normal"),
    HeUniform: (2.0, "fan_in", "uniform"),
    HeNormal: (2.0, "fan_in", "truncated_normal"),
    LecunUniform: (1.0, "fan_in", "uniform"),
    LecunNormal: (1.0, "fan_in", "truncated_normal"),
}
RANDOM = [*FAMILY, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling]


def _keras_bounds(cls, shape):
    """The (variance, limit) of KERAS_PARITY section 1, written out from its formulas."""
    fan_in, fan_out = compute_fans(shape)
    n = {"fan_avg": (fan_in + fan_out) / 2, "fan_in": fan_in}[FAMILY[cls][1]]
    var = FAMILY[cls][0] / max(1.0, n)
    if FAMILY[cls][2] == "uniform":
        return var, math.sqrt(3.0 * var)
    return var, 2 * math.sqrt(var) / 0.87962566103423978


# -- fans and limits -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, fans",
    [
        ((), (1, 1)),
        ((7,), (7, 7)),
        ((3, 4), (3, 4)),
        (5, (5, 5)),
        ((3, 3, 4, 8), (36, 72)),
        ((2, 3, 4, 5, 6), (120, 144)),
    ],
)
def test_compute_fans(shape, fans):
    assert compute_fans(shape) == fans


def test_limits_by_hand():
    assert GlorotUniform().limit((4, 2)) == 1.0  # sqrt(6 / 6)
    assert HeUniform().limit((6, 3)) == 1.0  # sqrt(6 / 6)
    assert LecunUniform().limit((3, 9)) == 1.0  # sqrt(3 / 3)
    assert HeNormal().variance((8, 3)) == 0.25
    assert GlorotNormal().limit((1, 1)) == 2 / TRUNCATED_STD
    assert VarianceScaling(distribution="untruncated_normal").limit((4, 4)) == math.inf
    assert GlorotUniform().variance((0, 0)) == 1.0  # fans floored at 1, as in Keras


@pytest.mark.parametrize("cls", list(FAMILY))
@pytest.mark.parametrize("shape", [(4, 6), (300, 200), (7,), (3, 3, 2, 5)])
def test_variance_and_limit_are_keras_formulas(cls, shape):
    var, limit = _keras_bounds(cls, shape)
    assert cls().variance(shape) == pytest.approx(var, rel=1e-15)
    assert cls().limit(shape) == pytest.approx(limit, rel=1e-15)


def test_glorot_uniform_limit_is_sqrt_6_over_fans():
    assert GlorotUniform().limit(SHAPE) == pytest.approx(math.sqrt(6 / 500), rel=1e-15)
    assert HeUniform().limit(SHAPE) == pytest.approx(math.sqrt(6 / 300), rel=1e-15)


# -- distributions -------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", list(FAMILY))
def test_variance_scaling_draws(cls):
    w = cls(seed=0)(SHAPE)
    assert w.shape == SHAPE and w.dtype == np.float64
    var, limit = _keras_bounds(cls, SHAPE)
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.95 * limit  # the whole range is used
    assert abs(w.std() / math.sqrt(var) - 1) < 0.02
    assert abs(w.mean()) < 0.05 * math.sqrt(var)


def test_truncated_normal_has_the_truncated_std():
    w = TruncatedNormal(mean=1.0, stddev=0.5, seed=1)((400, 400))
    assert np.abs(w - 1.0).max() <= 1.0
    assert abs(w.std() / (0.5 * TRUNCATED_STD) - 1) < 0.01
    assert abs(w.mean() - 1.0) < 0.005


def test_random_normal_and_uniform():
    w = RandomNormal(mean=2.0, stddev=0.5, seed=0)(SHAPE)
    assert abs(w.mean() - 2.0) < 0.01 and abs(w.std() / 0.5 - 1) < 0.01
    assert np.abs(w - 2.0).max() > 1.5  # not truncated
    u = RandomUniform(-0.2, 0.6, seed=0)(SHAPE)
    assert u.min() >= -0.2 and u.max() < 0.6
    assert abs(u.mean() - 0.2) < 0.005
    assert abs(RandomNormal(seed=0)(SHAPE).std() / 0.05 - 1) < 0.01  # Keras defaults
    assert np.abs(RandomUniform(seed=0)(SHAPE)).max() <= 0.05


def test_untruncated_variance_scaling():
    w = VarianceScaling(scale=2.0, mode="fan_out", distribution="untruncated_normal", seed=0)(SHAPE)
    assert abs(w.std() / math.sqrt(2 / 200) - 1) < 0.02
    assert np.abs(w).max() > 3 * math.sqrt(2 / 200)


def test_constants():
    np.testing.assert_array_equal(Zeros()((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(Ones()(3), np.ones(3))
    np.testing.assert_array_equal(Constant(0.25)((2,)), [0.25, 0.25])
    assert Constant()((1,))[0] == 0.0
    assert Zeros()((0, 3)).shape == (0, 3)
    assert Ones()(()).shape == ()


@pytest.mark.parametrize("cls", [*RANDOM, Zeros, Ones, Constant])
def test_dtype(cls):
    w = cls()((4, 3), dtype=np.float32, rng=np.random.default_rng(0))
    assert w.dtype == np.float32 and w.shape == (4, 3)
    assert cls()((4, 3), "float64", np.random.default_rng(0)).dtype == np.float64
    # the spelling the layers use
    assert cls().init((2,), np.float64, np.random.default_rng(0)).shape == (2,)


def test_float32_draws_stay_within_the_float32_limit():
    w = HeUniform(seed=0)((200, 100), dtype=np.float32)
    assert np.abs(w).max() <= np.float32(HeUniform().limit((200, 100)))


def test_stable_and_finite():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for cls in RANDOM:
            assert np.all(np.isfinite(cls(seed=0)((1000, 1))))


# -- seeding ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", RANDOM)
def test_same_seed_same_values_different_seeds_differ(cls):
    a, b, c = cls(seed=7)((5, 4)), cls(seed=7)((5, 4)), cls(seed=8)((5, 4))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_seeded_initializer_owns_its_generator_and_ignores_rng():
    init = GlorotUniform(seed=3)
    first = init((4, 4), rng=np.random.default_rng(99))
    second = init((4, 4), rng=np.random.default_rng(99))
    # the generator continues: a second call gives new values (Keras would repeat them)
    assert not np.array_equal(first, second)
    gen = np.random.default_rng(3)
    limit = init.limit((4, 4))
    np.testing.assert_array_equal(first, gen.uniform(-limit, limit, (4, 4)))
    np.testing.assert_array_equal(second, gen.uniform(-limit, limit, (4, 4)))


def test_unseeded_initializer_draws_from_rng():
    a = HeNormal()((6, 2), rng=np.random.default_rng(5))
    b = HeNormal()((6, 2), rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(5)
    HeNormal()((6, 2), rng=rng)
    assert not np.array_equal(HeNormal()((6, 2), rng=rng), a)  # the caller's generator advanced
    assert not np.array_equal(HeNormal()((6, 2)), HeNormal()((6, 2)))  # rng=None: fresh entropy
    np.testing.assert_array_equal(HeNormal()((6, 2), rng=5), a)  # an int is a seed


def test_seed_may_be_a_generator():
    gen = np.random.default_rng(0)
    init = RandomUniform(seed=gen)
    np.testing.assert_array_equal(init((3,)), np.random.default_rng(0).uniform(-0.05, 0.05, 3))


# -- get(), repr -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, cls",
    [
        ("glorot_uniform", GlorotUniform),
        ("Glorot_Normal", GlorotNormal),
        ("he_uniform", HeUniform),
        ("he_normal", HeNormal),
        ("lecun_uniform", LecunUniform),
        ("lecun_normal", LecunNormal),
        ("random_normal", RandomNormal),
        ("random_uniform", RandomUniform),
        ("truncated_normal", TruncatedNormal),
        ("variance_scaling", VarianceScaling),
        ("zeros", Zeros),
        ("ones", Ones),
        ("constant", Constant),
    ],
)
def test_get_by_name(name, cls):
    assert type(initializers.get(name)) is cls


def test_get_instances_and_classes():
    init = HeNormal(seed=1)
    assert initializers.get(init) is init
    assert type(initializers.get(Ones)) is Ones


@pytest.mark.parametrize(
    "identifier, exc, match",
    [
        (
            "glorot_unifrom",
            ValueError,
            r"Unknown initializer 'glorot_unifrom'\. Valid names are: .*Did you mean "
            r"'glorot_uniform'\?",
        ),
        ("zero", ValueError, r"Did you mean 'zeros'\?"),
        (None, TypeError, r"must be a name .* Got None instead"),
        (0.5, TypeError, r"Got 0\.5 instead"),
        (Initializer, TypeError, r"Initializer"),
    ],
)
def test_get_errors(identifier, exc, match):
    with pytest.raises(exc, match=match):
        initializers.get(identifier)


def test_repr_and_config():
    assert repr(GlorotUniform()) == "GlorotUniform(seed=None)"
    assert repr(RandomNormal(seed=2)) == "RandomNormal(mean=0.0, stddev=0.05, seed=2)"
    assert repr(Constant(1.5)) == "Constant(value=1.5)"
    assert repr(VarianceScaling(distribution="normal")) == (
        "VarianceScaling(scale=1.0, mode='fan_in', distribution='truncated_normal', seed=None)"
    )
    for cls in [*RANDOM, Zeros, Ones, Constant]:
        init = cls()
        assert repr(type(init)(**init.get_config())) == repr(init)


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (
            lambda: RandomNormal(stddev=0.0),
            ValueError,
            r"'stddev' argument of RandomNormal must be a float > 0",
        ),
        (lambda: TruncatedNormal(stddev=-1.0), ValueError, r"'stddev' argument of TruncatedNormal"),
        (lambda: RandomNormal(mean="0"), TypeError, r"'mean' argument of RandomNormal"),
        (
            lambda: RandomUniform(0.1, 0.1),
            ValueError,
            r"'maxval' argument of RandomUniform must be a float > minval = 0\.1",
        ),
        (
            lambda: RandomUniform(maxval=float("inf")),
            ValueError,
            r"'maxval' argument of RandomUniform",
        ),
        (lambda: Constant("one"), TypeError, r"'value' argument of Constant must be a number"),
        (
            lambda: VarianceScaling(scale=0.0),
            ValueError,
            r"'scale' argument of VarianceScaling must be a float > 0",
        ),
        (
            lambda: VarianceScaling(mode="fan_avgg"),
            ValueError,
            r"'mode' argument of VarianceScaling must be one of .*Did you mean 'fan_avg'\?",
        ),
        (
            lambda: VarianceScaling(distribution="gaussian"),
            ValueError,
            r"'distribution' argument of VarianceScaling",
        ),
        (
            lambda: GlorotUniform(seed=-1),
            ValueError,
            r"'seed' argument of GlorotUniform must be a non-negative integer",
        ),
        (lambda: GlorotUniform(seed="0"), TypeError, r"'seed' argument of GlorotUniform"),
        (lambda: HeNormal(sed=0), TypeError, r"'sed'"),
    ],
)
def test_bad_constructor_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (
            dict(shape=(-1, 3)),
            TypeError,
            r"'shape' argument of GlorotUniform must be a tuple of non-negative integers",
        ),
        (dict(shape=(2.0, 3)), TypeError, r"'shape' argument of GlorotUniform"),
        (dict(shape="3"), TypeError, r"'shape' argument of GlorotUniform"),
        (
            dict(shape=(2, 3), dtype=np.int64),
            TypeError,
            r"'dtype' argument of GlorotUniform must be a float dtype",
        ),
        (dict(shape=(2, 3), dtype="banana"), TypeError, r"'dtype' argument of GlorotUniform"),
        (dict(shape=(2, 3), rng="rng"), TypeError, r"'rng' argument of GlorotUniform.__call__"),
    ],
)
def test_bad_call_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        GlorotUniform()(**kwargs)


def test_zeros_checks_its_arguments_too():
    with pytest.raises(TypeError, match=r"'dtype' argument of Zeros"):
        Zeros()((2,), dtype=bool)


# -- Keras ---------------------------------------------------------------------------------------


@pytest.mark.keras
@pytest.mark.parametrize("shape", [(), (7,), (3, 4), (3, 3, 4, 8)])
def test_compute_fans_matches_keras(keras64, shape):
    from keras.src.initializers.random_initializers import compute_fans as keras_compute_fans

    assert compute_fans(shape) == keras_compute_fans(shape)


@pytest.mark.keras
@pytest.mark.parametrize("cls", list(FAMILY))
def test_keras_draws_respect_our_limits(keras64, cls):
    # Keras's values (Philox) cannot be reproduced, but their range and spread are ours
    w = keras64.initializers.get(cls.__name__)(SHAPE, dtype="float64")
    w = np.asarray(w)
    limit, var = cls().limit(SHAPE), cls().variance(SHAPE)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.95 * limit
    assert abs(w.std() / math.sqrt(var) - 1) < 0.02


@pytest.mark.keras
def test_every_name_is_a_keras_name(keras64):
    for name in initializers.names():
        ours = initializers.get(name)
        # keras.initializers.get("constant") fails in Keras 3.15 (KeyError 'value')
        if name == "constant":
            theirs = keras64.initializers.Constant()
        else:
            theirs = keras64.initializers.get(name)
        assert type(ours).__name__ == type(theirs).__name__
        keras_config = theirs.get_config()
        for key in ("input_axes", "output_axes"):  # VarianceScaling options mlpabc lacks
            keras_config.pop(key, None)
        assert ours.get_config() == keras_config, name
