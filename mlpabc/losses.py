r"""Loss functions, with Keras's exact formulas and their gradients.

A loss compares targets :math:`y` with predictions :math:`\hat y` and
returns one number to minimise. Three levels, as in Keras:

* **functions** -- :func:`mean_squared_error`, :func:`mean_absolute_error`,
  :func:`mean_absolute_percentage_error`, :func:`binary_crossentropy`,
  :func:`categorical_crossentropy`, :func:`sparse_categorical_crossentropy`,
  :func:`hinge` -- return one value **per sample** (a mean over the last
  axis; a sum over the classes for the categorical ones), as Keras's do;
* **classes** -- :class:`MeanSquaredError` and friends -- reduce those to one
  number and add :meth:`Loss.gradient`, the derivative of that number with
  respect to every prediction;
* :func:`get` -- turns ``"mse"``, a function or an instance into a
  :class:`Loss`.

Keras's conventions, followed to the last bit:

* the reduced loss is the **mean of the per-sample values** (Keras's
  ``"sum_over_batch_size"``), so the mean squared error is the mean over
  all :math:`N \cdot d` entries and has **no** factor :math:`\tfrac12`;
* probabilities are clipped to :math:`[\epsilon, 1 - \epsilon]`,
  :math:`\epsilon = 10^{-7}`, before a logarithm; categorical
  cross-entropy first renormalises each row to sum 1;
* ``from_logits=True`` takes the pre-activation :math:`z` instead of
  :math:`\hat y` and uses the exact, stable formulas (no clipping). A Keras
  model whose last layer has a sigmoid (softmax) activation silently uses
  these formulas for binary (categorical) cross-entropy; the loss classes
  offer them as :meth:`Loss.value_from_logits` and
  :meth:`Loss.gradient_from_logits` so :class:`mlpabc.Sequential` can do the
  same.

Introduced in the chapter *Loss functions*.
"""

from __future__ import annotations

import numpy as np

from ._config import Configurable
from ._registry import Registry
from ._validation import check_array, check_bool, check_float, describe
from .activations import Softmax

__all__ = [
    "LOSSES",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Hinge",
    "Loss",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "SparseCategoricalCrossentropy",
    "binary_crossentropy",
    "categorical_crossentropy",
    "get",
    "hinge",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "names",
    "sparse_categorical_crossentropy",
]

#: Keras's ``keras.config.epsilon()``: the clipping bound of the log-losses and MAPE's floor.
EPSILON = 1e-7

_SOFTMAX = Softmax()  # the one softmax, on the last axis

#: The name -> class table behind :func:`get`.
LOSSES = Registry("loss")


# -- input checks -----------------------------------------------------------------------------


def _float_array(x, name, owner, dtype=None, finite=True):
    """``x`` as a (finite) float array with at least one dimension (float inputs keep their dtype)."""
    arr = check_array(x, name, owner, dtype=None, finite=finite)
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64 if dtype is None else dtype)
    elif arr.dtype.kind != "f":
        raise TypeError(
            f"The {name!r} argument of {owner} must be an array of numbers. "
            f"Got {describe(x)} instead."
        )
    elif dtype is not None and arr.dtype != dtype:
        arr = arr.astype(dtype)
    if arr.ndim == 0:
        raise ValueError(
            f"The {name!r} argument of {owner} must be an array with at least one dimension. "
            f"Got the scalar {arr.item()!r} instead."
        )
    return arr


def _shape_error(owner, true_shape, pred_shape, hint=""):
    msg = (
        f"The 'y_true' and 'y_pred' arguments of {owner} must have the same shape "
        "(y_true of shape (n,) against y_pred of shape (n, 1) is also accepted). "
        f"Got y_true of shape {true_shape} and y_pred of shape {pred_shape}."
    )
    return ValueError(msg + (" " + hint if hint else ""))


def _align(y_true, y_pred, owner, hint=""):
    """Keras's ``squeeze_or_expand_to_same_rank``, then the shapes must be equal.

    A trailing axis of length 1 may be missing on one side: against a 1-D
    array it is added to the other (``(n,)`` vs ``(n, 1)`` becomes
    ``(n, 1)`` vs ``(n, 1)``), otherwise it is removed.
    """
    if y_true.shape == y_pred.shape:
        return y_true, y_pred
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        if y_pred.ndim == 1:
            y_pred = y_pred[:, None]
        else:
            y_true = y_true[..., 0]
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        if y_true.ndim == 1:
            y_true = y_true[:, None]
        else:
            y_pred = y_pred[..., 0]
    if y_true.shape != y_pred.shape:
        raise _shape_error(owner, y_true.shape, y_pred.shape, hint)
    return y_true, y_pred


def _check_pair(y_true, y_pred, owner, hint=""):
    """Both arrays as floats of y_pred's dtype, finite, aligned as Keras aligns them."""
    y_pred = _float_array(y_pred, "y_pred", owner)
    y_true = _float_array(y_true, "y_true", owner, dtype=y_pred.dtype)
    return _align(y_true, y_pred, owner, hint)


def _check_probabilities(y_pred, owner):
    lo, hi = y_pred.min(), y_pred.max()
    if lo < 0 or hi > 1:
        raise ValueError(
            f"The 'y_pred' argument of {owner} must hold probabilities in [0, 1]. "
            f"Got values from {lo:.4g} to {hi:.4g} instead. If y_pred holds logits "
            "(outputs without a sigmoid or softmax), use from_logits=True."
        )


def _check_labels(y_true, pred_shape, owner):
    """Sparse class labels: integers in [0, k), shape pred_shape[:-1] (a trailing 1 allowed)."""
    k = pred_shape[-1]
    labels = check_array(y_true, "y_true", owner, dtype=None)
    if labels.dtype.kind not in "biuf":
        raise TypeError(
            f"The 'y_true' argument of {owner} must be an array of integer class labels. "
            f"Got {describe(y_true)} instead."
        )
    if labels.ndim == len(pred_shape) and labels.ndim > 0 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != pred_shape[:-1]:
        raise ValueError(
            f"The 'y_true' argument of {owner} must hold one integer class label per sample, "
            f"an array of shape {pred_shape[:-1]} (or {pred_shape[:-1] + (1,)}) for y_pred "
            f"of shape {pred_shape}. Got an array of shape {np.shape(y_true)} instead."
            + (
                " For one-hot targets use 'categorical_crossentropy'."
                if labels.shape == pred_shape
                else ""
            )
        )
    bad = (labels < 0) | (labels >= k)
    if labels.dtype.kind == "f":
        bad |= labels != np.floor(labels)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        where = np.unravel_index(i, np.shape(y_true))
        where = where[0] if len(where) == 1 else tuple(int(w) for w in where)
        value = labels.flat[i]
        value = int(value) if float(value).is_integer() else float(value)
        raise ValueError(
            f"The 'y_true' argument of {owner} must hold integer class labels in [0, {k}). "
            f"Got {value} (at index {where}) instead."
        )
    return labels.astype(np.intp, copy=False)


# -- the per-sample formulas (used by the functions and the classes) ------------------------


def _mse(y, p):
    d = y - p
    return np.mean(d * d, axis=-1)


def _mae(y, p):
    return np.mean(np.abs(y - p), axis=-1)


def _mape(y, p):
    return 100.0 * np.mean(np.abs((y - p) / np.maximum(np.abs(y), EPSILON)), axis=-1)


def _hinge_labels(y):
    # Keras maps labels that are all 0 or 1 to -1 / +1; any other labels are used as they are.
    return 2.0 * y - 1.0 if np.all((y == 0) | (y == 1)) else y


def _hinge(y, p):
    return np.mean(np.maximum(1.0 - _hinge_labels(y) * p, 0.0), axis=-1)


def _bce(y, p):
    p = np.clip(p, EPSILON, 1.0 - EPSILON)
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p), axis=-1)


def _bce_logits(y, z):
    # max(z, 0) - z y + log(1 + e^{-|z|}) = -y log s(z) - (1 - y) log(1 - s(z)), never overflowing
    return np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z))), axis=-1)


def _cce(y, p):
    q = np.clip(p / np.sum(p, axis=-1, keepdims=True), EPSILON, 1.0 - EPSILON)
    return -np.sum(y * np.log(q), axis=-1)


def _log_softmax(z):
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _cce_logits(y, z):
    return -np.sum(y * _log_softmax(z), axis=-1)


def _pick(a, labels):
    """``a[..., labels]`` sample by sample: the entry of each row's true class."""
    return np.take_along_axis(a, labels[..., None], axis=-1)[..., 0]


def _at_labels(labels):
    """Index of each sample's true-class entry, for ``a[_at_labels(labels)] -= ...``."""
    if labels.ndim == 1:
        return np.arange(labels.shape[0]), labels
    return (*np.indices(labels.shape), labels)


def _scce(labels, p):
    q = np.clip(p, EPSILON, 1.0 - EPSILON)
    return -(np.log(_pick(q, labels)) - np.log(np.sum(q, axis=-1)))


def _scce_logits(labels, z):
    return -_pick(_log_softmax(z), labels)


def _n_samples(p):
    """Number of per-sample values: the batch size for 2-D predictions."""
    return p.size // p.shape[-1] if p.ndim else 1


# -- means without np.mean's Python overhead ------------------------------------------------
# A training step takes a mean or two of small arrays thousands of times per second, and
# np.mean's Python wrapper costs more than the arithmetic there. These helpers do exactly what
# np.mean does -- the same reduction (numpy's pairwise sum), then a division by the count -- so
# every value agrees with np.mean to the last bit. np.mean divides by an np.intp, which sends a
# float32 sum through float64 and back; dividing by a Python int stays in float32 and rounds
# once, to the same float32 (rounding twice is harmless for a quotient when 53 >= 2*24 + 2), as
# long as the count itself is exact in float32. Anything else goes to np.mean itself.

_EXACT_COUNT = 2**24  # counts up to this are exact in float32


def _mean_last(a):
    """``np.mean(a, axis=-1)``, bit for bit."""
    k = a.shape[-1]
    if k == 1:
        return a[..., 0]  # a mean of one value is that value
    if 0 < a.size <= _EXACT_COUNT and a.dtype.char in "fd":
        return np.add.reduce(a, axis=-1) / k
    return np.mean(a, axis=-1)


def _mean_all(a) -> float:
    """``float(np.mean(a))``, bit for bit."""
    n = a.size
    if 0 < n <= _EXACT_COUNT and a.dtype.char in "fd":
        return float(np.add.reduce(a, axis=None) / n)
    return float(np.mean(a))  # also: an empty array gives nan, with numpy's warning


def _mean_of_means(a) -> float:
    """``float(np.mean(np.mean(a, axis=-1)))``, bit for bit: a mean of per-sample means."""
    k, n = a.shape[-1], a.size
    if k == 1 or n == k:  # one value per sample, or one sample: the mean of all values
        if 0 < n <= _EXACT_COUNT and a.dtype.char in "fd":  # _mean_all(a), one call less
            return float(np.add.reduce(a, axis=None) / n)
        return _mean_all(a)
    return _mean_all(_mean_last(a))


# -- functions ------------------------------------------------------------------------------


def mean_squared_error(y_true, y_pred):
    r"""Mean squared error of each sample, :math:`\frac1d \sum_j (y_j - \hat y_j)^2`.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n_samples, d)
        Targets and predictions (a 1-D ``y_true`` against ``(n_samples, 1)``
        predictions is accepted, as in Keras).

    Returns
    -------
    ndarray of shape (n_samples,)
        One value per sample (the mean over the last axis).

    Notes
    -----
    Introduced in the chapter *Loss functions*.

    Examples
    --------
    The example of Keras's documentation; the rows are
    :math:`(9 + 1 + 100)/3` and :math:`(169 + 9 + 9)/3`:

    >>> mean_squared_error([[1, 9, 2], [-5, -2, 6]], [[4, 8, 12], [8, 1, 3]])
    array([36.66666667, 62.33333333])
    """
    return _mse(*_check_pair(y_true, y_pred, "mean_squared_error"))


def mean_absolute_error(y_true, y_pred):
    r"""Mean absolute error of each sample, :math:`\frac1d \sum_j |y_j - \hat y_j|`.

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> mean_absolute_error([[1, 9, 2], [-5, -2, 6]], [[4, 8, 12], [8, 1, 3]])
    array([4.66666667, 6.33333333])
    """
    return _mae(*_check_pair(y_true, y_pred, "mean_absolute_error"))


def mean_absolute_percentage_error(y_true, y_pred):
    r"""Mean absolute percentage error of each sample.

    .. math::
        \frac{100}{d} \sum_j \frac{|y_j - \hat y_j|}{\max(|y_j|, \epsilon)},
        \qquad \epsilon = 10^{-7}.

    A target of 0 does not divide by zero but gives a huge value, as in Keras.

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    :math:`100 \cdot (1/2 + 1/4) / 2 = 37.5`:

    >>> mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 5.0]])
    array([37.5])
    """
    return _mape(*_check_pair(y_true, y_pred, "mean_absolute_percentage_error"))


def hinge(y_true, y_pred):
    r"""Hinge loss of each sample, :math:`\frac1d \sum_j \max(1 - y_j \hat y_j, 0)`.

    Labels should be :math:`-1` or :math:`+1`. If *all* labels are 0 or 1
    they are first mapped to :math:`2y - 1`, as Keras does.

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    The labels 1, 0 become +1, -1: :math:`(\max(1 - 0.5, 0) + \max(1 + 0.5, 0))/2 = 1`:

    >>> hinge([[1.0, 0.0]], [[0.5, 0.5]])
    array([1.])
    """
    return _hinge(*_check_pair(y_true, y_pred, "hinge"))


def _check_smoothing(label_smoothing, owner):
    return check_float(label_smoothing, "label_smoothing", owner, low=0, high=1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    r"""Binary cross-entropy of each sample.

    .. math::
        -\frac1d \sum_j \big[y_j \log \tilde p_j + (1 - y_j) \log(1 - \tilde p_j)\big],
        \qquad \tilde p = \operatorname{clip}(\hat y, \epsilon, 1 - \epsilon).

    Parameters
    ----------
    y_true : array_like of shape (n_samples, d)
        Targets in :math:`[0, 1]` (usually 0 or 1).
    y_pred : array_like of shape (n_samples, d)
        Probabilities, or logits :math:`z` if ``from_logits``.
    from_logits : bool, default=False
        Use the exact form :math:`\max(z, 0) - zy + \log(1 + e^{-|z|})`,
        which equals the formula above with :math:`\hat y = \sigma(z)` and no
        clipping, and never overflows.
    label_smoothing : float in [0, 1], default=0.0
        Replace :math:`y` by :math:`y(1 - s) + s/2`.

    Returns
    -------
    ndarray of shape (n_samples,)

    Notes
    -----
    Introduced in the chapter *Loss functions*.

    Examples
    --------
    A prediction of 1/2 costs :math:`\log 2` whatever the target:

    >>> binary_crossentropy([[0.0, 1.0]], [[0.5, 0.5]])
    array([0.69314718])
    >>> binary_crossentropy([[0.0, 1.0]], [[0.0, 0.0]], from_logits=True)
    array([0.69314718])
    """
    owner = "binary_crossentropy"
    from_logits = check_bool(from_logits, "from_logits", owner)
    s = _check_smoothing(label_smoothing, owner)
    y, p = _check_pair(y_true, y_pred, owner)
    if s:
        y = y * (1.0 - s) + 0.5 * s
    if from_logits:
        return _bce_logits(y, p)
    _check_probabilities(p, owner)
    return _bce(y, p)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    r"""Categorical cross-entropy of each sample, :math:`-\sum_c y_c \log \tilde q_c`.

    Keras first renormalises each row, :math:`q = \hat y / \sum_c \hat y_c`,
    then clips, :math:`\tilde q = \operatorname{clip}(q, \epsilon, 1 - \epsilon)`.

    Parameters
    ----------
    y_true : array_like of shape (n_samples, n_classes)
        One-hot targets (or probability vectors). For integer labels use
        :func:`sparse_categorical_crossentropy`.
    y_pred : array_like of shape (n_samples, n_classes)
        Probabilities, or logits :math:`z` if ``from_logits``.
    from_logits : bool, default=False
        Use :math:`-\sum_c y_c \log \operatorname{softmax}(z)_c`, computed stably
        with the log-sum-exp trick.
    label_smoothing : float in [0, 1], default=0.0
        Replace :math:`y` by :math:`y(1 - s) + s/C` for :math:`C` classes.

    Returns
    -------
    ndarray of shape (n_samples,)

    Notes
    -----
    Introduced in the chapter *Loss functions*.

    Examples
    --------
    The true class got probability 1/2, so the loss is :math:`\log 2`:

    >>> categorical_crossentropy([[0, 1, 0]], [[0.25, 0.5, 0.25]])
    array([0.69314718])
    """
    owner = "categorical_crossentropy"
    from_logits = check_bool(from_logits, "from_logits", owner)
    s = _check_smoothing(label_smoothing, owner)
    y, p = _check_pair(y_true, y_pred, owner, _CCE_HINT)
    if s:
        y = y * (1.0 - s) + s / y.shape[-1]
    if from_logits:
        return _cce_logits(y, p)
    _check_probabilities(p, owner)
    _check_row_sums(p, owner)
    return _cce(y, p)


_CCE_HINT = "For integer class labels use 'sparse_categorical_crossentropy'."


def _check_row_sums(p, owner):
    if not np.all(np.sum(p, axis=-1) > 0):
        raise ValueError(
            f"The 'y_pred' argument of {owner} must hold probability rows with a positive sum. "
            "Got a row of zeros instead."
        )


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    r"""Categorical cross-entropy with integer labels, per sample.

    .. math::
        -\log \tilde p_{y} + \log \sum_c \tilde p_c,
        \qquad \tilde p = \operatorname{clip}(\hat y, \epsilon, 1 - \epsilon).

    Keras clips the probabilities and takes their logarithms as logits, so
    the clipped row is implicitly renormalised (the second term).

    Parameters
    ----------
    y_true : array_like of shape (n_samples,) or (n_samples, 1)
        Class labels, integers in ``[0, n_classes)``.
    y_pred : array_like of shape (n_samples, n_classes)
        Probabilities, or logits :math:`z` if ``from_logits``.
    from_logits : bool, default=False
        Use :math:`-\log \operatorname{softmax}(z)_{y}`.

    Returns
    -------
    ndarray of shape (n_samples,)

    Notes
    -----
    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> sparse_categorical_crossentropy([1], [[0.25, 0.5, 0.25]])
    array([0.69314718])
    """
    owner = "sparse_categorical_crossentropy"
    from_logits = check_bool(from_logits, "from_logits", owner)
    p = _float_array(y_pred, "y_pred", owner)
    labels = _check_labels(y_true, p.shape, owner)
    if from_logits:
        return _scce_logits(labels, p)
    _check_probabilities(p, owner)
    return _scce(labels, p)


# -- classes --------------------------------------------------------------------------------


class Loss(Configurable):
    r"""Base class: a loss reduced to one number, with its gradient.

    :meth:`__call__` is the boundary: it checks its inputs (finite numbers,
    matching shapes, label ranges), raises a ``ValueError`` or ``TypeError``
    that says what is wrong, and returns :meth:`value`. The other public
    methods hold the math alone and expect what the checks produce: ``y_true``
    and ``y_pred`` (or the logits ``z``) as float arrays of the same shape
    (integer labels of shape ``y_pred.shape[:-1]`` for the sparse loss), as
    :meth:`check_targets` returns them. A model checks its targets once, in
    ``fit``, and then calls :meth:`value` and :meth:`gradient` (or
    :meth:`value_from_logits` and :meth:`gradient_from_logits`) every step.

    Attributes
    ----------
    name : str
        Keras's name of the loss function (``"mean_squared_error"``, ...).
    logits_activation : str or None
        ``"sigmoid"`` or ``"softmax"`` for the cross-entropies: the output
        activation after which a model may use the logits form.
    from_logits : bool
        Whether ``y_pred`` holds logits.

    Notes
    -----
    Introduced in the chapter *Loss functions*.
    """

    name: str = ""
    logits_activation: str | None = None
    from_logits: bool = False

    def __call__(self, y_true, y_pred) -> float:
        """The reduced loss, inputs checked: the mean of the per-sample values."""
        y_true, y_pred = self._check(y_true, y_pred, type(self).__name__, self.from_logits)
        return self.value(y_true, y_pred)

    def check_targets(self, y_true, y_pred_shape, dtype=np.float64) -> np.ndarray:
        """Check targets once for predictions of shape ``y_pred_shape``.

        Returns ``y_true`` in the form :meth:`value` and :meth:`gradient`
        expect: an array of ``dtype`` and exactly ``y_pred_shape``
        (a missing or extra trailing axis of length 1 is fixed), or for
        :class:`SparseCategoricalCrossentropy` integer labels of shape
        ``y_pred_shape[:-1]``. Slices along the first axis stay valid.
        """
        owner = f"{type(self).__name__}.check_targets"
        y = _float_array(y_true, "y_true", owner, dtype=np.dtype(dtype))
        shape = tuple(y_pred_shape)
        if y.shape != shape:
            fixable = (y.shape[:-1] == shape and y.shape[-1:] == (1,)) or (
                shape[:-1] == y.shape and shape[-1:] == (1,)
            )
            if not fixable:
                raise _shape_error(owner, y.shape, shape, self._shape_hint())
            y = y.reshape(shape)
        return y


    # -- the math (no checks; subclasses provide it) ----------------------------------------
    def _per_sample(self, y_true, y_pred) -> np.ndarray:
        raise NotImplementedError

    def value(self, y_true, y_pred) -> float:
        r"""The reduced loss :math:`L`: the mean of the per-sample values (arrays as checked)."""
        return _mean_all(self._per_sample(y_true, y_pred))

    def gradient(self, y_true, y_pred) -> np.ndarray:
        r"""The gradient :math:`\partial L / \partial \hat y`, shape of ``y_pred`` (arrays as checked)."""
        raise NotImplementedError

    def value_from_logits(self, y_true, z) -> float:
        r"""The reduced loss of :math:`\hat y = G(z)` computed from the logits :math:`z`."""
        raise self._no_logits_form("value_from_logits")

    def gradient_from_logits(self, y_true, z) -> np.ndarray:
        r"""The gradient :math:`\partial L / \partial z` with respect to the logits, shape of ``z``."""
        raise self._no_logits_form("gradient_from_logits")

    def _no_logits_form(self, method):
        return TypeError(
            f"{type(self).__name__}.{method} is not available: {type(self).__name__} has no "
            "logits form (only the cross-entropies do, after a sigmoid or softmax output)."
        )

    def _shape_hint(self) -> str:
        return ""

    def _check(self, y_true, y_pred, owner, logits):
        y_true, y_pred = _check_pair(y_true, y_pred, owner, self._shape_hint())
        if self.logits_activation is not None and not logits:
            _check_probabilities(y_pred, owner)
        return y_true, y_pred


@LOSSES.register("mean_squared_error", "mse")
class MeanSquaredError(Loss):
    r"""Mean squared error, :math:`L = \frac{1}{Nd} \sum_{n,j} (y_{nj} - \hat y_{nj})^2`.

    No factor :math:`\tfrac12` (Keras's definition), so the gradient is

    .. math::
        \frac{\partial L}{\partial \hat y_{nj}} = \frac{2}{Nd} (\hat y_{nj} - y_{nj}).

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    The example of Keras's documentation, :math:`(110 + 187)/6 = 49.5`:

    >>> mse = MeanSquaredError()
    >>> mse([[1, 9, 2], [-5, -2, 6]], [[4, 8, 12], [8, 1, 3]])
    49.5
    >>> mse.gradient(np.array([[1.0, 2.0]]), np.array([[2.0, 2.0]]))
    array([[1., 0.]])
    """

    name = "mean_squared_error"

    def _per_sample(self, y_true, y_pred):
        return _mse(y_true, y_pred)

    def value(self, y_true, y_pred):
        e = y_true - y_pred
        return _mean_of_means(e * e)  # (1/N) sum_n (1/d) sum_j (y - y_hat)^2

    def gradient(self, y_true, y_pred):
        return (2.0 / y_pred.size) * (y_pred - y_true)  # 2 (y_hat - y) / (N d)


@LOSSES.register("mean_absolute_error", "mae")
class MeanAbsoluteError(Loss):
    r"""Mean absolute error, :math:`L = \frac{1}{Nd} \sum_{n,j} |y_{nj} - \hat y_{nj}|`.

    Gradient :math:`\operatorname{sign}(\hat y - y) / (Nd)`, taken as 0 where
    :math:`\hat y = y` (as TensorFlow does).

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> mae = MeanAbsoluteError()
    >>> mae([[1.0, 2.0]], [[2.0, 2.0]])
    0.5
    >>> mae.gradient(np.array([[1.0, 2.0]]), np.array([[2.0, 2.0]]))
    array([[0.5, 0. ]])
    """

    name = "mean_absolute_error"

    def _per_sample(self, y_true, y_pred):
        return _mae(y_true, y_pred)

    def gradient(self, y_true, y_pred):
        return np.sign(y_pred - y_true) / y_pred.size


@LOSSES.register("mean_absolute_percentage_error", "mape")
class MeanAbsolutePercentageError(Loss):
    r"""Mean absolute percentage error.

    .. math::
        L = \frac{100}{Nd} \sum_{n,j} \frac{|y_{nj} - \hat y_{nj}|}{\max(|y_{nj}|, \epsilon)}.

    Gradient :math:`100 \operatorname{sign}(\hat y - y) / (\max(|y|, \epsilon)\, N d)`.

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> MeanAbsolutePercentageError()([[2.0, 4.0]], [[1.0, 5.0]])
    37.5
    """

    name = "mean_absolute_percentage_error"

    def _per_sample(self, y_true, y_pred):
        return _mape(y_true, y_pred)

    def gradient(self, y_true, y_pred):
        scale = 100.0 / y_pred.size
        return scale * np.sign(y_pred - y_true) / np.maximum(np.abs(y_true), EPSILON)


@LOSSES.register("hinge")
class Hinge(Loss):
    r"""Hinge loss, :math:`L = \frac{1}{Nd} \sum \max(1 - y \hat y, 0)`, labels :math:`\pm 1`.

    Labels that are all 0 or 1 are mapped to :math:`2y - 1` (Keras decides
    this for each call). Gradient :math:`-y/(Nd)` where
    :math:`1 - y\hat y \ge 0`, else 0.

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> h = Hinge()
    >>> h([[1.0, 0.0]], [[0.5, 0.5]])
    1.0
    >>> h.gradient(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]]))
    array([[-0.5,  0.5]])
    """

    name = "hinge"

    def _per_sample(self, y_true, y_pred):
        return _hinge(y_true, y_pred)

    def gradient(self, y_true, y_pred):
        y = _hinge_labels(y_true)
        return np.where(1.0 - y * y_pred >= 0, -y, 0.0) / y_pred.size


class _Crossentropy(Loss):
    """Shared parts of the three cross-entropies: ``from_logits`` and dispatching on it."""

    def value(self, y_true, y_pred):
        if self.from_logits:
            return self.value_from_logits(y_true, y_pred)
        return _mean_all(self._per_sample(y_true, y_pred))

    def gradient(self, y_true, y_pred):
        if self.from_logits:
            return self.gradient_from_logits(y_true, y_pred)
        return self._gradient_of_probabilities(y_true, y_pred)


@LOSSES.register("binary_crossentropy")
class BinaryCrossentropy(_Crossentropy):
    r"""Binary cross-entropy; see :func:`binary_crossentropy`.

    Parameters
    ----------
    from_logits : bool, default=False
        Whether ``y_pred`` holds logits :math:`z` rather than probabilities.
    label_smoothing : float in [0, 1], default=0.0
        Targets become :math:`y(1 - s) + s/2`.

    Notes
    -----
    With :math:`\tilde p = \operatorname{clip}(\hat y, \epsilon, 1 - \epsilon)`,
    the gradient of the reduced loss is

    .. math::
        \frac{\partial L}{\partial \hat y} = \frac{1}{Nd}\,
        \frac{\tilde p - y}{\tilde p (1 - \tilde p)}
        \quad\text{where } \epsilon \le \hat y \le 1 - \epsilon, \text{ else } 0

    (clipping cuts the gradient). From the logits the sigmoid's derivative
    cancels the denominator:

    .. math::
        \frac{\partial L}{\partial z} = \frac{\sigma(z) - y}{Nd}.

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> bce = BinaryCrossentropy()
    >>> bce.gradient(np.array([[1.0]]), np.array([[0.5]]))
    array([[-2.]])
    >>> bce.gradient_from_logits(np.array([[1.0]]), np.array([[0.0]]))
    array([[-0.5]])
    """

    name = "binary_crossentropy"
    logits_activation = "sigmoid"

    def __init__(self, from_logits=False, label_smoothing=0.0):
        self.from_logits = check_bool(from_logits, "from_logits", "BinaryCrossentropy")
        self.label_smoothing = _check_smoothing(label_smoothing, "BinaryCrossentropy")

    def _smooth(self, y):
        s = self.label_smoothing
        return y * (1.0 - s) + 0.5 * s if s else y

    def _per_sample(self, y_true, y_pred):
        y = self._smooth(y_true)
        return _bce_logits(y, y_pred) if self.from_logits else _bce(y, y_pred)

    def _gradient_of_probabilities(self, y_true, y_pred):
        y = self._smooth(y_true)
        p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        inside = (y_pred >= EPSILON) & (y_pred <= 1.0 - EPSILON)
        return np.where(inside, (p - y) / (p * (1.0 - p)), 0.0) / y_pred.size

    def value_from_logits(self, y_true, z):
        return _mean_all(_bce_logits(self._smooth(y_true), z))

    def gradient_from_logits(self, y_true, z):
        # sigma(z) - y, written so that nothing cancels for 0/1 targets: with t = sigma(-|z|),
        # sigma(z) = 1 - t for z >= 0 and t for z < 0.
        y = self._smooth(y_true)
        e = np.exp(-np.abs(z))
        t = e / (1.0 + e)
        return np.where(z >= 0, (1.0 - y) - t, t - y) / z.size

    def get_config(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


@LOSSES.register("categorical_crossentropy")
class CategoricalCrossentropy(_Crossentropy):
    r"""Categorical cross-entropy with one-hot targets; see :func:`categorical_crossentropy`.

    Parameters
    ----------
    from_logits : bool, default=False
        Whether ``y_pred`` holds logits :math:`z` rather than probabilities.
    label_smoothing : float in [0, 1], default=0.0
        Targets become :math:`y(1 - s) + s/C`.

    Notes
    -----
    With :math:`S = \sum_c \hat y_c`, :math:`q = \hat y / S`, :math:`\tilde q`
    the clipped :math:`q` and :math:`g_c = -y_c/\tilde q_c` where
    :math:`\epsilon \le q_c \le 1 - \epsilon` (else 0), the chain rule through
    the renormalisation gives, for each of the :math:`N` samples,

    .. math::
        \frac{\partial L}{\partial \hat y_j} = \frac{1}{N S}\Big(g_j - \sum_c g_c q_c\Big).

    From the logits it is the famous

    .. math::
        \frac{\partial L}{\partial z} = \frac{\operatorname{softmax}(z) - y}{N}

    for targets that sum to 1 (in general
    :math:`(\operatorname{softmax}(z) \sum_c y_c - y)/N`, the derivative of
    the value; TensorFlow uses :math:`\operatorname{softmax}(z) - y` even
    when the targets do not sum to 1).

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> cce = CategoricalCrossentropy()
    >>> cce.gradient_from_logits(np.array([[0.0, 1.0]]), np.array([[0.0, 0.0]]))
    array([[ 0.5, -0.5]])
    """

    name = "categorical_crossentropy"
    logits_activation = "softmax"

    def __init__(self, from_logits=False, label_smoothing=0.0):
        self.from_logits = check_bool(from_logits, "from_logits", "CategoricalCrossentropy")
        self.label_smoothing = _check_smoothing(label_smoothing, "CategoricalCrossentropy")

    def _smooth(self, y):
        s = self.label_smoothing
        return y * (1.0 - s) + s / y.shape[-1] if s else y

    def _per_sample(self, y_true, y_pred):
        y = self._smooth(y_true)
        return _cce_logits(y, y_pred) if self.from_logits else _cce(y, y_pred)

    def _gradient_of_probabilities(self, y_true, y_pred):
        y = self._smooth(y_true)
        S = np.sum(y_pred, axis=-1, keepdims=True)
        q = y_pred / S
        inside = (q >= EPSILON) & (q <= 1.0 - EPSILON)
        g = np.where(inside, -y / np.clip(q, EPSILON, 1.0 - EPSILON), 0.0)
        dq = g - np.sum(g * q, axis=-1, keepdims=True)
        return dq / (S * _n_samples(y_pred))

    def value_from_logits(self, y_true, z):
        return _mean_all(_cce_logits(self._smooth(y_true), z))

    def gradient_from_logits(self, y_true, z):
        y = self._smooth(y_true)
        return (_SOFTMAX.forward(z) * np.sum(y, axis=-1, keepdims=True) - y) / _n_samples(z)

    def _shape_hint(self):
        return _CCE_HINT

    def _check(self, y_true, y_pred, owner, logits):
        y_true, y_pred = super()._check(y_true, y_pred, owner, logits)
        if not logits:
            _check_row_sums(y_pred, owner)
        return y_true, y_pred

    def get_config(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


@LOSSES.register("sparse_categorical_crossentropy")
class SparseCategoricalCrossentropy(_Crossentropy):
    r"""Categorical cross-entropy with integer labels; see :func:`sparse_categorical_crossentropy`.

    Parameters
    ----------
    from_logits : bool, default=False
        Whether ``y_pred`` holds logits :math:`z` rather than probabilities.

    Notes
    -----
    With :math:`\tilde p` the clipped probabilities and :math:`y` the label
    of a sample, the per-sample loss :math:`-\log \tilde p_y + \log \sum_c \tilde p_c`
    has the gradient (divided by the :math:`N` samples)

    .. math::
        \frac{\partial L}{\partial \hat y_j} = \frac1N \Big(\frac{1}{\sum_c \tilde p_c}
        - \frac{[j = y]}{\tilde p_y}\Big)
        \quad\text{where } \epsilon \le \hat y_j \le 1 - \epsilon, \text{ else } 0,

    and from the logits :math:`(\operatorname{softmax}(z) - \operatorname{onehot}(y))/N`.

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> scce = SparseCategoricalCrossentropy()
    >>> scce([1], [[0.25, 0.5, 0.25]])  # log 2
    0.6931471805599453
    >>> scce.gradient_from_logits(np.array([1]), np.array([[0.0, 0.0]]))
    array([[ 0.5, -0.5]])
    """

    name = "sparse_categorical_crossentropy"
    logits_activation = "softmax"

    def __init__(self, from_logits=False):
        self.from_logits = check_bool(from_logits, "from_logits", "SparseCategoricalCrossentropy")

    def _per_sample(self, y_true, y_pred):
        return _scce_logits(y_true, y_pred) if self.from_logits else _scce(y_true, y_pred)

    def _gradient_of_probabilities(self, y_true, y_pred):
        q = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        inside = (y_pred >= EPSILON) & (y_pred <= 1.0 - EPSILON)
        g = np.broadcast_to(1.0 / np.sum(q, axis=-1, keepdims=True), q.shape).copy()
        g[_at_labels(y_true)] -= 1.0 / _pick(q, y_true)
        return np.where(inside, g, 0.0) / _n_samples(y_pred)

    def value_from_logits(self, y_true, z):
        return _mean_all(_scce_logits(y_true, z))

    def gradient_from_logits(self, y_true, z):
        g = _SOFTMAX.forward(z)
        g[_at_labels(y_true)] -= 1.0  # softmax(z) - onehot(y)
        return g / _n_samples(z)

    def _check(self, y_true, y_pred, owner, logits):
        y_pred = _float_array(y_pred, "y_pred", owner)
        labels = _check_labels(y_true, y_pred.shape, owner)
        if not logits:
            _check_probabilities(y_pred, owner)
        return labels, y_pred

    def check_targets(self, y_true, y_pred_shape, dtype=np.float64):
        owner = f"{type(self).__name__}.check_targets"
        return _check_labels(y_true, tuple(y_pred_shape), owner)

    def get_config(self):
        return {"from_logits": self.from_logits}


# -- get ------------------------------------------------------------------------------------

_FUNCTION_TO_CLASS = {
    mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    hinge: Hinge,
    binary_crossentropy: BinaryCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
}


def names() -> list[str]:
    """The names :func:`get` accepts, sorted.

    Examples
    --------
    >>> names()[:3]
    ['binary_crossentropy', 'categorical_crossentropy', 'hinge']
    """
    return LOSSES.names()


def get(identifier) -> Loss:
    """A :class:`Loss` from a name, a function, a class or an instance.

    Parameters
    ----------
    identifier : str, Loss, function or Loss subclass
        * a name (case-insensitive): ``"mse"``/``"mean_squared_error"``,
          ``"mae"``/``"mean_absolute_error"``,
          ``"mape"``/``"mean_absolute_percentage_error"``,
          ``"binary_crossentropy"``, ``"categorical_crossentropy"``,
          ``"sparse_categorical_crossentropy"``, ``"hinge"`` -- a new
          instance with Keras's defaults;
        * a :class:`Loss` instance -- returned unchanged;
        * one of this module's functions, or a :class:`Loss` subclass -- a
          new instance of that class.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones).
    TypeError
        For ``None`` (a loss is required) and anything else.

    Notes
    -----
    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> get("mse")
    MeanSquaredError()
    >>> get(binary_crossentropy)
    BinaryCrossentropy(from_logits=False, label_smoothing=0.0)
    """
    loss = LOSSES.resolve(identifier, Loss, _FUNCTION_TO_CLASS)
    if loss is not None:
        return loss
    if identifier is None:
        got = "None: a loss is required"
    elif callable(identifier) and hasattr(identifier, "__name__"):
        got = f"the callable {getattr(identifier, '__module__', '?')}.{identifier.__name__}"
    else:
        got = describe(identifier)
    raise TypeError(
        "The 'loss' argument must be a name (one of "
        + ", ".join(repr(n) for n in names())
        + "), an mlpabc.losses.Loss instance or one of the functions of mlpabc.losses. "
        f"Got {got} instead."
    )
