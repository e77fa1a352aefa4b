"""Tests of mlpabc.layers: Input, Dense, Activation, LeakyReLU, PReLU and the shared layer contract.

Dropout, BatchNormalization and Residual have their own files
(test_layers_dropout.py, test_layers_normalization.py, test_layers_residual.py).

Three tiers: finite differences (mlpabc.gradcheck.check_layer), parity with
Keras in float64 (forward, and gradients through tf.GradientTape with copied
weights), hand-checked goldens and error messages.
"""

import numpy as np
import pytest

from mlpabc import regularizers
from mlpabc.gradcheck import check_layer
from mlpabc.layers import (
    Activation,
    BatchNormalization,
    Dense,
    Dropout,
    Input,
    InputLayer,
    Layer,
    LeakyReLU,
    PReLU,
    Residual,
)

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softmax", "linear"]
GRAD_TOL = 1e-6  # finite differences in float64: measured errors are 1e-10 .. 6e-8


def _built(layer, input_shape, seed=0, weights=None):
    layer.build(input_shape, np.random.default_rng(seed))
    if weights is not None:
        layer.set_weights(weights)
    return layer


def _away_from_zero(rng, shape, low=0.1, high=2.0):
    """Random entries with |x| in [low, high]: no ReLU kink within a finite-difference step."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def _ours(layer, x, u, training=True):
    """Output, dL/dx and the parameter gradients of L = sum(u * y) (penalties included)."""
    y = layer.forward(x, training=training)
    dx = layer.backward(u)
    layer.add_regularization_gradients()  # as a training step does after the backward pass
    return [y, dx] + [layer.grads[k] for k in layer.params]


def _keras(layer, x, u, training=True):
    """The same three things from Keras, by automatic differentiation (penalties included)."""
    tf = pytest.importorskip("tensorflow")
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt, training=training)
        loss = tf.reduce_sum(tf.constant(u) * y)
        if layer.losses:
            loss = loss + tf.add_n(layer.losses)
    grads = tape.gradient(loss, [xt] + list(layer.trainable_variables))
    return [y.numpy()] + [g.numpy() for g in grads]


def _assert_all_close(ours, theirs, rtol=1e-12, atol=1e-13):
    # Measured worst differences: 2.4e-15 absolute (Dense + tanh, dx), i.e. a few ulps.
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


# -- Input ----------------------------------------------------------------------------------------


def test_input_holds_the_shape_without_batch_axis():
    inp = Input((3,), name="features")
    assert isinstance(inp, InputLayer) and isinstance(inp, Layer)
    assert inp.shape == (3,) and inp.name == "features"
    assert Input([4, 2]).shape == (4, 2)
    assert inp.compute_output_shape(None) == (3,)
    assert inp.count_params() == 0 and inp.get_weights() == []


def test_input_int_shape_is_refused_with_the_tuple_spelling():
    with pytest.raises(TypeError, match=r"Input\(\(3,\)\)"):
        Input(3)


@pytest.mark.parametrize(
    "shape, exc, match",
    [
        ((0,), ValueError, "positive integers"),
        ((), ValueError, "non-empty"),
        ((3, -1), ValueError, "positive integers"),
        ("3", TypeError, "tuple of positive integers"),
        ((3.0,), TypeError, "tuple of positive integers"),
        ((None, 3), TypeError, "tuple of positive integers"),
    ],
)
def test_input_bad_shapes(shape, exc, match):
    with pytest.raises(exc, match=match):
        Input(shape)


# -- Dense: goldens and interface -----------------------------------------------------------------


def test_dense_golden_worked_example():
    # KERAS_PARITY §10, the 3-3-2 sigmoid network of chapter 5, with L = 1/2 sum (y - y_hat)^2.
    x, y = np.array([[0.02, 0.04, 0.01]]), np.array([[0.9, 0.5]])
    W1 = np.array([[0.25, 0.15, 0.30], [0.25, 0.20, 0.35], [0.10, 0.25, 0.15]])
    W2 = np.array([[0.40, 0.25], [0.35, 0.30], [0.01, 0.35]])
    hidden = _built(Dense(3, activation="sigmoid"), (3,), weights=[W1, np.full(3, 0.4)])
    output = _built(Dense(2, activation="sigmoid"), (3,), weights=[W2, np.full(2, 0.7)])
    y_hat = output(hidden(x))
    np.testing.assert_allclose(hidden.logits, [[0.416, 0.4135, 0.4215]], rtol=1e-15)  # v, exact
    np.testing.assert_allclose(output.logits, [[1.157723, 1.242554]], atol=5e-7)  # z
    np.testing.assert_allclose(y_hat, [[0.760919, 0.776008]], atol=5e-7)
    hidden.backward(output.backward(y_hat - y))  # dL/dy_hat = y_hat - y
    np.testing.assert_allclose(output.grads["bias"], [-0.025302, 0.047976], atol=5e-7)  # delta2
    np.testing.assert_allclose(
        output.grads["kernel"],
        [[-0.015245, 0.028907], [-0.015230, 0.028878], [-0.015278, 0.028970]],
        atol=5e-7,
    )
    np.testing.assert_allclose(
        hidden.grads["bias"], [4.485995e-4, 1.326733e-3, 3.956273e-3], atol=5e-10
    )
    np.testing.assert_allclose(
        hidden.grads["kernel"][0], [8.971991e-6, 2.653466e-5, 7.912547e-5], atol=5e-12
    )


def test_dense_hand_checked_linear_layer():
    # z = x W + b with W = [[1, 2], [3, 4]], b = [10, 20]: [1, 1] -> [14, 26]
    layer = _built(
        Dense(2), (2,), weights=[np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([10.0, 20.0])]
    )
    np.testing.assert_array_equal(layer(np.array([[1.0, 1.0]])), [[14.0, 26.0]])
    dx = layer.backward(np.array([[1.0, 0.0]]))  # dL/dx = dz W^T = first column of W
    np.testing.assert_array_equal(dx, [[1.0, 3.0]])
    np.testing.assert_array_equal(layer.grads["kernel"], [[1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(layer.grads["bias"], [1.0, 0.0])


def test_dense_weights_layout_names_and_shapes():
    layer = _built(Dense(3), (5,))
    assert list(layer.params) == ["kernel", "bias"]
    assert [w.shape for w in layer.get_weights()] == [(5, 3), (3,)]
    assert layer.count_params() == 18
    assert layer.compute_output_shape((5,)) == (3,)
    assert layer.dtype is np.float64 and layer.params["kernel"].dtype == np.float64
    np.testing.assert_array_equal(layer.params["bias"], 0.0)  # bias_initializer="zeros"
    no_bias = _built(Dense(3, use_bias=False), (5,))
    assert list(no_bias.params) == ["kernel"] and no_bias.count_params() == 15


def test_dense_glorot_uniform_default_within_limit():
    layer = _built(Dense(30), (20,))
    limit = np.sqrt(6 / (20 + 30))
    assert np.abs(layer.params["kernel"]).max() <= limit
    assert np.abs(layer.params["kernel"]).max() > 0.8 * limit


def test_dense_build_is_reproducible_from_the_generator():
    a, b = _built(Dense(4), (3,), seed=7), _built(Dense(4), (3,), seed=7)
    np.testing.assert_array_equal(a.params["kernel"], b.params["kernel"])


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_dense_logits_interface(act):
    layer = _built(Dense(3, activation=act), (4,))
    x = np.random.default_rng(1).normal(size=(5, 4))
    a = layer(x)
    assert layer.output_activation == act
    np.testing.assert_allclose(layer.logits, x @ layer.params["kernel"] + layer.params["bias"])
    assert a.shape == (5, 3)


def test_dense_backward_from_logits_is_backward_after_the_activation():
    rng = np.random.default_rng(2)
    x, dy = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    layer = _built(Dense(2, activation="sigmoid"), (3,))
    a = layer(x)
    dx = layer.backward(dy)
    grads = dict(layer.grads)
    dx2 = layer.backward_from_logits(dy * a * (1 - a))
    np.testing.assert_allclose(dx2, dx, rtol=1e-14)
    for k in grads:
        np.testing.assert_allclose(layer.grads[k], grads[k], rtol=1e-14)


def test_dense_regularization_loss_and_gradient():
    W = np.array([[1.0, -2.0], [0.5, 0.0]])
    b = np.array([3.0, -1.0])
    layer = _built(
        Dense(2, kernel_regularizer=regularizers.L2(0.01), bias_regularizer=regularizers.L1(0.1)),
        (2,),
        weights=[W, b],
    )
    f32 = lambda c: float(np.float32(c))  # noqa: E731  Keras rounds the coefficients (§5)
    expected = f32(0.01) * (1 + 4 + 0.25) + f32(0.1) * (3 + 1)
    assert layer.regularization_loss() == pytest.approx(expected, rel=1e-15)
    layer(np.zeros((1, 2)))
    layer.backward(np.zeros((1, 2)))  # no data gradient: only the penalties' gradients remain
    layer.add_regularization_gradients()  # what a training step adds after the backward pass
    np.testing.assert_allclose(layer.grads["kernel"], 2 * f32(0.01) * W, rtol=1e-15)
    np.testing.assert_allclose(layer.grads["bias"], f32(0.1) * np.sign(b), rtol=1e-15)
    assert _built(Dense(2), (2,)).regularization_loss() == 0.0


def test_dense_acts_on_the_last_axis_of_3d_inputs():
    layer = _built(Dense(2, activation="tanh"), (3,))
    x = np.random.default_rng(3).normal(size=(4, 5, 3))
    y = layer(x)
    assert y.shape == (4, 5, 2)
    np.testing.assert_allclose(y[1], layer(x[1]), rtol=1e-15)
    errors = check_layer(layer, x)
    assert max(errors.values()) < GRAD_TOL, errors


def test_dense_float32():
    layer = Dense(3)
    layer.build((2,), np.random.default_rng(0), np.float32)
    y = layer.forward(np.ones((4, 2), dtype=np.float32))
    assert y.dtype == np.float32 and layer.params["kernel"].dtype == np.float32
    assert layer.backward(np.ones((4, 3), dtype=np.float32)).dtype == np.float32
    assert layer.grads["kernel"].dtype == np.float32


# -- Dense: errors --------------------------------------------------------------------------------


def test_dense_feature_mismatch_message():
    layer = Dense(3, name="dense_1")
    layer(np.ones((2, 5)))
    msg = (
        "Dense 'dense_1' was built for inputs with 5 features (last axis) but received an array "
        "of shape (4, 6)."
    )
    with pytest.raises(ValueError) as err:
        layer(np.ones((4, 6)))  # the check is at the boundary, __call__
    assert str(err.value) == msg


def test_dense_refuses_a_single_sample():
    layer = _built(Dense(3), (5,))
    with pytest.raises(ValueError, match=r"expects a batch.*reshape\(1, -1\)"):
        layer(np.ones(5))


def test_dense_call_before_build_builds_for_the_input():
    layer = Dense(3)
    assert layer(np.ones((2, 5))).shape == (2, 3) and layer.input_shape == (5,)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (
            {"units": 0},
            ValueError,
            r"The 'units' argument of Dense must be an integer >= 1\. Got 0",
        ),
        ({"units": -3}, ValueError, "'units' argument of Dense"),
        ({"units": 2.5}, TypeError, r"'units' argument of Dense must be an integer\. Got 2\.5"),
        ({"units": True}, TypeError, "'units' argument of Dense"),
        ({"units": "3"}, TypeError, "'units' argument of Dense"),
        ({"units": 3, "use_bias": "yes"}, TypeError, "'use_bias' argument of Dense"),
        (
            {"units": 3, "activation": "rleu"},
            ValueError,
            r"Unknown activation 'rleu'.*Did you mean 'relu'\?",
        ),
        ({"units": 3, "activation": 3}, TypeError, "activation"),
        ({"units": 3, "kernel_initializer": "glorot_unifrom"}, ValueError, "glorot_uniform"),
        ({"units": 3, "name": 5}, TypeError, "'name' argument of Dense"),
        ({"units": 3, "name": ""}, TypeError, "'name' argument of Dense"),
        ({"unit": 3}, TypeError, "'unit'"),
        ({"units": 3, "activaton": "relu"}, TypeError, "'activaton'"),
    ],
)
def test_dense_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Dense(**kwargs)


# -- Dense and Activation: finite differences -----------------------------------------------------


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("act", ACTIVATIONS)
def test_dense_gradients_by_finite_differences(act, training):
    rng = np.random.default_rng(4)
    x = _away_from_zero(rng, (5, 4))
    layer = _built(
        Dense(3, activation=act), (4,), weights=[rng.normal(size=(4, 3)), rng.normal(size=3)]
    )
    errors = check_layer(layer, x, training=training)
    assert set(errors) == {"x", "kernel", "bias"}
    assert max(errors.values()) < GRAD_TOL, errors


def test_dense_gradients_with_regularizers_and_without_bias():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(5, 4))
    reg = _built(
        Dense(
            3,
            activation="tanh",
            kernel_regularizer=regularizers.L1L2(l1=0.01, l2=0.02),
            bias_regularizer=regularizers.L2(0.05),
        ),
        (4,),
        weights=[rng.normal(size=(4, 3)), rng.normal(size=3)],
    )
    no_bias = _built(Dense(3, activation="elu", use_bias=False), (4,))
    for layer in (reg, no_bias):
        errors = check_layer(layer, x)
        assert max(errors.values()) < GRAD_TOL, errors


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("act", ACTIVATIONS)
def test_activation_layer_gradients_by_finite_differences(act, training):
    x = _away_from_zero(np.random.default_rng(6), (5, 4))
    errors = check_layer(Activation(act), x, training=training)
    assert list(errors) == ["x"] and errors["x"] < GRAD_TOL, errors


def test_activation_layer_interface():
    layer = Activation("softmax", name="probs")
    z = np.array([[1.0, 2.0, 3.0]])
    a = layer(z)
    np.testing.assert_allclose(a.sum(), 1.0)
    assert layer.output_activation == "softmax" and layer.name == "probs"
    np.testing.assert_array_equal(layer.logits, z)
    dz = np.array([[0.1, -0.2, 0.3]])
    assert layer.backward_from_logits(dz) is dz
    assert layer.count_params() == 0 and layer.get_weights() == []
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        Activation("rleu")


# -- LeakyReLU and PReLU --------------------------------------------------------------------------


def test_leaky_relu_golden_and_default_slope():
    layer = LeakyReLU()
    assert layer.negative_slope == 0.3  # the layer's default (the function's is 0.2)
    y = layer(np.array([[-2.0, 0.0, 3.0]]))
    # slope float32(0.3) = 0.30000001192092896, as Keras uses even in float64
    np.testing.assert_array_equal(y, [[-2.0 * float(np.float32(0.3)), 0.0, 3.0]])
    np.testing.assert_array_equal(
        layer.backward(np.ones((1, 3))), [[float(np.float32(0.3))] * 2 + [1.0]]
    )


@pytest.mark.parametrize(
    "value, exc", [(-0.1, ValueError), ("0.3", TypeError), (None, TypeError), (np.inf, ValueError)]
)
def test_leaky_relu_bad_slope(value, exc):
    with pytest.raises(exc, match="'negative_slope' argument of LeakyReLU"):
        LeakyReLU(negative_slope=value)


def test_prelu_golden_and_shapes():
    layer = _built(PReLU(), (3,))
    np.testing.assert_array_equal(layer.params["alpha"], np.zeros(3))  # starts as a plain ReLU
    layer.set_weights([np.array([0.1, 0.5, 2.0])])
    # relu(x) - alpha * relu(-x): [-1 * 0.1, 2, -3 * 2]
    np.testing.assert_allclose(
        layer(np.array([[-1.0, 2.0, -3.0]])), [[-0.1, 2.0, -6.0]], rtol=1e-15
    )
    layer.backward(np.ones((1, 3)))
    np.testing.assert_array_equal(layer.grads["alpha"], [-1.0, 0.0, -3.0])  # -relu(-x)
    shared = _built(PReLU(shared_axes=[1]), (4, 3))
    assert shared.params["alpha"].shape == (1, 3)
    assert _built(PReLU(shared_axes=2), (4, 3)).params["alpha"].shape == (4, 1)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"shared_axes": 0}, ValueError, "axes >= 1"),
        ({"shared_axes": "1"}, TypeError, "'shared_axes' argument of PReLU"),
        ({"shared_axes": [1.5]}, TypeError, "'shared_axes' argument of PReLU"),
        ({"alpha_initializer": "zero"}, ValueError, "zeros"),
        ({"alpha": 0.1}, TypeError, "'alpha'"),
    ],
)
def test_prelu_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        PReLU(**kwargs)


def test_prelu_shared_axis_out_of_range_at_build():
    with pytest.raises(ValueError, match="names axis 3"):
        _built(PReLU(shared_axes=3), (4, 3))


@pytest.mark.parametrize("training", [True, False])
def test_activation_layers_gradients_by_finite_differences(training):
    rng = np.random.default_rng(7)
    x = _away_from_zero(rng, (5, 4))
    assert check_layer(LeakyReLU(), x, training=training)["x"] < GRAD_TOL
    prelu = _built(
        PReLU(alpha_regularizer=regularizers.L2(0.1)), (4,), weights=[rng.normal(size=4)]
    )
    errors = check_layer(prelu, x, training=training)
    assert set(errors) == {"x", "alpha"} and max(errors.values()) < GRAD_TOL, errors
    x3 = _away_from_zero(rng, (3, 4, 2))
    shared = _built(PReLU(shared_axes=[1]), (4, 2), weights=[rng.normal(size=(1, 2))])
    errors = check_layer(shared, x3, training=training)
    assert max(errors.values()) < GRAD_TOL, errors


# -- Keras parity ---------------------------------------------------------------------------------


@pytest.mark.keras
@pytest.mark.parametrize("act", ACTIVATIONS)
def test_dense_matches_keras(keras64, act):
    rng = np.random.default_rng(10)
    x, u = 2 * rng.normal(size=(6, 4)), rng.normal(size=(6, 3))
    ours = _built(
        Dense(3, activation=act), (4,), weights=[rng.normal(size=(4, 3)), rng.normal(size=3)]
    )
    theirs = keras64.layers.Dense(3, activation=act)
    theirs.build((None, 4))
    theirs.set_weights(ours.get_weights())
    _assert_all_close(_ours(ours, x, u), _keras(theirs, x, u))


@pytest.mark.keras
def test_dense_with_regularizers_matches_keras(keras64):
    rng = np.random.default_rng(11)
    x, u = rng.normal(size=(6, 4)), rng.normal(size=(6, 3))
    weights = [rng.normal(size=(4, 3)), rng.normal(size=3)]
    ours = _built(
        Dense(
            3,
            activation="relu",
            kernel_regularizer=regularizers.L1L2(l1=0.01, l2=0.02),
            bias_regularizer=regularizers.L2(0.05),
        ),
        (4,),
        weights=weights,
    )
    theirs = keras64.layers.Dense(
        3,
        activation="relu",
        kernel_regularizer=keras64.regularizers.L1L2(l1=0.01, l2=0.02),
        bias_regularizer=keras64.regularizers.L2(0.05),
    )
    theirs.build((None, 4))
    theirs.set_weights(weights)
    _assert_all_close(_ours(ours, x, u), _keras(theirs, x, u))
    theirs(x)  # Keras computes the penalties on a call
    assert ours.regularization_loss() == pytest.approx(float(sum(theirs.losses)), rel=1e-14)


@pytest.mark.keras
def test_dense_without_bias_matches_keras_weights(keras64):
    ours = _built(Dense(3, use_bias=False), (4,))
    theirs = keras64.layers.Dense(3, use_bias=False)
    theirs.build((None, 4))
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    assert ours.count_params() == theirs.count_params()
    theirs.set_weights(ours.get_weights())
    x, u = np.ones((2, 4)), np.ones((2, 3))
    _assert_all_close(_ours(ours, x, u), _keras(theirs, x, u))


@pytest.mark.keras
@pytest.mark.parametrize("act", ACTIVATIONS)
def test_activation_layer_matches_keras(keras64, act):
    rng = np.random.default_rng(12)
    x, u = 3 * rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    _assert_all_close(_ours(Activation(act), x, u), _keras(keras64.layers.Activation(act), x, u))


@pytest.mark.keras
@pytest.mark.parametrize("slope", [0.3, 0.01, 0.2])
def test_leaky_relu_layer_matches_keras_bit_for_bit(keras64, slope):
    rng = np.random.default_rng(13)
    x, u = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    _assert_all_close(
        _ours(LeakyReLU(slope), x, u),
        _keras(keras64.layers.LeakyReLU(negative_slope=slope), x, u),
        rtol=0,
        atol=0,  # measured: identical (float32-rounded slope on both sides)
    )


@pytest.mark.keras
@pytest.mark.parametrize("shared_axes, input_shape", [(None, (4,)), (None, (4, 3)), ([1], (4, 3))])
def test_prelu_matches_keras(keras64, shared_axes, input_shape):
    rng = np.random.default_rng(14)
    x, u = rng.normal(size=(5,) + input_shape), rng.normal(size=(5,) + input_shape)
    theirs = keras64.layers.PReLU(shared_axes=shared_axes)
    theirs.build((None,) + input_shape)
    ours = _built(PReLU(shared_axes=shared_axes), input_shape)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    alpha = rng.normal(size=ours.params["alpha"].shape)
    ours.set_weights([alpha])
    theirs.set_weights([alpha])
    _assert_all_close(
        _ours(ours, x, u), _keras(theirs, x, u), rtol=0, atol=0
    )  # measured: identical


# -- the contract every layer keeps ---------------------------------------------------------------


def _all_layers():
    """(id, factory, input shape) for one configuration of every layer."""
    return [
        ("dense", lambda: Dense(3, activation="tanh"), (4,)),
        ("dense_softmax", lambda: Dense(3, activation="softmax"), (4,)),
        ("activation", lambda: Activation("sigmoid"), (4,)),
        ("leaky_relu", lambda: LeakyReLU(), (4,)),
        ("prelu", lambda: PReLU(alpha_initializer="ones"), (4,)),
        ("dropout", lambda: Dropout(0.5, seed=0), (4,)),
        ("batch_norm", lambda: BatchNormalization(), (4,)),
        (
            "residual",
            lambda: Residual([Dense(5, activation="relu"), BatchNormalization(), Dense(4)]),
            (4,),
        ),
    ]


ALL = _all_layers()
ALL_IDS = [c[0] for c in ALL]


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("case", ALL, ids=ALL_IDS)
def test_layers_never_modify_the_callers_arrays(case, training):
    _, factory, shape = case
    layer = _built(factory(), shape)
    rng = np.random.default_rng(20)
    x = rng.normal(size=(6,) + shape)
    x_copy = x.copy()
    y = layer.forward(x, training=training)
    dy = rng.normal(size=y.shape)
    dy_copy = dy.copy()
    layer.backward(dy)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(dy, dy_copy)


@pytest.mark.parametrize("case", ALL, ids=ALL_IDS)
def test_layers_are_stable_at_large_inputs(case):
    _, factory, shape = case
    layer = _built(factory(), shape)
    x = np.array([[1000.0, -1000.0, 999.0, -999.0], [-1000.0, 1000.0, 0.5, -0.5]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for training in (True, False):
            y = layer.forward(x, training=training)
            dx = layer.backward(np.ones_like(y))
            assert np.all(np.isfinite(y)) and np.all(np.isfinite(dx))
            assert all(np.all(np.isfinite(g)) for g in layer.grads.values())


@pytest.mark.parametrize("case", ALL, ids=ALL_IDS)
def test_set_weights_errors_leave_the_layer_unchanged(case):
    _, factory, shape = case
    layer = _built(factory(), shape)
    before = layer.get_weights()
    n = len(before)
    with pytest.raises(ValueError, match=f"must be a list of {n} arrays"):
        layer.set_weights(before + [np.zeros(1)])
    if n:
        wrong = [w.copy() + 1 for w in before]
        wrong[-1] = np.zeros(wrong[-1].shape + (2,))
        with pytest.raises(ValueError, match=r"item \d+ \([\w/]+\) must have shape"):
            layer.set_weights(wrong)
    after = layer.get_weights()
    assert len(after) == n
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("case", ALL, ids=ALL_IDS)
def test_get_weights_returns_copies_and_set_weights_writes_in_place(case):
    _, factory, shape = case
    layer = _built(factory(), shape)
    arrays = layer.weights
    got = layer.get_weights()
    for w in got:
        w += 1.0  # changing a copy changes nothing
    for a, w in zip(arrays, layer.get_weights()):
        np.testing.assert_array_equal(a, w)
    layer.set_weights(got)
    for a, w, g in zip(arrays, layer.weights, got):
        assert a is w  # same arrays: optimizers keep tracking them
        np.testing.assert_array_equal(w, g)


@pytest.mark.parametrize("case", ALL, ids=ALL_IDS)
def test_grads_have_the_keys_and_shapes_of_params(case):
    _, factory, shape = case
    layer = _built(factory(), shape)
    y = layer.forward(np.random.default_rng(21).normal(size=(5,) + shape), training=True)
    layer.backward(np.ones_like(y))
    assert list(layer.grads) == list(layer.params)
    for k in layer.params:
        assert layer.grads[k].shape == layer.params[k].shape
        assert layer.grads[k].dtype == layer.params[k].dtype


@pytest.mark.parametrize("case", ALL, ids=ALL_IDS)
def test_call_builds_on_first_use(case):
    _, factory, shape = case
    layer = factory()
    assert not layer.built
    y = layer(np.ones((2,) + shape))
    assert layer.built and layer.input_shape == shape
    assert y.shape[1:] == layer.compute_output_shape(shape)


_KERAS_EQUIVALENTS = {
    "dense": lambda k: k.layers.Dense(3, activation="tanh"),
    "dense_softmax": lambda k: k.layers.Dense(3, activation="softmax"),
    "activation": lambda k: k.layers.Activation("sigmoid"),
    "leaky_relu": lambda k: k.layers.LeakyReLU(),
    "prelu": lambda k: k.layers.PReLU(),
    "dropout": lambda k: k.layers.Dropout(0.5),
    "batch_norm": lambda k: k.layers.BatchNormalization(),
}


@pytest.mark.keras
@pytest.mark.parametrize("case", [c for c in ALL if c[0] in _KERAS_EQUIVALENTS], ids=lambda c: c[0])
def test_weight_order_shapes_and_count_match_keras(keras64, case):
    name, factory, shape = case
    ours = _built(factory(), shape)
    theirs = _KERAS_EQUIVALENTS[name](keras64)
    theirs.build((None,) + shape)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    assert ours.count_params() == theirs.count_params()
    assert len(ours.params) == len(theirs.trainable_weights)
    assert len(ours.state) == len(theirs.non_trainable_weights)
    if ours.weights:  # same order: Keras accepts our list and gives it back
        theirs.set_weights(ours.get_weights())
        for a, b in zip(ours.get_weights(), theirs.get_weights()):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("case", ALL, ids=ALL_IDS)
def test_backward_before_forward_and_of_another_shape_is_refused(case):
    # the one check a backward pass makes, on its error path: without it a backward before any
    # forward fails deep in the arithmetic, and a dy of another shape may broadcast silently
    name, factory, shape = case
    layer = _built(factory(), shape)
    if name == "dropout":  # no forward yet is the identity's backward, and numpy refuses the rest
        np.testing.assert_array_equal(layer.backward(np.ones((6,) + shape)), 1.0)
    else:
        with pytest.raises(RuntimeError, match=r"has no forward pass to differentiate"):
            layer.backward(np.ones((6,) + shape))
    y = layer.forward(np.random.default_rng(22).normal(size=(6,) + shape), training=True)
    message = None if name == "dropout" else r"'dy' argument of \w+\.backward must have shape"
    for wrong in (np.ones((6, 1)), np.ones((1,) + y.shape[1:]), np.ones((5,) + y.shape[1:])):
        with pytest.raises(ValueError, match=message):
            layer.backward(wrong)
    assert layer.backward(np.ones_like(y)).shape == (6,) + shape  # and the right one still works
