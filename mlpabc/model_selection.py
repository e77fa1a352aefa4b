r"""Splitting data, cross-validation and hyperparameter search.

Splits
    :func:`train_test_split`, :func:`train_val_test_split`.
Cross-validators
    :class:`KFold`, :class:`LeaveOneOut`, :class:`RepeatedKFold`,
    :class:`HoldOut` (repeated random hold-out), with scikit-learn's interface:
    ``split(x, y=None)`` yields ``(train_idx, test_idx)``, ``get_n_splits()``. For the same integer seed
    they give exactly the folds of scikit-learn's ``KFold``, ``LeaveOneOut``,
    ``RepeatedKFold`` and ``ShuffleSplit``: like scikit-learn, they shuffle with
    the legacy :class:`numpy.random.RandomState` (an explicit object, never
    numpy's global generator).
Cross-validation
    :func:`cross_val_score` trains a fresh model on every fold and scores it on
    the held-out part.
Search
    :class:`GridSearch`, :class:`RandomSearch`, :class:`BayesianSearch`.

Models are made by a function, ``build_fn``, that returns a fresh model with
``fit(x, y, **fit_kwargs)`` and ``predict(x)``: an ``mlpabc.Sequential``, a
Keras model or a scikit-learn estimator. A fresh model per fold matters: a
model reused across folds would start the next fold already trained on its
test data.

Scores (``scoring``)
    ``"mse"``, ``"mae"``, ``"mape"`` (lower is better) and ``"accuracy"``,
    ``"r2"`` (higher is better), or a function ``score(y_true, y_pred)``.
    ``"mape"`` is a fraction, :math:`\frac1n\sum |y - \hat y| / |y|`
    (scikit-learn's convention; 0.2036 means 20.36 %), not Keras's percentage.

Introduced in the chapters *Cross-validation* and *Hyperparameters and
their tuning*.
"""

from __future__ import annotations

import inspect
import itertools
import math
import numbers

import numpy as np

from ._random import as_generator
from ._validation import check_bool, check_float, check_int, check_one_of, describe

__all__ = [
    "BayesianSearch",
    "GridSearch",
    "HoldOut",
    "KFold",
    "LeaveOneOut",
    "RandomSearch",
    "RepeatedKFold",
    "cross_val_score",
    "train_test_split",
    "train_val_test_split",
]


# -- random states and sizes --------------------------------------------------------------------


def _check_random_state(random_state, name, owner):
    """``None``/int/RandomState/Generator -> an object with ``shuffle`` and ``permutation``.

    An int gives ``np.random.RandomState(int)``, the generator scikit-learn
    uses, so folds agree with scikit-learn's for the same seed. ``None`` gives a
    fresh, OS-seeded ``RandomState`` (not numpy's global one).
    """
    if random_state is None:
        return np.random.RandomState()
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if not 0 <= random_state < 2**32:
            raise ValueError(
                f"The {name!r} argument of {owner} must be an integer in [0, 2**32 - 1]. "
                f"Got {random_state!r} instead."
            )
        return np.random.RandomState(int(random_state))
    if isinstance(random_state, (np.random.RandomState, np.random.Generator)):
        return random_state
    raise TypeError(
        f"The {name!r} argument of {owner} must be an integer, a numpy RandomState or "
        f"Generator, or None. Got {describe(random_state)} instead."
    )


def _check_test_size(test_size, owner):
    """A float in (0, 1) or a positive int (checked against n later)."""
    if isinstance(test_size, numbers.Integral) and not isinstance(test_size, bool):
        return check_int(test_size, "test_size", owner, minimum=1)
    return check_float(test_size, "test_size", owner, low=0, high=1, closed="neither")


def _n_train_test(n_samples, test_size, owner):
    """scikit-learn's rule: n_test = ceil(test_size * n) for a fraction."""
    n_test = test_size if isinstance(test_size, int) else math.ceil(test_size * n_samples)
    n_train = n_samples - n_test
    if n_train < 1 or n_test < 1:
        raise ValueError(
            f"The 'test_size' argument of {owner} must leave at least one sample in each part. "
            f"Got test_size={test_size!r} with n_samples={n_samples} "
            f"({n_train} train, {n_test} test)."
        )
    return n_train, n_test


def _num_samples(x, name, owner):
    if x is None or isinstance(x, (str, bytes, dict, set)) or not hasattr(x, "__len__"):
        raise TypeError(
            f"The {name!r} argument of {owner} must be an array. Got {describe(x)} instead."
        )
    return int(x.shape[0]) if hasattr(x, "shape") and len(x.shape) else len(x)


# -- one split ----------------------------------------------------------------------------------


def train_test_split(*arrays, test_size=0.25, shuffle=True, seed=None):
    r"""Split arrays into a training part and a test part (hold-out).

    With ``shuffle=True`` the rows are permuted by
    ``np.random.RandomState(seed).permutation(n)``; the first
    :math:`\lceil \text{test\_size} \cdot n \rceil` of the permutation are the test
    rows, the rest the training rows. This is scikit-learn's
    ``train_test_split(..., random_state=seed)`` exactly. With
    ``shuffle=False`` the last rows are the test part.

    Parameters
    ----------
    *arrays : array_like
        One or more arrays with the same number of rows (``x, y``).
    test_size : float or int, default=0.25
        Fraction in (0, 1) or number of test rows.
    shuffle : bool, default=True
    seed : int, numpy RandomState, numpy Generator or None

    Returns
    -------
    list of ndarray
        ``[a_train, a_test, b_train, b_test, ...]``, so ``x_tr, x_te, y_tr, y_te = ...``.

    Examples
    --------
    >>> x_tr, x_te = train_test_split([10, 11, 12, 13], shuffle=False)
    >>> x_tr.tolist(), x_te.tolist()
    ([10, 11, 12], [13])

    Introduced in the chapter *Evaluating training*.
    """
    owner = "train_test_split"
    if not arrays:
        raise TypeError(f"{owner} needs at least one array to split.")
    test_size = _check_test_size(test_size, owner)
    shuffle = check_bool(shuffle, "shuffle", owner)
    arrays = [np.asarray(a) for a in arrays]
    n = _check_lengths(arrays, owner)
    n_train, n_test = _n_train_test(n, test_size, owner)
    if shuffle:
        perm = _check_random_state(seed, "seed", owner).permutation(n)
        test, train = perm[:n_test], perm[n_test : n_test + n_train]
    else:
        train, test = np.arange(n_train), np.arange(n_train, n)
    return [part for a in arrays for part in (a[train], a[test])]


def train_val_test_split(x, y, sizes=(0.7, 0.15, 0.15), shuffle=True, seed=None):
    r"""Split ``x, y`` into training, validation and test sets (70/15/15 by default).

    The validation and test sets get :math:`\lceil s \cdot n \rceil` rows each,
    the training set the rest. The rows are permuted once
    (``np.random.RandomState(seed).permutation(n)``, or kept in order with
    ``shuffle=False``) and cut into training, validation and test, in that order.

    Parameters
    ----------
    x, y : array_like
        Same number of rows.
    sizes : (float, float, float), default=(0.7, 0.15, 0.15)
        Positive fractions for training, validation and test, summing to 1.
    shuffle : bool, default=True
    seed : int, numpy RandomState, numpy Generator or None

    Returns
    -------
    x_train, x_val, x_test, y_train, y_val, y_test : ndarray

    Examples
    --------
    >>> parts = train_val_test_split(np.arange(20), np.arange(20), shuffle=False)
    >>> [len(p) for p in parts]
    [14, 3, 3, 14, 3, 3]

    Introduced in the chapter *Evaluating training*.
    """
    owner = "train_val_test_split"
    shuffle = check_bool(shuffle, "shuffle", owner)
    ok = isinstance(sizes, (tuple, list)) and len(sizes) == 3
    if not ok or not all(isinstance(s, numbers.Real) and not isinstance(s, bool) for s in sizes):
        raise TypeError(
            f"The 'sizes' argument of {owner} must be three fractions (train, val, test). "
            f"Got {describe(sizes)} instead."
        )
    if not all(0 < s < 1 for s in sizes) or not math.isclose(sum(sizes), 1.0, abs_tol=1e-9):
        raise ValueError(
            f"The 'sizes' argument of {owner} must be three fractions in (0, 1) that sum to 1. "
            f"Got {tuple(sizes)!r} (sum {sum(sizes):g}) instead."
        )
    x, y = np.asarray(x), np.asarray(y)
    n = _check_lengths([x, y], owner)
    n_val, n_test = math.ceil(sizes[1] * n), math.ceil(sizes[2] * n)
    n_train = n - n_val - n_test
    if n_train < 1:
        raise ValueError(
            f"The 'x' argument of {owner} has too few samples (n_samples={n}) for the sizes "
            f"{tuple(sizes)!r}: {n_val} validation and {n_test} test rows leave none to train on."
        )
    order = _check_random_state(seed, "seed", owner).permutation(n) if shuffle else np.arange(n)
    train, val, test = np.split(order, [n_train, n_train + n_val])
    return x[train], x[val], x[test], y[train], y[val], y[test]


def _check_lengths(arrays, owner):
    lengths = [_num_samples(a, "arrays", owner) for a in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(
            f"The arrays given to {owner} must have the same number of samples (rows). "
            f"Got {lengths}."
        )
    return lengths[0]


# -- cross-validators ---------------------------------------------------------------------------


class _Splitter:
    """Shared ``repr`` and the fold arithmetic of k-fold splitting."""

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({args})"

    @staticmethod
    def _folds(indices, n_splits):
        """Cut ``indices`` into ``n_splits`` test folds; the first n % k folds get one extra."""
        n = len(indices)
        sizes = np.full(n_splits, n // n_splits)
        sizes[: n % n_splits] += 1
        start = 0
        everything = np.arange(n)
        for size in sizes:
            is_test = np.zeros(n, dtype=bool)
            is_test[indices[start : start + size]] = True
            start += size
            # Both parts come back sorted, as scikit-learn returns them.
            yield everything[~is_test], everything[is_test]

    @staticmethod
    def _check_n_splits(n_splits, n_samples, owner):
        if n_splits > n_samples:
            raise ValueError(
                f"The 'n_splits' argument of {owner} ({n_splits}) must not exceed the number "
                f"of samples (n_samples={n_samples}): each fold needs at least one sample."
            )


class KFold(_Splitter):
    r"""k-fold cross-validation: every sample is tested exactly once.

    The :math:`n` samples are cut into :math:`k` consecutive folds (the first
    :math:`n \bmod k` folds have one sample more); fold :math:`i` is the test
    set of split :math:`i` and the other :math:`k - 1` folds its training set.
    The cross-validated error is the mean of the :math:`k` fold errors,
    :math:`\frac1k \sum_i \mathrm{MSE}_i`. With ``shuffle=True`` the samples
    are first permuted by ``np.random.RandomState(random_state).shuffle``,
    exactly as scikit-learn's ``KFold`` does, so the folds are identical.

    Parameters
    ----------
    n_splits : int, default=5
        :math:`k \ge 2`.
    shuffle : bool, default=False
    random_state : int, numpy RandomState, numpy Generator or None
        Only with ``shuffle=True`` (as in scikit-learn, setting it otherwise is
        an error: it would have no effect).

    Examples
    --------
    >>> for train, test in KFold(3).split(np.zeros(5)):
    ...     print(train, test)
    [2 3 4] [0 1]
    [0 1 4] [2 3]
    [0 1 2 3] [4]

    Introduced in the chapter *Cross-validation*.
    """

    def __init__(self, n_splits=5, *, shuffle=False, random_state=None):
        self.n_splits = check_int(n_splits, "n_splits", "KFold", minimum=2)
        self.shuffle = check_bool(shuffle, "shuffle", "KFold")
        if not self.shuffle and random_state is not None:
            raise ValueError(
                "The 'random_state' argument of KFold must be None when shuffle=False "
                f"(it would have no effect). Got {random_state!r} instead; set shuffle=True."
            )
        _check_random_state(random_state, "random_state", "KFold")  # type check only
        self.random_state = random_state

    def split(self, X, y=None):
        """Yield ``(train_idx, test_idx)`` for each of the ``n_splits`` folds."""
        n = _num_samples(X, "X", "KFold.split")
        self._check_n_splits(self.n_splits, n, "KFold")
        indices = np.arange(n)
        if self.shuffle:
            _check_random_state(self.random_state, "random_state", "KFold").shuffle(indices)
        yield from self._folds(indices, self.n_splits)

    def get_n_splits(self, X=None, y=None):
        """The number of splits, ``n_splits``."""
        return self.n_splits


class LeaveOneOut(_Splitter):
    r"""Leave-one-out cross-validation (LOOCV): k-fold with :math:`k = n`.

    Split :math:`j` tests on sample :math:`j` alone and trains on the other
    :math:`n - 1`: :math:`n` models, nearly all data for each, but :math:`n`
    times the cost. Same splits as scikit-learn's ``LeaveOneOut``.

    Examples
    --------
    >>> [test.tolist() for _, test in LeaveOneOut().split(np.zeros(3))]
    [[0], [1], [2]]

    Introduced in the chapter *Cross-validation*.
    """

    def split(self, X, y=None):
        """Yield ``(all but j, [j])`` for every sample ``j``."""
        n = _num_samples(X, "X", "LeaveOneOut.split")
        if n < 2:
            raise ValueError(
                f"The 'X' argument of LeaveOneOut.split must hold at least 2 samples. "
                f"Got n_samples={n}."
            )
        yield from self._folds(np.arange(n), n)

    def get_n_splits(self, X=None, y=None):
        """The number of samples of ``X`` (one split per sample)."""
        if X is None:
            raise ValueError("The 'X' argument of LeaveOneOut.get_n_splits must not be None.")
        return _num_samples(X, "X", "LeaveOneOut.get_n_splits")


class RepeatedKFold(_Splitter):
    r"""k-fold cross-validation repeated with a new shuffle each time.

    ``n_repeats`` rounds of shuffled :class:`KFold` give
    ``n_splits * n_repeats`` scores (5 x 5 = 25 in the course's tuning example);
    their mean varies less with the luck of one partition. One
    ``RandomState(random_state)`` shuffles every round in turn, as in
    scikit-learn's ``RepeatedKFold``, so the splits are identical.

    Parameters
    ----------
    n_splits : int, default=5
    n_repeats : int, default=10
    random_state : int, numpy RandomState, numpy Generator or None

    Examples
    --------
    >>> RepeatedKFold(n_splits=5, n_repeats=5, random_state=0).get_n_splits()
    25

    Introduced in the chapter *Cross-validation*.
    """

    def __init__(self, n_splits=5, *, n_repeats=10, random_state=None):
        self.n_splits = check_int(n_splits, "n_splits", "RepeatedKFold", minimum=2)
        self.n_repeats = check_int(n_repeats, "n_repeats", "RepeatedKFold", minimum=1)
        _check_random_state(random_state, "random_state", "RepeatedKFold")
        self.random_state = random_state

    def split(self, X, y=None):
        """Yield ``n_splits * n_repeats`` pairs ``(train_idx, test_idx)``."""
        n = _num_samples(X, "X", "RepeatedKFold.split")
        self._check_n_splits(self.n_splits, n, "RepeatedKFold")
        rng = _check_random_state(self.random_state, "random_state", "RepeatedKFold")
        for _ in range(self.n_repeats):
            indices = np.arange(n)
            rng.shuffle(indices)
            yield from self._folds(indices, self.n_splits)

    def get_n_splits(self, X=None, y=None):
        """``n_splits * n_repeats``."""
        return self.n_splits * self.n_repeats


class HoldOut(_Splitter):
    r"""Repeated random hold-out: ``n_repeats`` independent train/test splits.

    Each split permutes the samples and holds out the first
    :math:`\lceil \text{test\_size} \cdot n \rceil` of them. Unlike k-fold, a
    sample may be tested in several splits or in none. Repeating the split
    shows how much a single hold-out estimate depends on the partition.
    Same splits as scikit-learn's ``ShuffleSplit(n_splits=n_repeats,
    test_size=test_size, random_state=random_state)``.

    Parameters
    ----------
    test_size : float or int, default=0.25
    n_repeats : int, default=10
    random_state : int, numpy RandomState, numpy Generator or None

    Examples
    --------
    >>> train, test = next(HoldOut(test_size=0.5, n_repeats=1, random_state=0).split(np.zeros(4)))
    >>> len(train), len(test)
    (2, 2)

    Introduced in the chapter *Cross-validation*.
    """

    def __init__(self, test_size=0.25, *, n_repeats=10, random_state=None):
        self.test_size = _check_test_size(test_size, "HoldOut")
        self.n_repeats = check_int(n_repeats, "n_repeats", "HoldOut", minimum=1)
        _check_random_state(random_state, "random_state", "HoldOut")
        self.random_state = random_state

    def split(self, X, y=None):
        """Yield ``n_repeats`` pairs ``(train_idx, test_idx)`` in permutation order."""
        n = _num_samples(X, "X", "HoldOut.split")
        n_train, n_test = _n_train_test(n, self.test_size, "HoldOut")
        rng = _check_random_state(self.random_state, "random_state", "HoldOut")
        for _ in range(self.n_repeats):
            perm = rng.permutation(n)
            yield perm[n_test : n_test + n_train], perm[:n_test]

    def get_n_splits(self, X=None, y=None):
        """``n_repeats``."""
        return self.n_repeats


# -- scores ---------------------------------------------------------------------------------


def _regression_pair(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_pred.shape != y_true.shape and y_pred.size == y_true.size:
        y_pred = y_pred.reshape(y_true.shape)  # (n, 1) predictions against (n,) targets
    if y_pred.shape != y_true.shape:
        raise ValueError(
            f"Predictions of shape {y_pred.shape} do not match targets of shape {y_true.shape}."
        )
    return y_true, y_pred


def _mse(y_true, y_pred):
    y_true, y_pred = _regression_pair(y_true, y_pred)
    return float(np.mean((y_true - y_pred) ** 2))


def _mae(y_true, y_pred):
    y_true, y_pred = _regression_pair(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))


def _mape(y_true, y_pred):
    # scikit-learn's mean_absolute_percentage_error: a fraction, |y| floored at machine epsilon.
    y_true, y_pred = _regression_pair(y_true, y_pred)
    eps = np.finfo(np.float64).eps
    return float(np.mean(np.abs(y_true - y_pred) / np.maximum(np.abs(y_true), eps)))


def _r2(y_true, y_pred):
    # scikit-learn's r2_score: per output column, then averaged; a constant target scores
    # 1.0 if predicted exactly, else 0.0.
    y_true, y_pred = _regression_pair(y_true, y_pred)
    if y_true.ndim == 1:
        y_true, y_pred = y_true[:, None], y_pred[:, None]
    ss_res = ((y_true - y_pred) ** 2).sum(axis=0)
    ss_tot = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0)
    safe = np.where(ss_tot > 0, ss_tot, 1.0)
    r2 = np.where(ss_tot > 0, 1.0 - ss_res / safe, np.where(ss_res == 0, 1.0, 0.0))
    return float(np.mean(r2))


def _accuracy(y_true, y_pred):
    """Labels, one-hot rows or probabilities against labels or one-hot rows.

    Predictions with several columns are turned into labels by ``argmax``
    (softmax outputs); a single column of non-integer values is thresholded at
    0.5 (sigmoid outputs), as Keras's ``binary_accuracy``.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim == 2 and y_true.shape[1] > 1:
        y_true = y_true.argmax(axis=1)
    if y_pred.ndim == 2 and y_pred.shape[1] > 1:
        y_pred = y_pred.argmax(axis=1)
    y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
    if y_pred.dtype.kind == "f" and not np.all(y_pred == np.round(y_pred)):
        y_pred = (y_pred > 0.5).astype(y_true.dtype)
    if y_pred.shape != y_true.shape:
        raise ValueError(
            f"Predictions of shape {y_pred.shape} do not match targets of shape {y_true.shape}."
        )
    return float(np.mean(y_pred == y_true))


#: name -> (function, greater_is_better)
_SCORERS = {
    "mse": (_mse, False),
    "mae": (_mae, False),
    "mape": (_mape, False),
    "accuracy": (_accuracy, True),
    "r2": (_r2, True),
}


def _get_scorer(scoring, owner, greater_is_better=None, need_direction=False):
    """Return ``(score_fn, greater_is_better)`` for a name or a callable."""
    if isinstance(scoring, str):
        check_one_of(scoring, "scoring", owner, tuple(_SCORERS))
        fn, greater = _SCORERS[scoring]
        if greater_is_better is not None and bool(greater_is_better) != greater:
            raise ValueError(
                f"The 'greater_is_better' argument of {owner} contradicts scoring={scoring!r} "
                f"({'higher' if greater else 'lower'} is better). Leave it as None."
            )
        return fn, greater
    if callable(scoring):
        if greater_is_better is None:
            if need_direction:
                raise ValueError(
                    f"The 'greater_is_better' argument of {owner} must be True or False when "
                    f"'scoring' is a function: is a higher score better (accuracy) or worse "
                    f"(an error)? Got None."
                )
            return scoring, None
        return scoring, check_bool(greater_is_better, "greater_is_better", owner)
    raise TypeError(
        f"The 'scoring' argument of {owner} must be one of "
        f"{', '.join(repr(k) for k in _SCORERS)} or a function score(y_true, y_pred). "
        f"Got {describe(scoring)} instead."
    )


# -- cross-validation ---------------------------------------------------------------------------


def _accepts(method, name):
    try:
        return name in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


def _check_build_fn(build_fn, owner):
    is_model = hasattr(build_fn, "fit") and hasattr(build_fn, "predict")
    if is_model and not isinstance(build_fn, type):  # a class is fine: calling it builds one
        raise TypeError(
            f"The 'build_fn' argument of {owner} must be a function that returns a fresh model, "
            f"not a model ({type(build_fn).__name__}): a model reused on every fold would start "
            f"each fold already trained on earlier folds. Write e.g. "
            f"build_fn=lambda: make_model()."
        )
    if not callable(build_fn):
        raise TypeError(
            f"The 'build_fn' argument of {owner} must be a function that returns a fresh model. "
            f"Got {describe(build_fn)} instead."
        )


def _folds_of(cv, x, y, owner):
    """The list of (train, test) index pairs for ``cv``: an int, a splitter or pairs."""
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        cv = check_int(cv, "cv", owner, minimum=2)
        n_samples = _num_samples(x, "x", owner)
        if cv > n_samples:
            raise ValueError(
                f"The 'cv' argument of {owner} must be at most the number of samples "
                f"(n_samples={n_samples}): each of the {cv} folds needs at least one test "
                f"sample. Got cv={cv} instead."
            )
        cv = KFold(cv)
    if hasattr(cv, "split") and not isinstance(cv, str):
        return list(cv.split(x, y))
    if isinstance(cv, (list, tuple)) and cv and all(len(pair) == 2 for pair in cv):
        return [(np.asarray(tr), np.asarray(te)) for tr, te in cv]
    raise TypeError(
        f"The 'cv' argument of {owner} must be a number of folds (int >= 2), a splitter with a "
        f"split(x, y) method (KFold(...)), or a list of (train_idx, test_idx) pairs. "
        f"Got {describe(cv)} instead."
    )


def _fit_and_score(model, x_train, y_train, x_test, y_test, score, fit_kwargs):
    if not (hasattr(model, "fit") and hasattr(model, "predict")):
        raise TypeError(
            f"build_fn must return a model with fit and predict methods. "
            f"Got {describe(model)} instead."
        )
    kwargs = dict(fit_kwargs)
    if "verbose" not in kwargs and _accepts(model.fit, "verbose"):
        kwargs["verbose"] = 0  # Keras-like models: no progress bars per fold
    model.fit(x_train, y_train, **kwargs)
    predict_kwargs = {"verbose": 0} if _accepts(model.predict, "verbose") else {}
    return float(score(y_test, model.predict(x_test, **predict_kwargs)))


def cross_val_score(build_fn, x, y, cv=5, scoring="mse", fit_kwargs=None) -> np.ndarray:
    r"""Score a freshly built model on every fold of a cross-validation.

    For each split :math:`i` of ``cv``: ``model = build_fn()``, fit it on the
    training rows, predict the test rows, and score:
    :math:`s_i = \text{score}(y_{\text{test}_i}, \hat y_{\text{test}_i})`. The
    cross-validated estimate is ``scores.mean()`` (for MSE:
    :math:`\frac1k\sum_i \mathrm{MSE}_i`).

    Parameters
    ----------
    build_fn : callable
        ``build_fn()`` returns a new, compiled model with ``fit`` and
        ``predict`` (mlpabc, Keras or scikit-learn).
    x, y : array_like
        Inputs and targets, indexed by rows.
    cv : int, splitter or list of (train_idx, test_idx), default=5
        An int is ``KFold(cv)`` (no shuffling; classes are not stratified).
    scoring : str or callable, default="mse"
        ``"mse"``, ``"mae"``, ``"mape"``, ``"accuracy"``, ``"r2"`` or
        ``score(y_true, y_pred) -> float``.
    fit_kwargs : dict or None
        Extra arguments of ``fit`` (``epochs=...``). ``verbose=0`` is added
        when ``fit`` or ``predict`` accept ``verbose`` and it is not given.

    Returns
    -------
    ndarray of shape (n_splits,)
        One score per split, in the order of ``cv``.

    Examples
    --------
    A straight line fits the points of :math:`y = 2x + 1` exactly on every fold:

    >>> from mlpabc.linear import LeastSquares
    >>> x = np.arange(6.0).reshape(-1, 1)
    >>> cross_val_score(LeastSquares, x, 2 * x.ravel() + 1, cv=3).round(12)
    array([0., 0., 0.])

    Introduced in the chapter *Cross-validation*.
    """
    owner = "cross_val_score"
    _check_build_fn(build_fn, owner)
    score, _ = _get_scorer(scoring, owner)
    fit_kwargs = _check_fit_kwargs(fit_kwargs, owner)
    x, y = np.asarray(x), np.asarray(y)
    _check_lengths([x, y], owner)
    scores = [
        _fit_and_score(build_fn(), x[tr], y[tr], x[te], y[te], score, fit_kwargs)
        for tr, te in _folds_of(cv, x, y, owner)
    ]
    return np.array(scores)


def _check_fit_kwargs(fit_kwargs, owner):
    if fit_kwargs is None:
        return {}
    if not isinstance(fit_kwargs, dict):
        raise TypeError(
            f"The 'fit_kwargs' argument of {owner} must be a dict of keyword arguments for fit "
            f"or None. Got {describe(fit_kwargs)} instead."
        )
    return fit_kwargs


# -- search spaces ------------------------------------------------------------------------------


class _Categorical:
    """A list of options, drawn uniformly; encoded one-hot."""

    def __init__(self, options):
        self.options = list(options)

    def draw(self, rng, n):
        return rng.integers(len(self.options), size=n)  # indices into options

    def value(self, raw):
        return self.options[int(raw)]

    def encode(self, raw):
        return np.eye(len(self.options))[raw]


class _Real:
    """("uniform", low, high) or ("log-uniform", low, high); encoded to [0, 1]."""

    def __init__(self, kind, low, high):
        self.log = kind == "log-uniform"
        self.lo, self.hi = (math.log(low), math.log(high)) if self.log else (low, high)

    def draw(self, rng, n):
        u = rng.uniform(self.lo, self.hi, size=n)
        return np.exp(u) if self.log else u

    def value(self, raw):
        return float(raw)

    def encode(self, raw):
        t = np.log(raw) if self.log else raw
        return ((t - self.lo) / (self.hi - self.lo))[:, None]


class _Integer:
    """("int", low, high): integers low..high inclusive; encoded to [0, 1]."""

    def __init__(self, low, high):
        self.lo, self.hi = low, high

    def draw(self, rng, n):
        return rng.integers(self.lo, self.hi + 1, size=n)

    def value(self, raw):
        return int(raw)

    def encode(self, raw):
        return ((raw - self.lo) / (self.hi - self.lo))[:, None]


class _Distribution:
    """An object with ``rvs(random_state=...)`` such as ``scipy.stats.loguniform(1e-4, 1e-1)``."""

    def __init__(self, dist):
        self.dist = dist

    def draw(self, rng, n):
        out = np.empty(n, dtype=object)
        for i in range(n):
            v = self.dist.rvs(random_state=rng)
            out[i] = v.item() if isinstance(v, np.generic) else v
        return out

    def value(self, raw):
        return raw


_RANGE_KINDS = ("uniform", "log-uniform", "int")


def _parse_space(space, name, owner, allow_rvs=True):
    """dict name -> dimension object, with the checks and messages for every kind."""
    if not isinstance(space, dict) or not space:
        raise TypeError(
            f"The {name!r} argument of {owner} must be a non-empty dict from parameter names to "
            f"their possible values. Got {describe(space)} instead."
        )
    dims = {}
    for key, spec in space.items():
        where = f"the entry {key!r} of the {name!r} argument of {owner}"
        if isinstance(spec, (list, np.ndarray)):
            if len(spec) == 0:
                raise ValueError(f"{where[0].upper()}{where[1:]} must not be an empty list.")
            dims[key] = _Categorical(spec)
        elif isinstance(spec, tuple) and len(spec) == 3 and spec[0] in _RANGE_KINDS:
            kind, low, high = spec
            numeric = all(
                isinstance(v, numbers.Real) and not isinstance(v, bool) for v in (low, high)
            )
            if kind == "int" and not all(isinstance(v, numbers.Integral) for v in (low, high)):
                numeric = False
            if not numeric or not low < high or (kind == "log-uniform" and low <= 0):
                need = {"uniform": "low < high", "log-uniform": "0 < low < high",
                        "int": "integers low < high"}[kind]
                raise ValueError(
                    f"{where[0].upper()}{where[1:]} must be ({kind!r}, low, high) with {need}. "
                    f"Got {spec!r} instead."
                )
            dims[key] = _Integer(low, high) if kind == "int" else _Real(kind, low, high)
        elif allow_rvs and hasattr(spec, "rvs"):
            dims[key] = _Distribution(spec)
        else:
            rvs = ", or an object with rvs(random_state=...)" if allow_rvs else ""
            raise TypeError(
                f"{where[0].upper()}{where[1:]} must be a list of options, a tuple "
                f"('uniform' | 'log-uniform' | 'int', low, high){rvs}. "
                f"Got {describe(spec)} instead."
            )
    return dims


def _draw_params(dims, rng):
    """One candidate: a dict with one random value per dimension, in the order of the dict."""
    return {key: dim.value(dim.draw(rng, 1)[0]) for key, dim in dims.items()}


# -- searches -----------------------------------------------------------------------------------


class _Search:
    """Evaluate candidates by cross-validation and keep the best one.

    Subclasses implement ``_run(evaluate)``, which calls ``evaluate(params)``
    (returning the mean score) for each candidate in turn.
    """

    _space_name = "param_grid"

    def fit(self, x, y):
        """Cross-validate every candidate on ``x, y``; returns ``self``."""
        owner = type(self).__name__
        _check_build_fn(self.build_fn, owner)
        self._score, self._greater = _get_scorer(
            self.scoring, owner, self.greater_is_better, need_direction=True
        )
        fit_kwargs = _check_fit_kwargs(self.fit_kwargs, owner)
        refit = check_bool(self.refit, "refit", owner)
        x, y = np.asarray(x), np.asarray(y)
        _check_lengths([x, y], owner)
        folds = _folds_of(self.cv, x, y, owner)  # the same folds for every candidate

        self.cv_results_ = []

        def evaluate(params):
            build = _with_params(self.build_fn, params)
            try:
                scores = cross_val_score(build, x, y, cv=folds, scoring=self._score,
                                         fit_kwargs=fit_kwargs)
            except Exception as err:
                raise _candidate_error(err, params, owner) from err
            result = {
                "params": params,
                "mean_score": float(np.mean(scores)),
                "std_score": float(np.std(scores)),
                "scores": scores,
            }
            self.cv_results_.append(result)
            return result["mean_score"]

        self._run(evaluate)
        means = np.array([r["mean_score"] for r in self.cv_results_])
        self.best_index_ = _best_index(means, self._greater)
        self.best_params_ = self.cv_results_[self.best_index_]["params"]
        self.best_score_ = self.cv_results_[self.best_index_]["mean_score"]
        if refit:
            try:
                self.best_model_ = self.build_fn(**self.best_params_)
                kwargs = dict(fit_kwargs)
                if "verbose" not in kwargs and _accepts(self.best_model_.fit, "verbose"):
                    kwargs["verbose"] = 0
                self.best_model_.fit(x, y, **kwargs)
            except Exception as err:
                raise _candidate_error(err, self.best_params_, owner) from err
        return self


def _with_params(build_fn, params):
    def build():
        return build_fn(**params)

    return build


def _candidate_error(err, params, owner):
    """The same kind of error, with the offending parameters named in the message.

    scikit-learn's ``GridSearchCV`` catches such errors and scores the candidate
    NaN (``error_score=np.nan``), so a misspelt option ('lbgfs' for 'lbfgs')
    silently drops a third of a grid. Here the error is raised, as
    ``error_score="raise"`` does.
    """
    msg = f"{owner} failed for the candidate {params!r}: {type(err).__name__}: {err}"
    try:
        return type(err)(msg)
    except Exception:  # an exception type that needs other constructor arguments
        return RuntimeError(msg)


def _best_index(means, greater):
    """Index of the best mean score; NaN (a diverged model) counts as the worst."""
    key = -means if greater else means
    key = np.where(np.isnan(key), np.inf, key)
    return int(np.argmin(key))


class GridSearch(_Search):
    r"""Exhaustive search: cross-validate every combination of a grid.

    For ``param_grid = {"a": [1, 2], "b": ["x", "y", "z"]}`` there are
    :math:`2 \times 3 = 6` candidates, ``build_fn(a=1, b="x")``,
    ``build_fn(a=1, b="y")``, ... (the last name varies fastest). The count
    multiplies: the course's MLP example has :math:`10 \cdot 4 \cdot 3 \cdot 7
    \cdot 3 = 2520` combinations, each cross-validated 25 times.

    Unlike scikit-learn's ``GridSearchCV`` (``error_score=np.nan``), a
    candidate whose ``build_fn`` or ``fit`` raises is **not** scored NaN: the
    error propagates, naming the candidate's parameters (a misspelt option such
    as ``solver="lbgfs"`` must not silently drop part of a grid).

    Parameters
    ----------
    build_fn : callable
        ``build_fn(**params)`` returns a fresh, compiled model.
    param_grid : dict
        Parameter name -> list of values.
    cv : int, splitter or list of (train_idx, test_idx), default=5
        The folds are computed once, so every candidate sees the same splits.
    scoring : str or callable, default="mse"
        Error scores (``"mse"``, ``"mae"``, ``"mape"``) are minimised,
        ``"accuracy"`` and ``"r2"`` maximised.
    fit_kwargs : dict or None
        Extra arguments for ``fit``.
    greater_is_better : bool or None
        Required when ``scoring`` is a function.
    refit : bool, default=True
        Fit the best candidate on all of ``x, y`` as ``best_model_``.

    Attributes
    ----------
    cv_results_ : list of dict
        One dict per candidate, in order: ``params``, ``mean_score``,
        ``std_score`` (population standard deviation over the splits), ``scores``.
    best_params_, best_score_, best_index_
        The best candidate (a NaN mean score is never the best).
    best_model_
        With ``refit=True``.
    n_candidates_ : int
        The product of the grid sizes.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> x = np.arange(8.0).reshape(-1, 1)
    >>> search = GridSearch(lambda alpha: Ridge(alpha=alpha), {"alpha": [0.0, 10.0]}, cv=4)
    >>> search.fit(x, 3 * x.ravel()).best_params_
    {'alpha': 0.0}
    >>> search.n_candidates_
    2

    Introduced in the chapter *Hyperparameters and their tuning*.
    """

    def __init__(self, build_fn, param_grid, cv=5, scoring="mse", fit_kwargs=None,
                 greater_is_better=None, refit=True):
        self.build_fn = build_fn
        self.param_grid = param_grid
        self.cv = cv
        self.scoring = scoring
        self.fit_kwargs = fit_kwargs
        self.greater_is_better = greater_is_better
        self.refit = refit

    def candidates(self) -> list[dict]:
        """Every combination of the grid, without fitting anything."""
        grid = _parse_space(self.param_grid, "param_grid", "GridSearch", allow_rvs=False)
        if not all(isinstance(dim, _Categorical) for dim in grid.values()):
            raise TypeError(
                "The 'param_grid' argument of GridSearch must map each name to a list of values "
                "(use RandomSearch or BayesianSearch for ranges)."
            )
        names = list(grid)
        return [
            dict(zip(names, combo))
            for combo in itertools.product(*(grid[n].options for n in names))
        ]

    def _run(self, evaluate):
        candidates = self.candidates()
        self.n_candidates_ = len(candidates)
        for params in candidates:
            evaluate(params)


class RandomSearch(_Search):
    r"""Random search: cross-validate ``n_iter`` randomly drawn candidates.

    Each parameter is drawn independently: from a list uniformly; from
    ``("uniform", low, high)`` or ``("log-uniform", low, high)`` (uniform in
    :math:`\log`, the natural scale for learning rates and penalties); from
    ``("int", low, high)`` (both ends included); or from any object with
    ``rvs(random_state=...)``, such as a ``scipy.stats`` distribution. When
    only a few parameters matter, random search tries more distinct values of
    each than a grid of the same cost (Bergstra and Bengio, 2012).

    Parameters
    ----------
    build_fn : callable
    param_distributions : dict
        Parameter name -> list, range tuple or distribution.
    n_iter : int, default=10
    cv, scoring, fit_kwargs, greater_is_better, refit
        As in :class:`GridSearch`.
    seed : int, numpy.random.Generator or None

    Attributes
    ----------
    cv_results_, best_params_, best_score_, best_index_, best_model_
        As in :class:`GridSearch`.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> x = np.arange(8.0).reshape(-1, 1)
    >>> search = RandomSearch(lambda alpha: Ridge(alpha=alpha),
    ...                       {"alpha": ("log-uniform", 1e-3, 1e3)}, n_iter=4, cv=4, seed=0)
    >>> len(search.fit(x, 3 * x.ravel()).cv_results_)
    4

    Introduced in the chapter *Hyperparameters and their tuning*.
    """

    def __init__(self, build_fn, param_distributions, n_iter=10, cv=5, scoring="mse",
                 seed=None, fit_kwargs=None, greater_is_better=None, refit=True):
        self.build_fn = build_fn
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.cv = cv
        self.scoring = scoring
        self.seed = seed
        self.fit_kwargs = fit_kwargs
        self.greater_is_better = greater_is_better
        self.refit = refit

    def _run(self, evaluate):
        owner = "RandomSearch"
        n_iter = check_int(self.n_iter, "n_iter", owner, minimum=1)
        dims = _parse_space(self.param_distributions, "param_distributions", owner)
        rng = as_generator(self.seed, owner=owner)
        for _ in range(n_iter):
            evaluate(_draw_params(dims, rng))


class BayesianSearch(_Search):
    r"""Bayesian optimisation: a Gaussian process guides where to look next.

    The first ``n_initial`` candidates are random. After that, each step

    1. encodes every evaluated candidate into :math:`[0, 1]^D` (ranges scaled,
       log-ranges on the log scale, lists one-hot) and normalises the mean
       scores, oriented so that lower is better, to mean 0 and standard
       deviation 1;
    2. fits a Gaussian process with the RBF kernel
       :math:`k(u, v) = \exp(-\lVert u - v\rVert^2 / 2\ell^2)`; the length
       scale :math:`\ell` is the one of a small grid with the highest
       marginal likelihood, all linear algebra through a Cholesky factor;
    3. draws 1000 random proposals and evaluates the one with the largest
       *expected improvement* over the best score so far, :math:`f^*`:

       .. math::

           \mathrm{EI}(u) = (f^* - \mu - \xi)\,\Phi(z) + \sigma\,\varphi(z),
           \qquad z = \frac{f^* - \mu - \xi}{\sigma},

       where :math:`\mu, \sigma` are the process's mean and standard deviation at
       :math:`u`.

    EI is large where the predicted score is good (small :math:`\mu`:
    *exploitation*) or uncertain (large :math:`\sigma`: *exploration*). The
    margin :math:`\xi \ge 0` (in units of the scores' standard deviation)
    shifts the balance: with :math:`\xi = 0` a point barely better than
    :math:`f^*` for sure is attractive; a larger :math:`\xi` demands an
    improvement of at least :math:`\xi`, which only uncertain points promise,
    so the search explores more. A candidate whose score is NaN (a diverged
    model) is treated as the worst score seen.

    Parameters
    ----------
    build_fn : callable
    space : dict
        Parameter name -> list of options, ``("uniform", low, high)``,
        ``("log-uniform", low, high)`` or ``("int", low, high)``.
    n_iter : int, default=20
        Total number of candidates evaluated, the random ones included.
    n_initial : int, default=5
        Random candidates before the Gaussian process takes over (1 ..
        ``n_iter``).
    xi : float, default=0.01
        Exploration margin :math:`\xi`.
    cv, scoring, fit_kwargs, greater_is_better, refit
        As in :class:`GridSearch`.
    seed : int, numpy.random.Generator or None

    Attributes
    ----------
    cv_results_, best_params_, best_score_, best_index_, best_model_
        As in :class:`GridSearch`, in the order evaluated.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> x = np.arange(8.0).reshape(-1, 1)
    >>> space = {"alpha": ("log-uniform", 1e-3, 1e3)}
    >>> search = BayesianSearch(lambda alpha: Ridge(alpha=alpha), space,
    ...                         n_iter=6, n_initial=3, cv=4, seed=0).fit(x, 3 * x.ravel())
    >>> len(search.cv_results_), search.best_params_["alpha"] < 1
    (6, True)

    Introduced in the chapter *Hyperparameters and their tuning*.
    """

    _N_PROPOSALS = 1000
    _LENGTH_SCALES = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
    _JITTER = 1e-6  # added to the kernel's diagonal: numerical safety, and near-interpolation

    def __init__(self, build_fn, space, n_iter=20, n_initial=5, cv=5, scoring="mse", seed=None,
                 xi=0.01, fit_kwargs=None, greater_is_better=None, refit=True):
        self.build_fn = build_fn
        self.space = space
        self.n_iter = n_iter
        self.n_initial = n_initial
        self.cv = cv
        self.scoring = scoring
        self.seed = seed
        self.xi = xi
        self.fit_kwargs = fit_kwargs
        self.greater_is_better = greater_is_better
        self.refit = refit

    def _run(self, evaluate):
        owner = "BayesianSearch"
        n_iter = check_int(self.n_iter, "n_iter", owner, minimum=1)
        n_initial = check_int(self.n_initial, "n_initial", owner, minimum=1, maximum=n_iter)
        xi = check_float(self.xi, "xi", owner, low=0)
        dims = _parse_space(self.space, "space", owner, allow_rvs=False)
        rng = as_generator(self.seed, owner=owner)
        encoded, losses = [], []
        for step in range(n_iter):
            raw = {k: d.draw(rng, 1 if step < n_initial else self._N_PROPOSALS)
                   for k, d in dims.items()}
            codes = np.hstack([d.encode(raw[k]) for k, d in dims.items()])
            pick = 0
            if step >= n_initial:
                pick = int(np.argmax(self._expected_improvement(
                    np.array(encoded), np.array(losses), codes, xi)))
            params = {k: d.value(raw[k][pick]) for k, d in dims.items()}
            score = evaluate(params)
            encoded.append(codes[pick])
            losses.append(score if not self._greater else -score)  # oriented: lower is better

    def _expected_improvement(self, X, f, candidates, xi):
        """EI of each candidate row under a GP fitted to the points ``X`` with losses ``f``."""
        from scipy.special import ndtr  # standard normal CDF (scipy comes with scikit-learn)

        f = np.where(np.isnan(f), np.nanmax(f) if np.isfinite(f).any() else 0.0, f)
        f = (f - f.mean()) / (f.std() if f.std() > 0 else 1.0)
        mu, sigma = _gp_posterior(X, f, candidates, self._LENGTH_SCALES, self._JITTER)
        improvement = f.min() - mu - xi
        safe = np.where(sigma > 1e-12, sigma, 1.0)
        z = improvement / safe
        ei = improvement * ndtr(z) + sigma * np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi)
        return np.where(sigma > 1e-12, ei, np.maximum(improvement, 0.0))


def _rbf(A, B, length_scale):
    sq = (A**2).sum(1)[:, None] + (B**2).sum(1)[None, :] - 2 * A @ B.T
    return np.exp(-0.5 * np.maximum(sq, 0.0) / length_scale**2)


def _gp_posterior(X, f, X_new, length_scales, jitter):
    r"""Mean and standard deviation at ``X_new`` of a zero-mean, unit-variance RBF process.

    With :math:`K = k(X, X) + \text{jitter}\, I = L L^\top`:
    :math:`\mu = k(X, X_*)^\top K^{-1} f` and
    :math:`\sigma^2 = 1 - \lVert L^{-1} k(X, X_*) \rVert^2`. The length scale
    (times :math:`\sqrt D`) maximises the log marginal likelihood
    :math:`-\tfrac12 f^\top K^{-1} f - \sum_i \log L_{ii}` (constant dropped).
    """
    scale = np.sqrt(X.shape[1])
    best = None
    for ell in length_scales:
        L = np.linalg.cholesky(_rbf(X, X, ell * scale) + jitter * np.eye(len(X)))
        alpha = np.linalg.solve(L.T, np.linalg.solve(L, f))
        log_likelihood = -0.5 * f @ alpha - np.log(np.diag(L)).sum()
        if best is None or log_likelihood > best[0]:
            best = (log_likelihood, ell * scale, L, alpha)
    _, ell, L, alpha = best
    K_star = _rbf(X, X_new, ell)
    mu = K_star.T @ alpha
    v = np.linalg.solve(L, K_star)
    return mu, np.sqrt(np.maximum(1.0 - (v * v).sum(axis=0), 0.0))
