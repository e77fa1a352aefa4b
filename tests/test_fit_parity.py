"""Sequential against Keras 3 in float64: forward, loss, gradients, fit, evaluate, early stopping.

Every Keras model is made by ``to_keras`` from the mlpabc model, so both start
from identical weights; shuffled fits give Keras mlpabc's batch order through
``fit_keras_in_order``. The tolerances are the tightest that hold on this
machine with some margin; most quantities agree to a few units in the last
place (KERAS_PARITY sections 3, 4, 8, 9 and 10).
"""

import numpy as np
import pytest

from mlpabc import layers as L
from mlpabc import optimizers, regularizers
from mlpabc.callbacks import EarlyStopping
from mlpabc.keras_bridge import fit_keras_in_order, to_keras
from mlpabc.models import Sequential
from mlpabc.optimizers import schedules

pytestmark = pytest.mark.keras

RTOL = 1e-12  # losses and histories
ATOL = 1e-14  # weights of order 1 after tens of steps


def assert_weights_equal(model, kmodel, rtol=RTOL, atol=ATOL):
    ours, theirs = model.get_weights(), kmodel.get_weights()
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def assert_history_equal(history, khistory, rtol=RTOL):
    assert sorted(history.history) == sorted(khistory.history)
    for key, values in history.history.items():
        np.testing.assert_allclose(values, khistory.history[key], rtol=rtol, atol=0, err_msg=key)


def regression_data(n=40, d=3, k=2, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = np.column_stack([np.sin(x[:, 0] + x[:, 1]), x[:, 2] ** 2 - 0.5])[:, :k]
    return x, y + 0.1 * rng.normal(size=y.shape)


def mlp(seed=0, **dense):
    return Sequential(
        [L.Input((3,)), L.Dense(5, activation="tanh", **dense), L.Dense(2)], seed=seed
    )


# -- forward, loss and gradients (tf.GradientTape) -------------------------------------------------


def rich_model(seed=0):
    return Sequential(
        [
            L.Input((3,)),
            L.Dense(
                6,
                activation="relu",
                kernel_regularizer=regularizers.L2(0.01),
                bias_regularizer=regularizers.L1(0.02),
            ),
            L.BatchNormalization(momentum=0.9),
            L.Residual(
                [
                    L.Dense(4, activation="elu"),
                    L.Dense(6, kernel_regularizer=regularizers.L1L2(0.01, 0.02)),
                ]
            ),
            L.LeakyReLU(negative_slope=0.1),
            L.PReLU(alpha_initializer="ones"),
            L.Activation("tanh"),
            L.Dense(2),
        ],
        seed=seed,
    )


KERAS_LOSSES = {
    "mse": lambda k: k.losses.MeanSquaredError(),
    "mae": lambda k: k.losses.MeanAbsoluteError(),
    "binary_crossentropy": lambda k: k.losses.BinaryCrossentropy(),
    "categorical_crossentropy": lambda k: k.losses.CategoricalCrossentropy(),
    "sparse_categorical_crossentropy": lambda k: k.losses.SparseCategoricalCrossentropy(),
}


@pytest.mark.parametrize(
    "make, loss, target",
    [
        (rich_model, "mse", "regression"),
        (
            lambda: Sequential(
                [L.Input((3,)), L.Dense(4, activation="tanh"), L.Dense(2, activation="sigmoid")],
                seed=1,
            ),
            "binary_crossentropy",
            "binary",
        ),
        (
            lambda: Sequential(
                [L.Input((3,)), L.Dense(4, activation="relu"), L.Dense(3, activation="softmax")],
                seed=2,
            ),
            "categorical_crossentropy",
            "onehot",
        ),
        (
            lambda: Sequential([L.Input((3,)), L.Dense(3), L.Activation("softmax")], seed=3),
            "sparse_categorical_crossentropy",
            "labels",
        ),
        (
            lambda: Sequential(
                [L.Input((3,)), L.Dense(4, activation="sigmoid"), L.Dense(2)], seed=4
            ),
            "mae",
            "regression",
        ),
    ],
)
def test_forward_loss_and_gradients_match_gradient_tape(keras64, make, loss, target):
    import tensorflow as tf

    keras = keras64
    rng = np.random.default_rng(5)
    x = 3.0 * rng.normal(size=(12, 3))  # large enough to saturate some sigmoids/softmaxes
    y = {
        "regression": regression_data(12)[1],
        "binary": rng.integers(0, 2, size=(12, 2)).astype(float),
        "onehot": np.eye(3)[rng.integers(0, 3, size=12)],
        "labels": rng.integers(0, 3, size=12),
    }[target]
    model = make()
    model.compile(optimizer="sgd", loss=loss)
    kmodel = to_keras(model)
    np.testing.assert_allclose(
        model.predict(x), kmodel.predict(x, verbose=0), rtol=1e-13, atol=1e-15
    )
    np.testing.assert_allclose(
        model(x, training=True), kmodel(x, training=True).numpy(), rtol=1e-13, atol=1e-15
    )
    ours, grads = model.compute_gradients(x, y)
    with tf.GradientTape() as tape:
        pred = kmodel(x, training=True)
        total = KERAS_LOSSES[loss](keras)(y, pred)
        if kmodel.losses:
            total = total + tf.add_n(kmodel.losses)
    kgrads = tape.gradient(total, kmodel.trainable_variables)
    assert ours == pytest.approx(float(total), rel=1e-13)
    assert len(grads) == len(kgrads)
    for g, kg in zip(grads, kgrads):
        np.testing.assert_allclose(g, kg.numpy(), rtol=1e-11, atol=1e-15)
    assert_weights_equal(
        model, kmodel, atol=1e-15
    )  # incl. the moving statistics both passes updated


# -- the worked example ----------------------------------------------------------------------------


def test_worked_example_step_matches_keras(keras64):
    keras = keras64
    model = Sequential(
        [L.Input((3,)), L.Dense(3, activation="sigmoid"), L.Dense(2, activation="sigmoid")]
    )
    model.set_weights(
        [
            np.array([[0.25, 0.15, 0.30], [0.25, 0.20, 0.35], [0.10, 0.25, 0.15]]),
            np.full(3, 0.4),
            np.array([[0.40, 0.25], [0.35, 0.30], [0.01, 0.35]]),
            np.full(2, 0.7),
        ]
    )
    kmodel = to_keras(model)
    model.compile(optimizer=optimizers.SGD(learning_rate=1.0), loss="mse")
    kmodel.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss="mse")
    x, y = np.array([[0.02, 0.04, 0.01]]), np.array([[0.9, 0.5]])
    history = model.fit(x, y, batch_size=1, epochs=1, shuffle=False, verbose=0)
    khistory = kmodel.fit(x, y, batch_size=1, epochs=1, shuffle=False, verbose=0)
    assert history.history["loss"][0] == khistory.history["loss"][0]
    assert_weights_equal(model, kmodel, rtol=0, atol=1e-16)


# -- every optimizer: one step, and 20 steps with and without shuffling ---------------------------

# TensorFlow evaluates a float32 power inside a tf.function (Keras's fit) one float32 ulp away
# from the same power computed eagerly (and by numpy) at some steps: ExponentialDecay(0.2, 3, 0.5)
# at step 7 gives 0.039685022 in fit, 0.039685030 eagerly. mlpabc follows the eager value, so
# after such a step the runs differ by ~1e-9 relative.
SCHEDULE_TOL = 1e-8

OPTIMIZERS = {
    "sgd": (lambda: optimizers.SGD(0.1), lambda k: k.optimizers.SGD(0.1)),
    "sgd_momentum": (
        lambda: optimizers.SGD(0.05, momentum=0.9),
        lambda k: k.optimizers.SGD(0.05, momentum=0.9),
    ),
    "sgd_nesterov": (
        lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True),
        lambda k: k.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    ),
    "adagrad": (lambda: optimizers.Adagrad(0.1), lambda k: k.optimizers.Adagrad(0.1)),
    "rmsprop": (lambda: optimizers.RMSprop(0.01), lambda k: k.optimizers.RMSprop(0.01)),
    "rmsprop_centered_momentum": (
        lambda: optimizers.RMSprop(0.01, momentum=0.3, centered=True),
        lambda k: k.optimizers.RMSprop(0.01, momentum=0.3, centered=True),
    ),
    "adam": (lambda: optimizers.Adam(0.02), lambda k: k.optimizers.Adam(0.02)),
    "nadam": (lambda: optimizers.Nadam(0.02), lambda k: k.optimizers.Nadam(0.02)),
    "sgd_exponential_decay": (
        lambda: optimizers.SGD(schedules.ExponentialDecay(0.2, 3, 0.5)),
        lambda k: k.optimizers.SGD(k.optimizers.schedules.ExponentialDecay(0.2, 3, 0.5)),
    ),
    "adam_piecewise": (
        lambda: optimizers.Adam(schedules.PiecewiseConstantDecay([4, 10], [0.05, 0.02, 0.01])),
        lambda k: k.optimizers.Adam(
            k.optimizers.schedules.PiecewiseConstantDecay([4, 10], [0.05, 0.02, 0.01])
        ),
    ),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_one_step_and_twenty_shuffled_steps_match_keras_in_the_same_batch_order(keras64, name):
    import keras

    from mlpabc.callbacks import LambdaCallback

    ours, theirs = OPTIMIZERS[name]
    x, y = regression_data(40)
    model = mlp(seed=2)
    kmodel = to_keras(model)
    model.compile(optimizer=ours(), loss="mse", metrics=["mae"])
    kmodel.compile(optimizer=theirs(keras64), loss="mse", metrics=["mae"])
    first = {}  # the pre-update loss and the weights after the very first step

    def keep(store, get_weights):
        def on_batch_end(batch, logs):
            if not store:
                store.update(loss=logs["loss"], weights=get_weights())

        return on_batch_end

    # 30 training samples in batches 8, 8, 8, 6: 4 steps x 5 epochs; the last 10 validate
    history = model.fit(
        x,
        y,
        batch_size=8,
        epochs=5,
        validation_split=0.25,
        verbose=0,
        callbacks=[LambdaCallback(on_train_batch_end=keep(first, model.get_weights))],
    )
    assert len(history.batch_order) == 5 and not np.array_equal(
        history.batch_order[0], np.arange(30)
    )
    kfirst = {}
    kcallback = keras.callbacks.LambdaCallback(on_train_batch_end=keep(kfirst, kmodel.get_weights))
    khistory = fit_keras_in_order(
        kmodel,
        x[:30],
        y[:30],
        history.batch_order,
        8,
        validation_data=(x[30:], y[30:]),
        callbacks=[kcallback],
    )
    assert first["loss"] == pytest.approx(kfirst["loss"], rel=1e-15)
    for a, b in zip(first["weights"], kfirst["weights"]):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)  # a few units in the last place
    rtol, atol = (SCHEDULE_TOL, SCHEDULE_TOL) if name == "sgd_exponential_decay" else (RTOL, ATOL)
    assert_history_equal(history, khistory, rtol=rtol)
    assert_weights_equal(model, kmodel, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", ["sgd_momentum", "adam"])
def test_twenty_unshuffled_steps_match_keras_fit(keras64, name):
    ours, theirs = OPTIMIZERS[name]
    x, y = regression_data(40)
    model = mlp(seed=3)
    kmodel = to_keras(model)
    model.compile(optimizer=ours(), loss="mse")
    kmodel.compile(optimizer=theirs(keras64), loss="mse")
    history = model.fit(
        x, y, batch_size=8, epochs=4, shuffle=False, verbose=0
    )  # 5 steps x 4 epochs
    khistory = kmodel.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0)
    assert_history_equal(history, khistory)
    assert_weights_equal(model, kmodel)


# -- batch normalisation, penalties, residual blocks, validation -----------------------------------


def test_batch_normalization_regularizers_and_validation_split_match_keras(keras64):
    keras = keras64
    x, y = regression_data(48)
    model = rich_model(seed=4)
    kmodel = to_keras(model)
    model.compile(optimizer=optimizers.Adam(0.01), loss="mse", metrics=["mse"])
    kmodel.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mse"])
    history = model.fit(
        x, y, batch_size=8, epochs=4, shuffle=False, validation_split=0.25, verbose=0
    )
    khistory = kmodel.fit(
        x, y, batch_size=8, epochs=4, shuffle=False, validation_split=0.25, verbose=0
    )
    assert_history_equal(history, khistory, rtol=1e-11)
    # the penalties are in loss and val_loss, not in the mse metric
    assert all(a > b for a, b in zip(history.history["loss"], history.history["mse"]))
    assert_weights_equal(model, kmodel, atol=1e-13)
    np.testing.assert_allclose(model.evaluate(x, y), kmodel.evaluate(x, y, verbose=0), rtol=1e-11)


# -- the cross-entropies: the logits form, metrics -------------------------------------------------


@pytest.mark.parametrize("kind", ["binary", "categorical", "sparse"])
def test_cross_entropy_fit_matches_keras_to_1e_12(keras64, kind):
    keras = keras64
    rng = np.random.default_rng(6)
    x = 4.0 * rng.normal(
        size=(36, 3)
    )  # large inputs: saturated outputs, where only the logits form agrees
    if kind == "binary":
        y = (x[:, :2] > 0).astype(float)
        y[::5] = 1 - y[::5]
        out, loss, metrics = (
            L.Dense(2, activation="sigmoid"),
            "binary_crossentropy",
            ["accuracy", "mse"],
        )
    else:
        labels = (x[:, 0] > 0).astype(int) + (x[:, 1] > 1).astype(int)
        labels[::7] = 0
        y = np.eye(3)[labels] if kind == "categorical" else labels
        loss = (
            "categorical_crossentropy"
            if kind == "categorical"
            else "sparse_categorical_crossentropy"
        )
        out, metrics = L.Dense(3, activation="softmax"), ["accuracy"]
    model = Sequential([L.Input((3,)), L.Dense(6, activation="tanh"), out], seed=7)
    kmodel = to_keras(model)
    model.compile(optimizer=optimizers.Adam(0.05), loss=loss, metrics=metrics)
    kmodel.compile(optimizer=keras.optimizers.Adam(0.05), loss=loss, metrics=metrics)
    history = model.fit(x, y, batch_size=8, epochs=4, validation_split=0.25, verbose=0)
    khistory = fit_keras_in_order(
        kmodel, x[:27], y[:27], history.batch_order, 8, validation_data=(x[27:], y[27:])
    )
    assert_history_equal(history, khistory, rtol=1e-12)
    assert_weights_equal(model, kmodel, atol=1e-13)
    ours, theirs = model.evaluate(x, y), kmodel.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


# -- early stopping in a real fit ------------------------------------------------------------------


def test_early_stopping_stops_at_the_keras_epoch_and_restores_the_same_weights(keras64):
    keras = keras64
    rng = np.random.default_rng(8)
    x = rng.normal(size=(40, 3))
    y = np.column_stack([x[:, 0] * x[:, 1], np.sin(x[:, 2])]) + 0.4 * rng.normal(size=(40, 2))
    model = Sequential([L.Input((3,)), L.Dense(16, activation="tanh"), L.Dense(2)], seed=9)
    kmodel = to_keras(model)
    model.compile(optimizer=optimizers.Adam(0.05), loss="mse")
    kmodel.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    history = model.fit(
        x, y, batch_size=10, epochs=60, validation_split=0.5, verbose=0, callbacks=[stopper]
    )
    assert stopper.stopped_epoch > 0, "the scenario must stop early"
    kstopper = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    khistory = fit_keras_in_order(
        kmodel,
        x[:20],
        y[:20],
        history.batch_order,
        10,
        validation_data=(x[20:], y[20:]),
        callbacks=[kstopper],
    )
    assert (stopper.stopped_epoch, stopper.best_epoch) == (
        kstopper.stopped_epoch,
        kstopper.best_epoch,
    )
    assert_history_equal(history, khistory)
    assert_weights_equal(model, kmodel)
