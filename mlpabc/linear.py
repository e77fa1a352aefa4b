r"""Linear models: least squares and Rosenblatt's perceptron.

Two ideas that come before any neural network:

* **Linear regression** fits :math:`\hat y = w^\top x + b` by minimising the
  squared error. It has a closed form: :func:`least_squares` for one
  feature, :func:`normal_equation` for many, and the estimator
  :class:`LeastSquares`.
* **The perceptron** classifies with :math:`\operatorname{sign}(w^\top x + b)`
  and learns by stochastic gradient descent on the misclassified points only
  (:class:`Perceptron`).

Both estimators follow scikit-learn's conventions: ``__init__`` only stores
its arguments, ``fit`` validates them and returns ``self``, learned attributes
end in an underscore (``coef_``, ``intercept_``), and ``get_params`` /
``set_params`` let a search rebuild them.

Introduced in the chapters *From regression to neurons* and
*The neuron and the perceptron*.
"""

from __future__ import annotations

import inspect

import numpy as np

from ._random import as_generator
from ._validation import (
    check_array,
    check_bool,
    check_float,
    check_int,
    check_kwargs,
    check_one_of,
    check_same_length,
)

__all__ = [
    "LeastSquares",
    "NotFittedError",
    "Perceptron",
    "least_squares",
    "normal_equation",
]


class NotFittedError(ValueError, AttributeError):
    """Raised when ``predict`` (or another method) is called before ``fit``."""


# -- shared helpers ---------------------------------------------------------------------------


def _as_vector(a, name, owner):
    """Accept shape (n,) or (n, 1) and return a float64 vector of shape (n,)."""
    arr = check_array(a, name, owner, ndim=(1, 2))
    if arr.ndim == 2:
        if arr.shape[1] != 1:
            raise ValueError(
                f"The {name!r} argument of {owner} must be a 1-D array or a column of shape "
                f"(n_samples, 1). Got an array of shape {arr.shape} instead."
            )
        arr = arr[:, 0]
    return arr


def _as_matrix(x, name, owner):
    """Accept shape (n,) (one feature) or (n, d) and return float64 of shape (n, d)."""
    arr = check_array(x, name, owner, ndim=(1, 2))
    return arr[:, None] if arr.ndim == 1 else arr


class _Estimator:
    """``get_params`` / ``set_params`` / ``repr`` in scikit-learn's style.

    The parameters are the arguments of ``__init__``, stored under their own
    names; that is all :func:`sklearn.base.clone` needs.
    """

    @classmethod
    def _param_names(cls):
        return [p for p in inspect.signature(cls.__init__).parameters if p != "self"]

    def get_params(self, deep=True):
        """The constructor arguments as a dict (``deep`` is accepted for scikit-learn)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set constructor arguments by name; unknown names raise ``TypeError``."""
        check_kwargs(params, self._param_names(), f"{type(self).__name__}.set_params")
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def __repr__(self):
        defaults = {
            n: p.default for n, p in inspect.signature(type(self).__init__).parameters.items()
        }
        changed = [
            f"{n}={v!r}" for n, v in self.get_params().items() if not _same(v, defaults.get(n))
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    def _check_fitted(self, method):
        if not hasattr(self, "coef_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet. Call fit(x, y) before {method}()."
            )


def _same(a, b):
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):
        return False


# -- linear regression ------------------------------------------------------------------------


def least_squares(x, y) -> tuple[float, float]:
    r"""Closed-form simple linear regression :math:`\hat y = w x + b` (one feature).

    Minimises :math:`\sum_j (w x_j + b - y_j)^2`. Setting both partial
    derivatives to zero gives the booklet's formula (2.1):

    .. math::

        w = \frac{n \sum x y - \sum x \sum y}{n \sum x^2 - \left(\sum x\right)^2},
        \qquad b = \bar y - w \bar x .

    Dividing numerator and denominator by :math:`n` shows that this equals
    :math:`w = \sum (x - \bar x)(y - \bar y) / \sum (x - \bar x)^2`, which is
    what the code computes: the centred form gives the same number without
    subtracting two large, nearly equal sums (:math:`n \sum x^2` and
    :math:`(\sum x)^2`), which loses digits when :math:`|\bar x|` is large
    compared with the spread of :math:`x`.

    Parameters
    ----------
    x : array_like of shape (n_samples,) or (n_samples, 1)
        The single feature.
    y : array_like of shape (n_samples,) or (n_samples, 1)
        The target.

    Returns
    -------
    w, b : float
        Slope and intercept.

    Raises
    ------
    ValueError
        If there are fewer than two samples or all ``x`` are equal (no unique
        line then).

    Examples
    --------
    Three points (1, 1), (2, 3), (3, 2): :math:`\bar x = \bar y = 2`,
    :math:`\sum (x-\bar x)(y-\bar y) = 1`, :math:`\sum (x-\bar x)^2 = 2`:

    >>> least_squares([1, 2, 3], [1, 3, 2])
    (0.5, 1.0)

    Introduced in the chapter *From regression to neurons*.
    """
    owner = "least_squares"
    x = _as_vector(x, "x", owner)
    y = _as_vector(y, "y", owner)
    check_same_length(x, y, owner)
    if len(x) < 2:
        raise ValueError(
            f"The 'x' argument of {owner} must hold at least 2 samples to fit a line. "
            f"Got {len(x)} instead."
        )
    x_bar, y_bar = x.mean(), y.mean()
    dx = x - x_bar
    sxx = dx @ dx
    if sxx == 0.0:
        raise ValueError(
            f"The 'x' argument of {owner} must not be constant: all {len(x)} values equal "
            f"{x[0]!r}, so every line through ({x[0]!r}, mean(y)) fits equally well."
        )
    w = dx @ (y - y_bar) / sxx
    b = y_bar - w * x_bar
    return float(w), float(b)


def normal_equation(x, y, *, fit_intercept=True) -> np.ndarray:
    r"""Least-squares parameters :math:`\theta` of a linear model with several features.

    With a column of ones prepended to the inputs (the bias "feature"
    :math:`x_0 = 1`), the model is :math:`\hat y = X \theta` and the loss
    :math:`\tfrac12 \lVert X\theta - y \rVert^2` is minimised where its
    gradient :math:`X^\top (X\theta - y)` vanishes, the *normal equation*

    .. math::

        X^\top X \, \theta = X^\top y
        \quad\Longrightarrow\quad
        \theta = (X^\top X)^{-1} X^\top y .

    The code does **not** form :math:`(X^\top X)^{-1}`. It calls
    :func:`numpy.linalg.lstsq`, which solves the same least-squares problem from
    a singular value decomposition of :math:`X` itself:

    * forming :math:`X^\top X` squares the condition number,
      :math:`\kappa(X^\top X) = \kappa(X)^2`, so about twice as many digits are
      lost (polynomial features are the classic victim);
    * :math:`X^\top X` is singular when a feature is a copy or a linear
      combination of others; ``inv`` then fails or returns garbage, while
      ``lstsq`` returns the minimum-norm solution;
    * even for a regular system, solving is cheaper and more accurate than
      inverting and multiplying.

    Parameters
    ----------
    x : array_like of shape (n_samples,) or (n_samples, n_features)
        Inputs; a 1-D array is one feature.
    y : array_like of shape (n_samples,) or (n_samples, n_targets)
        Targets.
    fit_intercept : bool, default=True
        Prepend the column of ones. ``False`` fits a line through the origin.

    Returns
    -------
    theta : ndarray of shape (n_features + 1,) or (n_features + 1, n_targets)
        ``theta[0]`` is the bias :math:`w_0` (when ``fit_intercept``), then one
        weight per feature, in the order of the columns of ``x``.

    Examples
    --------
    The points (1, 1), (2, 3), (3, 2) again: :math:`w_0 = 1`, :math:`w_1 = 0.5`.

    >>> normal_equation([1, 2, 3], [1, 3, 2]).round(12)
    array([1. , 0.5])

    Introduced in the chapter *From regression to neurons*.
    """
    owner = "normal_equation"
    fit_intercept = check_bool(fit_intercept, "fit_intercept", owner)
    X = _as_matrix(x, "x", owner)
    y = check_array(y, "y", owner, ndim=(1, 2))
    check_same_length(X, y, owner)
    if fit_intercept:
        X = np.hstack([np.ones((len(X), 1)), X])
    theta, *_ = np.linalg.lstsq(X, y, rcond=None)
    return theta


class LeastSquares(_Estimator):
    r"""Ordinary least-squares linear regression, :math:`\hat y = X w + b`.

    ``fit`` centres the data (:math:`X - \bar X`, :math:`y - \bar y`), solves
    the centred least-squares problem with :func:`numpy.linalg.lstsq` (see
    :func:`normal_equation` for why not an inverse) and recovers the bias as
    :math:`b = \bar y - \bar X w`, the many-feature form of the booklet's
    :math:`b = \bar y - w \bar x`. The result equals scikit-learn's
    ``LinearRegression`` (same attributes and shapes).

    Parameters
    ----------
    fit_intercept : bool, default=True
        Learn the bias :math:`b`; ``False`` forces :math:`b = 0`.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The weights :math:`w`.
    intercept_ : float or ndarray of shape (n_targets,)
        The bias :math:`b`.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> model = LeastSquares().fit([[1], [2], [3]], [1, 3, 2])
    >>> model.coef_.round(12), round(model.intercept_, 12)
    (array([0.5]), 1.0)
    >>> model.predict([[4]]).round(12)
    array([3.])

    Introduced in the chapter *From regression to neurons*.
    """

    def __init__(self, fit_intercept=True):
        self.fit_intercept = fit_intercept

    def fit(self, x, y):
        """Fit to ``x`` of shape (n_samples, n_features) and ``y``; returns ``self``."""
        owner = "LeastSquares.fit"
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept", "LeastSquares")
        X = check_array(x, "x", owner, ndim=2)
        y = check_array(y, "y", owner, ndim=(1, 2))
        check_same_length(X, y, owner)
        if fit_intercept:
            x_bar, y_bar = X.mean(axis=0), y.mean(axis=0)
            w, *_ = np.linalg.lstsq(X - x_bar, y - y_bar, rcond=None)
            b = y_bar - x_bar @ w
        else:
            w, *_ = np.linalg.lstsq(X, y, rcond=None)
            b = np.zeros(y.shape[1:])
        self.coef_ = w.T  # (n_features,) or (n_targets, n_features), as scikit-learn
        self.intercept_ = float(b) if y.ndim == 1 else b
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, x) -> np.ndarray:
        """Predictions :math:`X w + b`, shape (n_samples,) or (n_samples, n_targets)."""
        self._check_fitted("predict")
        X = check_array(x, "x", "LeastSquares.predict", ndim=2)
        _check_n_features(X, self.n_features_in_, "LeastSquares.predict")
        return X @ self.coef_.T + self.intercept_

    def score(self, x, y) -> float:
        r"""The coefficient of determination :math:`R^2` (higher is better, 1 at most).

        .. math::

            R^2 = 1 - \frac{\sum_j (y_j - \hat y_j)^2}{\sum_j (y_j - \bar y)^2}

        1 is a perfect fit; 0 is no better than predicting the mean (the
        baseline); negative is worse than the baseline. With several targets
        the :math:`R^2` values are averaged, as in scikit-learn.
        """
        y = check_array(y, "y", "LeastSquares.score", ndim=(1, 2))
        y_hat = self.predict(x)
        check_same_length(y_hat, y, "LeastSquares.score", names=("x", "y"))
        ss_res = ((y - y_hat) ** 2).sum(axis=0)
        ss_tot = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
        # A constant target (ss_tot = 0) scores 1 if predicted exactly, else 0 (scikit-learn).
        safe = np.where(ss_tot > 0, ss_tot, 1.0)
        r2 = np.where(ss_tot > 0, 1.0 - ss_res / safe, np.where(ss_res == 0, 1.0, 0.0))
        return float(np.mean(r2))


def _check_n_features(X, n_features, owner):
    if X.shape[1] != n_features:
        raise ValueError(
            f"The 'x' argument of {owner} must have {n_features} features (columns), as in "
            f"fit. Got an array of shape {X.shape} instead."
        )


# -- the perceptron -------------------------------------------------------------------------


class Perceptron(_Estimator):
    r"""Rosenblatt's perceptron for two classes.

    The model is the hyperplane :math:`w^\top x + b = 0` and the decision

    .. math::

        H(x) = \operatorname{sign}(w^\top x + b), \qquad
        \operatorname{sign}(z) = \begin{cases} +1 & z \ge 0 \\ -1 & z < 0 \end{cases}

    (the source's convention: a point exactly on the hyperplane is assigned
    :math:`+1`). With labels :math:`y_j \in \{-1, +1\}` a point is
    misclassified when :math:`y_j (w^\top x_j + b) \le 0`, and the loss is
    the (unnormalised) distance of the misclassified set :math:`M` to the
    hyperplane,

    .. math::

        L(w, b) = -\sum_{j \in M} y_j (w^\top x_j + b) \;\ge 0,
        \qquad \nabla_w L = -\sum_{j \in M} y_j x_j,
        \quad \nabla_b L = -\sum_{j \in M} y_j .

    Stochastic gradient descent visits the samples one at a time and, for each
    misclassified one, steps against its gradient:

    .. math::

        w \leftarrow w + \eta\, y_j x_j, \qquad b \leftarrow b + \eta\, y_j .

    The update condition is :math:`\le 0`, not :math:`< 0`: a point on the
    hyperplane is a mistake *for learning* (otherwise training from zero
    weights would never start), although :meth:`predict` assigns it
    :math:`+1`. scikit-learn's ``Perceptron`` uses the same update
    condition; its ``predict`` instead assigns the *negative* class when
    :math:`w^\top x + b = 0`. With ``shuffle=False``, ``init="zeros"``
    the weights equal, update for update, those of
    ``sklearn.linear_model.Perceptron(eta0=learning_rate, penalty=None,
    shuffle=False, tol=None)``. Training stops after the first epoch without a
    mistake (then ``converged_`` is True, which is guaranteed on linearly
    separable data, by Novikoff's theorem) or after ``max_epochs``.

    Parameters
    ----------
    learning_rate : float, default=1.0
        The step :math:`\eta > 0`. From zero weights, :math:`\eta` only
        rescales :math:`w` and :math:`b` and so never changes the predictions.
    max_epochs : int, default=100
        Maximum number of passes over the data.
    shuffle : bool, default=True
        Visit the samples in a fresh random order every epoch (drawn from
        ``seed``); ``False`` keeps the given order.
    seed : int, numpy.random.Generator or None, default=None
        Seed for shuffling and for ``init="random"``.
    init : {"zeros", "random"}, default="zeros"
        Initial :math:`w`: zeros, or small normal values :math:`\mathcal N(0, 0.01^2)`.
        :math:`b` starts at 0 either way.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        The weights :math:`w` (scikit-learn stores shape (1, n_features)).
    intercept_ : float
        The bias :math:`b`.
    classes_ : ndarray of shape (2,)
        The two labels as given to ``fit``: ``[-1, 1]`` or ``[0, 1]``. Labels
        0/1 are mapped to -1/+1 for learning, and :meth:`predict` answers in
        the labels of ``fit``.
    coef_history_ : ndarray of shape (n_epochs, n_features)
        :math:`w` at the end of each epoch (for a decision boundary per epoch).
    intercept_history_ : ndarray of shape (n_epochs,)
        :math:`b` at the end of each epoch.
    errors_ : list of int
        Number of updates (mistakes, :math:`y_j(w^\top x_j+b) \le 0` at the
        visit) in each epoch.
    n_epochs_ : int
        Epochs run.
    converged_ : bool
        Whether the last epoch made no mistake.

    Examples
    --------
    The logical AND is linearly separable:

    >>> x = [[0, 0], [0, 1], [1, 0], [1, 1]]
    >>> y = [-1, -1, -1, 1]
    >>> p = Perceptron(shuffle=False).fit(x, y)
    >>> p.converged_, p.n_epochs_, p.errors_
    (True, 9, [2, 3, 3, 2, 2, 3, 2, 1, 0])
    >>> p.coef_, p.intercept_
    (array([3., 2.]), -4.0)

    Check by hand: :math:`3 \cdot 1 + 2 \cdot 1 - 4 = 1 \ge 0` for (1, 1), and
    :math:`-4`, :math:`-2`, :math:`-1` are negative for the other three points.

    >>> p.predict(x)
    array([-1, -1, -1,  1])

    Introduced in the chapter *The neuron and the perceptron*.
    """

    def __init__(self, learning_rate=1.0, max_epochs=100, shuffle=True, seed=None, init="zeros"):
        self.learning_rate = learning_rate
        self.max_epochs = max_epochs
        self.shuffle = shuffle
        self.seed = seed
        self.init = init

    def fit(self, x, y):
        """Learn :math:`w, b` from ``x`` of shape (n_samples, n_features) and two-class ``y``."""
        owner = "Perceptron"
        eta = check_float(self.learning_rate, "learning_rate", owner, low=0, closed="neither")
        max_epochs = check_int(self.max_epochs, "max_epochs", owner, minimum=1)
        shuffle = check_bool(self.shuffle, "shuffle", owner)
        init = check_one_of(self.init, "init", owner, ("zeros", "random"))
        rng = as_generator(self.seed, name="seed", owner=owner)
        X = check_array(x, "x", "Perceptron.fit", ndim=2)
        y_signed, classes = _signed_labels(y, "Perceptron.fit")
        check_same_length(X, y_signed, "Perceptron.fit")

        n, d = X.shape
        w = np.zeros(d) if init == "zeros" else rng.normal(0.0, 0.01, size=d)
        b = 0.0
        coef_history, intercept_history, errors = [], [], []
        for _ in range(max_epochs):
            order = rng.permutation(n) if shuffle else range(n)
            mistakes = 0
            for j in order:
                x_j, y_j = X[j], y_signed[j]
                if y_j * (x_j @ w + b) <= 0:  # misclassified, or on the hyperplane
                    w += eta * y_j * x_j
                    b += eta * y_j
                    mistakes += 1
            coef_history.append(w.copy())
            intercept_history.append(b)
            errors.append(mistakes)
            if mistakes == 0:
                break

        self.coef_, self.intercept_ = w, float(b)
        self.classes_ = classes
        self.coef_history_ = np.array(coef_history)
        self.intercept_history_ = np.array(intercept_history)
        self.errors_ = errors
        self.n_epochs_ = len(errors)
        self.converged_ = errors[-1] == 0
        self.n_features_in_ = d
        return self

    def decision_function(self, x) -> np.ndarray:
        r"""The signed score :math:`z = w^\top x + b`, shape (n_samples,)."""
        self._check_fitted("decision_function")
        X = check_array(x, "x", "Perceptron.decision_function", ndim=2)
        _check_n_features(X, self.n_features_in_, "Perceptron.decision_function")
        return X @ self.coef_ + self.intercept_

    def predict(self, x) -> np.ndarray:
        r"""Labels :math:`\operatorname{sign}(w^\top x + b)`, coded as in ``fit`` (0 gives +1)."""
        self._check_fitted("predict")
        z = self.decision_function(x)
        return np.where(z >= 0, self.classes_[1], self.classes_[0])

    def score(self, x, y) -> float:
        """Accuracy: the fraction of samples whose predicted label equals ``y``."""
        self._check_fitted("score")
        y = _labels_of(y, self.classes_, "Perceptron.score")
        y_hat = self.predict(x)
        check_same_length(y_hat, y, "Perceptron.score", names=("x", "y"))
        return float(np.mean(y_hat == y))

    def loss(self, x, y) -> float:
        r"""The perceptron criterion :math:`-\sum_{j \in M} y_j (w^\top x_j + b)` of the fit."""
        self._check_fitted("loss")
        y = _labels_of(y, self.classes_, "Perceptron.loss")
        y_signed = np.where(y == self.classes_[1], 1.0, -1.0)
        margins = y_signed * self.decision_function(x)
        return float(-margins[margins <= 0].sum()) + 0.0  # + 0.0 turns -0.0 into 0.0


def _labels_of(y, classes, owner):
    """Check that every label in ``y`` is one of the fitted ``classes``."""
    y = _as_vector(y, "y", owner)
    unknown = np.setdiff1d(y, classes)
    if unknown.size:
        raise ValueError(
            f"The 'y' argument of {owner} must hold the labels seen in fit, "
            f"{classes.tolist()}. Got the labels {unknown.tolist()} as well."
        )
    return y


def _signed_labels(y, owner):
    """Map labels {-1, +1} or {0, 1} to float -1.0 / +1.0; return them and the classes."""
    y = _as_vector(y, "y", owner)
    values = np.unique(y)
    if set(values.tolist()) <= {-1.0, 1.0}:
        classes = np.array([-1, 1])
    elif set(values.tolist()) <= {0.0, 1.0}:
        classes = np.array([0, 1])
    else:
        raise ValueError(
            f"The 'y' argument of {owner} must hold two classes labelled -1/+1 or 0/1. "
            f"Got the labels {values.tolist()} instead."
        )
    if len(values) != 2:
        raise ValueError(
            f"The 'y' argument of {owner} must contain both classes to learn a boundary. "
            f"Got only the label {values.tolist()[0]!r}."
        )
    return np.where(y == classes[1], 1.0, -1.0), classes
