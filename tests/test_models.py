"""Sequential: building, bookkeeping of fit, the worked example, divergence, weights I/O, errors.

Keras parity lives in test_fit_parity.py; here the references are hand-checked
numbers (KERAS_PARITY section 10) and short numpy loops written out by hand.
"""

import re
import warnings

import numpy as np
import pytest

from mlpabc import layers as L
from mlpabc import losses, optimizers, regularizers
from mlpabc.callbacks import Callback, LambdaCallback
from mlpabc.gradcheck import check_model
from mlpabc.models import History, Sequential

# -- helpers ----------------------------------------------------------------------------------


def tanh_net(seed=0, **kwargs):
    return Sequential(
        [L.Input((2,)), L.Dense(3, activation="tanh"), L.Dense(1)], seed=seed, **kwargs
    )


def data(n=10, d=2, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = np.sin(x.sum(axis=1, keepdims=True))
    return x, y


def numpy_step(params, xb, yb, lr):
    """One SGD step of the 2-3-1 tanh net with MSE, written out; returns the pre-update loss."""
    W1, b1, W2, b2 = params
    h = np.tanh(xb @ W1 + b1)
    p = h @ W2 + b2
    loss = np.mean((p - yb) ** 2)
    dp = 2 * (p - yb) / p.size
    dh = dp @ W2.T * (1 - h**2)
    grads = [xb.T @ dh, dh.sum(0), h.T @ dp, dp.sum(0)]
    for w, g in zip(params, grads):
        w -= lr * g
    return loss


def numpy_fit(params, x, y, orders, batch_size, lr):
    params = [w.copy() for w in params]
    losses = []
    for order in orders:
        xs, ys = x[order], y[order]
        total = count = 0.0
        for s in range(0, len(xs), batch_size):
            xb, yb = xs[s : s + batch_size], ys[s : s + batch_size]
            total += numpy_step(params, xb, yb, lr) * len(xb)
            count += len(xb)
        losses.append(total / count)
    return params, losses


# -- the worked example of chapter 5 (KERAS_PARITY section 10) --------------------------------

X10 = np.array([[0.02, 0.04, 0.01]])
Y10 = np.array([[0.9, 0.5]])
W1 = np.array([[0.25, 0.15, 0.30], [0.25, 0.20, 0.35], [0.10, 0.25, 0.15]])
W2 = np.array([[0.40, 0.25], [0.35, 0.30], [0.01, 0.35]])


def worked_example_model():
    model = Sequential(
        [L.Input((3,)), L.Dense(3, activation="sigmoid"), L.Dense(2, activation="sigmoid")], seed=0
    )
    model.set_weights([W1, np.full(3, 0.4), W2, np.full(2, 0.7)])
    model.compile(optimizer=optimizers.SGD(learning_rate=1.0), loss="mse")
    return model


def test_worked_example_forward_and_gradients():
    model = worked_example_model()
    loss, (gW1, gb1, gW2, gb2) = model.compute_gradients(X10, Y10)
    hidden, out = model.layers
    np.testing.assert_allclose(hidden.logits, [[0.416, 0.4135, 0.4215]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(model.predict(X10), [[0.760919, 0.776008]], atol=5e-7)
    np.testing.assert_allclose(out.logits, [[1.157723, 1.242554]], atol=5e-7)
    assert loss == pytest.approx(0.04776208888, abs=1e-11)
    np.testing.assert_allclose(gb2, [-0.025302, 0.047976], atol=5e-7)
    np.testing.assert_allclose(
        gW2, [[-0.015245, 0.028907], [-0.015230, 0.028878], [-0.015278, 0.028970]], atol=5e-7
    )
    np.testing.assert_allclose(gb1, [4.485995e-4, 1.326733e-3, 3.956273e-3], rtol=1e-6)
    np.testing.assert_allclose(
        gW1,
        [
            [8.971991e-6, 2.653466e-5, 7.912547e-5],
            [1.794398e-5, 5.306932e-5, 1.582509e-4],
            [4.485995e-6, 1.326733e-5, 3.956273e-5],
        ],
        rtol=1e-6,
    )


def test_worked_example_one_fit_step():
    model = worked_example_model()
    history = model.fit(X10, Y10, batch_size=1, epochs=1, verbose=0)
    assert history.history["loss"][0] == pytest.approx(0.04776208888, abs=1e-11)
    W1n, b1n, W2n, b2n = model.get_weights()
    np.testing.assert_allclose(
        W1n,
        [
            [0.249991, 0.149973, 0.299921],
            [0.249982, 0.199947, 0.349842],
            [0.099996, 0.249987, 0.149960],
        ],
        atol=5e-7,
    )
    np.testing.assert_allclose(b1n, [0.399551, 0.398673, 0.396044], atol=5e-7)
    np.testing.assert_allclose(
        W2n, [[0.415245, 0.221093], [0.365230, 0.271122], [0.025278, 0.321030]], atol=5e-7
    )
    np.testing.assert_allclose(b2n, [0.725302, 0.652024], atol=5e-7)
    np.testing.assert_allclose(model.predict(X10), [[0.770373, 0.758023]], atol=5e-7)
    assert model.evaluate(X10, Y10) == pytest.approx(0.041690, abs=5e-7)


# -- building ----------------------------------------------------------------------------------


def test_input_builds_at_once_and_shapes_propagate():
    model = tanh_net()
    assert model.built and model.input_shape == (None, 2) and model.output_shape == (None, 1)
    assert [w.shape for w in model.get_weights()] == [(2, 3), (3,), (3, 1), (1,)]
    assert model.count_params() == 13


def test_build_on_first_data_gives_the_same_weights_as_input():
    x, y = data()
    lazy = Sequential([L.Dense(3, activation="tanh"), L.Dense(1)], seed=5)
    assert not lazy.built and lazy.get_weights() == []
    lazy.compile(optimizer="sgd", loss="mse")
    lazy.evaluate(x, y)
    eager = tanh_net(seed=5)
    built = Sequential([L.Dense(3, activation="tanh"), L.Dense(1)], seed=5)
    built.build((None, 2))
    added = Sequential(seed=5)
    added.add(L.Input((2,)))
    added.add(L.Dense(3, activation="tanh"))
    added.add(L.Dense(1))
    for other in (eager, built, added):
        for a, b in zip(lazy.get_weights(), other.get_weights()):
            np.testing.assert_array_equal(a, b)


def test_each_layer_gets_its_own_generator():
    model = Sequential([L.Input((4,)), L.Dense(4), L.Dense(4)], seed=0)
    k1, _, k2, _ = model.get_weights()
    assert not np.allclose(k1, k2)  # same shapes, different child generators


def test_trainable_weights_order_and_frozen_layers():
    model = Sequential([L.Input((2,)), L.Dense(3), L.BatchNormalization(), L.Dense(1)], seed=0)
    names = [w.shape for w in model.weights]
    assert names == [(2, 3), (3,), (3,), (3,), (3,), (3,), (3, 1), (1,)]
    assert len(model.trainable_weights) == 6 and len(model.non_trainable_weights) == 2
    model.layers[0].trainable = False
    before = model.layers[0].get_weights()
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    x, y = data()
    model.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(before, model.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)
    assert len(model.trainable_weights) == 4 and len(model.non_trainable_weights) == 4


def test_summary_text():
    model = Sequential(
        [
            L.Input((3,)),
            L.Dense(4, activation="relu", name="hidden"),
            L.BatchNormalization(name="bn"),
            L.Dense(1, name="out"),
        ],
        name="demo",
    )
    lines = []
    model.summary(print_fn=lines.append)
    assert lines == [
        'Model: "demo"',
        "_" * 67,
        " Layer (type)                    Output Shape               Param #",
        "=" * 67,
        " hidden (Dense)                  (None, 4)                       16",
        " bn (BatchNormalization)         (None, 4)                       16",
        " out (Dense)                     (None, 1)                        5",
        "=" * 67,
        " Total params: 37 (296.00 B)",
        " Trainable params: 29 (232.00 B)",
        " Non-trainable params: 8 (64.00 B)",
        "_" * 67,
    ]


def test_summary_of_an_unbuilt_model(capsys):
    Sequential([L.Dense(2, name="d")], name="lazy").summary()
    out = capsys.readouterr().out
    assert " d (Dense)" in out and "?" in out and "0 (unbuilt)" in out and "Total params: 0" in out


# -- fit bookkeeping against a written-out numpy loop ------------------------------------------


@pytest.mark.parametrize("shuffle", [False, True])
def test_history_loss_is_the_batch_weighted_pre_update_loss(shuffle):
    x, y = data(n=10)
    model = tanh_net(seed=1)
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
    start = model.get_weights()
    history = model.fit(x, y, batch_size=4, epochs=3, shuffle=shuffle, verbose=0)  # batches 4, 4, 2
    assert len(history.batch_order) == 3
    if not shuffle:
        for order in history.batch_order:
            np.testing.assert_array_equal(order, np.arange(10))
    else:
        assert all(sorted(o) == list(range(10)) for o in history.batch_order)
        assert not np.array_equal(history.batch_order[0], history.batch_order[1])
    params, losses = numpy_fit(start, x, y, history.batch_order, 4, 0.1)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-13)
    for a, b in zip(model.get_weights(), params):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 3}
    assert history.model is model and model.history is history


def test_validation_split_takes_the_last_fraction_before_shuffling():
    x, y = data(n=10)
    model = tanh_net(seed=2)
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
    start = model.get_weights()
    history = model.fit(x, y, batch_size=3, epochs=2, validation_split=0.3, verbose=0)
    assert all(len(o) == 7 and set(o) == set(range(7)) for o in history.batch_order)
    params, losses = numpy_fit(start, x[:7], y[:7], history.batch_order, 3, 0.1)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-13)
    W1_, b1_, W2_, b2_ = params
    val = np.mean((np.tanh(x[7:] @ W1_ + b1_) @ W2_ + b2_ - y[7:]) ** 2)
    assert history.history["val_loss"][-1] == pytest.approx(val, rel=1e-13)
    assert list(history.history) == ["loss", "val_loss"]


def test_validation_data_and_metrics_keys_are_sorted():
    x, y = data(n=12)
    model = tanh_net()
    model.compile(optimizer="sgd", loss="mse", metrics=["mse", "mae"])
    history = model.fit(x, y, batch_size=5, epochs=2, validation_data=(x[:4], y[:4]), verbose=0)
    assert list(history.history) == ["loss", "mae", "mse", "val_loss", "val_mae", "val_mse"]
    # mse metric on training outputs before each update == the loss (no penalties here)
    np.testing.assert_allclose(history.history["mse"], history.history["loss"], rtol=1e-14)
    loss, mse, mae = model.evaluate(x[:4], y[:4])
    assert history.history["val_loss"][-1] == pytest.approx(loss, rel=1e-14)
    assert history.history["val_mae"][-1] == pytest.approx(mae, rel=1e-14)


def test_regularization_penalty_is_in_loss_val_loss_and_evaluate():
    x, y = data(n=8)
    model = Sequential(
        [
            L.Input((2,)),
            L.Dense(
                3,
                activation="tanh",
                kernel_regularizer=regularizers.L2(0.1),
                bias_regularizer=regularizers.L1(0.05),
            ),
            L.Dense(1),
        ],
        seed=0,
    )
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse", metrics=["mse"])
    penalty = model.layers[0].regularization_loss()
    assert penalty > 0
    data_loss = np.mean((model.predict(x) - y) ** 2)
    assert model.evaluate(x, y)[0] == pytest.approx(data_loss + penalty, rel=1e-14)
    history = model.fit(x, y, batch_size=8, epochs=1, validation_data=(x, y), verbose=0)
    assert history.history["loss"][0] == pytest.approx(data_loss + penalty, rel=1e-14)
    assert history.history["mse"][0] == pytest.approx(data_loss, rel=1e-14)
    new_penalty = model.layers[0].regularization_loss()
    new_data = np.mean((model.predict(x) - y) ** 2)
    assert history.history["val_loss"][0] == pytest.approx(new_data + new_penalty, rel=1e-14)


def test_evaluate_is_batch_weighted_and_equals_the_whole_set_loss():
    x, y = data(n=37)
    model = tanh_net()
    model.compile(optimizer="sgd", loss="mse")
    whole = np.mean((model.predict(x) - y) ** 2)
    for bs in (1, 5, 32, 100):
        assert model.evaluate(x, y, batch_size=bs) == pytest.approx(whole, rel=1e-14)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    assert model.evaluate(x, y, return_dict=True).keys() == {"loss", "mae"}


def test_predict_in_batches_and_call():
    x, _ = data(n=37)
    model = Sequential(
        [L.Input((2,)), L.Dense(3, activation="relu"), L.Dropout(0.5), L.Dense(2)], seed=0
    )
    full = model.predict(x)
    np.testing.assert_allclose(model.predict(x, batch_size=4), full, rtol=1e-15)
    np.testing.assert_array_equal(model(x), full)  # inference: no dropout
    assert not np.allclose(model(x, training=True), full)


def test_train_on_batch_returns_the_pre_update_loss_and_steps():
    x, y = data(n=6)
    model = tanh_net()
    model.compile(optimizer=optimizers.SGD(learning_rate=0.5), loss="mse")
    loss, grads = model.compute_gradients(x, y)
    before = model.get_weights()
    assert model.train_on_batch(x, y) == pytest.approx(loss, rel=1e-15)
    for w0, g, w1 in zip(before, grads, model.get_weights()):
        np.testing.assert_allclose(w1, w0 - 0.5 * g, rtol=1e-15, atol=1e-16)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    out = model.train_on_batch(x, y)
    assert isinstance(out, list) and len(out) == 2
    assert set(model.train_on_batch(x, y, return_dict=True)) == {"loss", "mae"}


def test_initial_epoch_and_stop_training_inside_an_epoch():
    x, y = data(n=20)
    model = tanh_net()
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, epochs=5, initial_epoch=2, verbose=0)
    assert history.epoch == [2, 3, 4]

    class StopAtBatch(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    history = model.fit(x, y, batch_size=4, epochs=3, verbose=0, callbacks=[StopAtBatch()])
    assert history.epoch == [0]  # the epoch in progress is finished and recorded, as in Keras


def test_batch_logs_are_running_means():
    x, y = data(n=10)
    model = tanh_net()
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    seen = []
    cb = LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(logs["loss"]))
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0, callbacks=[cb])
    assert len(seen) == 3 and seen[-1] == history.history["loss"][0]


def test_verbose_2_prints_one_deterministic_line_per_epoch(capsys):
    x, y = data(n=10)
    model = tanh_net()
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, epochs=2, validation_split=0.2, verbose=2)
    out = capsys.readouterr().out.splitlines()
    h = history.history
    assert out == [
        f"Epoch {e + 1}/2 - loss: {h['loss'][e]:.4f} - val_loss: {h['val_loss'][e]:.4f}"
        for e in range(2)
    ]


def test_verbose_1_shows_a_text_progress_bar(capsys):
    x, y = data(n=10)
    model = tanh_net()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=2, batch_size=5, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "2/2" in out and "loss: " in out


# -- dtype, determinism, caller's arrays -------------------------------------------------------


def test_same_seed_gives_bit_identical_training_with_shuffle_and_dropout():
    x, y = data(n=30)

    def run(seed):
        model = Sequential(
            [L.Input((2,)), L.Dense(8, activation="relu"), L.Dropout(0.3), L.Dense(1)], seed=seed
        )
        model.compile(optimizer="adam", loss="mse")
        history = model.fit(x, y, batch_size=7, epochs=3, verbose=0)
        return model.get_weights(), history

    (wa, ha), (wb, hb), (wc, _) = run(3), run(3), run(4)
    for a, b in zip(wa, wb):
        np.testing.assert_array_equal(a, b)
    assert ha.history == hb.history
    assert not all(np.array_equal(a, c) for a, c in zip(wa, wc))


def test_float32_model_computes_in_float32():
    x, y = data(n=10)
    model = tanh_net(dtype="float32")
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=2, verbose=0)
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert model.predict(x).dtype == np.float32
    assert Sequential(dtype=np.float32).dtype == "float32"


def test_caller_arrays_are_never_modified():
    x, y = data(n=16)
    x32 = x.astype(np.float32)
    xv, yv = x[:4].copy(), y[:4].copy()
    copies = [a.copy() for a in (x, y, x32, xv, yv)]
    model = Sequential(
        [
            L.Input((2,)),
            L.Dense(4, activation="relu"),
            L.BatchNormalization(),
            L.Dropout(0.2),
            L.Dense(1),
        ],
        seed=0,
    )
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, batch_size=4, epochs=2, validation_data=(xv, yv), verbose=0)
    model.fit(x32, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    model.predict(x)
    model.evaluate(x, y)
    model.train_on_batch(x, y)
    model.compute_gradients(x, y)
    for a, b in zip((x, y, x32, xv, yv), copies):
        np.testing.assert_array_equal(a, b)
    identity = Sequential([L.Input((2,)), L.Activation("linear")])
    out = identity.predict(x)
    out[...] = 0
    np.testing.assert_array_equal(x, copies[0])


def test_set_weights_changes_nothing_on_error():
    model = tanh_net()
    before = model.get_weights()
    bad = [w + 1 for w in before[:-1]] + [np.zeros(2)]
    with pytest.raises(ValueError, match=r"item 3 \(dense_\d+/bias\) must have shape \(1,\)"):
        model.set_weights(bad)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


# -- divergence ----------------------------------------------------------------------------------


def test_divergence_stops_with_a_warning_and_keeps_the_last_finite_weights():
    x, y = data(n=40)
    model = tanh_net()
    model.compile(optimizer=optimizers.SGD(learning_rate=1e6), loss="mse")
    snapshots = []
    cb = LambdaCallback(on_train_batch_end=lambda b, logs: snapshots.append(model.get_weights()))
    with (
        pytest.warns(RuntimeWarning, match="diverging: the loss grew"),  # the growth warning
        pytest.warns(  # and the one for the non-finite loss that stops training
            RuntimeWarning, match=r"diverged.*epoch \d+/50, batch \d+/5.*smaller learning rate"
        ),
    ):
        history = model.fit(x, y, batch_size=8, epochs=50, verbose=0, callbacks=[cb])
    weights = model.get_weights()
    assert all(np.isfinite(w).all() for w in weights)
    for a, b in zip(weights, snapshots[-1]):  # the weights after the last step with a finite loss
        np.testing.assert_array_equal(a, b)
    assert len(history.epoch) < 50 and len(history.history["loss"]) == len(history.epoch)
    assert len(history.batch_order) == len(history.epoch)
    assert all(np.isfinite(history.history["loss"]))


class _MinusInfinityFromTheThirdStep(losses.MeanSquaredError):
    """A loss (a user's own, say) that becomes -inf: as non-finite as +inf or nan."""

    calls = 0

    def value(self, y_true, y_pred):
        type(self).calls += 1
        return -np.inf if type(self).calls >= 3 else super().value(y_true, y_pred)


def test_a_loss_of_minus_infinity_stops_training_like_any_non_finite_loss():
    x, y = data(n=10)
    _MinusInfinityFromTheThirdStep.calls = 0
    model = tanh_net()
    model.compile(optimizer="sgd", loss=_MinusInfinityFromTheThirdStep())
    snapshots = []
    cb = LambdaCallback(on_train_batch_end=lambda b, logs: snapshots.append(model.get_weights()))
    with pytest.warns(RuntimeWarning, match=r"loss became -inf at epoch 2/5, batch 1/2"):
        history = model.fit(x, y, batch_size=5, epochs=5, verbose=0, callbacks=[cb])
    assert history.epoch == [0] and np.isfinite(history.history["loss"]).all()
    assert len(snapshots) == 2  # the -inf step updated nothing: the weights after step 2 stay
    for a, b in zip(model.get_weights(), snapshots[-1]):
        np.testing.assert_array_equal(a, b)


def test_divergence_restores_batch_normalization_statistics():
    x, y = data(n=40)
    model = Sequential([L.Input((2,)), L.Dense(4), L.BatchNormalization(), L.Dense(1)], seed=0)
    model.compile(optimizer=optimizers.SGD(learning_rate=1e8), loss="mse")
    snapshots = []
    cb = LambdaCallback(on_train_batch_end=lambda b, logs: snapshots.append(model.get_weights()))
    with (
        pytest.warns(RuntimeWarning, match="diverging: the loss grew"),
        pytest.warns(RuntimeWarning, match="diverged"),
    ):
        model.fit(x, y, batch_size=8, epochs=50, verbose=0, callbacks=[cb])
    for a, b in zip(model.get_weights(), snapshots[-1] if snapshots else model.get_weights()):
        np.testing.assert_array_equal(a, b)


class _OverflowingDense(L.Dense):
    """A Dense whose gradient overflows (finite loss, infinite update) on its second backward."""

    calls = 0

    def backward_from_logits(self, dz, input_gradient=True):
        dx = super().backward_from_logits(dz, input_gradient)
        type(self).calls += 1
        if type(self).calls == 2:
            self.grads["kernel"] = np.full_like(self.grads["kernel"], np.inf)
        return dx


@pytest.mark.parametrize("batch_size", [5, 20])
def test_overflowing_update_is_undone(batch_size):
    x, y = data(n=20)
    _OverflowingDense.calls = 0
    model = Sequential(
        [L.Input((2,)), _OverflowingDense(3, activation="sigmoid"), L.Dense(1)], seed=0
    )
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
    starts = []
    cb = LambdaCallback(on_epoch_begin=lambda e, logs: starts.append(model.get_weights()))
    with pytest.warns(RuntimeWarning, match="diverged"):
        history = model.fit(
            x, y, batch_size=batch_size, epochs=4, shuffle=False, verbose=0, callbacks=[cb]
        )
    weights = model.get_weights()
    assert all(np.isfinite(w).all() for w in weights)
    # the overflow happens in epoch 0 (batch_size 5) or at the end of epoch 1 (one step per epoch)
    stopped = len(history.epoch)
    for a, b in zip(weights, starts[stopped]):
        np.testing.assert_array_equal(a, b)


def test_train_on_batch_does_not_apply_a_non_finite_update():
    x, y = data(n=4)
    model = tanh_net()
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    model.layers[1].params["bias"][...] = np.inf
    with pytest.warns(RuntimeWarning, match="not applied"):
        loss = model.train_on_batch(x, y)
    assert not np.isfinite(loss)
    for a, b in zip(before[:2], model.get_weights()[:2]):
        np.testing.assert_array_equal(a, b)


# -- the logits form of cross-entropy ------------------------------------------------------------


def test_sigmoid_with_binary_crossentropy_uses_the_logits_formula():
    model = Sequential([L.Input((1,)), L.Dense(2, activation="sigmoid", kernel_initializer="ones")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x = np.array([[20.0], [-30.0]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    z = x @ np.ones((1, 2))
    logits_value = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    assert model.evaluate(x, y) == pytest.approx(
        logits_value, rel=1e-14
    )  # 25, not the clipped 16.1
    loss, (gW, gb) = model.compute_gradients(x, y)
    p = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(gb, ((p - y) / y.size).sum(0), rtol=0, atol=1e-16)


def test_softmax_with_sparse_labels_and_accuracy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 4))
    labels = rng.integers(0, 3, size=30)
    model = Sequential([L.Input((4,)), L.Dense(3, activation="softmax")], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    loss, acc = model.evaluate(x, labels)
    z = x @ model.get_weights()[0] + model.get_weights()[1]
    lsm = z - z.max(1, keepdims=True)
    lsm -= np.log(np.exp(lsm).sum(1, keepdims=True))
    assert loss == pytest.approx(-np.mean(lsm[np.arange(30), labels]), rel=1e-14)
    assert acc == pytest.approx(np.mean(z.argmax(1) == labels))
    history = model.fit(x, labels, epochs=2, verbose=0)
    assert set(history.history) == {"accuracy", "loss"}


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 3))
    y = rng.integers(0, 2, size=(6, 2)).astype(float)
    model = Sequential(
        [
            L.Input((3,)),
            L.Dense(4, activation="tanh", kernel_regularizer=regularizers.L2(0.01)),
            L.BatchNormalization(),
            L.Residual([L.Dense(4, activation="elu"), L.Dense(4)]),
            L.Dropout(0.25),
            L.PReLU(alpha_initializer="ones"),
            L.Dense(2, activation="sigmoid", bias_regularizer=regularizers.L1(0.01)),
        ],
        seed=0,
    )
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    errors = check_model(model, x, y)
    assert len(errors) == len(model.trainable_weights)
    assert max(errors.values()) < 1e-6, errors


def test_training_is_stable_at_extreme_inputs():
    x = np.array([[1000.0, -1000.0], [-1000.0, 1000.0], [500.0, 0.0]])
    y = np.array([[1.0], [0.0], [1.0]])
    model = Sequential(
        [L.Input((2,)), L.Dense(3, activation="sigmoid"), L.Dense(1, activation="sigmoid")], seed=0
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        history = model.fit(x, y, epochs=3, verbose=0)
        model.predict(x)
    assert np.isfinite(history.history["loss"]).all()


# -- saving and loading weights -------------------------------------------------------------------


def test_save_and_load_weights_round_trip_exactly(tmp_path):
    x, y = data(n=16)
    model = Sequential([L.Input((2,)), L.Dense(3), L.BatchNormalization(), L.Dense(1)], seed=0)
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "model.weights"
    model.save_weights(path)
    assert path.exists() and not (tmp_path / "model.weights.npz").exists()
    other = Sequential([L.Input((2,)), L.Dense(3), L.BatchNormalization(), L.Dense(1)], seed=9)
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_load_weights_refuses_another_architecture_and_changes_nothing(tmp_path):
    path = tmp_path / "w.npz"
    tanh_net().save_weights(path)
    for other in (
        Sequential([L.Input((2,)), L.Dense(4, activation="tanh"), L.Dense(1)]),
        Sequential([L.Input((2,)), L.Dense(3), L.BatchNormalization(), L.Dense(1)]),
        Sequential([L.Input((3,)), L.Dense(3), L.Dense(1)]),
    ):
        before = other.get_weights()
        with pytest.raises(ValueError, match="different architecture.*unchanged"):
            other.load_weights(path)
        for a, b in zip(before, other.get_weights()):
            np.testing.assert_array_equal(a, b)
    same_shape_other_type = Sequential([L.Input((2,)), L.Dense(3), L.Dense(1)])
    same_shape_other_type.load_weights(path)  # activations are not weights: allowed
    np.save(tmp_path / "plain.npy", np.zeros(3))
    with pytest.raises(ValueError, match="cannot read|not a file written"):
        tanh_net().load_weights(tmp_path / "plain.npy")
    with pytest.raises(ValueError, match="needs a built model"):
        Sequential([L.Dense(1)]).load_weights(path)


# -- bad input -----------------------------------------------------------------------------------


def _compiled():
    model = tanh_net()
    model.compile(optimizer="sgd", loss="mse")
    return model


X, Y = data(n=10)
X_NAN = X.copy()
X_NAN[3, 1] = np.nan
Y_INF = Y.copy()
Y_INF[0, 0] = np.inf

BAD = [
    # (call, exception, message pattern)
    (
        lambda m: m.fit(X, Y[:7], verbose=0),
        ValueError,
        r"'x' and 'y'.*same number of samples.*10 rows.*7",
    ),
    (
        lambda m: m.fit(np.ones((10, 3)), Y, verbose=0),
        ValueError,
        r"'x'.*Sequential.fit.*shape \(n_samples, 2\).*\(10, 3\)",
    ),
    (lambda m: m.fit(X_NAN, Y, verbose=0), ValueError, r"'x'.*finite.*NaN"),
    (lambda m: m.fit(X, Y_INF, verbose=0), ValueError, r"'y'.*finite.*infinity"),
    (lambda m: m.fit(np.ones((0, 2)), np.ones((0, 1)), verbose=0), ValueError, r"'x'.*non-empty"),
    (
        lambda m: m.fit(X, Y, batch_size=0, verbose=0),
        ValueError,
        r"'batch_size'.*integer >= 1.*Got 0",
    ),
    (lambda m: m.fit(X, Y, batch_size=2.5, verbose=0), TypeError, r"'batch_size'.*integer.*2.5"),
    (lambda m: m.fit(X, Y, epochs=0, verbose=0), ValueError, r"'epochs'.*integer >= 1"),
    (lambda m: m.fit(X, Y, epochs="3", verbose=0), TypeError, r"'epochs'.*integer"),
    (
        lambda m: m.fit(X, Y, validation_split=1.0, verbose=0),
        ValueError,
        r"'validation_split'.*\[0, 1\)",
    ),
    (lambda m: m.fit(X, Y, validation_split=-0.1, verbose=0), ValueError, r"'validation_split'"),
    (
        lambda m: m.fit(X[:1], Y[:1], validation_split=0.5, verbose=0),
        ValueError,
        r"'validation_split'.*no training samples",
    ),
    (
        lambda m: m.fit(X, Y, validation_data=X, verbose=0),
        TypeError,
        r"'validation_data'.*pair \(x_val, y_val\)",
    ),
    (
        lambda m: m.fit(X, Y, validation_data=(X, Y, Y), verbose=0),
        ValueError,
        r"'validation_data'.*pair.*3 items",
    ),
    (
        lambda m: m.fit(X, Y, validation_data=(X, Y[:3]), verbose=0),
        ValueError,
        r"validation_data\[0\].*validation_data\[1\].*same number",
    ),
    (
        lambda m: m.fit(X, Y, epoch=3),
        TypeError,
        r"Unrecognized keyword.*'epoch' \(did you mean 'epochs'\?\)",
    ),
    (lambda m: m.fit(X, Y, verbose=3), ValueError, r"'verbose'.*'auto', 0, 1 or 2"),
    (lambda m: m.fit(X, Y, shuffle="batch", verbose=0), TypeError, r"'shuffle'.*True or False"),
    (
        lambda m: m.fit(X, Y, callbacks=LambdaCallback(), verbose=0),
        TypeError,
        r"'callbacks'.*list.*callbacks=\[LambdaCallback",
    ),
    (lambda m: m.fit(X, Y, initial_epoch=-1, verbose=0), ValueError, r"'initial_epoch'"),
    (
        lambda m: m.fit(X, np.ones((10, 2)), verbose=0),
        ValueError,
        r"'y'.*output of shape \(None, 1\)",
    ),
    (lambda m: m.fit(X, np.array(["a"] * 10), verbose=0), TypeError, r"'y'.*array of numbers"),
    (lambda m: m.predict(X[:, 0]), ValueError, r"'x'.*2-D.*reshape\(-1, 1\)"),
    (lambda m: m.predict(X, batch_size=-1), ValueError, r"'batch_size'.*Sequential.predict"),
    (lambda m: m.evaluate(X, Y, batch_size=0), ValueError, r"'batch_size'.*Sequential.evaluate"),
    (
        lambda m: m.evaluate(X, Y, sample_weight=None),
        TypeError,
        r"Unrecognized keyword.*'sample_weight'",
    ),
    (lambda m: m.set_weights(m.get_weights()[:3]), ValueError, r"list of 4 arrays.*Got 3"),
    (lambda m: m.set_weights(np.ones(4)), TypeError, r"'weights'.*list of arrays"),
    (
        lambda m: m.compile(optimizer="sgdd", loss="mse"),
        ValueError,
        r"Unknown optimizer 'sgdd'.*Did you mean 'sgd'",
    ),
    (
        lambda m: m.compile(optimizer="sgd", loss="mean_sqared_error"),
        ValueError,
        r"Unknown loss.*mean_squared_error",
    ),
    (
        lambda m: m.compile(optimizer="sgd", loss="mse", metrics=["acuracy"]),
        ValueError,
        r"Unknown metric.*accuracy",
    ),
    (
        lambda m: m.compile(optimizer="sgd", loss="mse", metrics="mae"),
        TypeError,
        r"'metrics'.*list.*metrics=\['mae'\]",
    ),
    (lambda m: m.compile(optimizer="sgd"), TypeError, r"'loss'.*required"),
    (
        lambda m: m.compile(optimizer="sgd", loss="mse", run_eagerly=True),
        TypeError,
        r"Unrecognized keyword.*'run_eagerly'",
    ),
    (
        lambda m: m.compile(optimizer="sgd", loss="mse", metrics=["mae", "mae"]),
        ValueError,
        r"'mae' twice",
    ),
    (lambda m: m.add(L.Input((2,))), ValueError, r"Input can only be the first"),
    (lambda m: m.add(L.Dense), TypeError, r"class Dense: create an instance"),
    (lambda m: m.add(m.layers[0]), ValueError, r"already in model"),
    (lambda m: m.build((2,)), ValueError, r"'input_shape'.*batch axis first.*\(None, 3\)"),
    (lambda m: m(X, training="yes"), TypeError, r"'training'.*True or False"),
]


@pytest.mark.parametrize("call, exc, pattern", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_input_is_refused_with_a_clear_message(call, exc, pattern):
    model = _compiled()
    with pytest.raises(exc, match=pattern):
        call(model)


@pytest.mark.parametrize(
    "make, exc, pattern",
    [
        (
            lambda: Sequential(dtype="float16"),
            ValueError,
            r"'dtype'.*'float64'.*'float32'.*float16",
        ),
        (lambda: Sequential(L.Dense(2)), TypeError, r"'layers'.*list of layers"),
        (lambda: Sequential(seed=-1), ValueError, r"'seed'.*non-negative"),
        (lambda: Sequential(seed="0"), TypeError, r"'seed'"),
        (lambda: Sequential(name=3), TypeError, r"'name'.*string"),
        (lambda: Sequential([L.Dense(2)]).count_params(), ValueError, r"not built"),
        (lambda: Sequential([L.Dense(2)]).build(), ValueError, r"needs the input shape"),
        (lambda: Sequential().build((None, 2)), ValueError, r"no layers"),
    ],
)
def test_bad_construction(make, exc, pattern):
    with pytest.raises(exc, match=pattern):
        make()


@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch", "compute_gradients"])
def test_training_before_compile_says_what_to_do(method):
    model = tanh_net()
    with pytest.raises(
        ValueError,
        match=re.escape(f"Call model.compile(optimizer=..., loss=...) before {method}()."),
    ):
        getattr(model, method)(X, Y)


def test_one_hot_mistake_names_the_loss():
    model = Sequential([L.Input((2,)), L.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(
        ValueError, match=r"'y'.*output of shape \(None, 3\).*categorical_crossentropy"
    ):
        model.fit(X, np.arange(10) % 3, verbose=0)


def test_history_is_reexported():
    from mlpabc import callbacks

    assert History is callbacks.History


def test_no_warnings_in_a_plain_fit():
    x, y = data(n=20)
    model = tanh_net()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(x, y, epochs=2, validation_split=0.25, verbose=0)


def test_one_dimensional_targets_for_one_output_are_accepted():
    x, y = data(n=12)
    a, b = tanh_net(seed=3), tanh_net(seed=3)
    for model in (a, b):
        model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    ha = a.fit(x, y, batch_size=5, epochs=2, verbose=0)
    hb = b.fit(x, y[:, 0], batch_size=5, epochs=2, verbose=0)
    assert ha.history == hb.history


def test_evaluate_verbose_prints_the_results(capsys):
    x, y = data(n=4)
    model = tanh_net()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    loss, mae = model.evaluate(x, y, verbose=1)
    assert capsys.readouterr().out == f"loss: {loss:.4f} - mae: {mae:.4f}\n"
