"""The code a chapter prints is the code ``fit`` runs; the reliability fixes found while probing it.

1. ``fit`` calls the public math: ``Dense.forward``, ``Dense.backward`` (or
   ``backward_from_logits`` after a sigmoid/softmax with cross-entropy), the loss's
   ``value``/``gradient`` (or the logits forms) and ``Optimizer.update_step``. The test
   wraps those methods with counters while ``fit`` runs.
2. No private twin is left (``_forward``, ``_backward``, ``_value``, ``_apply_prepared``...).
3. Reliability: ``predict`` in another thread while ``fit`` runs; NaN/inf weights refused;
   files that are not weights files; ``x`` of text; ``initial_epoch >= epochs``; the
   divergence guard warns as soon as the loss grows by orders of magnitude.
"""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest

import mlpabc
from mlpabc import Sequential, activations, layers, losses, metrics, optimizers
from mlpabc.layers import Dense, Input


def _counted(monkeypatch, cls, name, counts):
    original = getattr(cls, name)

    def wrapper(self, *args, **kwargs):
        counts[f"{cls.__name__}.{name}"] = counts.get(f"{cls.__name__}.{name}", 0) + 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, wrapper)


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    return x, x @ np.array([[1.0], [-2.0], [0.5]])


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop", "adagrad", "nadam"])
def test_fit_runs_the_public_methods_mse(monkeypatch, optimizer):
    x, y = _data()
    model = Sequential([Input((3,)), Dense(4, activation="tanh"), Dense(1)], seed=0)
    model.compile(optimizer=optimizer, loss="mse")
    counts: dict = {}
    _counted(monkeypatch, Dense, "forward", counts)
    _counted(monkeypatch, Dense, "backward", counts)
    _counted(monkeypatch, losses.MeanSquaredError, "value", counts)
    _counted(monkeypatch, losses.MeanSquaredError, "gradient", counts)
    opt_cls = type(model.optimizer)
    _counted(monkeypatch, opt_cls, "update_step", counts)
    _counted(monkeypatch, activations.Tanh, "forward", counts)
    model.fit(x, y, batch_size=10, epochs=2, verbose=0, shuffle=False)
    steps = 2 * 4
    assert counts == {
        "Dense.forward": 2 * steps,
        "Dense.backward": 2 * steps,
        "MeanSquaredError.value": steps,
        "MeanSquaredError.gradient": steps,
        f"{opt_cls.__name__}.update_step": 4 * steps,  # kernel and bias of two layers
        "Tanh.forward": steps,
    }


def test_fit_runs_the_public_logits_form(monkeypatch):
    rng = np.random.default_rng(1)
    x, labels = rng.normal(size=(30, 3)), rng.integers(0, 3, 30)
    model = Sequential([Input((3,)), Dense(5, activation="relu"), Dense(3, activation="softmax")],
                       seed=0)  # fmt: skip
    model.compile(optimizer=optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])  # fmt: skip
    counts: dict = {}
    for name in ("forward", "backward", "backward_from_logits"):
        _counted(monkeypatch, Dense, name, counts)
    loss_cls = losses.SparseCategoricalCrossentropy
    for name in ("value", "gradient", "value_from_logits", "gradient_from_logits"):
        _counted(monkeypatch, loss_cls, name, counts)
    _counted(monkeypatch, optimizers.SGD, "update_step", counts)
    _counted(monkeypatch, metrics.MeanMetric, "update", counts)
    model.fit(x, labels, batch_size=10, epochs=1, verbose=0)
    assert counts == {
        "Dense.forward": 6,
        "Dense.backward": 3,  # the hidden layer
        "Dense.backward_from_logits": 6,  # the output layer, and the hidden one through backward
        "SparseCategoricalCrossentropy.value_from_logits": 3,
        "SparseCategoricalCrossentropy.gradient_from_logits": 3,
        "SGD.update_step": 12,
        "MeanMetric.update": 3,
    }


def test_regularizers_are_attached_where_the_weight_is_declared():
    layer = Dense(2, kernel_regularizer="l2", bias_regularizer=None)
    layer.build((3,), np.random.default_rng(0))
    assert list(layer.regularizers) == ["kernel"]
    assert layer.regularizers["kernel"] is layer.kernel_regularizer


def test_fit_adds_each_penalty_through_its_public_math(monkeypatch):
    # penalty and gradient, once per step each; reg(w), the checked entry point, is not used
    x, y = _data()
    hidden = Dense(4, activation="tanh", kernel_regularizer="l2")
    model = Sequential([Input((3,)), hidden, Dense(1, kernel_regularizer="l1")], seed=0)
    model.compile(optimizer="sgd", loss="mse")
    counts: dict = {}
    for cls in (mlpabc.regularizers.L1, mlpabc.regularizers.L2):
        for name in ("__call__", "penalty", "gradient"):
            _counted(monkeypatch, cls, name, counts)
    model.fit(x, y, batch_size=10, epochs=2, verbose=0, shuffle=False)
    steps = 2 * 4
    assert counts == {"L2.penalty": steps, "L2.gradient": steps,
                      "L1.penalty": steps, "L1.gradient": steps}  # fmt: skip


def test_the_first_layer_is_asked_for_no_input_gradient(monkeypatch):
    # dL/dx of the first layer would go nowhere (x is the data): the step asks every other
    # layer for it and the first one not, through the public option of backward
    x, y = _data()
    model = Sequential(
        [Input((3,)), Dense(4, activation="tanh"), Dense(4, activation="tanh"), Dense(1)], seed=0
    )
    model.compile(optimizer="sgd", loss="mse")
    calls = []
    original = Dense.backward_from_logits

    def wrapper(self, delta, input_gradient=True):
        dx = original(self, delta, input_gradient)
        calls.append((self.name, input_gradient, dx is None))
        return dx

    monkeypatch.setattr(Dense, "backward_from_logits", wrapper)
    model.fit(x, y, batch_size=40, epochs=1, verbose=0)
    names = [layer.name for layer in model.layers]
    assert calls == [(names[2], True, False), (names[1], True, False), (names[0], False, True)]
    # called alone, backward returns dL/dx by default
    layer = model.layers[0]
    layer(x)
    assert layer.backward(np.ones((40, 4))).shape == (40, 3)
    assert layer.backward(np.ones((40, 4)), input_gradient=False) is None


def test_no_private_twins_are_left():
    twins = {
        layers.Dense: ["_forward", "_logits", "_backward"],
        losses.Loss: ["_value", "_gradient", "_value_from_logits", "_gradient_from_logits",
                      "_value_and_gradient", "_value_and_gradient_from_logits"],
        activations.Activation: ["_forward"],
        optimizers.Optimizer: ["_apply_prepared", "_records", "_update_step"],
        metrics.Metric: ["_update"],
        Sequential: ["_make_step", "_loss_path", "_penalties", "_forward", "_fit_loop"],
    }  # fmt: skip
    for cls, names in twins.items():
        for name in names:
            assert not hasattr(cls, name), f"{cls.__name__}.{name}"
    import mlpabc.models as models_module

    for name in ("_defined_in", "_plain_dense", "_forward_functions", "_backward_functions"):
        assert not hasattr(models_module, name), name


def _printed_by_the_chapters():
    """``(chapter, dotted name, object)`` for every ``inspect.getsource(...)`` a chapter prints."""
    import importlib
    import json
    import re
    from pathlib import Path

    chapters = Path(__file__).resolve().parents[1] / "chapters"
    found = []
    for path in sorted(chapters.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] == "code":
                for dotted in re.findall(r"getsource\(([\w.]+)\)", "".join(cell["source"])):
                    parts = dotted.split(".")
                    parts = parts if parts[0] == "mlpabc" else ["mlpabc", *parts]
                    obj = importlib.import_module(parts[0])
                    for part in parts[1:]:
                        obj = getattr(obj, part)
                    found.append((path.stem, dotted, obj))
    return found


def test_the_math_a_chapter_prints_calls_no_private_function():
    # Printed code is the lesson: the math (forward, backward, gradient, penalty, ...) names only
    # what a learner can look up. A boundary (fit, __call__) is where checks belong.
    import inspect
    import re

    printed = _printed_by_the_chapters()
    assert len(printed) >= 13, printed  # the chapters print source in 13 places today
    boundaries = {"fit", "__call__"}
    for chapter, dotted, obj in printed:
        if dotted.split(".")[-1] in boundaries:
            continue
        source = inspect.getsource(obj)
        private = re.findall(r"(?<![\w.])_[A-Za-z]\w*\(|self\._[A-Za-z]\w*\(", source)
        assert not private, f"{chapter} prints {dotted}, which calls {private}"


def test_no_module_over_800_lines():
    from pathlib import Path

    root = Path(mlpabc.__file__).parent
    mine = ["models.py", "training.py", "saving.py", "activations.py", "metrics.py",
            "callbacks.py", "gradcheck.py", "keras_bridge.py", "regularizers.py",
            "_validation.py", "_registry.py", "__init__.py"]  # fmt: skip
    paths = [root / m for m in mine] + sorted((root / "layers").glob("*.py"))
    paths += sorted((root / "optimizers").glob("*.py")) + sorted((root / "losses").glob("*.py"))
    for path in paths:
        n = len(path.read_text().splitlines())
        assert n <= 800, f"{path.name}: {n} lines"


# -- reliability ----------------------------------------------------------------------------


def test_predict_in_another_thread_while_fit_runs():
    x, y = _data(500)

    def make():
        model = Sequential([Input((3,)), Dense(8, activation="tanh"), Dense(1)], seed=0)
        model.compile(optimizer=optimizers.SGD(0.01), loss="mse")
        return model

    alone = make()
    alone.fit(x, y, batch_size=4, epochs=2, verbose=0)
    model = make()
    errors, stop = [], threading.Event()

    def keep_predicting():
        try:
            while not stop.is_set():
                out = model.predict(x[:4])
                assert out.shape == (4, 1)
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    thread = threading.Thread(target=keep_predicting)
    thread.start()
    try:
        model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    finally:
        stop.set()
        thread.join()
    assert errors == []
    for a, b in zip(model.get_weights(), alone.get_weights()):
        np.testing.assert_array_equal(a, b)  # predict changed nothing in the training


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_set_weights_refuses_non_finite_weights_and_changes_nothing(bad):
    model = Sequential([Input((3,)), Dense(2), Dense(1)], seed=0)
    before = model.get_weights()
    new = [w + 1.0 for w in before]
    new[2][0, 0] = bad
    with pytest.raises(ValueError, match=r"item 2 \(dense\w*/kernel\) must hold finite numbers"):
        model.set_weights(new)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="finite numbers"):
        model.layers[0].set_weights([np.full((3, 2), bad), np.zeros(2)])


def _saved(tmp_path, name="m.weights.npz"):
    model = Sequential([Input((3,)), Dense(2), Dense(1)], seed=0)
    path = tmp_path / name
    model.save_weights(path)
    return model, path


def test_load_weights_refuses_nan_weights(tmp_path):
    model, path = _saved(tmp_path)
    weights = model.get_weights()
    weights[0][0, 0] = np.nan
    arrays = {f"weight_{i:04d}": w for i, w in enumerate(weights)}
    with np.load(path) as data:
        arrays["__architecture__"], arrays["__format__"] = (
            data["__architecture__"],
            data["__format__"],
        )
    np.savez(tmp_path / "nan.npz", **arrays)
    other = Sequential([Input((3,)), Dense(2), Dense(1)], seed=1)
    before = other.get_weights()
    with pytest.raises(ValueError, match="finite numbers"):
        other.load_weights(tmp_path / "nan.npz")
    for a, b in zip(other.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_load_weights_of_random_bytes_says_it_is_not_a_weights_file(tmp_path):
    model, _ = _saved(tmp_path)
    path = tmp_path / "random.bin"
    path.write_bytes(np.random.default_rng(0).bytes(300))
    with pytest.raises(ValueError) as err:
        model.load_weights(path)
    assert "is not a weights file" in str(err.value)
    assert "pickle" not in str(err.value)


def test_load_weights_missing_array(tmp_path):
    model, path = _saved(tmp_path)
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files if k != "weight_0003"}
    np.savez(tmp_path / "missing.npz", **arrays)
    with pytest.raises(ValueError, match=r"lacks the array 'weight_0003'.*unchanged"):
        model.load_weights(tmp_path / "missing.npz")


def test_load_weights_of_none_names_the_argument(tmp_path):
    model, _ = _saved(tmp_path)
    with pytest.raises(TypeError, match=r"'filepath' argument of Sequential\.load_weights"):
        model.load_weights(None)
    with pytest.raises(TypeError, match=r"'filepath' argument of Sequential\.save_weights"):
        model.save_weights(None)


def test_load_weights_of_a_truncated_file_closes_it(tmp_path):
    model, path = _saved(tmp_path)
    data = path.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(data[: len(data) // 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)  # a leaked handle warns when collected
        with pytest.raises(ValueError, match="is not a weights file"):
            model.load_weights(cut)
        import gc

        gc.collect()


@pytest.mark.parametrize("x", [[["1.0", "2.0", "3.0"]] * 4, np.array([["1", "2", "3"]] * 4)])
def test_fit_refuses_x_of_text(x):
    model = Sequential([Input((3,)), Dense(1)], seed=0)
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(TypeError, match=r"'x' argument of Sequential\.fit must be an array of "
                       r"numbers"):  # fmt: skip
        model.fit(x, np.zeros((4, 1)), verbose=0)


@pytest.mark.parametrize("initial_epoch, epochs", [(5, 2), (2, 2)])
def test_fit_refuses_initial_epoch_at_or_after_epochs(initial_epoch, epochs):
    x, y = _data()
    model = Sequential([Input((3,)), Dense(1)], seed=0)
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=rf"initial_epoch={initial_epoch} and epochs={epochs}"):
        model.fit(x, y, epochs=epochs, initial_epoch=initial_epoch, verbose=0)


def test_divergence_guard_warns_as_soon_as_the_loss_grows_by_orders_of_magnitude():
    x, y = _data(64)
    model = Sequential([Input((3,)), Dense(4, activation="tanh"), Dense(1)], seed=0)
    model.compile(optimizer=optimizers.SGD(learning_rate=1e10), loss="mse")
    with pytest.warns(RuntimeWarning) as record:
        history = model.fit(x, y, batch_size=8, epochs=3, verbose=0)
    messages = [str(r.message) for r in record]
    assert "grew from" in messages[0] and "epoch 1/3, batch 2/8" in messages[0], messages
    assert len(history.history["loss"]) == len(history.epoch)  # the history is kept
