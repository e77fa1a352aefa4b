"""Tests of mlpabc.model_selection: splits, cross-validation and searches."""

import warnings

import numpy as np
import pytest
import scipy.stats
import sklearn.model_selection as skms
from sklearn import metrics as skm
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.neural_network import MLPRegressor

from mlpabc.datasets import load_diabetes, load_iris
from mlpabc.linear import LeastSquares
from mlpabc.model_selection import (
    BayesianSearch,
    GridSearch,
    HoldOut,
    KFold,
    LeaveOneOut,
    RandomSearch,
    RepeatedKFold,
    cross_val_score,
    expected_improvement,
    gp_posterior,
    train_test_split,
    train_val_test_split,
)
from mlpabc.model_selection.search import _draw_params, _parse_space
from mlpabc.model_selection.validation import _SCORERS


def _same_splits(ours, theirs):
    ours, theirs = list(ours), list(theirs)
    assert len(ours) == len(theirs)
    for (tr_a, te_a), (tr_b, te_b) in zip(ours, theirs):
        np.testing.assert_array_equal(tr_a, tr_b)
        np.testing.assert_array_equal(te_a, te_b)


# -- parity of the folds with scikit-learn ------------------------------------------------------


@pytest.mark.parametrize("n", [5, 7, 10, 23])
@pytest.mark.parametrize("k", [2, 3, 5])
def test_kfold_without_shuffle_matches_sklearn(n, k):
    X = np.zeros((n, 2))
    _same_splits(KFold(k).split(X), skms.KFold(k).split(X))


@pytest.mark.parametrize("seed", [0, 1, 42, 2**32 - 1])
@pytest.mark.parametrize("n, k", [(10, 3), (23, 5), (7, 7)])
def test_kfold_with_shuffle_matches_sklearn(seed, n, k):
    X = np.zeros(n)
    ours = KFold(k, shuffle=True, random_state=seed)
    theirs = skms.KFold(k, shuffle=True, random_state=seed)
    _same_splits(ours.split(X), theirs.split(X))
    _same_splits(ours.split(X), theirs.split(X))  # an int seed repeats the same folds


def test_kfold_with_shared_randomstate_matches_sklearn():
    X = np.zeros(11)
    ours = KFold(3, shuffle=True, random_state=np.random.RandomState(5))
    theirs = skms.KFold(3, shuffle=True, random_state=np.random.RandomState(5))
    for _ in range(3):  # the shared RandomState advances, in both
        _same_splits(ours.split(X), theirs.split(X))


@pytest.mark.parametrize("n", [2, 5, 9])
def test_leave_one_out_matches_sklearn(n):
    X = np.zeros((n, 1))
    _same_splits(LeaveOneOut().split(X), skms.LeaveOneOut().split(X))
    assert LeaveOneOut().get_n_splits(X) == n


@pytest.mark.parametrize("seed", [0, 3, 123])
@pytest.mark.parametrize("n, k, repeats", [(10, 5, 5), (13, 3, 2), (6, 2, 4)])
def test_repeated_kfold_matches_sklearn(seed, n, k, repeats):
    X = np.zeros(n)
    ours = RepeatedKFold(k, n_repeats=repeats, random_state=seed)
    theirs = skms.RepeatedKFold(n_splits=k, n_repeats=repeats, random_state=seed)
    _same_splits(ours.split(X), theirs.split(X))
    assert ours.get_n_splits() == theirs.get_n_splits() == k * repeats


@pytest.mark.parametrize("seed", [0, 7, 99])
@pytest.mark.parametrize("test_size", [0.25, 0.3, 3])
def test_hold_out_matches_shuffle_split(seed, test_size):
    X = np.zeros(17)
    ours = HoldOut(test_size, n_repeats=4, random_state=seed)
    theirs = skms.ShuffleSplit(n_splits=4, test_size=test_size, random_state=seed)
    _same_splits(ours.split(X), theirs.split(X))
    assert ours.get_n_splits() == 4


@pytest.mark.parametrize("seed", [0, 1, 42])
@pytest.mark.parametrize("test_size", [0.25, 0.15, 0.5, 4])
def test_train_test_split_matches_sklearn(seed, test_size):
    x = np.arange(40.0).reshape(20, 2)
    y = np.arange(20)
    ours = train_test_split(x, y, test_size=test_size, seed=seed)
    theirs = skms.train_test_split(x, y, test_size=test_size, random_state=seed)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
    ours = train_test_split(x, y, test_size=test_size, shuffle=False)
    theirs = skms.train_test_split(x, y, test_size=test_size, shuffle=False)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


def test_splitters_never_touch_the_global_rng():
    before = np.random.get_state()[1].copy()
    list(KFold(3, shuffle=True).split(np.zeros(9)))
    list(RepeatedKFold(3, n_repeats=2).split(np.zeros(9)))
    list(HoldOut(0.3).split(np.zeros(9)))
    train_test_split(np.zeros(9))
    train_val_test_split(np.zeros(9), np.zeros(9), sizes=(0.6, 0.2, 0.2))
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_kfold_folds_partition_the_data():
    folds = list(KFold(4, shuffle=True, random_state=0).split(np.zeros(10)))
    tests = np.concatenate([te for _, te in folds])
    assert sorted(tests.tolist()) == list(range(10))
    assert [len(te) for _, te in folds] == [3, 3, 2, 2]
    for tr, te in folds:
        assert set(tr).isdisjoint(te) and len(tr) + len(te) == 10


# -- train_val_test_split -------------------------------------------------------------------


def test_train_val_test_split_sizes_and_partition():
    x, y = np.arange(200.0), np.arange(200)
    x_tr, x_va, x_te, y_tr, y_va, y_te = train_val_test_split(x, y, seed=0)
    assert (len(x_tr), len(x_va), len(x_te)) == (140, 30, 30)
    assert sorted(np.concatenate([y_tr, y_va, y_te]).tolist()) == list(range(200))
    np.testing.assert_array_equal(x_tr, y_tr)  # x and y stay aligned
    again = train_val_test_split(x, y, seed=0)
    np.testing.assert_array_equal(again[0], x_tr)
    parts = train_val_test_split(np.arange(10), np.arange(10), shuffle=False)
    assert [p.tolist() for p in parts[:3]] == [[0, 1, 2, 3, 4, 5], [6, 7], [8, 9]]


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(sizes=(0.5, 0.2, 0.2)), ValueError, r"sum to 1. Got \(0.5, 0.2, 0.2\) \(sum 0.9\)"),
        (dict(sizes=(0.7, 0.3)), TypeError, "three fractions"),
        (dict(sizes=(1.0, 0.0, 0.0)), ValueError, r"in \(0, 1\)"),
        (dict(shuffle=1), TypeError, "'shuffle' argument of train_val_test_split"),
        (dict(seed=1.5), TypeError, "'seed' argument of train_val_test_split"),
    ],
)
def test_train_val_test_split_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        train_val_test_split(np.zeros(20), np.zeros(20), **kwargs)


def test_train_val_test_split_too_small():
    with pytest.raises(ValueError, match="n_samples=2"):
        train_val_test_split(np.zeros(2), np.zeros(2))


# -- bad arguments of the splitters -----------------------------------------------------------


def test_more_folds_than_samples():
    with pytest.raises(ValueError, match=r"'n_splits' argument of KFold \(5\).*n_samples=3"):
        list(KFold(5).split(np.zeros(3)))
    with pytest.raises(
        ValueError, match=r"'n_splits' argument of RepeatedKFold \(4\).*n_samples=2"
    ):
        list(RepeatedKFold(4, n_repeats=2).split(np.zeros(2)))


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (lambda: KFold(1), ValueError, "'n_splits' argument of KFold must be an integer >= 2"),
        (lambda: KFold(2.0), TypeError, "'n_splits' argument of KFold must be an integer"),
        (lambda: KFold(3, random_state=0), ValueError, "must be None when shuffle=False"),
        (
            lambda: KFold(3, shuffle=True, random_state="0"),
            TypeError,
            "'random_state' argument of KFold",
        ),
        (lambda: KFold(3, shuffle=True, random_state=-1), ValueError, r"\[0, 2\*\*32 - 1\]"),
        (lambda: KFold(3, shuffle="no"), TypeError, "'shuffle' argument of KFold"),
        (
            lambda: RepeatedKFold(3, n_repeats=0),
            ValueError,
            "'n_repeats' argument of RepeatedKFold",
        ),
        (
            lambda: HoldOut(1.5),
            ValueError,
            r"'test_size' argument of HoldOut must be a float in \(0, 1\)",
        ),
        (lambda: HoldOut(0), ValueError, "'test_size' argument of HoldOut must be an integer >= 1"),
        (lambda: HoldOut("0.2"), TypeError, "'test_size' argument of HoldOut"),
        (lambda: KFold(3, shuffle=True, random_state=True), TypeError, "'random_state'"),
    ],
)
def test_splitter_bad_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_splitter_bad_data():
    with pytest.raises(ValueError, match="at least 2 samples"):
        list(LeaveOneOut().split(np.zeros(1)))
    with pytest.raises(ValueError, match="must not be None"):
        LeaveOneOut().get_n_splits()
    with pytest.raises(TypeError, match="'X' argument of KFold.split must be an array"):
        list(KFold(2).split(None))
    with pytest.raises(ValueError, match="at least one sample in each part"):
        list(HoldOut(10).split(np.zeros(10)))
    with pytest.raises(TypeError, match="needs at least one array"):
        train_test_split()
    with pytest.raises(ValueError, match=r"same number of samples \(rows\). Got \[3, 4\]"):
        train_test_split(np.zeros(3), np.zeros(4))


def test_repr():
    assert repr(KFold(3)) == "KFold(n_splits=3, shuffle=False, random_state=None)"
    assert repr(LeaveOneOut()) == "LeaveOneOut()"


# -- scores -------------------------------------------------------------------------------------


def test_regression_scores_match_sklearn():
    rng = np.random.default_rng(0)
    y = rng.normal(size=20) + 3
    p = y + rng.normal(scale=0.5, size=20)
    assert _SCORERS["mse"][0](y, p) == pytest.approx(skm.mean_squared_error(y, p), rel=1e-14)
    assert _SCORERS["mae"][0](y, p) == pytest.approx(skm.mean_absolute_error(y, p), rel=1e-14)
    assert _SCORERS["mape"][0](y, p) == pytest.approx(
        skm.mean_absolute_percentage_error(y, p), rel=1e-14
    )
    assert _SCORERS["r2"][0](y, p) == pytest.approx(skm.r2_score(y, p), rel=1e-14)
    # (n, 1) predictions against (n,) targets, as Keras models predict.
    assert _SCORERS["mse"][0](y, p[:, None]) == pytest.approx(skm.mean_squared_error(y, p))
    # Two outputs: per-column R^2, averaged.
    Y, P = np.column_stack([y, -y]), np.column_stack([p, -p + 1])
    assert _SCORERS["r2"][0](Y, P) == pytest.approx(skm.r2_score(Y, P), rel=1e-14)
    # A constant target: 1 if predicted exactly, else 0 (scikit-learn's convention).
    assert _SCORERS["r2"][0]([2.0, 2.0], [2.0, 2.0]) == 1.0
    assert _SCORERS["r2"][0]([2.0, 2.0], [2.0, 3.0]) == 0.0


def test_mape_golden():
    # |100 - 110| / 100 = 0.1 and |50 - 40| / 50 = 0.2 -> mean 0.15 (a fraction, not 15 %).
    assert _SCORERS["mape"][0]([100.0, 50.0], [110.0, 40.0]) == pytest.approx(0.15)


def test_accuracy_from_labels_probabilities_and_one_hot():
    acc = _SCORERS["accuracy"][0]
    assert acc([0, 1, 1, 0], [0, 1, 0, 0]) == 0.75
    assert acc([0, 1, 1, 0], np.array([[0.2], [0.9], [0.4], [0.1]])) == 0.75  # sigmoid outputs
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
    assert acc([0, 1, 1], probs) == pytest.approx(2 / 3)  # softmax outputs: argmax
    assert acc(np.eye(3)[[0, 1, 1]], probs) == pytest.approx(2 / 3)  # one-hot targets


# -- cross_val_score ----------------------------------------------------------------------------


def test_cross_val_score_matches_sklearn_regression():
    x, y = load_diabetes()
    cv = KFold(5, shuffle=True, random_state=0)
    ours = cross_val_score(LinearRegression, x, y, cv=cv, scoring="mse")
    sk_cv = skms.KFold(5, shuffle=True, random_state=0)
    theirs = -skms.cross_val_score(
        LinearRegression(), x, y, cv=sk_cv, scoring="neg_mean_squared_error"
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    cv = RepeatedKFold(5, n_repeats=2, random_state=1)
    ours_mape = cross_val_score(lambda: Ridge(alpha=0.1), x, y, cv=cv, scoring="mape")
    sk_cv = skms.RepeatedKFold(n_splits=5, n_repeats=2, random_state=1)
    theirs_mape = -skms.cross_val_score(
        Ridge(alpha=0.1), x, y, cv=sk_cv, scoring="neg_mean_absolute_percentage_error"
    )
    np.testing.assert_allclose(ours_mape, theirs_mape, rtol=1e-12)


def test_cross_val_score_matches_sklearn_accuracy():
    x, y = load_iris()
    build = lambda: LogisticRegression(max_iter=500)  # noqa: E731
    ours = cross_val_score(
        build, x, y, cv=KFold(3, shuffle=True, random_state=2), scoring="accuracy"
    )
    theirs = skms.cross_val_score(
        build(), x, y, cv=skms.KFold(3, shuffle=True, random_state=2), scoring="accuracy"
    )
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=0)


def test_loocv_equals_kfold_with_k_equal_n():
    x = np.array([[0.0], [1.0], [2.0], [3.0], [5.0]])
    y = np.array([0.1, 0.9, 2.2, 2.8, 5.3])
    loo = cross_val_score(LeastSquares, x, y, cv=LeaveOneOut())
    kfold = cross_val_score(LeastSquares, x, y, cv=KFold(5))
    np.testing.assert_array_equal(loo, kfold)
    assert loo.shape == (5,)


def test_cross_val_score_hand_checked_mean_predictor():
    class Mean:
        def fit(self, x, y):
            self.m = y.mean()
            return self

        def predict(self, x):
            return np.full(len(x), self.m)

    # Folds of [1, 2, 3, 6]: test {1, 2} -> train mean 4.5 -> MSE ((3.5)^2 + (2.5)^2)/2 = 9.25;
    # test {3, 6} -> train mean 1.5 -> MSE ((1.5)^2 + (4.5)^2)/2 = 11.25.
    scores = cross_val_score(Mean, np.zeros((4, 1)), np.array([1.0, 2.0, 3.0, 6.0]), cv=2)
    np.testing.assert_allclose(scores, [9.25, 11.25])


def test_cross_val_score_builds_a_fresh_model_per_fold_and_passes_kwargs():
    calls = []

    class Recorder:
        def fit(self, x, y, epochs=1, verbose="auto"):
            calls.append((self, epochs, verbose))  # keep the object: ids get reused
            return self

        def predict(self, x, verbose="auto"):
            assert verbose == 0
            return np.zeros(len(x))

    cross_val_score(Recorder, np.zeros((6, 1)), np.zeros(6), cv=3, fit_kwargs={"epochs": 4})
    assert len({id(c[0]) for c in calls}) == 3
    assert [c[1:] for c in calls] == [(4, 0)] * 3  # verbose=0 added for Keras-like fit
    calls.clear()
    cross_val_score(Recorder, np.zeros((6, 1)), np.zeros(6), cv=3, fit_kwargs={"verbose": 2})
    assert [c[2] for c in calls] == [2, 2, 2]  # an explicit verbose is kept


def test_cross_val_score_callable_scoring():
    x = np.arange(6.0).reshape(-1, 1)
    scores = cross_val_score(
        LeastSquares, x, x.ravel() ** 2, cv=3, scoring=lambda t, p: float(np.max(np.abs(t - p)))
    )
    assert scores.shape == (3,) and np.all(scores > 0)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(build_fn=LinearRegression()), TypeError, "not a model \\(LinearRegression\\)"),
        (dict(build_fn=3), TypeError, "'build_fn' argument of cross_val_score must be a function"),
        (dict(build_fn=lambda: 3), TypeError, "build_fn must return a model with fit and predict"),
        (dict(scoring="mes"), ValueError, "Did you mean 'mse'"),
        (dict(scoring=5), TypeError, "'scoring' argument of cross_val_score"),
        (dict(cv=1), ValueError, "'cv' argument of cross_val_score must be an integer >= 2"),
        (dict(cv="5"), TypeError, "'cv' argument of cross_val_score must be a number of folds"),
        (dict(cv=20), ValueError, "n_samples=10"),
        (dict(fit_kwargs=["epochs", 3]), TypeError, "'fit_kwargs' argument of cross_val_score"),
        (dict(y=np.zeros(9)), ValueError, "same number of samples"),
    ],
)
def test_cross_val_score_bad_input(kwargs, exc, match):
    args = dict(build_fn=LinearRegression, x=np.zeros((10, 1)), y=np.zeros(10))
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        cross_val_score(**args)


@pytest.mark.keras
def test_cross_val_score_with_keras_models(keras64, capsys):
    keras = keras64

    def build():
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
        return model

    x = np.random.default_rng(0).normal(size=(12, 2))
    scores = cross_val_score(build, x, x @ [1.0, -1.0], cv=3, fit_kwargs={"epochs": 2})
    assert scores.shape == (3,) and np.all(np.isfinite(scores))
    assert capsys.readouterr().out == ""  # verbose=0 was passed to fit and predict


# -- GridSearch ---------------------------------------------------------------------------------


def test_grid_search_matches_sklearn_grid_search_cv():
    x, y = load_diabetes()
    grid = {"alpha": [0.001, 0.01, 0.1, 1.0], "fit_intercept": [True, False]}
    ours = GridSearch(lambda **p: Ridge(**p), grid, cv=KFold(4, shuffle=True, random_state=0)).fit(
        x, y
    )
    theirs = skms.GridSearchCV(
        Ridge(),
        grid,
        cv=skms.KFold(4, shuffle=True, random_state=0),
        scoring="neg_mean_squared_error",
    ).fit(x, y)
    assert ours.n_candidates_ == 8
    by_params = {tuple(sorted(r["params"].items())): r for r in ours.cv_results_}
    for params, mean, std in zip(
        theirs.cv_results_["params"],
        theirs.cv_results_["mean_test_score"],
        theirs.cv_results_["std_test_score"],
    ):
        r = by_params[tuple(sorted(params.items()))]
        assert r["mean_score"] == pytest.approx(-mean, rel=1e-12)
        assert r["std_score"] == pytest.approx(std, rel=1e-9)
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_score_ == pytest.approx(-theirs.best_score_, rel=1e-12)
    np.testing.assert_allclose(ours.best_model_.coef_, theirs.best_estimator_.coef_, rtol=1e-12)


def test_grid_search_candidates_order_and_results_layout():
    search = GridSearch(lambda a, b: LinearRegression(), {"a": [1, 2], "b": ["x", "y", "z"]})
    assert search.candidates() == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 1, "b": "z"},
        {"a": 2, "b": "x"},
        {"a": 2, "b": "y"},
        {"a": 2, "b": "z"},
    ]
    search.cv = 2
    search.refit = False
    search.fit(np.arange(8.0).reshape(-1, 1), np.arange(8.0))
    assert len(search.cv_results_) == 6
    assert set(search.cv_results_[0]) == {"params", "mean_score", "std_score", "scores"}
    assert search.cv_results_[0]["scores"].shape == (2,)
    assert not hasattr(search, "best_model_")


def test_grid_of_the_course_has_2520_candidates():
    # The MLPRegressor grid of the tuning report (source 000), with its spelling corrected.
    grid = {
        "hidden_layer_sizes": [(n,) * 5 for n in range(10, 101, 10)],
        "activation": ["identity", "logistic", "tanh", "relu"],
        "solver": ["adam", "lbfgs", "sgd"],
        "alpha": [0.0001, 0.001, 0.01, 0.1, 1, 10, 100],
        "learning_rate": ["constant", "invscaling", "adaptive"],
    }
    candidates = GridSearch(lambda **p: MLPRegressor(**p), grid).candidates()
    assert len(candidates) == 10 * 4 * 3 * 7 * 3 == 2520


def test_lbgfs_lesson_sklearn_scores_nan_but_we_raise():
    x, y = load_iris()
    grid = {"solver": ["lbfgs", "lbgfs"]}  # the source's misspelling
    # scikit-learn: the misspelt candidate fails, is scored NaN, and the search carries on.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sk = skms.GridSearchCV(LogisticRegression(max_iter=300), grid, cv=3).fit(x, y)
    assert np.isnan(sk.cv_results_["mean_test_score"][1])
    assert any(issubclass(w.category, FitFailedWarning) for w in caught)
    # mlpabc: the error propagates, naming the candidate.
    search = GridSearch(
        lambda solver: LogisticRegression(solver=solver, max_iter=300),
        grid,
        cv=3,
        scoring="accuracy",
    )
    with pytest.raises(
        ValueError, match=r"GridSearch failed for the candidate \{'solver': 'lbgfs'\}"
    ):
        search.fit(x, y)


def test_search_propagates_build_fn_errors_with_params():
    def build(solver="lbfgs", alpha=1e-4):
        if solver not in {"lbfgs", "sgd", "adam"}:
            raise ValueError(f"unknown solver {solver!r}")
        return Ridge(alpha=alpha)

    x, y = np.arange(12.0).reshape(-1, 1), np.arange(12.0)
    expected = r"\{'solver': 'lbgfs', 'alpha': 0.1\}: ValueError: unknown solver 'lbgfs'"
    with pytest.raises(ValueError, match=expected):
        GridSearch(build, {"solver": ["adam", "lbgfs"], "alpha": [0.1]}, cv=3).fit(x, y)
    with pytest.raises(ValueError, match="RandomSearch failed for the candidate"):
        RandomSearch(build, {"solver": ["lbgfs"]}, n_iter=2, cv=3, seed=0).fit(x, y)
    with pytest.raises(ValueError, match="BayesianSearch failed for the candidate"):
        BayesianSearch(build, {"solver": ["lbgfs"]}, n_iter=2, n_initial=1, cv=3, seed=0).fit(x, y)


class _Shifted:
    """Predicts x[:, 0] + shift; with y = x[:, 0] its MSE is shift**2 on every fold."""

    def __init__(self, shift):
        self.shift = shift

    def fit(self, x, y):
        return self

    def predict(self, x):
        return x[:, 0] + self.shift


_X = np.arange(12.0).reshape(-1, 1)
_Y = _X[:, 0].copy()


def test_grid_search_direction_and_nan():
    search = GridSearch(lambda shift: _Shifted(shift), {"shift": [np.nan, 2.0, -0.5, 1.0]}, cv=3)
    search.fit(_X, _Y)
    assert search.best_params_ == {"shift": -0.5}  # a NaN score is never the best
    assert search.best_score_ == pytest.approx(0.25)
    assert np.isnan(search.cv_results_[0]["mean_score"])
    # A score where higher is better picks the largest.
    up = GridSearch(
        lambda shift: _Shifted(shift),
        {"shift": [0.0, 1.0, 3.0]},
        cv=3,
        scoring=lambda t, p: float(np.mean(p - t)),
        greater_is_better=True,
    ).fit(_X, _Y)
    assert up.best_params_ == {"shift": 3.0}
    r2 = GridSearch(lambda shift: _Shifted(shift), {"shift": [1.0, 0.0]}, cv=3, scoring="r2").fit(
        _X, _Y
    )
    assert r2.best_params_ == {"shift": 0.0}


def test_search_uses_the_same_folds_for_every_candidate():
    seen = []

    class Spy(_Shifted):
        def fit(self, x, y):
            seen.append((self.shift, tuple(x[:, 0])))
            return self

    GridSearch(
        lambda shift: Spy(shift),
        {"shift": [0.0, 1.0]},
        cv=RepeatedKFold(3, n_repeats=2),
        refit=False,
    ).fit(_X, _Y)
    first = [folds for shift, folds in seen if shift == 0.0]
    second = [folds for shift, folds in seen if shift == 1.0]
    assert first == second and len(first) == 6


@pytest.mark.parametrize(
    "grid, exc, match",
    [
        (
            {"alpha": 0.1},
            TypeError,
            "entry 'alpha' of the 'param_grid' argument of GridSearch must be a list",
        ),
        ({"alpha": []}, ValueError, "must not be an empty list"),
        (
            [("alpha", [1])],
            TypeError,
            "'param_grid' argument of GridSearch must be a non-empty dict",
        ),
        ({}, TypeError, "non-empty dict"),
        ({"alpha": ("uniform", 0.0, 1.0)}, TypeError, "use RandomSearch or BayesianSearch"),
    ],
)
def test_grid_search_bad_grid(grid, exc, match):
    with pytest.raises(exc, match=match):
        GridSearch(lambda alpha: Ridge(alpha=alpha), grid, cv=2).fit(_X, _Y)


def test_search_bad_scoring_direction():
    with pytest.raises(ValueError, match="'greater_is_better' argument of GridSearch must be True"):
        GridSearch(Ridge, {"alpha": [1.0]}, scoring=lambda t, p: 0.0, cv=2).fit(_X, _Y)
    with pytest.raises(ValueError, match="contradicts scoring='mse'"):
        GridSearch(Ridge, {"alpha": [1.0]}, greater_is_better=True, cv=2).fit(_X, _Y)
    with pytest.raises(TypeError, match="'refit' argument of GridSearch"):
        GridSearch(Ridge, {"alpha": [1.0]}, refit="yes", cv=2).fit(_X, _Y)


# -- RandomSearch -------------------------------------------------------------------------------


def test_random_search_reproducible_and_in_range():
    space = {
        "alpha": ("log-uniform", 1e-3, 1e1),
        "units": ("int", 2, 4),
        "act": ["relu", "tanh"],
        "rate": ("uniform", 0.1, 0.2),
        "beta": scipy.stats.uniform(loc=5, scale=1),
    }
    build = lambda **p: _Shifted(0.0)  # noqa: E731

    def run(seed):
        return [
            r["params"]
            for r in RandomSearch(build, space, n_iter=6, cv=2, seed=seed, refit=False)
            .fit(_X, _Y)
            .cv_results_
        ]

    a, b, c = run(0), run(0), run(1)
    assert a == b and a != c
    for p in a:
        assert (
            1e-3 <= p["alpha"] <= 1e1 and p["units"] in (2, 3, 4) and p["act"] in ("relu", "tanh")
        )
        assert 0.1 <= p["rate"] <= 0.2 and 5 <= p["beta"] <= 6
        assert isinstance(p["units"], int) and isinstance(p["beta"], float)


def test_space_distributions():
    rng = np.random.default_rng(0)
    dims = _parse_space(
        {"lr": ("log-uniform", 1e-4, 1.0), "n": ("int", 1, 3), "c": ["a", "b"]}, "space", "test"
    )
    draws = [_draw_params(dims, rng) for _ in range(4000)]
    log_lr = np.log10([d["lr"] for d in draws])
    assert log_lr.min() >= -4 and log_lr.max() <= 0
    assert abs(np.mean(log_lr < -2) - 0.5) < 0.03  # uniform on the log scale: half below 1e-2
    counts = np.bincount([d["n"] for d in draws])[1:]
    assert counts.size == 3 and counts.min() > 1200  # both ends included
    assert abs(np.mean([d["c"] == "a" for d in draws]) - 0.5) < 0.03


@pytest.mark.parametrize(
    "space, exc, match",
    [
        (
            {"a": ("log-uniform", 0.0, 1.0)},
            ValueError,
            r"\('log-uniform', low, high\) with 0 < low < high",
        ),
        ({"a": ("uniform", 2.0, 1.0)}, ValueError, "low < high"),
        ({"a": ("int", 1.5, 3)}, ValueError, "integers low < high"),
        ({"a": ("loguniform", 1e-3, 1.0)}, TypeError, "must be a list of options"),
        ({"a": 0.5}, TypeError, "entry 'a' of the 'param_distributions' argument of RandomSearch"),
    ],
)
def test_random_search_bad_space(space, exc, match):
    with pytest.raises(exc, match=match):
        RandomSearch(lambda a: _Shifted(0.0), space, n_iter=1, cv=2).fit(_X, _Y)


def test_random_search_bad_n_iter_and_seed():
    with pytest.raises(
        ValueError, match="'n_iter' argument of RandomSearch must be an integer >= 1"
    ):
        RandomSearch(lambda a: _Shifted(a), {"a": [0.0]}, n_iter=0, cv=2).fit(_X, _Y)
    with pytest.raises(TypeError, match="'seed' argument of RandomSearch"):
        RandomSearch(lambda a: _Shifted(a), {"a": [0.0]}, seed="x", cv=2).fit(_X, _Y)


# -- BayesianSearch -----------------------------------------------------------------------------


def test_bayesian_search_finds_the_minimum():
    # MSE = (log10(alpha) - 0.5)^2: the best alpha is 10**0.5 ~ 3.16.
    build = lambda alpha: _Shifted(np.log10(alpha) - 0.5)  # noqa: E731

    def search_once():
        return BayesianSearch(
            build,
            {"alpha": ("log-uniform", 1e-3, 1e3)},
            n_iter=12,
            n_initial=4,
            cv=2,
            seed=0,
            refit=False,
        ).fit(_X, _Y)

    search = search_once()
    assert len(search.cv_results_) == 12
    assert abs(np.log10(search.best_params_["alpha"]) - 0.5) < 0.1
    # It does better than its own random start.
    assert search.best_score_ < min(r["mean_score"] for r in search.cv_results_[:4])
    again = search_once()  # the same seed gives the same candidates
    assert [r["params"] for r in again.cv_results_] == [r["params"] for r in search.cv_results_]


def test_bayesian_search_mixed_space_and_maximisation():
    # Score (higher is better) = -(units - 3)^2 - shift^2 - (0 if kind == "b" else 1); best 0.
    class Model:
        def __init__(self, units, shift, kind):
            self.value = -((units - 3) ** 2) - shift**2 - (kind != "b")

        def fit(self, x, y):
            return self

        def predict(self, x):
            return np.full(len(x), self.value)

    space = {"units": ("int", 1, 6), "shift": ("uniform", -2.0, 2.0), "kind": ["a", "b", "c"]}
    common = dict(cv=2, refit=False, scoring=lambda t, p: float(p[0]), greater_is_better=True)
    bayes, rand = [], []
    for seed in range(10):  # the same budget of 20 evaluations each
        b = BayesianSearch(Model, space, n_iter=20, n_initial=6, seed=seed, **common).fit(_X, _Y)
        assert isinstance(b.best_params_["units"], int) and b.best_params_["kind"] in "abc"
        bayes.append(b.best_score_)
        rand.append(
            RandomSearch(Model, space, n_iter=20, seed=seed, **common).fit(_X, _Y).best_score_
        )
    assert sum(score > -0.05 for score in bayes) >= 7  # measured: 8 of 10
    assert np.median(bayes) > np.median(rand) + 0.1  # measured: -0.014 against -0.5


def test_gp_posterior_interpolates_and_reverts_far_away():
    X = np.array([[0.0], [0.2], [0.4]])
    f = np.array([1.0, -1.0, 0.0])
    mu, sigma = gp_posterior(X, f, np.vstack([X, [[1.0]]]), BayesianSearch.LENGTH_SCALES, 1e-6)
    np.testing.assert_allclose(mu[:3], f, atol=1e-5)
    assert np.all(sigma[:3] < 1e-2)
    assert abs(mu[3]) < 1e-6 and sigma[3] == pytest.approx(1.0, abs=1e-6)


def test_expected_improvement_formula_and_xi():
    X = np.array([[0.0], [0.2], [0.4]])
    f = np.array([1.0, -1.0, 0.0])
    search = BayesianSearch(None, {}, xi=0.01)
    candidates = np.array([[0.21], [1.0]])  # next to the best point / far from everything
    fn = (f - f.mean()) / f.std()
    mu, sigma = gp_posterior(X, fn, candidates, search.LENGTH_SCALES, search.JITTER)
    imp = fn.min() - mu - 0.01
    expected = imp * scipy.stats.norm.cdf(imp / sigma) + sigma * scipy.stats.norm.pdf(imp / sigma)
    ei = search.acquisition(X, f, candidates)
    np.testing.assert_allclose(ei, expected, rtol=1e-10)
    np.testing.assert_array_equal(ei, expected_improvement(mu, sigma, fn.min(), 0.01))
    # xi = 0 exploits (next to the best point); a larger xi explores (the uncertain point).
    assert np.argmax(BayesianSearch(None, {}, xi=0.0).acquisition(X, f, candidates)) == 0
    assert np.argmax(BayesianSearch(None, {}, xi=0.5).acquisition(X, f, candidates)) == 1


def test_expected_improvement_hand_values_and_certain_points():
    # Exercise 11.2 by hand: EI = (f* - mu) Phi(z) + sigma phi(z), z = (f* - mu) / sigma.
    for mu, sigma in [(0.39, 0.02), (0.375, 0.001)]:
        z = (0.38 - mu) / sigma
        hand = (0.38 - mu) * scipy.stats.norm.cdf(z) + sigma * scipy.stats.norm.pdf(z)
        assert expected_improvement(mu, sigma, 0.38) == pytest.approx(hand, rel=1e-12)
    # sigma = 0: the improvement is certain, or there is none
    np.testing.assert_allclose(
        expected_improvement(np.array([0.3, 0.5]), np.zeros(2), 0.4), [0.1, 0.0], atol=1e-15
    )
    with pytest.raises(ValueError, match="'sigma' argument of expected_improvement must be >= 0"):
        expected_improvement(0.3, -0.1, 0.4)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (
            dict(n_initial=5, n_iter=3),
            ValueError,
            r"'n_initial' argument of BayesianSearch must be an integer in \[1, 3\]",
        ),
        (dict(xi=-0.1), ValueError, "'xi' argument of BayesianSearch must be a float >= 0"),
        (dict(space={"a": scipy.stats.uniform()}), TypeError, "must be a list of options, a tuple"),
    ],
)
def test_bayesian_search_bad_arguments(kwargs, exc, match):
    args = dict(space={"a": ("uniform", 0.0, 1.0)}, n_iter=4, n_initial=2, cv=2)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        BayesianSearch(lambda a: _Shifted(a), **args).fit(_X, _Y)
