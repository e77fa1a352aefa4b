"""Tests of mlpabc.linear: least squares and the perceptron."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression
from sklearn.linear_model import Perceptron as SkPerceptron

from mlpabc.datasets import load_house_prices, make_blobs2d, make_xor
from mlpabc.linear import LeastSquares, NotFittedError, Perceptron, least_squares, normal_equation

# -- least_squares --------------------------------------------------------------------------


def test_least_squares_three_points_by_hand():
    # x = 1, 2, 3; y = 1, 3, 2: x_bar = y_bar = 2, sum (x - x_bar)(y - y_bar) = 1,
    # sum (x - x_bar)^2 = 2 -> w = 0.5, b = 2 - 0.5 * 2 = 1.
    assert least_squares([1, 2, 3], [1, 3, 2]) == (0.5, 1.0)


def test_least_squares_exact_line():
    w, b = least_squares([0.0, 1.0, 2.0], [1.0, 3.0, 5.0])
    assert (w, b) == (2.0, 1.0)


def test_least_squares_equals_booklet_formula_and_polyfit():
    x, y = load_house_prices()
    area = x[:, 0]
    n = len(area)
    # Booklet eq. (2.1), written out with raw sums.
    w_book = (n * (area * y).sum() - area.sum() * y.sum()) / (n * (area**2).sum() - area.sum() ** 2)
    b_book = y.mean() - w_book * area.mean()
    w, b = least_squares(area, y)
    np.testing.assert_allclose([w, b], [w_book, b_book], rtol=1e-12)
    np.testing.assert_allclose([w, b], np.polyfit(area, y, 1), rtol=1e-12)


def test_least_squares_accepts_columns():
    x = np.array([[1.0], [2.0], [3.0]])
    assert least_squares(x, x[:, 0] * 2 + 1) == pytest.approx((2.0, 1.0), rel=1e-15)


def test_least_squares_stable_far_from_origin():
    # Raw sums n*sum(x^2) - (sum x)^2 cancel catastrophically at x ~ 1e8; the centred form does not.
    x = 1e8 + np.array([0.0, 1.0, 2.0, 3.0])
    w, b = least_squares(x, 3.0 * (x - 1e8) + 2.0)
    assert w == pytest.approx(3.0, rel=1e-12)


@pytest.mark.parametrize(
    "x, y, exc, match",
    [
        ([1, 1, 1], [1, 2, 3], ValueError, "must not be constant"),
        ([1, 2, 3], [1, 2], ValueError, "same number of samples"),
        ([1], [1], ValueError, "at least 2 samples"),
        ([[1, 2], [3, 4]], [1, 2], ValueError, r"'x' argument of least_squares must be a 1-D"),
        ([1, np.nan, 3], [1, 2, 3], ValueError, "finite"),
        ("abc", [1, 2, 3], TypeError, "'x' argument of least_squares"),
    ],
)
def test_least_squares_bad_input(x, y, exc, match):
    with pytest.raises(exc, match=match):
        least_squares(x, y)


# -- normal_equation ------------------------------------------------------------------------


def test_normal_equation_three_points():
    np.testing.assert_allclose(normal_equation([1, 2, 3], [1, 3, 2]), [1.0, 0.5], rtol=1e-14)


def test_normal_equation_equals_polyfit_and_sklearn():
    x, y = load_house_prices()
    theta = normal_equation(x[:, 0], y)
    np.testing.assert_allclose(theta[::-1], np.polyfit(x[:, 0], y, 1), rtol=1e-12)
    theta2 = normal_equation(x, y)  # area and floor
    sk = LinearRegression().fit(x, y)
    np.testing.assert_allclose(theta2, np.r_[sk.intercept_, sk.coef_], rtol=1e-12)


def test_normal_equation_without_intercept_and_multi_target():
    x = np.array([[1.0], [2.0], [3.0]])
    np.testing.assert_allclose(normal_equation(x, [2, 4, 6], fit_intercept=False), [2.0])
    Y = np.column_stack([[1.0, 3.0, 5.0], [0.0, 0.0, 0.0]])
    theta = normal_equation(x, Y)
    assert theta.shape == (2, 2)
    np.testing.assert_allclose(theta, [[-1.0, 0.0], [2.0, 0.0]], atol=1e-13)


def test_normal_equation_collinear_features_gives_minimum_norm():
    # A duplicated column makes X^T X singular; lstsq splits the weight equally.
    area = load_house_prices().x[:, 0]
    y = 5 + 1.2 * area
    theta = normal_equation(np.column_stack([area, area]), y)
    np.testing.assert_allclose(theta, [5.0, 0.6, 0.6], rtol=1e-9)


def test_normal_equation_beats_explicit_inverse_when_ill_conditioned():
    # Polynomial features (condition number ~2e7): inverting X^T X (condition ~4e14) loses most
    # digits; lstsq on X does not. This is why normal_equation does not call inv.
    x = np.linspace(0, 1, 30)
    X = np.vander(x, 10, increasing=True)[:, 1:]  # x .. x^9; the bias column is added
    theta_true = np.ones(10)
    y = np.column_stack([np.ones(30), X]) @ theta_true
    err_lstsq = np.abs(normal_equation(X, y) - theta_true).max()
    A = np.column_stack([np.ones(30), X])
    err_inv = np.abs(np.linalg.inv(A.T @ A) @ A.T @ y - theta_true).max()
    assert err_lstsq < 1e-8
    assert err_inv > 1e3 * err_lstsq


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(x=[[1.0], [2.0]], y=[1.0, 2.0, 3.0]), ValueError, "same number of samples"),
        (dict(x=np.zeros((2, 2, 2)), y=[1.0, 2.0]), ValueError, "1-D or 2-D"),
        (dict(x=[1.0, 2.0], y=[1.0, 2.0], fit_intercept="yes"), TypeError, "'fit_intercept'"),
    ],
)
def test_normal_equation_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        normal_equation(**kwargs)


# -- LeastSquares ---------------------------------------------------------------------------


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_least_squares_estimator_matches_sklearn(fit_intercept):
    x, y = load_house_prices()
    ours = LeastSquares(fit_intercept=fit_intercept).fit(x, y)
    sk = LinearRegression(fit_intercept=fit_intercept).fit(x, y)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-12)
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.predict(x), sk.predict(x), rtol=1e-12)
    assert ours.score(x, y) == pytest.approx(sk.score(x, y), rel=1e-12)
    assert isinstance(ours.intercept_, float)


def test_least_squares_estimator_two_targets_matches_sklearn():
    x, y = load_house_prices()
    Y = np.column_stack([y, 2 * x[:, 1] - y])
    ours, sk = LeastSquares().fit(x, Y), LinearRegression().fit(x, Y)
    assert ours.coef_.shape == sk.coef_.shape == (2, 2)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-12)
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, rtol=1e-12)
    np.testing.assert_allclose(ours.predict(x), sk.predict(x), rtol=1e-12)
    assert ours.score(x, Y) == pytest.approx(sk.score(x, Y), rel=1e-12)


def test_r2_golden_values():
    x = np.array([[0.0], [1.0], [2.0]])
    model = LeastSquares().fit(x, [1.0, 3.0, 5.0])
    assert model.score(x, [1.0, 3.0, 5.0]) == pytest.approx(1.0)
    # Predictions 1, 3, 5 against targets 3, 3, 3: SS_res = 8, SS_tot = 0 -> 0 by convention.
    assert model.score(x, [3.0, 3.0, 3.0]) == 0.0
    # Against 5, 3, 1: SS_res = 16 + 0 + 16 = 32, SS_tot = 8 -> R^2 = 1 - 4 = -3.
    assert model.score(x, [5.0, 3.0, 1.0]) == pytest.approx(-3.0)


def test_predict_area_65():
    x, y = load_house_prices()
    model = LeastSquares().fit(x[:, :1], y)
    w, b = least_squares(x[:, 0], y)
    assert model.predict([[65.0]])[0] == pytest.approx(w * 65 + b, rel=1e-12)


def test_estimator_params_clone_and_repr():
    model = LeastSquares(fit_intercept=False)
    assert model.get_params() == {"fit_intercept": False}
    assert repr(model) == "LeastSquares(fit_intercept=False)"
    assert clone(model).get_params() == {"fit_intercept": False}
    assert model.set_params(fit_intercept=True) is model
    with pytest.raises(TypeError, match=r"'fit_intercep' \(did you mean 'fit_intercept'\?\)"):
        model.set_params(fit_intercep=True)
    p = Perceptron(learning_rate=0.5, seed=3)
    assert repr(p) == "Perceptron(learning_rate=0.5, seed=3)"
    assert clone(p).get_params() == p.get_params()


def test_least_squares_estimator_errors():
    with pytest.raises(NotFittedError, match=r"not fitted yet. Call fit\(x, y\) before predict"):
        LeastSquares().predict([[1.0]])
    model = LeastSquares().fit([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="must have 2 features"):
        model.predict([[1.0]])
    with pytest.raises(ValueError, match=r"x.reshape\(-1, 1\)"):
        LeastSquares().fit([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(TypeError, match="'fit_intercept' argument of LeastSquares"):
        LeastSquares(fit_intercept=1).fit([[1.0], [2.0]], [1.0, 2.0])


# -- Perceptron -----------------------------------------------------------------------------


def _signed_blobs(seed, n=40):
    x, y = make_blobs2d(n_samples=n, separation=2.0, seed=seed)
    return x, np.where(y == 1, 1, -1)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("eta", [1.0, 0.5])
def test_perceptron_matches_sklearn_update_for_update(seed, eta):
    # scikit-learn updates on y (w.x + b) <= 0, w += eta y x, b += eta y, in the given order
    # (shuffle=False), starting from zeros: the same weights after every epoch, exactly.
    x, y = _signed_blobs(seed)
    ours = Perceptron(learning_rate=eta, shuffle=False, max_epochs=50).fit(x, y)
    assert ours.converged_
    sk = SkPerceptron(
        eta0=eta, penalty=None, fit_intercept=True, shuffle=False, tol=None, max_iter=1
    )
    for epoch in range(ours.n_epochs_):
        sk.partial_fit(x, y, classes=[-1, 1])  # one epoch per call
        np.testing.assert_allclose(ours.coef_history_[epoch], sk.coef_[0], rtol=1e-13, atol=1e-13)
        assert ours.intercept_history_[epoch] == pytest.approx(
            sk.intercept_[0], rel=1e-13, abs=1e-13
        )
    full = SkPerceptron(
        eta0=eta, penalty=None, shuffle=False, tol=None, max_iter=ours.n_epochs_ + 5
    )
    full.fit(x, y)
    np.testing.assert_allclose(ours.coef_, full.coef_[0], rtol=1e-13)
    np.testing.assert_array_equal(ours.predict(x), full.predict(x))


def test_perceptron_prediction_at_zero_differs_from_sklearn():
    # The source's sign(0) = +1; scikit-learn predicts the negative class when w.x + b = 0.
    x = [[0, 0], [0, 1], [1, 0], [1, 1]]
    y = [-1, -1, -1, 1]
    ours = Perceptron(shuffle=False).fit(x, y)  # w = (3, 2), b = -4
    on_line = [[0.0, 2.0]]  # 3*0 + 2*2 - 4 = 0
    assert ours.decision_function(on_line)[0] == 0.0
    assert ours.predict(on_line)[0] == 1
    sk = SkPerceptron(eta0=1, penalty=None, shuffle=False, tol=None, max_iter=20).fit(x, y)
    np.testing.assert_array_equal(sk.coef_[0], ours.coef_)
    assert sk.predict(on_line)[0] == -1


def test_perceptron_converges_on_separable_data():
    x, y = make_blobs2d(n_samples=100, separation=3.0, margin=0.2, seed=0)
    p = Perceptron(seed=0).fit(x, y)
    assert p.converged_ and p.errors_[-1] == 0 and p.n_epochs_ == len(p.errors_)
    assert p.score(x, y) == 1.0
    assert p.loss(x, y) == 0.0
    assert p.coef_history_.shape == (p.n_epochs_, 2)
    assert p.intercept_history_.shape == (p.n_epochs_,)
    np.testing.assert_array_equal(p.coef_history_[-1], p.coef_)
    assert p.intercept_history_[-1] == p.intercept_


def test_perceptron_fails_on_xor():
    x, y = make_xor()
    p = Perceptron(max_epochs=50, shuffle=False).fit(x, y)
    assert not p.converged_
    assert p.n_epochs_ == 50
    assert min(p.errors_) > 0
    assert p.score(x, y) < 1.0


def test_perceptron_labels_01_and_pm1_learn_the_same():
    x, y01 = make_blobs2d(n_samples=30, seed=4)
    a = Perceptron(shuffle=False).fit(x, y01)
    b = Perceptron(shuffle=False).fit(x, 2 * y01 - 1)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.classes_, [0, 1])
    np.testing.assert_array_equal(b.classes_, [-1, 1])
    np.testing.assert_array_equal(a.predict(x), y01)
    np.testing.assert_array_equal(b.predict(x), 2 * y01 - 1)
    a_bool = Perceptron(shuffle=False).fit(x, y01.astype(bool))
    np.testing.assert_array_equal(a_bool.coef_, a.coef_)


def test_perceptron_loss_by_hand():
    # Epoch 1 from w = 0, b = 0: (1, +1) has margin 0 -> w = 1, b = 1; (-1, -1) has
    # z = -1 + 1 = 0 -> margin 0 -> w = 1 + 1 = 2, b = 1 - 1 = 0. Epoch 2: no mistake.
    p = Perceptron(shuffle=False).fit([[1.0], [-1.0]], [1, -1])
    assert (p.coef_.tolist(), p.intercept_, p.errors_) == ([2.0], 0.0, [2, 0])
    # z = 4 with y = -1 (margin -4); z = -6 with y = +1 (margin -6); z = 0 with y = +1
    # (margin 0: on the hyperplane, counted but adds 0). Loss = 4 + 6 + 0 = 10.
    assert p.loss([[2.0], [-3.0], [0.0]], [-1, 1, 1]) == 10.0


def test_learning_rate_only_scales_weights_from_zero():
    x, y = _signed_blobs(5)
    a = Perceptron(learning_rate=1.0, shuffle=False).fit(x, y)
    b = Perceptron(learning_rate=0.125, shuffle=False).fit(x, y)
    np.testing.assert_allclose(b.coef_, 0.125 * a.coef_, rtol=1e-13)
    assert a.errors_ == b.errors_


def test_perceptron_seeds_reproducible():
    x, y = make_blobs2d(n_samples=60, separation=1.5, seed=1)
    a = Perceptron(seed=7, init="random").fit(x, y)
    b = Perceptron(seed=7, init="random").fit(x, y)
    np.testing.assert_array_equal(a.coef_history_, b.coef_history_)
    assert a.errors_ == b.errors_
    c = Perceptron(seed=8, init="random").fit(x, y)
    assert not np.array_equal(a.coef_history_[0], c.coef_history_[0])


def test_perceptron_does_not_modify_inputs_and_is_stable():
    x = np.array([[1000.0, -1000.0], [-1000.0, 1000.0], [999.0, -1001.0]])
    y = np.array([1, -1, 1])
    x0, y0 = x.copy(), y.copy()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = Perceptron(shuffle=False).fit(x, y)
        p.predict(x)
        p.loss(x, y)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)
    assert p.converged_


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (
            dict(learning_rate=0.0),
            ValueError,
            "'learning_rate' argument of Perceptron must be a float > 0",
        ),
        (dict(learning_rate="1"), TypeError, "'learning_rate' argument of Perceptron"),
        (
            dict(max_epochs=0),
            ValueError,
            "'max_epochs' argument of Perceptron must be an integer >= 1",
        ),
        (dict(max_epochs=2.5), TypeError, "'max_epochs'"),
        (dict(shuffle="yes"), TypeError, "'shuffle' argument of Perceptron must be True or False"),
        (dict(init="zero"), ValueError, "Did you mean 'zeros'"),
        (dict(seed=-1), ValueError, "'seed' argument of Perceptron"),
        (dict(seed="0"), TypeError, "'seed' argument of Perceptron"),
    ],
)
def test_perceptron_bad_hyperparameters(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Perceptron(**kwargs).fit([[0.0], [1.0]], [0, 1])


@pytest.mark.parametrize(
    "x, y, match",
    [
        ([[0.0], [1.0], [2.0]], [0, 1, 2], "two classes labelled -1/\\+1 or 0/1"),
        ([[0.0], [1.0]], [1, 2], "two classes labelled"),
        ([[0.0], [1.0]], [1, 1], "must contain both classes"),
        ([0.0, 1.0], [0, 1], r"'x' argument of Perceptron.fit must be a 2-D array"),
        ([[0.0], [1.0]], [0, 1, 1], "same number of samples"),
        ([[0.0], [np.inf]], [0, 1], "finite"),
    ],
)
def test_perceptron_bad_data(x, y, match):
    with pytest.raises(ValueError, match=match):
        Perceptron().fit(x, y)


def test_perceptron_use_before_fit_and_unknown_labels():
    with pytest.raises(NotFittedError, match="before predict"):
        Perceptron().predict([[0.0]])
    p = Perceptron().fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(ValueError, match=r"labels seen in fit, \[0, 1\]"):
        p.score([[0.0]], [-1])
    with pytest.raises(ValueError, match="must have 1 features"):
        p.predict([[0.0, 1.0]])
