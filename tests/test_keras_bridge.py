"""keras_bridge: to_keras / from_keras layer by layer, and the checks of fit_keras_in_order."""

import subprocess
import sys

import numpy as np
import pytest

from mlpabc import activations, regularizers
from mlpabc import layers as L
from mlpabc.keras_bridge import fit_keras_in_order, from_keras, to_keras
from mlpabc.models import Sequential


def test_importing_the_bridge_does_not_import_tensorflow():
    code = (
        "import sys, mlpabc.keras_bridge, mlpabc.models, mlpabc.callbacks; "
        "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


LAYERS = {
    "dense_sigmoid": lambda: L.Dense(3, activation="sigmoid"),
    "dense_tanh_l2": lambda: L.Dense(
        3, activation="tanh", kernel_regularizer=regularizers.L2(0.03)
    ),
    "dense_relu_l1_bias": lambda: L.Dense(
        5,
        activation="relu",
        bias_initializer="random_uniform",
        bias_regularizer=regularizers.L1(0.02),
    ),
    "dense_elu_alpha": lambda: L.Dense(
        3, activation=activations.ELU(alpha=0.5), kernel_regularizer=regularizers.L1L2(0.01, 0.02)
    ),
    "dense_leaky_slope": lambda: L.Dense(3, activation=activations.LeakyReLU(negative_slope=0.1)),
    "dense_softmax": lambda: L.Dense(3, activation="softmax"),
    "dense_no_bias": lambda: L.Dense(2, use_bias=False),
    "activation": lambda: L.Activation("softmax"),
    "leaky_relu": lambda: L.LeakyReLU(negative_slope=0.25),
    "prelu": lambda: L.PReLU(
        alpha_initializer="random_uniform", alpha_regularizer=regularizers.L2(0.1)
    ),
    "dropout": lambda: L.Dropout(0.3, seed=1),
    "batch_norm": lambda: L.BatchNormalization(
        momentum=0.9,
        epsilon=0.01,
        center=False,
        gamma_initializer="random_uniform",
        moving_mean_initializer="random_uniform",
    ),
    "residual": lambda: L.Residual(
        [L.Dense(6, activation="relu"), L.BatchNormalization(), L.Dense(4)]
    ),
    "nested_residual": lambda: L.Residual(
        [L.Residual([L.Dense(4, activation="tanh")]), L.Dense(4)]
    ),
}


@pytest.mark.keras
@pytest.mark.parametrize("name", LAYERS)
def test_to_keras_and_back_computes_the_same_with_the_same_weights(keras64, name):
    model = Sequential([L.Input((4,)), LAYERS[name](), L.Dense(2)], seed=0)
    x = np.random.default_rng(1).normal(size=(7, 4))
    kmodel = to_keras(model)
    assert all(np.dtype(w.dtype) == np.float64 for w in kmodel.weights)
    for a, b in zip(model.get_weights(), kmodel.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(
        kmodel.predict(x, verbose=0), model.predict(x), rtol=1e-13, atol=1e-15
    )
    penalty = sum(layer.regularization_loss() for layer in model.layers)
    kpenalty = float(sum(kmodel.losses)) if kmodel.losses else 0.0
    assert kpenalty == pytest.approx(penalty, rel=1e-14, abs=0)

    back = from_keras(kmodel)
    assert [type(a) for a in back.layers] == [type(a) for a in model.layers]
    assert [a.name for a in back.layers] == [a.name for a in model.layers]
    for a, b in zip(model.get_weights(), back.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(back.predict(x), model.predict(x))
    assert sum(layer.regularization_loss() for layer in back.layers) == pytest.approx(
        penalty, rel=1e-15
    )


@pytest.mark.keras
def test_configurations_survive_the_round_trip(keras64):
    model = Sequential(
        [
            L.Input((4,)),
            L.Dense(
                3, activation=activations.LeakyReLU(0.1), kernel_regularizer=regularizers.L1(0.5)
            ),
            L.BatchNormalization(momentum=0.8, epsilon=0.02),
            L.Dropout(0.4, seed=3),
            L.LeakyReLU(0.2),
            L.Dense(2, activation=activations.ELU(0.7)),
        ],
        seed=0,
    )
    back = from_keras(to_keras(model))
    dense, bn, drop, leaky, out = back.layers
    assert dense.activation == activations.LeakyReLU(0.1)
    assert dense.kernel_regularizer.get_config() == pytest.approx({"l1": 0.5})
    assert (bn.momentum, bn.epsilon) == pytest.approx((0.8, 0.02))
    assert (drop.rate, drop.seed) == (0.4, 3)
    assert leaky.negative_slope == pytest.approx(0.2)
    assert out.activation == activations.ELU(0.7)


@pytest.mark.keras
def test_from_a_hand_written_keras_model(keras64):
    keras = keras64
    inputs = keras.Input((3,))
    y = keras.layers.Dense(5, activation="relu")(inputs)
    y = keras.layers.Dense(3)(y)
    block = keras.Model(inputs, keras.layers.Add()([y, inputs]), name="block")
    kmodel = keras.Sequential(
        [
            keras.Input((3,)),
            block,
            keras.layers.Dense(4, activation="sigmoid"),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model = from_keras(kmodel)
    assert [type(layer).__name__ for layer in model.layers] == [
        "Residual",
        "Dense",
        "Dropout",
        "Dense",
    ]
    assert model.dtype == "float64" and model.input_shape == (None, 3)
    x = np.random.default_rng(2).normal(size=(5, 3))
    np.testing.assert_allclose(
        model.predict(x), kmodel.predict(x, verbose=0), rtol=1e-13, atol=1e-16
    )


@pytest.mark.keras
def test_bridge_errors(keras64):
    keras = keras64
    with pytest.raises(
        TypeError, match="'model' argument of to_keras must be an mlpabc Sequential"
    ):
        to_keras("model")
    with pytest.raises(ValueError, match="must be built"):
        to_keras(Sequential([L.Dense(2)]))
    with pytest.raises(TypeError, match="must be a Keras model"):
        from_keras(Sequential([L.Input((2,)), L.Dense(2)]))
    flat = keras.Sequential([keras.Input((2, 2)), keras.layers.Flatten(), keras.layers.Dense(1)])
    with pytest.raises(TypeError, match="cannot translate the Keras layer.*Flatten"):
        from_keras(flat)
    gelu = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="gelu")])
    with pytest.raises(ValueError, match="cannot translate the activation 'gelu'"):
        from_keras(gelu)


@pytest.mark.keras
@pytest.mark.parametrize(
    "kwargs, exc, pattern",
    [
        ({"batch_order": []}, TypeError, r"'batch_order'.*non-empty list"),
        ({"batch_order": [np.arange(12)]}, ValueError, r"item 0 has indices outside \[0, 10\)"),
        ({"batch_order": [np.arange(10), np.arange(8)]}, ValueError, r"same length every epoch"),
        (
            {"batch_order": [np.linspace(0, 1, 10)]},
            ValueError,
            r"item 0 must be a 1-D array of sample indices",
        ),
        ({"batch_size": 0}, ValueError, r"'batch_size'.*>= 1"),
        ({"y": np.zeros((9, 1))}, ValueError, r"same number of samples"),
    ],
)
def test_fit_keras_in_order_checks_its_arguments(keras64, kwargs, exc, pattern):
    args = {
        "x": np.zeros((10, 2)),
        "y": np.zeros((10, 1)),
        "batch_order": [np.arange(10)],
        "batch_size": 4,
    }
    args.update(kwargs)
    with pytest.raises(exc, match=pattern):
        fit_keras_in_order(None, **args)


@pytest.mark.keras
def test_fit_keras_in_order_serves_the_given_batches(keras64):
    keras = keras64
    x = np.arange(10.0)[:, None]
    kmodel = keras.Sequential(
        [keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="zeros")]
    )
    kmodel.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse", run_eagerly=True)
    dense, seen = kmodel.layers[0], []
    original = dense.call

    def spy(inputs, *args, **kwargs):  # records the first column of every batch Keras trains on
        seen.append(np.asarray(inputs)[:, 0].astype(int).tolist())
        return original(inputs, *args, **kwargs)

    dense.call = spy
    orders = [np.array([3, 1, 4, 0, 9, 2, 6, 5, 8, 7]), np.arange(10)[::-1]]
    history = fit_keras_in_order(kmodel, x, x, orders, 4)
    assert len(history.history["loss"]) == 2
    assert seen[-6:] == [[3, 1, 4, 0], [9, 2, 6, 5], [8, 7], [9, 8, 7, 6], [5, 4, 3, 2], [1, 0]]
