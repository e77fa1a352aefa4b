"""Tests of mlpabc.metrics: goldens, batches, checks, get(), Keras parity (functions and fit)."""

import numpy as np
import pytest

from mlpabc import losses as L
from mlpabc import metrics as M


def one_hot(labels, k):
    return np.eye(k)[labels]


# -- goldens --------------------------------------------------------------------------------


def test_regression_goldens():
    y, p = [[1, 9, 2], [-5, -2, 6]], [[4, 8, 12], [8, 1, 3]]
    assert M.mse(y, p) == 49.5  # (110 + 187) / 6
    assert M.mae(y, p) == 5.5  # (14 + 19) / 6
    assert M.mape([[2.0, 4.0]], [[1.0, 5.0]]) == 37.5  # 100 (1/2 + 1/4) / 2
    # R^2: targets 1, 2, 3 have total sum of squares 2; residuals 0, 0, 1
    assert M.r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 2.0]) == 0.5
    assert M.r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == 1.0
    assert M.r2_score([1.0, 2.0, 3.0], [2.0, 2.0, 2.0]) == 0.0  # always predicting the mean


def test_accuracy_goldens():
    # Keras's docstring example: 0.98 > 0.5 right, 1 right, 0 right, 0.6 wrong
    assert M.binary_accuracy([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]) == 0.75
    assert M.binary_accuracy([1, 0], [0.5, 0.5]) == 0.5  # 0.5 is not > 0.5: predicted 0
    assert M.binary_accuracy([1, 0], [0.5, 0.5], threshold=0.4) == 0.5
    assert M.binary_accuracy([[1, 0], [1, 1]], [[0.9, 0.1], [0.1, 0.9]]) == 0.75
    y = [[0, 0, 1], [0, 1, 0]]
    p = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    assert M.categorical_accuracy(y, p) == 0.5
    assert M.sparse_categorical_accuracy([2, 1], p) == 0.5
    assert M.sparse_categorical_accuracy([[2], [1]], p) == 0.5
    assert M.sparse_categorical_accuracy([1.0, 1.0], p) == 1.0


@pytest.mark.parametrize(
    "y, p, kind",
    [
        ([1, 0], [[0.9], [0.2]], "binary_accuracy"),  # one output column
        ([[1], [0]], [[0.9], [0.2]], "binary_accuracy"),
        ([1, 0], [0.9, 0.2], "binary_accuracy"),
        ([2, 0], [[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]], "sparse_categorical_accuracy"),  # fewer axes
        (
            [[2], [0]],
            [[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]],
            "sparse_categorical_accuracy",
        ),  # one column
        ([[0, 0, 1], [1, 0, 0]], [[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]], "categorical_accuracy"),
        # multi-label 0/1 targets: Keras 3 picks categorical accuracy (the loss plays no part)
        ([[1, 0, 1], [0, 1, 1]], [[0.9, 0.2, 0.7], [0.5, 0.6, 0.1]], "categorical_accuracy"),
    ],
)
def test_accuracy_resolution(y, p, kind):
    assert M._resolve_accuracy(np.shape(y), np.shape(p)) == kind
    assert M.accuracy(y, p) == M._FUNCTIONS_BY_NAME[kind](y, p)
    m = M.get("accuracy", loss="binary_crossentropy")
    m.update(y, p)
    assert m.kind == kind and m.name == "accuracy"
    assert m.result() == M.accuracy(y, p)


# -- accumulation over batches ----------------------------------------------------------------


def test_mean_metric_weighs_samples_not_batches():
    m = M.MeanMetric(L.mean_squared_error, name="mse")
    assert m.result() == 0.0  # before any update, as Keras's divide_no_nan
    m.update([[0.0], [0.0]], [[0.0], [2.0]])  # per-sample 0, 4
    m.update([[0.0]], [[1.0]])  # per-sample 1
    assert m.result() == pytest.approx(5 / 3, rel=1e-15)  # not (2 + 1) / 2
    assert (m.total, m.count) == (5.0, 3)
    m.reset()
    assert m.result() == 0.0 and m.count == 0


@pytest.mark.parametrize(
    "name, y, p",
    [
        ("mse", "regression", None),
        ("mae", "regression", None),
        ("mape", "regression", None),
        ("binary_accuracy", "binary", None),
        ("categorical_accuracy", "onehot", None),
        ("sparse_categorical_accuracy", "sparse", None),
        ("accuracy", "binary", None),
        ("accuracy", "sparse", None),
        ("r2_score", "regression", None),
    ],
)
def test_batches_add_up_to_the_whole(name, y, p, rng):
    n, k = 11, 3
    labels = rng.integers(0, k, n)
    data = {
        "regression": (rng.normal(size=(n, 2)), rng.normal(size=(n, 2))),
        "binary": ((rng.uniform(size=n) < 0.5).astype(float), rng.uniform(size=(n, 1))),
        "onehot": (one_hot(labels, k), rng.uniform(size=(n, k))),
        "sparse": (labels, rng.uniform(size=(n, k))),
    }
    y, p = data[y]
    m = M.get(name)
    for s in range(0, n, 4):  # batches of 4, 4, 3
        m.update(y[s : s + 4], p[s : s + 4])
    whole = M.get(name)
    whole.update(y, p)
    assert m.result() == pytest.approx(whole.result(), rel=1e-13)
    function = getattr(M, name)
    assert whole.result() == pytest.approx(function(y, p), rel=1e-15)


def test_auto_accuracy_keeps_its_choice_after_reset():
    m = M.AutoAccuracy()
    assert m.kind is None and m.result() == 0.0
    m.update([1, 0], [[0.9], [0.8]])
    m.reset()
    assert m.kind == "binary_accuracy" and m.result() == 0.0
    m.update([1], [[0.9]])
    assert m.result() == 1.0


def test_r2_score_columns_and_constant_targets():
    y = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    p = np.array([[1.0, 4.0], [2.0, 5.0], [2.0, 6.0]])
    # column 0: R^2 = 0.5; column 1: constant targets, zero variance -> 0 (Keras's inf -> 0)
    assert M.r2_score(y, p) == 0.25
    assert M.r2_score(y[:, :1], p[:, 0]) == 0.5  # (n, 1) against (n,)


def test_r2_score_shape_checks():
    m = M.R2Score()
    m.update(np.zeros((3, 2)) + [[0, 1], [1, 2], [2, 0]], np.zeros((3, 2)))
    with pytest.raises(
        ValueError, match=r"keep its number of output columns \(2\) between updates\. Got 1"
    ):
        m.update(np.ones((3, 1)), np.ones((3, 1)))
    with pytest.raises(ValueError, match=r"must be 1-D or 2-D arrays"):
        m.update(np.ones((2, 2, 2)), np.ones((2, 2, 2)))


# -- checks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, exc, message",
    [
        (
            lambda: M.mse([[1.0, 2.0]], [[1.0, 2.0, 3.0]]),
            ValueError,
            r"'y_true' and 'y_pred' arguments of mse must have the same shape "
            r".*Got y_true of shape \(1, 2\) and y_pred of shape \(1, 3\)",
        ),
        (
            lambda: M.mae([np.nan], [1.0]),
            ValueError,
            r"'y_true' argument of mae must be an array of finite numbers",
        ),
        (
            lambda: M.binary_accuracy([1.0], [0.5], threshold="high"),
            TypeError,
            r"'threshold' argument of binary_accuracy must be a number",
        ),
        (
            lambda: M.categorical_accuracy([0, 2], [[0.1, 0.9, 0], [0.5, 0.5, 0]]),
            ValueError,
            r"categorical_accuracy must have the same shape \(one-hot targets\)"
            r".*use 'sparse_categorical_accuracy'",
        ),
        (
            lambda: M.sparse_categorical_accuracy([0, 3], [[0.1, 0.9, 0], [0.5, 0.5, 0]]),
            ValueError,
            r"'y_true' argument of sparse_categorical_accuracy must hold integer class labels "
            r"in \[0, 3\)\. Got 3 \(at index 1\)",
        ),
        (
            lambda: M.get("accuracy").update([0, 3], [[0.1, 0.9, 0], [0.5, 0.5, 0]]),
            ValueError,
            r"'y_true' argument of metric 'accuracy' must hold integer class labels in \[0, 3\)",
        ),
        (
            lambda: M.get("mse").update("abc", [1.0]),
            TypeError,
            r"'y_true' argument of metric 'mse' must be an array of numbers",
        ),
        (lambda: M.MeanMetric(3), TypeError, r"'fn' argument of MeanMetric must be a function"),
        (
            lambda: M.MeanMetric(L.hinge, name=3),
            TypeError,
            r"'name' argument of MeanMetric must be a string",
        ),
        (
            lambda: M.AutoAccuracy(threshold=2j),
            TypeError,
            r"'threshold' argument of AutoAccuracy must be a number",
        ),
        (lambda: M.R2Score(name=None), TypeError, r"'name' argument of R2Score must be a string"),
        (
            lambda: M.get("accuracy", loss=3),
            TypeError,
            r"'loss' argument of metrics\.get must be a loss name",
        ),
    ],
)
def test_bad_arguments(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_does_not_modify_inputs(rng):
    y, p = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    y0, p0 = y.copy(), p.copy()
    for name in ["mse", "mae", "mape", "r2_score", "accuracy"]:
        M.get(name).update(y, p)
        getattr(M, name)(y, p)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(p, p0)


# -- get ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "identifier",
    [
        "mse",
        "mean_squared_error",
        "mae",
        "mean_absolute_error",
        "mape",
        "mean_absolute_percentage_error",
        "accuracy",
        "acc",
        "ACC",
        "binary_accuracy",
        "categorical_accuracy",
        "sparse_categorical_accuracy",
        "r2_score",
    ],
)
def test_get_names_are_the_history_keys(identifier):
    m = M.get(identifier)
    assert isinstance(m, M.Metric)
    assert m.name == identifier  # Keras keeps the string as given, case included
    assert M.get(identifier) is not m


def test_get_other_identifiers():
    m = M.R2Score()
    assert M.get(m) is m
    assert isinstance(M.get(M.R2Score), M.R2Score)
    assert M.get(M.mse).name == "mse"
    assert isinstance(M.get(M.accuracy), M.AutoAccuracy)
    custom = M.get(L.mean_absolute_error)
    assert isinstance(custom, M.MeanMetric) and custom.name == "mean_absolute_error"
    assert M.get(L.Hinge()).name == "hinge"  # a Loss instance: named after the loss, as Keras does


def test_get_unknown_and_bad():
    with pytest.raises(ValueError, match=r"Unknown metric 'acuracy'.*Did you mean 'accuracy'\?"):
        M.get("acuracy")
    with pytest.raises(
        TypeError, match=r"'metrics' argument must hold names \(one of 'acc'.*Got None"
    ):
        M.get(None)
    with pytest.raises(TypeError, match=r"Got 3 instead"):
        M.get(3)


def test_metric_on_checked_targets_matches_raw_targets(rng):
    y, p = rng.normal(size=(6, 1)), rng.normal(size=(6, 1))
    for name in ["mse", "mae", "mape", "r2_score"]:
        a, b = M.get(name), M.get(name)
        a.update(y[:, 0], p)
        b.update(L.MeanSquaredError().check_targets(y[:, 0], p.shape), p)
        assert a.result() == b.result()
    labels = rng.integers(0, 3, 6)
    p3 = rng.uniform(size=(6, 3))
    a, b = M.get("accuracy"), M.get("accuracy")
    a.update(labels, p3)
    b.update(L.SparseCategoricalCrossentropy().check_targets(labels, p3.shape), p3)
    assert a.result() == b.result() and b.kind == "sparse_categorical_accuracy"


# -- Keras parity ---------------------------------------------------------------------------


@pytest.mark.keras
@pytest.mark.parametrize(
    "name, keras_class, kind",
    [
        ("mse", "MeanSquaredError", "regression"),
        (
            "mse",
            "MeanSquaredError",
            "regression_vector",
        ),  # 1-D: each batch counts once, as in Keras
        ("mae", "MeanAbsoluteError", "regression"),
        ("mape", "MeanAbsolutePercentageError", "regression"),
        ("binary_accuracy", "BinaryAccuracy", "binary"),
        ("binary_accuracy", "BinaryAccuracy", "binary_vector"),
        ("categorical_accuracy", "CategoricalAccuracy", "onehot"),
        ("sparse_categorical_accuracy", "SparseCategoricalAccuracy", "sparse"),
        ("sparse_categorical_accuracy", "SparseCategoricalAccuracy", "sparse_column"),
        ("r2_score", "R2Score", "regression"),
        ("r2_score", "R2Score", "regression_column"),
    ],
)
def test_functions_and_batches_match_keras_metrics(name, keras_class, kind, keras64, rng):
    n, k = 10, 3
    labels = rng.integers(0, k, n)
    y, p = {
        "regression": (rng.normal(size=(n, 2)), rng.normal(size=(n, 2))),
        "regression_column": (rng.normal(size=n), rng.normal(size=(n, 1))),
        "regression_vector": (rng.normal(size=n), rng.normal(size=n)),
        "binary": ((rng.uniform(size=(n, 2)) < 0.5).astype(float), rng.uniform(size=(n, 2))),
        "binary_vector": ((rng.uniform(size=n) < 0.5).astype(float), rng.uniform(size=(n, 1))),
        "onehot": (one_hot(labels, k), rng.uniform(size=(n, k))),
        "sparse": (labels, rng.uniform(size=(n, k))),
        "sparse_column": (labels[:, None], rng.uniform(size=(n, k))),
    }[kind]
    theirs, ours = getattr(keras64.metrics, keras_class)(), M.get(name)
    for s in range(0, n, 4):  # batches of 4, 4, 2 through both
        theirs.update_state(y[s : s + 4], p[s : s + 4])
        ours.update(y[s : s + 4], p[s : s + 4])
    # measured: accuracies identical; mse/mae/mape/r2 within 2 ulp
    assert ours.result() == pytest.approx(float(theirs.result()), rel=1e-15, abs=0)
    whole = getattr(keras64.metrics, keras_class)()
    whole.update_state(y, p)
    assert getattr(M, name)(y, p) == pytest.approx(float(whole.result()), rel=1e-15, abs=0)


class _WeightsAtBatchBegin:
    """A Keras callback factory: the weights before every training step (the pre-update weights)."""

    @staticmethod
    def make(keras):
        class Recorder(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.weights = []

            def on_train_batch_begin(self, batch, logs=None):
                self.weights.append(self.model.get_weights())

        return Recorder()


@pytest.mark.keras
@pytest.mark.parametrize(
    "activation, loss, k, target, metrics",
    [
        ("sigmoid", "binary_crossentropy", 1, "binary", ["accuracy", "binary_accuracy", "mse"]),
        (
            "softmax",
            "categorical_crossentropy",
            3,
            "onehot",
            ["accuracy", "categorical_accuracy", "mae"],
        ),
        (
            "softmax",
            "sparse_categorical_crossentropy",
            3,
            "sparse",
            ["acc", "sparse_categorical_accuracy"],
        ),
        (None, "mse", 2, "regression", ["mse", "mean_absolute_error", "mape", "r2_score"]),
    ],
)
def test_mean_metrics_reproduce_a_keras_fit_history(
    activation, loss, k, target, metrics, keras64, rng
):
    # One epoch of fit(shuffle=False), batches 4, 4, 2: Keras's epoch metric is the sample-weighted
    # mean over batches of the metric on each batch's forward output BEFORE that batch's update.
    keras = keras64
    from mlpabc.activations import get as get_activation

    n = 10
    x = rng.normal(size=(n, 4))
    W, b = rng.normal(size=(4, k)), rng.normal(scale=0.1, size=k)
    labels = rng.integers(0, max(k, 2), n)
    y = {
        "binary": lambda: (rng.uniform(size=n) < 0.5).astype(float),  # (n,) against (n, 1) outputs
        "onehot": lambda: one_hot(labels, k),
        "sparse": lambda: labels,
        "regression": lambda: rng.normal(size=(n, k)),
    }[target]()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(k, activation=activation)])
    model.set_weights([W, b])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss=loss, metrics=metrics)
    recorder = _WeightsAtBatchBegin.make(keras)
    history = model.fit(
        x, y, batch_size=4, epochs=1, shuffle=False, verbose=0, callbacks=[recorder]
    )
    assert sorted(history.history) == sorted(["loss", *metrics])  # our names are the keys

    act = get_activation(activation)
    ours = [M.get(m, loss=loss) for m in metrics]
    batch_values = {m: [] for m in metrics}
    for i, (Wb, bb) in enumerate(recorder.weights):
        xb, yb = x[4 * i : 4 * i + 4], y[4 * i : 4 * i + 4]
        out = act(xb @ Wb + bb)  # the training-mode forward output before the update
        for metric in ours:
            metric.update(yb, out)
            single = M.get(metric.name)
            single.update(yb, out)
            batch_values[metric.name].append(single.result())
    assert len(recorder.weights) == 3
    for metric in ours:
        expected = history.history[metric.name][0]
        # measured over 4 seeds: accuracies identical, the others within 3.5e-16 relative
        assert metric.result() == pytest.approx(expected, rel=1e-15, abs=0)
        # the plain mean of the three batch values is not what Keras reports (unless they are equal)
        values = batch_values[metric.name]
        if max(values) - min(values) > 1e-9:
            assert abs(np.mean(values) - expected) > 1e-6


def test_directions_as_keras():
    # EarlyStopping(mode="auto") reads them, as Keras reads a metric's _direction
    for name in ["mse", "mean_squared_error", "mae", "mape"]:
        assert M.get(name).direction == "down"
    for name in ["accuracy", "acc", "binary_accuracy", "categorical_accuracy", "r2_score"]:
        assert M.get(name).direction == "up"
    assert M.get("sparse_categorical_accuracy").direction == "up"
    assert M.get(L.hinge).direction == "down"
    assert M.get(L.Hinge()).direction == "down"
    assert M.get(lambda y, p: np.abs(y - p)).direction is None


def test_update_checks_every_batch():
    onehot, p = np.eye(3)[[0, 2, 1]], np.full((3, 3), 1 / 3)
    with pytest.raises(
        ValueError, match=r"metric 'sparse_categorical_accuracy' must hold one integer"
    ):
        M.get("sparse_categorical_accuracy").update(onehot, p)
    m = M.get("categorical_accuracy")
    m.update(onehot, p)
    m.update(onehot, p)
    assert m.count == 6
    with pytest.raises(ValueError, match=r"categorical_accuracy"):
        m.update(onehot[:, :2], p)
    r2 = M.R2Score()
    with pytest.raises(ValueError, match=r"1-D or 2-D"):
        r2.update(np.ones((2, 2, 2)), np.ones((2, 2, 2)))
