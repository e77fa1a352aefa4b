r"""The loss functions: Keras's per-sample formulas, and the checks of their inputs.

See :mod:`mlpabc.losses`. Introduced in the chapter *Loss functions*.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_array, check_bool, check_float, describe

#: Keras's ``keras.config.epsilon()``: the clipping bound of the log-losses and MAPE's floor.
EPSILON = 1e-7


# -- input checks -----------------------------------------------------------------------------


def _float_array(x, name, owner, dtype=None, finite=True):
    """``x`` as a (finite) float array with at least one axis (float inputs keep their dtype)."""
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
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _cce_logits(y, z):
    return -(y * _log_softmax(z)).sum(axis=-1)


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
