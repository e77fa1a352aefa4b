r"""Splitting data, cross-validation and hyperparameter search.

Splits (:mod:`~mlpabc.model_selection.splits`)
    :func:`train_test_split`, :func:`train_val_test_split`.
Cross-validators (:mod:`~mlpabc.model_selection.splits`)
    :class:`KFold`, :class:`LeaveOneOut`, :class:`RepeatedKFold`,
    :class:`HoldOut`, with scikit-learn's interface and, for the same integer
    seed, exactly scikit-learn's folds (the module says how).
Cross-validation (:mod:`~mlpabc.model_selection.validation`)
    :func:`cross_val_score` trains a fresh model on every fold and scores it on
    the held-out part.
Search (:mod:`~mlpabc.model_selection.search`)
    :class:`GridSearch`, :class:`RandomSearch`, :class:`BayesianSearch`, and
    the formulas of Bayesian search, :func:`expected_improvement` and
    :func:`gp_posterior`.

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

Scaling out (``n_jobs``)
    :func:`cross_val_score` and the three searches take ``n_jobs``: the
    trainings, one task per (candidate, fold), run on that many worker
    processes through joblib (``-1``: one per core), or on a Dask cluster
    inside ``with joblib.parallel_backend("dask"):`` (``pip install
    "mlpabc[scale]"``). The results are exactly the serial run's, in the same
    order.

Introduced in the chapters *Cross-validation* and *Hyperparameters and
their tuning*.
"""

from .search import BayesianSearch, GridSearch, RandomSearch, expected_improvement, gp_posterior
from .splits import (
    HoldOut,
    KFold,
    LeaveOneOut,
    RepeatedKFold,
    train_test_split,
    train_val_test_split,
)
from .validation import cross_val_score

__all__ = [
    "BayesianSearch",
    "GridSearch",
    "HoldOut",
    "KFold",
    "LeaveOneOut",
    "RandomSearch",
    "RepeatedKFold",
    "cross_val_score",
    "expected_improvement",
    "gp_posterior",
    "train_test_split",
    "train_val_test_split",
]
