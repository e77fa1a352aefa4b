"""Tests of mlpabc.layers.BatchNormalization (KERAS_PARITY §7)."""

import numpy as np
import pytest

from mlpabc import regularizers
from mlpabc.gradcheck import check_layer
from mlpabc.layers import BatchNormalization


def _built(layer, input_shape, seed=0, weights=None):
    layer.build(input_shape, np.random.default_rng(seed))
    if weights is not None:
        layer.set_weights(weights)
    return layer


def _random_weights(rng, d):
    """gamma, beta, moving mean, moving variance (> 0)."""
    return [
        rng.normal(size=d),
        rng.normal(size=d),
        rng.normal(size=d),
        rng.uniform(0.5, 2.0, size=d),
    ]


def _enabled(bn, weights):
    """Keep gamma and beta only if the layer has them."""
    gamma, beta, mm, mv = weights
    return ([gamma] if bn.scale else []) + ([beta] if bn.center else []) + [mm, mv]


# -- goldens and the forward rules ----------------------------------------------------------------


def test_hand_checked_training_step():
    bn = _built(BatchNormalization(), (2,))
    x = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 16.0]])
    # column 0: mean 3, biased variance (4 + 0 + 4) / 3 = 8/3; column 1: mean 12, variance 8
    y = bn.forward(x, training=True)
    np.testing.assert_allclose(
        y[:, 0], np.array([-2.0, 0.0, 2.0]) / np.sqrt(8 / 3 + 1e-3), rtol=1e-15
    )
    np.testing.assert_allclose(y[:, 1], np.array([-2.0, -2.0, 4.0]) / np.sqrt(8 + 1e-3), rtol=1e-15)
    # moving = 0.99 * moving + 0.01 * batch statistic, from zeros and ones
    np.testing.assert_allclose(bn.state["moving_mean"], [0.03, 0.12], rtol=1e-14)
    np.testing.assert_allclose(
        bn.state["moving_variance"], [0.99 + 0.01 * 8 / 3, 0.99 + 0.08], rtol=1e-15
    )


def test_inference_uses_moving_statistics_and_changes_nothing():
    rng = np.random.default_rng(0)
    g, b, mm, mv = _random_weights(rng, 3)
    bn = _built(BatchNormalization(), (3,), weights=[g, b, mm, mv])
    x = rng.normal(size=(4, 3))
    y = bn.forward(x)  # training=False by default
    np.testing.assert_allclose(y, g * (x - mm) / np.sqrt(mv + 1e-3) + b, rtol=1e-14)
    np.testing.assert_array_equal(bn.state["moving_mean"], mm)
    np.testing.assert_array_equal(bn.state["moving_variance"], mv)


def test_training_output_is_normalised_per_feature():
    x = np.random.default_rng(1).normal(3.0, 5.0, size=(200, 4))
    y = _built(BatchNormalization(epsilon=1e-12), (4,)).forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-13)
    np.testing.assert_allclose(y.var(axis=0), 1.0, rtol=1e-10)


def test_moving_statistics_converge_to_the_data_statistics():
    rng = np.random.default_rng(2)
    bn = _built(BatchNormalization(momentum=0.9), (2,))
    for _ in range(300):
        bn.forward(rng.normal([1.0, -2.0], [2.0, 0.5], size=(64, 2)), training=True)
    np.testing.assert_allclose(bn.state["moving_mean"], [1.0, -2.0], atol=0.15)
    np.testing.assert_allclose(bn.state["moving_variance"], [4.0, 0.25], rtol=0.2)


def test_moving_statistics_are_updated_in_place():
    bn = _built(BatchNormalization(), (2,))
    mm = bn.state["moving_mean"]
    bn.forward(np.ones((3, 2)), training=True)
    assert bn.state["moving_mean"] is mm and bn.weights[2] is mm


def test_frozen_layer_runs_in_inference_mode():
    rng = np.random.default_rng(3)
    weights = _random_weights(rng, 3)
    bn = _built(BatchNormalization(), (3,), weights=weights)
    bn.trainable = False
    x = rng.normal(size=(5, 3))
    np.testing.assert_array_equal(bn.forward(x, training=True), bn.forward(x, training=False))
    np.testing.assert_array_equal(bn.state["moving_mean"], weights[2])


@pytest.mark.parametrize(
    "center, scale, names",
    [
        (True, True, ["gamma", "beta"]),
        (False, True, ["gamma"]),
        (True, False, ["beta"]),
        (False, False, []),
    ],
)
def test_center_and_scale_choose_the_parameters(center, scale, names):
    bn = _built(BatchNormalization(center=center, scale=scale), (3,))
    assert list(bn.params) == names
    assert bn.weight_names == names + ["moving_mean", "moving_variance"]
    assert bn.count_params() == 3 * (len(names) + 2)
    x = np.random.default_rng(4).normal(size=(5, 3))
    y = bn.forward(x, training=True)
    np.testing.assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-14)


def test_3d_inputs_normalise_over_all_but_the_last_axis():
    x = np.random.default_rng(5).normal(size=(4, 5, 3))
    bn = _built(BatchNormalization(), (5, 3))
    y = bn.forward(x, training=True)
    flat = x.reshape(-1, 3)
    np.testing.assert_allclose(
        y.reshape(-1, 3), (flat - flat.mean(0)) / np.sqrt(flat.var(0) + 1e-3), rtol=1e-13
    )
    assert bn.params["gamma"].shape == (3,)


def test_regularization_loss():
    bn = _built(
        BatchNormalization(
            gamma_regularizer=regularizers.L2(0.1), beta_regularizer=regularizers.L1(0.2)
        ),
        (2,),
        weights=[np.array([1.0, 2.0]), np.array([-1.0, 0.5]), np.zeros(2), np.ones(2)],
    )
    f32 = lambda c: float(np.float32(c))  # noqa: E731
    assert bn.regularization_loss() == pytest.approx(f32(0.1) * 5 + f32(0.2) * 1.5, rel=1e-15)


# -- finite differences ---------------------------------------------------------------------------


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize(
    "center, scale", [(True, True), (False, True), (True, False), (False, False)]
)
def test_gradients_by_finite_differences(training, center, scale):
    rng = np.random.default_rng(6)
    bn = _built(BatchNormalization(center=center, scale=scale, momentum=0.5, epsilon=0.01), (4,))
    bn.set_weights(_enabled(bn, _random_weights(rng, 4)))
    x = rng.normal(size=(6, 4))
    errors = check_layer(bn, x, training=training)
    assert set(errors) == {"x"} | set(bn.params)
    assert max(errors.values()) < 1e-6, errors


def test_gradients_with_regularizers_and_3d_inputs():
    rng = np.random.default_rng(7)
    bn = _built(
        BatchNormalization(gamma_regularizer="l2", beta_regularizer="l1"),
        (3, 2),
        weights=_random_weights(rng, 2),
    )
    errors = check_layer(bn, rng.normal(size=(4, 3, 2)))
    assert max(errors.values()) < 1e-6, errors


def test_check_layer_restores_the_moving_statistics():
    rng = np.random.default_rng(8)
    weights = _random_weights(rng, 3)
    bn = _built(BatchNormalization(), (3,), weights=weights)
    check_layer(bn, rng.normal(size=(5, 3)))
    for a, b in zip(bn.get_weights(), weights):
        np.testing.assert_array_equal(a, b)


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (
            {"momentum": 1.5},
            ValueError,
            r"The 'momentum' argument of BatchNormalization must be a float in \[0, 1\]\. Got 1\.5",
        ),
        ({"momentum": -0.1}, ValueError, "'momentum' argument of BatchNormalization"),
        ({"momentum": "0.9"}, TypeError, "'momentum' argument of BatchNormalization"),
        (
            {"epsilon": 0.0},
            ValueError,
            "'epsilon' argument of BatchNormalization must be a float > 0",
        ),
        ({"epsilon": -1e-3}, ValueError, "'epsilon' argument"),
        ({"axis": 1.0}, TypeError, "'axis' argument of BatchNormalization"),
        ({"center": 1}, TypeError, "'center' argument of BatchNormalization"),
        ({"scale": "no"}, TypeError, "'scale' argument of BatchNormalization"),
        ({"gamma_initializer": "one"}, ValueError, "ones"),
        ({"momentun": 0.9}, TypeError, "'momentun'"),
    ],
)
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        BatchNormalization(**kwargs)


@pytest.mark.parametrize("axis", [0, -2])
def test_only_the_last_axis_is_supported(axis):
    with pytest.raises(ValueError, match=r"must be the last \(feature\) axis, -1 or 1"):
        _built(BatchNormalization(axis=axis), (3,))


def test_axis_one_is_the_last_axis_of_2d_inputs():
    assert _built(BatchNormalization(axis=1), (3,)).params["gamma"].shape == (3,)


def test_input_shape_mismatch():
    bn = _built(BatchNormalization(name="bn"), (3,))
    with pytest.raises(
        ValueError, match=r"BatchNormalization 'bn' was built for inputs of shape \(n_samples, 3\)"
    ):
        bn(np.ones((2, 4)), training=True)
    with pytest.raises(ValueError, match="expects a batch"):
        bn(np.ones(3))


# -- Keras parity ---------------------------------------------------------------------------------


def _keras_bn_run(layer, x, u, training):
    tf = pytest.importorskip("tensorflow")
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt, training=training)
        loss = tf.reduce_sum(tf.constant(u) * y)
    grads = tape.gradient(loss, [xt] + list(layer.trainable_variables))
    return [y.numpy()] + [g.numpy() for g in grads]


# Measured worst differences (float64): outputs 4.4e-16, dx 4.7e-16, dgamma 1.3e-15 absolute,
# moving statistics identical, so rtol=1e-12 with atol=1e-13 is ample.
RTOL, ATOL = 1e-12, 1e-13


@pytest.mark.keras
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize(
    "kwargs", [{}, {"momentum": 0.9, "epsilon": 0.01}, {"center": False}, {"scale": False}]
)
def test_matches_keras(keras64, training, kwargs):
    rng = np.random.default_rng(10)
    x, u = 2.0 * rng.normal(size=(10, 4)) + 1.0, rng.normal(size=(10, 4))
    ours = _built(BatchNormalization(**kwargs), (4,))
    theirs = keras64.layers.BatchNormalization(**kwargs)
    theirs.build((None, 4))
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    assert ours.count_params() == theirs.count_params()
    weights = _enabled(ours, _random_weights(rng, 4))
    ours.set_weights(weights)
    theirs.set_weights(weights)

    y = ours.forward(x, training=training)
    dx = ours.backward(u)
    expected = _keras_bn_run(theirs, x, u, training)
    np.testing.assert_allclose(y, expected[0], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(dx, expected[1], rtol=RTOL, atol=ATOL)
    for name, g in zip(ours.params, expected[2:]):
        np.testing.assert_allclose(ours.grads[name], g, rtol=RTOL, atol=ATOL, err_msg=name)
    # moving statistics after one call (updated in training, untouched at inference)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-15, atol=0)
    # and an inference forward pass with those moving statistics
    x2 = rng.normal(size=(3, 4))
    np.testing.assert_allclose(
        ours.forward(x2), np.asarray(theirs(x2, training=False)), rtol=RTOL, atol=ATOL
    )


@pytest.mark.keras
def test_frozen_layer_matches_keras(keras64):
    rng = np.random.default_rng(11)
    x, u = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    weights = _random_weights(rng, 3)
    ours = _built(BatchNormalization(), (3,), weights=weights)
    theirs = keras64.layers.BatchNormalization()
    theirs.build((None, 3))
    theirs.set_weights(weights)
    ours.trainable = theirs.trainable = False
    y = ours.forward(x, training=True)
    dx = ours.backward(u)
    expected = _keras_bn_run(theirs, x, u, True)  # no trainable variables: y and dx
    np.testing.assert_allclose(y, expected[0], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(dx, expected[1], rtol=RTOL, atol=ATOL)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.keras
def test_3d_inputs_match_keras(keras64):
    rng = np.random.default_rng(12)
    x, u = rng.normal(size=(4, 5, 3)), rng.normal(size=(4, 5, 3))
    weights = _random_weights(rng, 3)
    ours = _built(BatchNormalization(), (5, 3), weights=weights)
    theirs = keras64.layers.BatchNormalization()
    theirs.build((None, 5, 3))
    theirs.set_weights(weights)
    y, dx = ours.forward(x, training=True), ours.backward(u)
    expected = _keras_bn_run(theirs, x, u, True)
    for a, b in zip([y, dx, ours.grads["gamma"], ours.grads["beta"]], expected):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-15, atol=0)
