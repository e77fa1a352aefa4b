"""Tests of mlpabc.activations: goldens, finite differences, stability, Keras parity, get()."""

import numpy as np
import pytest

from mlpabc import activations as A

F32 = float(np.float32(0.2))  # Keras's leaky-ReLU slope in float64 mode

# name -> (function, derivative, class, keyword arguments of function and class)
ELEMENTWISE = {
    "sigmoid": (A.sigmoid, A.sigmoid_derivative, A.Sigmoid, {}),
    "tanh": (A.tanh, A.tanh_derivative, A.Tanh, {}),
    "relu": (A.relu, A.relu_derivative, A.ReLU, {}),
    "leaky_relu": (A.leaky_relu, A.leaky_relu_derivative, A.LeakyReLU, {}),
    "leaky_relu_0.3": (A.leaky_relu, A.leaky_relu_derivative, A.LeakyReLU, {"negative_slope": 0.3}),
    "elu": (A.elu, A.elu_derivative, A.ELU, {}),
    "elu_0.7": (A.elu, A.elu_derivative, A.ELU, {"alpha": 0.7}),
    "linear": (A.linear, A.linear_derivative, A.Linear, {}),
}


def points(rng, n=40, scale=4.0, away_from_zero=0.05):
    """Seeded test points, bounded away from the kinks at 0."""
    x = rng.normal(scale=scale, size=n)
    return np.where(np.abs(x) < away_from_zero, x + np.sign(x + 1e-300) * 0.5, x)


def central_difference(f, x, h=1e-6):
    """Numerical gradient of the scalar function f at x (central differences, float64)."""
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


# -- goldens (hand-checkable) ---------------------------------------------------------------


def test_golden_values():
    ln3, ln2 = np.log(3.0), np.log(2.0)
    # sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4; tanh(ln 3) = (3 - 1/3) / (3 + 1/3) = 4/5
    np.testing.assert_allclose(A.sigmoid([0.0, ln3, -ln3]), [0.5, 0.75, 0.25], rtol=1e-15)
    np.testing.assert_allclose(A.tanh([ln3]), [0.8], rtol=1e-15)
    np.testing.assert_array_equal(A.relu([-2.0, 0.0, 3.0]), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(A.leaky_relu([-10.0, 5.0], negative_slope=0.5), [-5.0, 5.0])
    # elu(-ln 2) = e^{-ln 2} - 1 = -1/2
    np.testing.assert_allclose(A.elu([-ln2, 2.0], alpha=1.0), [-0.5, 2.0], rtol=1e-15)
    np.testing.assert_allclose(A.elu([-ln2], alpha=3.0), [-1.5], rtol=1e-15)
    # softmax([0, ln 3]) = [1, 3] / 4
    np.testing.assert_allclose(A.softmax([[0.0, ln3], [5.0, 5.0]]), [[0.25, 0.75], [0.5, 0.5]])
    np.testing.assert_array_equal(A.linear([-1.0, 2.0]), [-1.0, 2.0])


def test_golden_derivatives():
    ln3 = np.log(3.0)
    np.testing.assert_allclose(A.sigmoid_derivative([0.0, ln3]), [0.25, 0.75 * 0.25], rtol=1e-15)
    np.testing.assert_allclose(A.tanh_derivative([0.0, ln3]), [1.0, 1 - 0.64], rtol=1e-15)
    np.testing.assert_array_equal(A.relu_derivative([-1.0, 2.0]), [0.0, 1.0])
    np.testing.assert_array_equal(A.leaky_relu_derivative([-1.0, 2.0], 0.5), [0.5, 1.0])
    np.testing.assert_allclose(A.elu_derivative([-np.log(2.0), 1.0], 2.0), [1.0, 1.0], rtol=1e-15)
    np.testing.assert_array_equal(A.linear_derivative([-1.0, 2.0]), [1.0, 1.0])
    # Jacobian of softmax at [0, ln 3]: s = [1/4, 3/4], J = diag(s) - s s^T
    np.testing.assert_allclose(
        A.softmax_derivative([0.0, ln3]), [[3 / 16, -3 / 16], [-3 / 16, 3 / 16]], rtol=1e-14
    )


def test_derivative_conventions_at_the_kink():
    # Same choices as TensorFlow's gradients at x = 0 (checked against Keras below).
    assert A.relu_derivative([0.0])[0] == 0.0
    assert A.leaky_relu_derivative([0.0])[0] == F32
    assert A.elu_derivative([0.0], alpha=0.7)[0] == 0.7


def test_leaky_relu_slope_is_float32_rounded():
    assert A.leaky_relu([-1.0])[0] == -F32
    assert A.leaky_relu([-1.0])[0] != -0.2
    assert A.LeakyReLU(0.3)(np.array([-1.0]))[0] == -float(np.float32(0.3))
    assert A.LeakyReLU(0.3).negative_slope == 0.3  # the argument is stored as given


def test_tanh_is_a_rescaled_sigmoid(rng):
    x = rng.normal(scale=5, size=100)
    np.testing.assert_allclose(A.tanh(x), 2 * A.sigmoid(2 * x) - 1, rtol=0, atol=1e-15)


def test_softmax_rows_are_probabilities(rng):
    s = A.softmax(rng.normal(scale=10, size=(5, 4)))
    assert np.all(s > 0)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-15)


def test_softmax_axis(rng):
    x = rng.normal(size=(3, 4))
    np.testing.assert_allclose(A.softmax(x, axis=0), A.softmax(x.T).T, rtol=1e-15)
    np.testing.assert_allclose(A.Softmax(axis=0)(x), A.softmax(x, axis=0), rtol=0)
    # Jacobian along axis 0: the softmax axis is moved last
    J = A.softmax_derivative(x, axis=0)
    assert J.shape == (4, 3, 3)
    np.testing.assert_allclose(J, A.softmax_derivative(x.T), rtol=1e-15)


def test_softmax_derivative_shapes(rng):
    assert A.softmax_derivative(rng.normal(size=(5, 3))).shape == (5, 3, 3)
    assert A.softmax_derivative(rng.normal(size=3)).shape == (3, 3)
    assert A.Softmax().derivative(rng.normal(size=(2, 4))).shape == (2, 4, 4)


# -- finite differences ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_finite_differences(name, rng):
    f, d, _, kw = ELEMENTWISE[name]
    x = points(rng)
    numeric = (f(x + 1e-6, **kw) - f(x - 1e-6, **kw)) / 2e-6
    np.testing.assert_allclose(d(x, **kw), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_backward_matches_finite_differences(name, rng):
    _, _, cls, kw = ELEMENTWISE[name]
    act = cls(**kw)
    z = points(rng, n=12).reshape(3, 4)
    da = rng.normal(size=z.shape)
    numeric = central_difference(lambda t: np.sum(da * act(t)), z)
    dz = act.backward(z, act(z), da)
    np.testing.assert_allclose(dz, numeric, rtol=1e-7, atol=1e-9)
    # the cheap form equals the definition da * G'(z)
    np.testing.assert_allclose(dz, da * act.derivative(z), rtol=1e-14, atol=1e-16)


def test_softmax_derivative_matches_finite_differences(rng):
    x = rng.normal(scale=2, size=(3, 4))
    J = A.softmax_derivative(x)
    for n in range(3):
        for i in range(4):
            numeric = central_difference(lambda t, i=i: A.softmax(t)[i], x[n])
            np.testing.assert_allclose(J[n, i], numeric, rtol=1e-7, atol=1e-10)


def test_softmax_backward_through_the_jacobian(rng):
    act = A.Softmax()
    z = rng.normal(scale=2, size=(5, 4))
    da = rng.normal(size=z.shape)
    dz = act.backward(z, act(z), da)
    # vector-Jacobian product with the full Jacobian: dz_n = da_n @ J_n
    np.testing.assert_allclose(dz, np.einsum("ni,nij->nj", da, act.derivative(z)), rtol=1e-13)
    numeric = central_difference(lambda t: np.sum(da * act(t)), z)
    np.testing.assert_allclose(dz, numeric, rtol=1e-7, atol=1e-10)


def test_softmax_backward_along_axis_0(rng):
    act = A.Softmax(axis=0)
    z = rng.normal(size=(3, 2))
    da = rng.normal(size=z.shape)
    numeric = central_difference(lambda t: np.sum(da * act(t)), z)
    np.testing.assert_allclose(act.backward(z, act(z), da), numeric, rtol=1e-7, atol=1e-10)


# -- numerical stability --------------------------------------------------------------------

EXTREMES = np.array([-1000.0, -745.0, -50.0, -1e-300, 0.0, 1e-300, 50.0, 745.0, 1000.0])


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_stable_at_extremes(name):
    f, d, cls, kw = ELEMENTWISE[name]
    act = cls(**kw)
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        a = f(EXTREMES, **kw)
        outs = [a, d(EXTREMES, **kw), act(EXTREMES), act.backward(EXTREMES, a, np.ones(9))]
    for out in outs:
        assert np.all(np.isfinite(out))


def test_saturated_values():
    np.testing.assert_array_equal(A.sigmoid([-1000.0, 1000.0]), [0.0, 1.0])
    np.testing.assert_array_equal(A.tanh([-1000.0, 1000.0]), [-1.0, 1.0])
    np.testing.assert_array_equal(A.elu([-1000.0], alpha=2.0), [-2.0])
    assert A.sigmoid([-50.0])[0] == pytest.approx(1.9287498479639178e-22, rel=1e-15)


def test_softmax_stable_at_extremes():
    x = np.array([[1000.0, -1000.0, 0.0, 50.0, -50.0], [1000.0, 1000.0, 1000.0, 1000.0, 1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        s = A.softmax(x)
        J = A.softmax_derivative(x)
        dz = A.Softmax().backward(x, s, np.ones_like(x))
    np.testing.assert_array_equal(s[0], [1.0, 0.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(s[1], 0.2, rtol=1e-15)
    assert np.all(np.isfinite(J)) and np.all(np.isfinite(dz))


# -- dtypes and inputs ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_keeps_float32_and_converts_lists(name):
    f, d, cls, kw = ELEMENTWISE[name]
    x32 = np.array([-1.5, 0.5, 2.0], dtype=np.float32)
    assert f(x32, **kw).dtype == np.float32
    assert d(x32, **kw).dtype == np.float32
    assert cls(**kw)(x32).dtype == np.float32
    assert f([-1, 2], **kw).dtype == np.float64
    assert d([-1, 2], **kw).dtype == np.float64


def test_softmax_keeps_float32():
    x32 = np.array([[1.0, 2.0]], dtype=np.float32)
    assert A.softmax(x32).dtype == np.float32
    assert A.softmax_derivative(x32).dtype == np.float32


@pytest.mark.parametrize("name", A.names())
def test_does_not_modify_input(name, rng):
    act = A.get(name)
    z = rng.normal(size=(3, 4))
    keep = z.copy()
    a = act(z)
    da = rng.normal(size=z.shape)
    keep_da = da.copy()
    act.derivative(z)
    act.backward(z, a, da)
    np.testing.assert_array_equal(z, keep)
    np.testing.assert_array_equal(da, keep_da)


def test_empty_input():
    assert A.relu(np.zeros((0, 3))).shape == (0, 3)
    assert A.sigmoid([]).shape == (0,)


# -- classes and get() ------------------------------------------------------------------------


@pytest.mark.parametrize("name", A.names())
def test_get_by_name_gives_that_keras_name(name):
    act = A.get(name)
    assert isinstance(act, A.Activation)
    assert act.name == name
    assert A.get(name.upper()) == act
    assert A.get(name) is not A.get(name)  # a new instance each time


def test_names():
    assert A.names() == ["elu", "leaky_relu", "linear", "relu", "sigmoid", "softmax", "tanh"]


def test_get_none_instance_function_class():
    assert A.get(None) == A.Linear()
    act = A.LeakyReLU(0.1)
    assert A.get(act) is act
    assert A.get(A.relu) == A.ReLU()
    assert A.get(A.softmax) == A.Softmax()
    assert A.get(A.leaky_relu) == A.LeakyReLU(0.2)
    assert A.get(A.Tanh) == A.Tanh()


def test_get_unknown_name_suggests():
    with pytest.raises(
        ValueError, match=r"Unknown activation 'rleu'.*'tanh'\. Did you mean 'relu'\?"
    ):
        A.get("rleu")


@pytest.mark.parametrize("bad", [3, 1.5, np.tanh, lambda z: z, [1, 2], A.relu_derivative])
def test_get_rejects_other_types(bad):
    with pytest.raises(
        TypeError, match=r"'activation' argument must be None, a name \(one of 'elu'"
    ):
        A.get(bad)


def test_repr_and_equality():
    assert repr(A.ReLU()) == "ReLU()"
    assert repr(A.LeakyReLU()) == "LeakyReLU(negative_slope=0.2)"
    assert repr(A.ELU(alpha=0.5)) == "ELU(alpha=0.5)"
    assert repr(A.Softmax()) == "Softmax(axis=-1)"
    assert A.ELU(0.5) == A.ELU(0.5) and A.ELU(0.5) != A.ELU(1.0)
    assert A.ReLU() != A.Linear()
    assert len({A.ELU(0.5), A.ELU(0.5), A.ReLU()}) == 2


def test_linear_backward_returns_da_itself():
    da = np.ones(3)
    assert A.Linear().backward(da, da, da) is da


@pytest.mark.parametrize(
    "make, exc, message",
    [
        (
            lambda: A.LeakyReLU(-0.1),
            ValueError,
            r"'negative_slope' argument of LeakyReLU must be a float >= 0\. Got -0\.1",
        ),
        (
            lambda: A.LeakyReLU("0.2"),
            TypeError,
            r"'negative_slope' argument of LeakyReLU must be a number\. Got '0\.2'",
        ),
        (
            lambda: A.leaky_relu([1.0], negative_slope=-1),
            ValueError,
            r"'negative_slope' argument of leaky_relu",
        ),
        (
            lambda: A.ELU(float("nan")),
            ValueError,
            r"'alpha' argument of ELU must be a finite float\. Got nan",
        ),
        (lambda: A.elu([1.0], alpha=None), TypeError, r"'alpha' argument of elu must be a number"),
        (
            lambda: A.Softmax(axis=1.0),
            TypeError,
            r"'axis' argument of Softmax must be an integer\. Got 1\.0",
        ),
        (
            lambda: A.softmax([1.0], axis="rows"),
            TypeError,
            r"'axis' argument of softmax must be an integer",
        ),
        (
            lambda: A.sigmoid("abc"),
            TypeError,
            r"'x' argument of sigmoid must be an array of numbers",
        ),
        (lambda: A.relu(None), TypeError, r"'x' argument of relu must be an array"),
        (
            lambda: A.ReLU()({"a": 1}),
            TypeError,
            r"'x' argument of relu must be an array of numbers",
        ),
        (lambda: A.LeakyReLU(alpha=0.3), TypeError, r"unexpected keyword argument 'alpha'"),
    ],
)
def test_bad_arguments(make, exc, message):
    with pytest.raises(exc, match=message):
        make()


# -- Keras parity (float64) -------------------------------------------------------------------

KERAS_X = np.concatenate([np.linspace(-30.0, 30.0, 121), [0.0, -1e-3, 1e-3, 0.5, -0.5]])


def _keras_value_and_grad(fn, x, **kw):
    import tensorflow as tf

    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = fn(xt, **kw)
        total = tf.reduce_sum(y)
    return y.numpy(), tape.gradient(total, xt).numpy()


@pytest.mark.keras
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_function_and_derivative_match_keras(name, keras64):
    f, d, cls, kw = ELEMENTWISE[name]
    keras_name = name.split("_0")[0]
    value, grad = _keras_value_and_grad(getattr(keras64.activations, keras_name), KERAS_X, **kw)
    # Measured worst differences: tanh 6.7e-16 (value) and 1.3e-15 (gradient); sigmoid and elu
    # 2.2e-16; relu, leaky_relu (with the float32 slope) and linear are bit-identical.
    np.testing.assert_allclose(f(KERAS_X, **kw), value, rtol=0, atol=1e-15)
    np.testing.assert_allclose(cls(**kw)(KERAS_X), value, rtol=0, atol=1e-15)
    np.testing.assert_allclose(d(KERAS_X, **kw), grad, rtol=0, atol=2e-15)
    a = cls(**kw)(KERAS_X)
    np.testing.assert_allclose(
        cls(**kw).backward(KERAS_X, a, np.ones_like(a)), grad, rtol=0, atol=2e-15
    )


@pytest.mark.keras
def test_relu_family_bit_identical_to_keras(keras64):
    x = KERAS_X
    for fn, kfn, kw in [
        (A.relu, keras64.activations.relu, {}),
        (A.leaky_relu, keras64.activations.leaky_relu, {}),
        (A.leaky_relu, keras64.activations.leaky_relu, {"negative_slope": 0.01}),
    ]:
        np.testing.assert_array_equal(fn(x, **kw), np.asarray(kfn(x, **kw)))


@pytest.mark.keras
def test_leaky_relu_layer_default_slope_matches_keras(keras64):
    # keras.layers.LeakyReLU() uses 0.3, the function 0.2: both agree bit for bit with ours
    out = keras64.layers.LeakyReLU()(KERAS_X[None, :]).numpy()[0]
    np.testing.assert_array_equal(A.LeakyReLU(0.3)(KERAS_X), out)


@pytest.mark.keras
def test_softmax_and_jacobian_match_keras(keras64, rng):
    import tensorflow as tf

    x = rng.normal(scale=4, size=(6, 4))
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        s = keras64.activations.softmax(xt)
    J = tape.batch_jacobian(s, xt).numpy()
    # measured: values 2.2e-16, Jacobian 2.2e-16
    np.testing.assert_allclose(A.softmax(x), s.numpy(), rtol=0, atol=1e-15)
    np.testing.assert_allclose(A.softmax_derivative(x), J, rtol=0, atol=1e-15)
    np.testing.assert_allclose(
        A.softmax(x, axis=0), keras64.activations.softmax(x, axis=0).numpy(), rtol=0, atol=1e-15
    )
    # backward = the gradient of sum(da * softmax(x))
    da = rng.normal(size=x.shape)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        total = tf.reduce_sum(tf.constant(da) * keras64.activations.softmax(xt))
    grad = tape.gradient(total, xt).numpy()
    act = A.Softmax()
    np.testing.assert_allclose(act.backward(x, act(x), da), grad, rtol=0, atol=1e-15)


@pytest.mark.keras
def test_kink_gradients_match_tensorflow(keras64):
    x = np.array([0.0])
    for d, kfn, kw in [
        (A.relu_derivative, keras64.activations.relu, {}),
        (A.leaky_relu_derivative, keras64.activations.leaky_relu, {}),
        (A.elu_derivative, keras64.activations.elu, {}),
        (A.elu_derivative, keras64.activations.elu, {"alpha": 0.7}),
    ]:
        _, grad = _keras_value_and_grad(kfn, x, **kw)
        np.testing.assert_array_equal(d(x, **kw), grad)


@pytest.mark.keras
def test_stable_extremes_match_keras(keras64):
    x = np.array([-1000.0, -50.0, 50.0, 1000.0])
    np.testing.assert_array_equal(A.sigmoid(x), keras64.activations.sigmoid(x).numpy())
    np.testing.assert_array_equal(A.tanh(x), keras64.activations.tanh(x).numpy())
    np.testing.assert_array_equal(A.elu(x), keras64.activations.elu(x).numpy())
