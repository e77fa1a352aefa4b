r"""Cross-validation: scores, and a freshly built model trained and scored on every fold.

:func:`cross_val_score` trains a fresh model on every fold and scores it on the
held-out part; with ``n_jobs`` the folds are trained on several cores (or a
Dask cluster), with exactly the serial run's scores.

Scores (``scoring``)
    ``"mse"``, ``"mae"``, ``"mape"`` (lower is better) and ``"accuracy"``,
    ``"r2"`` (higher is better), or a function ``score(y_true, y_pred)``.
    ``"mape"`` is a fraction, :math:`\frac1n\sum |y - \hat y| / |y|`
    (scikit-learn's convention; 0.2036 means 20.36 %), not Keras's percentage.

Introduced in the chapter *Cross-validation*.
"""

from __future__ import annotations

import inspect
import numbers

import numpy as np

from .._validation import check_bool, check_int, check_one_of, describe
from ._parallel import check_n_jobs, run_tasks
from .splits import KFold, _check_lengths, _num_samples

__all__ = ["cross_val_score"]


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


def fit_and_score_task(build_fn, params, x, y, train, test, score, fit_kwargs, owner=None):
    """One task of a cross-validation: ``build_fn(**params)``, fit on ``train``, score ``test``.

    Everything the task needs travels with it, so it gives the same score in
    any process. With ``owner`` (a search), an error names the candidate.
    """
    try:
        model = build_fn(**params)
        return _fit_and_score(model, x[train], y[train], x[test], y[test], score, fit_kwargs)
    except Exception as err:
        if owner is None:
            raise
        raise candidate_error(err, params, owner) from err


def candidate_error(err, params, owner):
    """The same kind of error, with the offending parameters named in the message.

    scikit-learn's ``GridSearchCV`` catches such errors and scores the candidate
    NaN (``error_score=np.nan``), so a misspelt option ('lbgfs' for 'lbfgs')
    silently drops a third of a grid. Here the error is raised, as
    ``error_score="raise"`` does.
    """
    msg = f"{owner} failed for the candidate {params!r}: {type(err).__name__}: {err}"
    try:
        return type(err)(msg)
    except Exception:  # noqa: BLE001 -- an exception type that needs other constructor arguments
        return RuntimeError(msg)


def cross_val_score(
    build_fn, x, y, cv=5, scoring="mse", fit_kwargs=None, n_jobs=None
) -> np.ndarray:
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
    n_jobs : int or None, default=None
        Train the folds on this many worker processes (joblib's ``loky``
        backend; ``-1``: one per core). ``None`` is one process, unless inside a
        ``joblib.parallel_backend`` context, such as ``"dask"`` with a
        ``dask.distributed.Client`` (scikit-learn's convention). The scores are
        those of the serial run, in the same order: each fold is a task that
        carries ``build_fn`` and its rows, and each worker uses one BLAS thread.
        ``build_fn`` must then be picklable by cloudpickle (a function, a
        lambda or a class are) and should seed its model with an integer: a
        ``build_fn`` that draws from a shared generator gets a copy of it in
        each worker.

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

    The same on two worker processes:

    >>> cross_val_score(LeastSquares, x, 2 * x.ravel() + 1, cv=3, n_jobs=2).round(12)
    array([0., 0., 0.])

    Introduced in the chapter *Cross-validation*.
    """
    owner = "cross_val_score"
    _check_build_fn(build_fn, owner)
    score, _ = _get_scorer(scoring, owner)
    fit_kwargs = _check_fit_kwargs(fit_kwargs, owner)
    x, y = np.asarray(x), np.asarray(y)
    _check_lengths([x, y], owner)
    n_jobs = check_n_jobs(n_jobs, owner)
    folds = _folds_of(cv, x, y, owner)
    tasks = [(build_fn, {}, x, y, train, test, score, fit_kwargs) for train, test in folds]
    return np.array(run_tasks(fit_and_score_task, tasks, n_jobs))


def _check_fit_kwargs(fit_kwargs, owner):
    if fit_kwargs is None:
        return {}
    if not isinstance(fit_kwargs, dict):
        raise TypeError(
            f"The 'fit_kwargs' argument of {owner} must be a dict of keyword arguments for fit "
            f"or None. Got {describe(fit_kwargs)} instead."
        )
    return fit_kwargs
