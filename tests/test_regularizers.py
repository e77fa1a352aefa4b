"""Tests of mlpabc.regularizers: goldens, gradients, Keras parity, get(), bad input."""

import numpy as np
import pytest

from mlpabc import regularizers
from mlpabc.gradcheck import numerical_gradient, relative_error
from mlpabc.optimizers import SGD
from mlpabc.regularizers import L1, L1L2, L2, Regularizer

F32 = lambda c: float(np.float32(c))  # noqa: E731

# name -> a factory taking the module (mlpabc.regularizers or keras.regularizers)
CASES = {
    "l1": lambda R: R.L1(0.01),
    "l1_big": lambda R: R.L1(0.3),
    "l2": lambda R: R.L2(0.01),
    "l2_odd": lambda R: R.L2(0.037),
    "l1l2": lambda R: R.L1L2(l1=0.01, l2=0.02),
    "l1l2_only_l1": lambda R: R.L1L2(l1=0.05),
    "l1l2_only_l2": lambda R: R.L1L2(l2=0.05),
    "l1l2_zero": lambda R: R.L1L2(),
}


def _ours(name):
    return CASES[name](regularizers)


def _weights(seed=0, shape=(5, 4)):
    w = np.random.default_rng(seed).normal(size=shape)
    w[0, 0] = 0.0  # sign(0) = 0
    return w


# -- goldens ---------------------------------------------------------------------------------------


def test_l1_by_hand():
    w = np.array([[1.0, -2.0], [0.0, 3.0]])
    assert L1(0.5)(w) == 3.0
    np.testing.assert_array_equal(L1(0.5).gradient(w), [[0.5, -0.5], [0.0, 0.5]])


def test_l2_by_hand_has_no_half():
    w = np.array([1.0, -2.0])
    assert L2(0.5)(w) == 2.5
    np.testing.assert_array_equal(L2(0.5).gradient(w), [1.0, -2.0])


def test_l1l2_by_hand():
    w = np.array([2.0, -2.0, 0.0])
    reg = L1L2(l1=0.5, l2=0.25)
    assert reg(w) == 0.5 * 4 + 0.25 * 8
    np.testing.assert_array_equal(reg.gradient(w), [1.5, -1.5, 0.0])
    assert L1L2()(w) == 0.0
    np.testing.assert_array_equal(L1L2().gradient(w), np.zeros(3))


def test_coefficients_are_float32_as_in_keras():
    w = _weights()
    assert L2(0.01)(w) == F32(0.01) * np.sum(w**2)
    assert L2(0.01)(w) != 0.01 * np.sum(w**2)  # differs in the 9th digit
    assert L1(0.01)(w) == F32(0.01) * np.sum(np.abs(w))
    np.testing.assert_array_equal(L2(0.01).gradient(w), 2 * F32(0.01) * w)
    assert L2(0.01).l2 == 0.01  # the argument is kept as given


def test_penalty_returns_a_python_float_and_leaves_w_alone():
    w = _weights()
    w0 = w.copy()
    for name in CASES:
        reg = _ours(name)
        assert type(reg(w)) is float
        g = reg.gradient(w)
        assert g.shape == w.shape and g is not w
    np.testing.assert_array_equal(w, w0)


def test_lists_and_float32_weights():
    assert L2(0.5)([1.0, 2.0]) == 2.5
    w32 = np.array([1.0, -2.0], dtype=np.float32)
    assert L2(0.5).gradient(w32).dtype == np.float32
    assert L1(0.5).gradient(w32).dtype == np.float32


def test_weight_decay_form():
    # one SGD step on L + Omega: w <- (1 - eta theta) w - eta dL/dw with theta = 2 l2
    w = _weights()
    data_grad = _weights(seed=1)
    eta, reg = 0.1, L2(0.05)
    theta = 2 * F32(0.05)
    expected = (1 - eta * theta) * w - eta * data_grad
    SGD(eta).apply_gradients([(data_grad + reg.gradient(w), w)])
    np.testing.assert_allclose(w, expected, rtol=1e-14, atol=1e-15)


# -- finite differences ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_matches_finite_differences(name):
    reg = _ours(name)
    w = _weights(seed=2)
    w[np.abs(w) < 0.05] = 0.5  # away from the kink of |w|
    numeric = numerical_gradient(reg, w)
    assert relative_error(reg.gradient(w), numeric) < 1e-7


# -- stability -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_stable_at_large_weights(name):
    w = np.array([-1000.0, 0.0, 1000.0, 1e150])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, grad = _ours(name)(w[:3]), _ours(name).gradient(w)
    assert np.isfinite(value) and np.all(np.isfinite(grad))


# -- get() -----------------------------------------------------------------------------------------


def test_get():
    assert regularizers.get(None) is None
    assert regularizers.get("l1") == L1(0.01)
    assert regularizers.get("L2") == L2(0.01)
    assert regularizers.get("l1l2") == L1L2(0.0, 0.0)  # Keras: a zero penalty
    reg = L2(0.3)
    assert regularizers.get(reg) is reg
    assert regularizers.get(L1) == L1()
    assert regularizers.names() == ["l1", "l1l2", "l2"]


@pytest.mark.parametrize(
    "identifier, exc, match",
    [
        (
            "l1_l2",
            ValueError,
            r"Unknown regularizer 'l1_l2' \(Keras 3 refuses it.*L1L2\(l1=0\.01, l2=0\.01\)",
        ),
        ("l3", ValueError, r"Unknown regularizer 'l3'\. Valid names are: 'l1', 'l1l2', 'l2'"),
        ("L22", ValueError, r"Did you mean 'l2'\?"),
        (0.01, TypeError, r"must be None, a name .* Got 0\.01 instead"),
        (Regularizer, TypeError, r"Regularizer"),
    ],
)
def test_get_errors(identifier, exc, match):
    with pytest.raises(exc, match=match):
        regularizers.get(identifier)


def test_repr_config_equality():
    assert repr(L1L2(l1=0.1)) == "L1L2(l1=0.1, l2=0.0)"
    assert repr(L2()) == "L2(l2=0.01)"
    for name in CASES:
        reg = _ours(name)
        assert type(reg)(**reg.get_config()) == reg
    assert L1(0.1) != L2(0.1)


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (
            lambda: L1(-0.1),
            ValueError,
            r"The 'l1' argument of L1 must be a float >= 0\. Got -0\.1 instead\.",
        ),
        (lambda: L2(float("nan")), ValueError, r"'l2' argument of L2"),
        (lambda: L2("0.01"), TypeError, r"'l2' argument of L2 must be a number"),
        (lambda: L1L2(l1=0.1, l2=-1), ValueError, r"'l2' argument of L1L2"),
        (lambda: L1L2(l1=None), TypeError, r"'l1' argument of L1L2"),
        (lambda: L2(l=0.1), TypeError, r"'l'"),
    ],
)
def test_bad_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize("cls", [L1, L2, L1L2])
@pytest.mark.parametrize("bad", ["abc", None, [[1.0], "x"]])
def test_bad_weights_are_refused_where_they_enter(cls, bad):
    # reg(w) is the checked entry point; penalty and gradient hold the math alone, for the
    # float arrays a layer holds (as Loss.__call__ checks and Loss.value/gradient compute)
    with pytest.raises((TypeError, ValueError), match=rf"'w' argument of {cls.__name__}.__call__"):
        cls(0.5)(bad)


@pytest.mark.parametrize("name", sorted(CASES))
def test_calling_checks_then_returns_the_penalty(name):
    reg, w = _ours(name), _weights()
    assert reg(w) == reg.penalty(w)
    assert reg(w.tolist()) == reg.penalty(w)
    assert reg(w.astype(int)) == reg.penalty(w.astype(int).astype(float))


# -- Keras parity ----------------------------------------------------------------------------------


@pytest.mark.keras
@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_keras(keras64, name):
    import tensorflow as tf

    w = _weights(seed=3, shape=(6, 5))
    ours, theirs = _ours(name), CASES[name](keras64.regularizers)
    var = tf.Variable(w)
    with tf.GradientTape() as tape:
        penalty = theirs(var)
    grad = tape.gradient(penalty, var)
    grad = np.zeros_like(w) if grad is None else grad.numpy()  # L1L2() has no path to w
    # measured: values within 4e-16 relative (TensorFlow sums in another order); gradients
    # bit-identical
    np.testing.assert_allclose(ours(w), float(penalty), rtol=1e-14, atol=1e-300)
    np.testing.assert_array_equal(ours.gradient(w), grad)


@pytest.mark.keras
def test_keras_names(keras64):
    assert keras64.regularizers.get("l1l2").get_config() == {"l1": 0.0, "l2": 0.0}
    assert keras64.regularizers.get("l2").get_config() == {"l2": 0.01}
    with pytest.raises(ValueError):
        keras64.regularizers.get("l1_l2")
