r"""Metrics: numbers that say how good predictions are, for people rather than for gradients.

Two levels:

* **functions over whole arrays** returning one float: :func:`mse`,
  :func:`mae`, :func:`mape`, :func:`binary_accuracy`,
  :func:`categorical_accuracy`, :func:`sparse_categorical_accuracy`,
  :func:`accuracy` (one of the three, chosen from the shapes) and
  :func:`r2_score`;
* **stateful metric objects** that ``Sequential.fit`` updates batch after
  batch: :class:`Metric` (``reset``, ``update``, ``result``),
  :class:`MeanMetric`, :class:`AutoAccuracy` and :class:`R2Score`, made by
  :func:`get` from the strings Keras accepts in ``compile(metrics=[...])``.

Like Keras's ``MeanMetricWrapper``, a :class:`MeanMetric` keeps a running
sum of per-sample values and a sample count, so the value of an epoch is
the mean over **all samples** seen, not the mean of the batch values (the
last, smaller batch counts less):

.. math::
    \text{result} = \frac{\sum_b \sum_{n \in b} v_n}{\sum_b |b|}.

Introduced in the chapter *Evaluating training*.
"""

from __future__ import annotations

import numpy as np

from . import losses as _losses
from ._registry import Registry
from ._validation import check_float, describe
from .losses import Loss, _align, _check_labels, _float_array, _mae, _mape, _mse

__all__ = [
    "METRICS",
    "AutoAccuracy",
    "MeanMetric",
    "Metric",
    "R2Score",
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "get",
    "mae",
    "mape",
    "mse",
    "names",
    "r2_score",
    "sparse_categorical_accuracy",
]

#: The name -> metric factory table behind :func:`get`.
METRICS = Registry("metric")


# -- per-sample kernels (no checks) and their checks -------------------------------------------


def _binary_matches(y, p, threshold=0.5):
    # Keras compares elementwise; the mean over the last axis happens in MeanMetric.
    return (y == (p > threshold)).astype(p.dtype)


def _categorical_matches(y, p):
    return (np.argmax(y, axis=-1) == np.argmax(p, axis=-1)).astype(p.dtype)


def _sparse_matches(labels, p):
    return (labels == np.argmax(p, axis=-1)).astype(p.dtype)


def _check_aligned(y_true, y_pred, owner, finite=True):
    y_pred = _float_array(y_pred, "y_pred", owner, finite=finite)
    y_true = _float_array(y_true, "y_true", owner, dtype=y_pred.dtype)
    return _align(y_true, y_pred, owner)


def _check_categorical(y_true, y_pred, owner, finite=True):
    y_pred = _float_array(y_pred, "y_pred", owner, finite=finite)
    y_true = _float_array(y_true, "y_true", owner, dtype=y_pred.dtype)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"The 'y_true' and 'y_pred' arguments of {owner} must have the same shape "
            f"(one-hot targets). Got y_true of shape {y_true.shape} and y_pred of shape "
            f"{y_pred.shape}. For integer class labels use 'sparse_categorical_accuracy'."
        )
    return y_true, y_pred


def _check_sparse(y_true, y_pred, owner, finite=True):
    y_pred = _float_array(y_pred, "y_pred", owner, finite=finite)
    return _check_labels(y_true, y_pred.shape, owner), y_pred


def _resolve_accuracy(true_shape, pred_shape) -> str:
    """Keras 3's choice for ``metrics=["accuracy"]`` (``trainers/compile_utils.py``).

    Binary if the predictions have one column; sparse categorical if the
    targets have fewer axes than the predictions (or one column against
    several); categorical otherwise. The loss plays no part. (1-D
    predictions, which a model never produces, count as one column.)
    """
    if len(pred_shape) <= 1 or pred_shape[-1] == 1:
        return "binary_accuracy"
    if len(true_shape) < len(pred_shape) or (
        len(true_shape) and true_shape[-1] == 1 and pred_shape[-1] > 1
    ):
        return "sparse_categorical_accuracy"
    return "categorical_accuracy"


# -- functions over whole arrays ------------------------------------------------------------


def mse(y_true, y_pred) -> float:
    r"""Mean squared error over all entries, :math:`\frac{1}{Nd}\sum (y - \hat y)^2`.

    Introduced in the chapter *Evaluating training*.

    Examples
    --------
    >>> mse([[1, 9, 2], [-5, -2, 6]], [[4, 8, 12], [8, 1, 3]])
    49.5
    """
    return float(np.mean(_mse(*_check_aligned(y_true, y_pred, "mse"))))


def mae(y_true, y_pred) -> float:
    r"""Mean absolute error over all entries, :math:`\frac{1}{Nd}\sum |y - \hat y|`.

    Introduced in the chapter *Evaluating training*.

    Examples
    --------
    >>> mae([[1, 9, 2], [-5, -2, 6]], [[4, 8, 12], [8, 1, 3]])
    5.5
    """
    return float(np.mean(_mae(*_check_aligned(y_true, y_pred, "mae"))))


def mape(y_true, y_pred) -> float:
    r"""Mean absolute percentage error over all entries.

    .. math::
        \frac{100}{Nd}\sum_{n,j} \frac{|y_{nj} - \hat y_{nj}|}{\max(|y_{nj}|, \epsilon)},
        \qquad \epsilon = 10^{-7}.

    Introduced in the chapter *Evaluating training*.

    Examples
    --------
    >>> mape([[2.0, 4.0]], [[1.0, 5.0]])
    37.5
    """
    return float(np.mean(_mape(*_check_aligned(y_true, y_pred, "mape"))))


def binary_accuracy(y_true, y_pred, threshold=0.5) -> float:
    r"""Fraction of 0/1 targets matched by :math:`[\hat y > \text{threshold}]`.

    Parameters
    ----------
    y_true : array_like of shape (n_samples,) or (n_samples, d)
        Targets 0 or 1.
    y_pred : array_like of the same shape (or (n_samples, 1))
        Probabilities (or any scores; a prediction exactly at the threshold
        counts as 0).
    threshold : float, default=0.5

    Notes
    -----
    Introduced in the chapter *Evaluating training*.

    Examples
    --------
    >>> binary_accuracy([1, 1, 0, 0], [0.98, 1.0, 0.0, 0.6])
    0.75
    """
    owner = "binary_accuracy"
    threshold = check_float(threshold, "threshold", owner)
    y, p = _check_aligned(y_true, y_pred, owner)
    return float(np.mean(np.mean(_binary_matches(y, p, threshold), axis=-1)))


def categorical_accuracy(y_true, y_pred) -> float:
    r"""Fraction of samples whose largest prediction is at the one-hot target's class.

    Introduced in the chapter *Evaluating training*.

    Examples
    --------
    >>> categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    0.5
    """
    y, p = _check_categorical(y_true, y_pred, "categorical_accuracy")
    return float(np.mean(_categorical_matches(y, p)))


def sparse_categorical_accuracy(y_true, y_pred) -> float:
    r"""Fraction of samples whose largest prediction is at the integer label.

    Introduced in the chapter *Evaluating training*.

    Examples
    --------
    >>> sparse_categorical_accuracy([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    0.5
    """
    owner = "sparse_categorical_accuracy"
    return float(np.mean(_sparse_matches(*_check_sparse(y_true, y_pred, owner))))


def accuracy(y_true, y_pred) -> float:
    r"""Binary, categorical or sparse categorical accuracy, chosen from the shapes as Keras does.

    * ``y_pred`` with one column (or 1-D): :func:`binary_accuracy`;
    * ``y_true`` with fewer axes than ``y_pred``, or one column against
      several: :func:`sparse_categorical_accuracy`;
    * otherwise :func:`categorical_accuracy`.

    Introduced in the chapter *Evaluating training*.

    Examples
    --------
    >>> accuracy([1, 0], [[0.9], [0.8]])
    0.5
    >>> accuracy([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    0.5
    """
    kind = _resolve_accuracy(np.shape(y_true), np.shape(y_pred))
    return _FUNCTIONS_BY_NAME[kind](y_true, y_pred)


def r2_score(y_true, y_pred) -> float:
    r"""Coefficient of determination :math:`R^2 = 1 - \sum (y - \hat y)^2 / \sum (y - \bar y)^2`.

    1 for perfect predictions, 0 for always predicting the mean :math:`\bar y`,
    negative for worse. Computed per output column and averaged, as
    ``keras.metrics.R2Score()`` does (see :class:`R2Score`).

    Introduced in the chapter *Evaluating training*.

    Examples
    --------
    Targets 1, 2, 3 (mean 2, total sum of squares 2), residuals 0, 0, 1:

    >>> r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 2.0])
    0.5
    """
    metric = R2Score()
    _check_aligned(y_true, y_pred, "metric 'r2_score'")  # the function refuses NaN and infinity
    metric.update(y_true, y_pred)
    return metric.result()


_FUNCTIONS_BY_NAME = {
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
}


# -- stateful metrics -----------------------------------------------------------------------


class Metric:
    """Base class of the stateful metrics that ``fit`` updates batch by batch.

    Attributes
    ----------
    name : str
        The key under which ``History.history`` stores the metric (Keras's key:
        the string given to ``compile``).
    direction : {"up", "down"} or None
        Whether larger (``"up"``) or smaller (``"down"``) values are better;
        None if unknown. ``EarlyStopping(mode="auto")`` reads it, as Keras
        reads a metric's ``_direction``.

    Notes
    -----
    ``update`` checks its inputs, then adds the batch; ``fit`` calls it on
    every batch.

    Introduced in the chapter *Evaluating training*.
    """

    name: str = ""
    direction: str | None = None

    def reset(self) -> None:
        """Forget every batch seen (``fit`` calls it at the start of each epoch)."""
        raise NotImplementedError

    def update(self, y_true, y_pred) -> None:
        """Add one batch of targets and predictions."""
        raise NotImplementedError

    def result(self) -> float:
        """The metric over every batch since the last :meth:`reset`."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} result={self.result()!r}>"


class MeanMetric(Metric):
    r"""The running mean of a per-sample function, as Keras's ``MeanMetricWrapper``.

    Each :meth:`update` computes ``values = fn(y_true, y_pred)``, averages
    any axes after the first (one value per sample), then adds their sum to
    ``total`` and their number to ``count``. :meth:`result` is
    ``total / count`` (0 before any update). As in Keras, a function that
    returns a single number (``mean_squared_error`` of two 1-D arrays, or a
    :class:`~mlpabc.losses.Loss` instance) makes each batch count once.

    Parameters
    ----------
    fn : callable
        ``fn(y_true, y_pred, **kwargs)`` returning one value per sample, e.g.
        :func:`mlpabc.losses.mean_squared_error`.
    name : str or None, default=None
        The history key; ``fn.__name__`` if None.
    **kwargs
        Passed to ``fn`` on every call.

    Notes
    -----
    Introduced in the chapter *Evaluating training*.

    Examples
    --------
    Two batches of sizes 2 and 1: the result weighs each sample equally,
    :math:`(0 + 4 + 1)/3`, not each batch :math:`((0 + 4)/2 + 1)/2`.

    >>> from mlpabc.losses import mean_squared_error
    >>> m = MeanMetric(mean_squared_error, name="mse")
    >>> m.update([[0.0], [0.0]], [[0.0], [2.0]])
    >>> m.update([[0.0]], [[1.0]])
    >>> m.result()
    1.6666666666666667
    """

    def __init__(self, fn, name=None, **kwargs):
        if not callable(fn):
            raise TypeError(
                "The 'fn' argument of MeanMetric must be a function fn(y_true, y_pred) "
                f"returning one value per sample. Got {describe(fn)} instead."
            )
        if name is not None and not isinstance(name, str):
            raise TypeError(
                "The 'name' argument of MeanMetric must be a string or None. "
                f"Got {describe(name)} instead."
            )
        self.fn = fn
        if name is None:  # a function's __name__, or a Loss instance's name, as Keras does
            name = getattr(fn, "__name__", None) or getattr(fn, "name", None) or "mean_metric"
        self.name = name
        self.kwargs = kwargs
        self._check = None  # built-in metrics check their inputs, then call a raw kernel
        # as in Keras, a metric that wraps a loss function or a Loss is to be minimised
        self.direction = "down" if _is_loss(fn) else None
        self.reset()

    @classmethod
    def _builtin(cls, kernel, check, name, direction, **kwargs):
        metric = cls(kernel, name=name, **kwargs)
        metric._check = check
        metric.direction = direction
        return metric

    def reset(self):
        self.total = 0.0
        self.count = 0

    def update(self, y_true, y_pred):
        if self._check is not None:
            # predictions may have overflowed (a diverging model): reported as they are
            y_true, y_pred = self._check(y_true, y_pred, f"metric {self.name!r}", finite=False)
        self._accumulate(y_true, y_pred)

    def _accumulate(self, y_true, y_pred):
        values = np.asarray(self.fn(y_true, y_pred, **self.kwargs))
        if values.ndim > 1:
            values = values.mean(axis=tuple(range(1, values.ndim)))
        self.total += float(np.sum(values))
        self.count += values.shape[0] if values.ndim else 1

    def result(self):
        return self.total / self.count if self.count else 0.0


class AutoAccuracy(Metric):
    """``metrics=["accuracy"]``: binary, categorical or sparse accuracy, chosen at the first update.

    Keras 3 chooses from the shapes of the first batch (see :func:`accuracy`);
    the loss plays no part, so a ``Dense(3, activation="sigmoid")`` with
    binary cross-entropy and targets of shape ``(n, 3)`` gets categorical
    accuracy, exactly as in Keras. After the first update, :attr:`kind` names
    the choice.

    Parameters
    ----------
    name : str, default="accuracy"
        The history key (``"acc"`` if you asked for ``"acc"``).
    threshold : float, default=0.5
        Used if the choice is binary accuracy.

    Notes
    -----
    Introduced in the chapter *Evaluating training*.

    Examples
    --------
    >>> m = AutoAccuracy()
    >>> m.update([1, 0, 1], [[0.9], [0.2], [0.4]])
    >>> m.kind, round(m.result(), 4)
    ('binary_accuracy', 0.6667)
    """

    direction = "up"

    def __init__(self, name="accuracy", threshold=0.5):
        if not isinstance(name, str):
            raise TypeError(
                "The 'name' argument of AutoAccuracy must be a string. "
                f"Got {describe(name)} instead."
            )
        self.name = name
        self.threshold = check_float(threshold, "threshold", "AutoAccuracy")
        self.kind = None
        self._metric = None

    def _resolve(self, y_true, y_pred):
        self.kind = _resolve_accuracy(np.shape(y_true), np.shape(y_pred))
        kw = {"threshold": self.threshold} if self.kind == "binary_accuracy" else {}
        self._metric = _SPECS[self.kind].make(self.name, **kw)

    def reset(self):
        if self._metric is not None:
            self._metric.reset()

    def update(self, y_true, y_pred):
        if self._metric is None:
            self._resolve(y_true, y_pred)
        self._metric.update(y_true, y_pred)

    def result(self):
        return self._metric.result() if self._metric is not None else 0.0


class R2Score(Metric):
    r"""Coefficient of determination accumulated over batches, as ``keras.metrics.R2Score()``.

    For each output column it keeps :math:`\sum y`, :math:`\sum y^2`,
    :math:`\sum (y - \hat y)^2` and the count :math:`n`, so the result over
    many batches equals the :math:`R^2` of all the data at once:

    .. math::
        R^2 = 1 - \frac{\sum (y - \hat y)^2}{\sum y^2 - (\sum y)^2 / n},

    averaged over the columns (Keras's ``class_aggregation="uniform_average"``).
    A column whose targets are all equal (zero variance) counts as 0, as in
    Keras. Targets of shape ``(n,)`` are treated as one column.

    Parameters
    ----------
    name : str, default="r2_score"

    Notes
    -----
    Introduced in the chapter *Evaluating training*.

    Examples
    --------
    >>> m = R2Score()
    >>> m.update([1.0, 2.0], [1.0, 2.0])
    >>> m.update([3.0], [2.0])
    >>> m.result()
    0.5
    """

    direction = "up"

    def __init__(self, name="r2_score"):
        if not isinstance(name, str):
            raise TypeError(
                f"The 'name' argument of R2Score must be a string. Got {describe(name)} instead."
            )
        self.name = name
        self.reset()

    def reset(self):
        self._sums = None  # (sum y, sum y^2, sum residual^2, count) per column

    def update(self, y_true, y_pred):
        owner = f"metric {self.name!r}"
        y, p = _check_aligned(y_true, y_pred, owner, finite=False)
        if y.ndim == 1:
            y, p = y[:, None], p[:, None]
        if y.ndim != 2:
            raise ValueError(
                f"The 'y_true' and 'y_pred' arguments of {owner} must be 1-D or 2-D arrays of "
                f"shape (n_samples, n_outputs). Got arrays of shape {y.shape} instead."
            )
        if self._sums is not None and self._sums[0].shape[0] != y.shape[1]:
            raise ValueError(
                f"The 'y_true' argument of {owner} must keep its number of output columns "
                f"({self._sums[0].shape[0]}) between updates. Got {y.shape[1]} instead."
            )
        self._accumulate(y, p)

    def _accumulate(self, y_true, y_pred):
        if y_true.ndim == 1:
            y_true, y_pred = y_true[:, None], y_pred[:, None]
        d = y_true - y_pred
        batch = (
            y_true.sum(axis=0),
            (y_true * y_true).sum(axis=0),
            (d * d).sum(axis=0),
            np.full(y_true.shape[1], float(y_true.shape[0])),
        )
        if self._sums is None:
            self._sums = batch
        else:
            self._sums = tuple(a + b for a, b in zip(self._sums, batch, strict=True))

    def result(self):
        if self._sums is None:
            return 0.0
        s, s2, res, n = self._sums
        total = s2 - s * (s / n)
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = 1.0 - res / total
        scores = np.where(np.isinf(scores), 0.0, scores)
        return float(np.mean(scores))


# -- get ------------------------------------------------------------------------------------

_LOSS_FUNCTIONS = (
    _losses.mean_squared_error,
    _losses.mean_absolute_error,
    _losses.mean_absolute_percentage_error,
    _losses.hinge,
    _losses.binary_crossentropy,
    _losses.categorical_crossentropy,
    _losses.sparse_categorical_crossentropy,
)


def _is_loss(fn) -> bool:
    return isinstance(fn, Loss) or any(fn is f for f in _LOSS_FUNCTIONS)


class _Spec:
    """How to build one built-in mean metric: its kernel and the check of its inputs."""

    def __init__(self, kernel, check, direction):
        self.kernel, self.check, self.direction = kernel, check, direction

    def make(self, name, **kwargs):
        return MeanMetric._builtin(self.kernel, self.check, name, self.direction, **kwargs)


_SPECS = {
    "mse": _Spec(_mse, _check_aligned, "down"),
    "mae": _Spec(_mae, _check_aligned, "down"),
    "mape": _Spec(_mape, _check_aligned, "down"),
    "binary_accuracy": _Spec(_binary_matches, _check_aligned, "up"),
    "categorical_accuracy": _Spec(_categorical_matches, _check_categorical, "up"),
    "sparse_categorical_accuracy": _Spec(_sparse_matches, _check_sparse, "up"),
}
METRICS.register("mse", "mean_squared_error")(_SPECS["mse"])
METRICS.register("mae", "mean_absolute_error")(_SPECS["mae"])
METRICS.register("mape", "mean_absolute_percentage_error")(_SPECS["mape"])
METRICS.register("binary_accuracy")(_SPECS["binary_accuracy"])
METRICS.register("categorical_accuracy")(_SPECS["categorical_accuracy"])
METRICS.register("sparse_categorical_accuracy")(_SPECS["sparse_categorical_accuracy"])
METRICS.register("accuracy", "acc")(AutoAccuracy)
METRICS.register("r2_score")(R2Score)

_FUNCTION_NAMES = {
    mse: "mse",
    mae: "mae",
    mape: "mape",
    binary_accuracy: "binary_accuracy",
    categorical_accuracy: "categorical_accuracy",
    sparse_categorical_accuracy: "sparse_categorical_accuracy",
    accuracy: "accuracy",
    r2_score: "r2_score",
}


def names() -> list[str]:
    """The names :func:`get` accepts, sorted.

    Examples
    --------
    >>> names()[:4]
    ['acc', 'accuracy', 'binary_accuracy', 'categorical_accuracy']
    """
    return METRICS.names()


def get(identifier, loss=None) -> Metric:
    """A fresh :class:`Metric` for ``compile(metrics=[identifier])``.

    Parameters
    ----------
    identifier : str, Metric, function or Metric subclass
        * a name Keras accepts (case-insensitive): ``"mse"``/``"mean_squared_error"``,
          ``"mae"``/``"mean_absolute_error"``, ``"mape"``/``"mean_absolute_percentage_error"``,
          ``"accuracy"``/``"acc"``, ``"binary_accuracy"``,
          ``"categorical_accuracy"``, ``"sparse_categorical_accuracy"``,
          ``"r2_score"``. The metric's ``name`` (its ``History`` key) is the
          string exactly as given, as in Keras;
        * a :class:`Metric` instance -- returned unchanged;
        * one of this module's functions -- the matching metric, named after it;
        * any other function ``fn(y_true, y_pred)`` returning one value per
          sample -- a :class:`MeanMetric` named ``fn.__name__``.
    loss : str, Loss or None, default=None
        The compiled loss. Accepted for symmetry with ``compile``; Keras 3
        resolves ``"accuracy"`` from the shapes alone (an
        :class:`AutoAccuracy` decides at its first update), so it is not used.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones).
    TypeError
        For ``None`` or anything that is not a name, a metric or a function.

    Notes
    -----
    Introduced in the chapter *Evaluating training*.

    Examples
    --------
    >>> get("mse").name
    'mse'
    >>> get("acc")
    <AutoAccuracy name='acc' result=0.0>
    """
    if loss is not None and not isinstance(loss, (str, Loss)):
        raise TypeError(
            "The 'loss' argument of metrics.get must be a loss name, an mlpabc.losses.Loss or "
            f"None. Got {describe(loss)} instead."
        )
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        factory = METRICS.lookup(identifier)
        return factory.make(identifier) if isinstance(factory, _Spec) else factory(name=identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    try:
        known = _FUNCTION_NAMES.get(identifier)
    except TypeError:  # unhashable
        known = None
    if known is not None:
        return get(known)
    if callable(identifier) and not isinstance(identifier, type):
        return MeanMetric(identifier)
    raise TypeError(
        "The 'metrics' argument must hold names (one of "
        + ", ".join(repr(n) for n in names())
        + "), mlpabc.metrics.Metric instances or functions fn(y_true, y_pred). "
        f"Got {describe(identifier)} instead."
    )
