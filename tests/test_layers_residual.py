"""Tests of mlpabc.layers.Residual: y = f(x) + x."""

import numpy as np
import pytest

from mlpabc import regularizers
from mlpabc.gradcheck import check_layer
from mlpabc.layers import BatchNormalization, Dense, Dropout, LeakyReLU, Residual


def _built(layer, input_shape, seed=0):
    layer.build(input_shape, np.random.default_rng(seed))
    return layer


def _block():
    return Residual(
        [Dense(6, activation="relu"), BatchNormalization(), Dense(4, activation="tanh")]
    )


# -- forward, backward, weights -------------------------------------------------------------------


def test_hand_checked_forward_and_backward():
    inner = Dense(2, use_bias=False)
    block = _built(Residual([inner]), (2,))
    block.set_weights([np.array([[1.0, 2.0], [3.0, 4.0]])])
    x = np.array([[1.0, 1.0]])
    # f(x) = x W = [4, 6]; y = f(x) + x = [5, 7]
    np.testing.assert_array_equal(block(x), [[5.0, 7.0]])
    # dL/dx = dy + dy W^T: with dy = [1, 0], [1, 0] + [1, 3] = [2, 3]  (the "+1" of the skip path)
    np.testing.assert_array_equal(block.backward(np.array([[1.0, 0.0]])), [[2.0, 3.0]])
    np.testing.assert_array_equal(block.grads[f"{inner.name}/kernel"], [[1.0, 0.0], [1.0, 0.0]])


def test_params_grads_and_state_are_the_inner_layers_arrays():
    block = _built(_block(), (4,))
    d1, bn, d2 = block.layers
    assert list(block.params) == [
        f"{d1.name}/kernel",
        f"{d1.name}/bias",
        f"{bn.name}/gamma",
        f"{bn.name}/beta",
        f"{d2.name}/kernel",
        f"{d2.name}/bias",
    ]
    assert block.params[f"{d1.name}/kernel"] is d1.params["kernel"]
    assert list(block.state) == [f"{bn.name}/moving_mean", f"{bn.name}/moving_variance"]
    y = block.forward(np.random.default_rng(0).normal(size=(5, 4)), training=True)
    block.backward(np.ones_like(y))
    for key, g in block.grads.items():
        name, param = key.split("/")
        layer = next(lay for lay in block.layers if lay.name == name)
        assert g is layer.grads[param]


def test_weights_are_listed_layer_by_layer_like_keras():
    block = _built(_block(), (4,))
    d1, bn, d2 = block.layers
    expected = d1.weights + bn.weights + d2.weights  # BN's moving statistics in the middle
    assert all(a is b for a, b in zip(block.weights, expected)) and len(block.weights) == 8
    assert block.weight_names[4:6] == [f"{bn.name}/moving_mean", f"{bn.name}/moving_variance"]
    assert block.count_params() == (4 * 6 + 6) + 4 * 6 + (6 * 4 + 4)
    new = [w + 1.0 for w in block.get_weights()]
    block.set_weights(new)
    np.testing.assert_array_equal(bn.state["moving_mean"], new[4])  # written into the inner layer


def test_regularization_loss_is_the_sum_of_the_inner_penalties():
    block = _built(
        Residual(
            [
                Dense(3, kernel_regularizer=regularizers.L2(0.1)),
                LeakyReLU(),
                Dense(2, kernel_regularizer=regularizers.L1(0.2)),
            ]
        ),
        (2,),
    )
    d1, _, d2 = block.layers
    assert block.regularization_loss() == pytest.approx(
        d1.regularization_loss() + d2.regularization_loss()
    )
    assert block.regularization_loss() > 0


def test_single_layer_argument_and_prebuilt_layers():
    dense = _built(Dense(3), (3,))
    block = _built(Residual(dense), (3,))
    assert block.layers == [dense]
    with pytest.raises(ValueError, match="already built for inputs of shape"):
        _built(Residual([_built(Dense(4), (5,))]), (4,))


def test_freezing_the_block_freezes_its_layers():
    block = _built(_block(), (4,))
    block.trainable = False
    assert all(not layer.trainable for layer in block.layers)
    x = np.random.default_rng(4).normal(size=(5, 4))
    moving = block.get_weights()[4:6]
    block.forward(x, training=True)  # a frozen BatchNormalization runs in inference mode
    for a, b in zip(block.get_weights()[4:6], moving):
        np.testing.assert_array_equal(a, b)
    block.trainable = True
    assert all(layer.trainable for layer in block.layers)
    with pytest.raises(TypeError, match="'trainable' argument of Residual"):
        block.trainable = "no"


def test_build_is_reproducible_from_the_generator():
    a, b = _built(_block(), (4,), seed=3), _built(_block(), (4,), seed=3)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


# -- finite differences ---------------------------------------------------------------------------


@pytest.mark.parametrize("training", [True, False])
def test_gradients_by_finite_differences(training):
    rng = np.random.default_rng(1)
    block = _built(
        Residual(
            [
                Dense(6, activation="tanh"),
                BatchNormalization(),
                Dropout(0.3),
                Dense(4, kernel_regularizer=regularizers.L2(0.01)),
            ]
        ),
        (4,),
    )
    errors = check_layer(block, rng.normal(size=(5, 4)), training=training)
    assert len(errors) == 1 + 6 and max(errors.values()) < 1e-6, errors


def test_nested_residual_blocks():
    block = Residual([Dense(3, activation="elu"), Residual([Dense(3, activation="sigmoid")])])
    errors = check_layer(block, np.random.default_rng(2).normal(size=(4, 3)))
    assert max(errors.values()) < 1e-6, errors


# -- errors ---------------------------------------------------------------------------------------


def test_width_mismatch_explains_the_fix():
    # The booklet's bug: a 20-wide block output added to a 3-wide input.
    block = Residual([Dense(20, activation="relu", name="wide")], name="res")
    with pytest.raises(ValueError) as err:
        block(np.ones((2, 3)))
    msg = str(err.value)
    assert "Residual 'res' adds its input to the output of its layers" in msg
    assert "'wide' outputs shape (n_samples, 20)" in msg and "input has shape (n_samples, 3)" in msg
    assert "Dense(3)" in msg and "projection Dense(20)" in msg


@pytest.mark.parametrize(
    "layers, exc, match",
    [
        ([], ValueError, "at least one layer"),
        ("dense", TypeError, "'layers' argument of Residual must be a list of mlpabc layers"),
        ([Dense(3), 5], TypeError, "'layers' argument of Residual"),
        (None, TypeError, "'layers' argument of Residual"),
    ],
)
def test_bad_layers_argument(layers, exc, match):
    with pytest.raises(exc, match=match):
        Residual(layers)


# -- Keras parity ---------------------------------------------------------------------------------


def _keras_block(keras):
    """The same block with Keras's functional API."""
    inputs = keras.Input((4,))
    x = inputs
    y = keras.layers.Dense(6, activation="relu")(x)
    y = keras.layers.BatchNormalization()(y)
    y = keras.layers.Dense(4, activation="tanh")(y)
    outputs = keras.layers.Add()([x, y])
    return keras.Model(inputs, outputs)


@pytest.mark.keras
def test_weights_order_and_count_match_a_keras_functional_model(keras64):
    ours, theirs = _built(_block(), (4,)), _keras_block(keras64)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    assert ours.count_params() == theirs.count_params()
    assert [w.shape for w in ours.params.values()] == [
        tuple(v.shape) for v in theirs.trainable_variables
    ]


@pytest.mark.keras
@pytest.mark.parametrize("training", [True, False])
def test_matches_a_keras_functional_model(keras64, training):
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(3)
    x, u = rng.normal(size=(8, 4)), rng.normal(size=(8, 4))
    ours, theirs = _built(_block(), (4,)), _keras_block(keras64)
    weights = [rng.normal(size=w.shape) for w in ours.get_weights()]
    weights[5] = rng.uniform(0.5, 2.0, size=6)  # a positive moving variance
    ours.set_weights(weights)
    theirs.set_weights(weights)

    y = ours.forward(x, training=training)
    dx = ours.backward(u)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y_keras = theirs(xt, training=training)
        loss = tf.reduce_sum(tf.constant(u) * y_keras)
    grads = tape.gradient(loss, [xt] + list(theirs.trainable_variables))
    # Measured worst difference: 1.8e-15 absolute.
    np.testing.assert_allclose(y, y_keras.numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dx, grads[0].numpy(), rtol=1e-12, atol=1e-13)
    for (name, g), g_keras in zip(ours.grads.items(), grads[1:]):
        np.testing.assert_allclose(g, g_keras.numpy(), rtol=1e-12, atol=1e-13, err_msg=name)
    for a, b in zip(
        ours.get_weights(), theirs.get_weights()
    ):  # incl. the updated moving statistics
        np.testing.assert_allclose(a, b, rtol=1e-15, atol=0)
