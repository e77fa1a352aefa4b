"""Callbacks: EarlyStopping's rule (KERAS_PARITY section 8, item 7), LambdaCallback, progress.

EarlyStopping is driven by scripted monitored values through a stub model, so
each case checks the rule itself; test_fit_parity.py checks it against Keras
in a real fit.
"""

import numpy as np
import pytest

from mlpabc import layers as L
from mlpabc import optimizers
from mlpabc.callbacks import (
    Callback,
    CallbackList,
    EarlyStopping,
    History,
    LambdaCallback,
    ProgbarLogger,
)
from mlpabc.models import Sequential


class StubModel:
    """Stands in for a model: its 'weights' are the epoch at which they were read."""

    def __init__(self):
        self.stop_training = False
        self.epoch = 0
        self.restored = None
        self.compiled_metrics = []

    def get_weights(self):
        return [np.array(self.epoch)]

    def set_weights(self, weights):
        self.restored = int(weights[0])


def run(stopper, values, key="val_loss"):
    """Feed ``values`` as the monitored quantity, epoch by epoch, until the callback stops."""
    model = StubModel()
    stopper.set_model(model)
    stopper.on_train_begin()
    ran = 0
    for epoch, v in enumerate(values):
        model.epoch = epoch
        stopper.on_epoch_end(epoch, {key: v})
        ran += 1
        if model.stop_training:
            break
    stopper.on_train_end()
    return ran, model


@pytest.mark.parametrize("patience", [0, 1])
def test_patience_zero_and_one_are_the_same(patience):
    ran, model = run(EarlyStopping(patience=patience), [1.0, 0.9, 0.95, 0.8, 0.7])
    assert ran == 3 and model.stop_training
    stopper = EarlyStopping(patience=patience)
    run(stopper, [1.0, 0.9, 0.95, 0.8])
    assert (stopper.stopped_epoch, stopper.best_epoch, stopper.best) == (2, 1, 0.9)


def test_patience_counts_epochs_without_improvement():
    assert run(EarlyStopping(patience=2), [1.0, 0.9, 0.95, 0.96, 0.5])[0] == 4
    assert run(EarlyStopping(patience=2), [1.0, 0.9, 0.95, 0.85, 0.86, 0.87])[0] == 6


def test_ties_are_not_improvements():
    assert run(EarlyStopping(patience=1), [1.0, 1.0, 1.0, 1.0])[0] == 2


def test_min_delta_is_strict_and_its_sign_is_ignored():
    for delta in (0.005, -0.005):
        stopper = EarlyStopping(min_delta=delta, patience=1)
        assert run(stopper, [1.0, 0.995, 0.9])[0] == 2  # 0.995 + 0.005 < 1.0 is False
        assert run(EarlyStopping(min_delta=delta, patience=1), [1.0, 0.99, 0.98])[0] == 3


def test_the_comparison_is_in_float32_as_in_keras():
    # 1 - 1e-12 and 1 are the same float32: not an improvement in Keras either
    assert run(EarlyStopping(patience=1), [1.0, 1.0 - 1e-12, 0.5])[0] == 2
    assert run(EarlyStopping(patience=1), [1.0, 1.0 - 1e-6, 0.5])[0] == 3


def test_restore_best_weights_even_without_an_early_stop():
    stopper = EarlyStopping(patience=10, restore_best_weights=True)
    ran, model = run(stopper, [1.0, 0.5, 0.6, 0.7])
    assert ran == 4 and not model.stop_training and model.restored == 1
    ran, model = run(EarlyStopping(patience=10), [1.0, 0.5, 0.6, 0.7])
    assert model.restored is None


def test_restore_after_an_early_stop():
    ran, model = run(EarlyStopping(patience=1, restore_best_weights=True), [1.0, 0.4, 0.6, 0.3])
    assert ran == 3 and model.restored == 1


def test_baseline_only_gates_the_reset_of_wait():
    # improvements that do not beat the baseline do not reset `wait`, but never stop training
    assert run(EarlyStopping(patience=2, baseline=0.5), [1.0, 0.9, 0.8, 0.7])[0] == 4
    assert run(EarlyStopping(patience=2, baseline=0.5), [1.0, 0.9, 0.95])[0] == 3
    assert run(EarlyStopping(patience=2), [1.0, 0.9, 0.95, 0.96])[0] == 4
    stopper = EarlyStopping(patience=2, baseline=0.5)
    run(stopper, [1.0])
    assert stopper.best == 1.0  # the baseline is not the initial best


def test_start_from_epoch_skips_the_warm_up():
    stopper = EarlyStopping(patience=0, start_from_epoch=2)
    assert run(stopper, [1.0, 2.0, 3.0, 2.5, 2.6])[0] == 5
    assert stopper.best == 2.5 and stopper.best_epoch == 3


def test_directions():
    assert (
        run(EarlyStopping(monitor="val_accuracy", patience=1), [0.5, 0.6, 0.55], "val_accuracy")[0]
        == 3
    )
    assert run(EarlyStopping(monitor="accuracy", patience=1), [0.5, 0.4], "accuracy")[0] == 2
    assert (
        run(EarlyStopping(monitor="score", mode="max", patience=1), [1, 2, 3, 2], "score")[0] == 4
    )
    assert run(EarlyStopping(monitor="val_mae", patience=1), [1.0, 0.5, 0.6], "val_mae")[0] == 3
    with pytest.raises(ValueError, match="cannot tell whether 'score'.*mode='min' or mode='max'"):
        run(EarlyStopping(monitor="score"), [1.0], "score")


def test_missing_monitor_warns_once_with_the_available_keys():
    stopper = EarlyStopping(monitor="val_loss")
    with pytest.warns(
        UserWarning, match=r"'val_loss'.*not in the logs.*'loss'.*validation_data"
    ) as record:
        ran, model = run(stopper, [1.0, 2.0, 3.0], key="loss")
    assert ran == 3 and not model.stop_training and len(record) == 1
    with pytest.warns(UserWarning, match="Did you mean 'val_loss'"):
        run(EarlyStopping(monitor="val_los"), [1.0], key="val_loss")


def test_an_instance_can_be_reused():
    stopper = EarlyStopping(patience=0)
    run(stopper, [1.0, 2.0])
    assert stopper.stopped_epoch == 1
    run(stopper, [1.0, 0.5, 0.4])
    assert stopper.stopped_epoch == 0 and stopper.best == 0.4


def test_verbose_messages(capsys):
    run(EarlyStopping(patience=0, verbose=1, restore_best_weights=True), [1.0, 0.5, 0.7])
    assert capsys.readouterr().out.splitlines() == [
        "Epoch 3: early stopping",
        "Restoring model weights from the end of the best epoch: 2.",
    ]


@pytest.mark.parametrize(
    "kwargs, exc, pattern",
    [
        ({"patience": -1}, ValueError, r"'patience' argument of EarlyStopping.*>= 0"),
        ({"patience": 1.5}, TypeError, r"'patience'.*integer"),
        ({"mode": "up"}, ValueError, r"'mode'.*'auto', 'max', 'min'"),
        ({"monitor": 3}, TypeError, r"'monitor'.*name of a logged quantity"),
        ({"restore_best_weights": "yes"}, TypeError, r"'restore_best_weights'.*True or False"),
        ({"baseline": "low"}, TypeError, r"'baseline'.*number or None"),
        ({"min_delta": float("nan")}, ValueError, r"'min_delta'"),
        ({"start_from_epoch": -2}, ValueError, r"'start_from_epoch'"),
    ],
)
def test_early_stopping_bad_arguments(kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        EarlyStopping(**kwargs)


# -- in a real fit --------------------------------------------------------------------------------


def _model(seed=0):
    model = Sequential([L.Input((2,)), L.Dense(4, activation="tanh"), L.Dense(1)], seed=seed)
    model.compile(optimizer=optimizers.SGD(learning_rate=0.3), loss="mse")
    return model


def _data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 2))
    return x, x[:, :1] * x[:, 1:] + 0.3 * rng.normal(size=(40, 1))


def test_early_stopping_in_fit_stops_and_restores():
    x, y = _data()
    model = _model()
    saved = {}
    keep = LambdaCallback(on_epoch_end=lambda e, logs: saved.__setitem__(e, model.get_weights()))
    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    history = model.fit(x, y, batch_size=4, epochs=200, validation_split=0.5, verbose=0,
                        callbacks=[keep, stopper])  # fmt: skip
    val = history.history["val_loss"]
    assert len(val) < 200 and stopper.stopped_epoch == len(val) - 1
    assert stopper.best_epoch == int(np.argmin(val)) and stopper.best == min(val)
    assert stopper.stopped_epoch - stopper.best_epoch == 2
    for a, b in zip(model.get_weights(), saved[stopper.best_epoch]):
        np.testing.assert_array_equal(a, b)


# -- LambdaCallback, History, the callback list ----------------------------------------------------


def test_lambda_callback_calls_each_hook_in_order():
    x, y = _data()
    events = []
    cb = LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_begin=lambda e, logs: events.append(f"epoch_begin {e}"),
        on_train_batch_begin=lambda b, logs: events.append(f"batch_begin {b}"),
        on_train_batch_end=lambda b, logs: events.append(f"batch_end {b} {sorted(logs)}"),
        on_epoch_end=lambda e, logs: events.append(f"epoch_end {e} {sorted(logs)}"),
        on_train_end=lambda logs: events.append("train_end"),
    )
    _model().fit(x, y, batch_size=20, epochs=2, validation_split=0.5, verbose=0, callbacks=[cb])
    assert events == [
        "train_begin",
        "epoch_begin 0", "batch_begin 0", "batch_end 0 ['loss']",
        "epoch_end 0 ['loss', 'val_loss']",
        "epoch_begin 1", "batch_begin 0", "batch_end 0 ['loss']",
        "epoch_end 1 ['loss', 'val_loss']",
        "train_end",
    ]  # fmt: skip


def test_lambda_callback_refuses_non_callables():
    with pytest.raises(
        TypeError, match="'on_epoch_end' argument of LambdaCallback must be a function"
    ):
        LambdaCallback(on_epoch_end=3)
    with pytest.raises(TypeError):
        LambdaCallback(on_epoch=print)


def test_history_records_what_callbacks_add_to_the_logs():
    x, y = _data()

    class AddLearningRate(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["lr"] = self.model.optimizer.current_learning_rate()
            assert self.params == {"verbose": 0, "epochs": 2, "steps": 2}

    history = _model().fit(x, y, batch_size=20, epochs=2, verbose=0, callbacks=[AddLearningRate()])
    assert history.history["lr"] == [0.3, 0.3]


def test_callback_list_calls_only_overridden_batch_hooks():
    class EpochOnly(Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

    cbs = CallbackList([EpochOnly(), History(), ProgbarLogger(verbose=2)], model=None, params={})
    assert not cbs.has("on_train_batch_end") and cbs.has("on_epoch_end")
    assert CallbackList([ProgbarLogger(verbose=1)], model=None, params={}).has("on_train_batch_end")


@pytest.mark.parametrize(
    "callbacks, pattern",
    [
        (EarlyStopping(), r"list of callbacks.*single EarlyStopping.*callbacks=\[EarlyStopping"),
        ([EarlyStopping], r"Item 0.*a class: add parentheses"),
        ([print], r"Item 0"),
        ("early", r"list of callbacks or None"),
    ],
)
def test_fit_refuses_bad_callbacks(callbacks, pattern):
    x, y = _data()
    with pytest.raises(TypeError, match=pattern):
        _model().fit(x, y, verbose=0, callbacks=callbacks)


# -- printed progress -----------------------------------------------------------------------------


def test_progbar_verbose_2_formats_like_keras(capsys):
    logger = ProgbarLogger(verbose=2)
    logger.set_params({"epochs": 12, "steps": 3, "verbose": 2})
    logger.on_epoch_end(0, {"accuracy": 0.5, "loss": 1.23456, "val_loss": 0.0001234})
    assert (
        capsys.readouterr().out
        == "Epoch 1/12 - accuracy: 0.5000 - loss: 1.2346 - val_loss: 1.2340e-04\n"
    )


def test_progbar_verbose_1_draws_a_bar(capsys):
    logger = ProgbarLogger(verbose=1)
    logger.set_params({"epochs": 2, "steps": 3, "verbose": 1})
    logger.on_epoch_begin(0)
    for b in range(3):
        logger.on_train_batch_end(b, {"loss": 0.5})
    logger.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.25})
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "3/3" in out and "val_loss: 0.2500" in out


def test_progbar_refuses_other_verbosity():
    with pytest.raises(
        ValueError, match=r"'verbose' argument of ProgbarLogger must be one of 1, 2"
    ):
        ProgbarLogger(verbose=0)
