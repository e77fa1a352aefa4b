r"""Splitting data: one hold-out split, and the cross-validators.

Splits
    :func:`train_test_split`, :func:`train_val_test_split`.
Cross-validators
    :class:`KFold`, :class:`LeaveOneOut`, :class:`RepeatedKFold`,
    :class:`HoldOut` (repeated random hold-out), with scikit-learn's interface:
    ``split(x, y=None)`` yields ``(train_idx, test_idx)``, ``get_n_splits()``. For the same
    integer seed they give exactly the folds of scikit-learn's ``KFold``, ``LeaveOneOut``,
    ``RepeatedKFold`` and ``ShuffleSplit``: like scikit-learn, they shuffle with
    the legacy :class:`numpy.random.RandomState` (an explicit object, never
    numpy's global generator).

Introduced in the chapters *Evaluating training* and *Cross-validation*.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .._validation import check_bool, check_float, check_int, describe

__all__ = [
    "HoldOut",
    "KFold",
    "LeaveOneOut",
    "RepeatedKFold",
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
