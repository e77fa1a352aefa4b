r"""Hyperparameter search: grid, random and Bayesian, every candidate cross-validated.

:class:`GridSearch`, :class:`RandomSearch` and :class:`BayesianSearch` call
``build_fn(**params)`` for every candidate and fold. With ``n_jobs`` the
trainings run on several cores, or on a Dask cluster inside
``with joblib.parallel_backend("dask"):``, and give exactly the serial run's
``cv_results_``. :func:`expected_improvement` and :func:`gp_posterior` are the
two formulas behind Bayesian search.

Introduced in the chapter *Hyperparameters and their tuning*.
"""

from __future__ import annotations

import itertools
import math
import numbers

import numpy as np

from .._random import as_generator
from .._validation import check_bool, check_float, check_int, describe
from ._parallel import check_n_jobs, run_tasks
from .splits import _check_lengths
from .validation import (
    _accepts,
    _check_build_fn,
    _check_fit_kwargs,
    _folds_of,
    _get_scorer,
    candidate_error,
    fit_and_score_task,
)

__all__ = ["BayesianSearch", "GridSearch", "RandomSearch", "expected_improvement", "gp_posterior"]


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
                need = {
                    "uniform": "low < high",
                    "log-uniform": "0 < low < high",
                    "int": "integers low < high",
                }[kind]
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

    Subclasses implement ``_run(evaluate)``, which calls ``evaluate(candidates)``
    with a list of parameter dicts (a batch whose trainings may run in
    parallel) and gets their mean scores back, in order.
    """

    def fit(self, x, y):
        """Cross-validate every candidate on ``x, y``; returns ``self``."""
        owner = type(self).__name__
        _check_build_fn(self.build_fn, owner)
        self._score, self._greater = _get_scorer(
            self.scoring, owner, self.greater_is_better, need_direction=True
        )
        fit_kwargs = _check_fit_kwargs(self.fit_kwargs, owner)
        refit = check_bool(self.refit, "refit", owner)
        n_jobs = check_n_jobs(self.n_jobs, owner)
        x, y = np.asarray(x), np.asarray(y)
        _check_lengths([x, y], owner)
        folds = _folds_of(self.cv, x, y, owner)  # the same folds for every candidate

        self.cv_results_ = []

        def evaluate(candidates):
            # one task per (candidate, fold), candidate by candidate: the serial order
            tasks = [
                (self.build_fn, params, x, y, train, test, self._score, fit_kwargs, owner)
                for params in candidates
                for train, test in folds
            ]
            scores = run_tasks(fit_and_score_task, tasks, n_jobs)
            means = []
            for i, params in enumerate(candidates):
                row = np.array(scores[i * len(folds) : (i + 1) * len(folds)])
                self.cv_results_.append(
                    {
                        "params": params,
                        "mean_score": float(np.mean(row)),
                        "std_score": float(np.std(row)),
                        "scores": row,
                    }
                )
                means.append(self.cv_results_[-1]["mean_score"])
            return means

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
                raise candidate_error(err, self.best_params_, owner) from err
        return self


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
    n_jobs : int or None, default=None
        Train on this many worker processes (``-1``: one per core); ``None`` is
        one process unless inside a ``joblib.parallel_backend`` context (such as
        ``"dask"``). Every (candidate, fold) training is a task;
        ``cv_results_`` is exactly the serial run's, in the same order (see
        :func:`~mlpabc.model_selection.cross_val_score`).

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
    >>> parallel = GridSearch(lambda alpha: Ridge(alpha=alpha), {"alpha": [0.0, 10.0]}, cv=4,
    ...                       n_jobs=2).fit(x, 3 * x.ravel())
    >>> means = [r["mean_score"] for r in search.cv_results_]
    >>> [r["mean_score"] for r in parallel.cv_results_] == means
    True

    Introduced in the chapter *Hyperparameters and their tuning*.
    """

    def __init__(
        self,
        build_fn,
        param_grid,
        cv=5,
        scoring="mse",
        fit_kwargs=None,
        greater_is_better=None,
        refit=True,
        n_jobs=None,
    ):
        self.build_fn = build_fn
        self.param_grid = param_grid
        self.cv = cv
        self.scoring = scoring
        self.fit_kwargs = fit_kwargs
        self.greater_is_better = greater_is_better
        self.refit = refit
        self.n_jobs = n_jobs

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
        evaluate(candidates)


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
    cv, scoring, fit_kwargs, greater_is_better, refit, n_jobs
        As in :class:`GridSearch`.
    seed : int, numpy.random.Generator or None
        The candidates are all drawn first, in order, from this one generator;
        then they are trained (in parallel with ``n_jobs``).

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

    def __init__(
        self,
        build_fn,
        param_distributions,
        n_iter=10,
        cv=5,
        scoring="mse",
        seed=None,
        fit_kwargs=None,
        greater_is_better=None,
        refit=True,
        n_jobs=None,
    ):
        self.build_fn = build_fn
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.cv = cv
        self.scoring = scoring
        self.seed = seed
        self.fit_kwargs = fit_kwargs
        self.greater_is_better = greater_is_better
        self.refit = refit
        self.n_jobs = n_jobs

    def _run(self, evaluate):
        owner = "RandomSearch"
        n_iter = check_int(self.n_iter, "n_iter", owner, minimum=1)
        dims = _parse_space(self.param_distributions, "param_distributions", owner)
        rng = as_generator(self.seed, owner=owner)
        evaluate([_draw_params(dims, rng) for _ in range(n_iter)])


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
       *expected improvement* over the best score so far, :math:`f^*`
       (:meth:`acquisition`, :func:`expected_improvement`):

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
    n_jobs : int or None, default=None
        As in :class:`GridSearch`. The ``n_initial`` random candidates are
        drawn first and trained as one batch; each later step trains its
        candidate's folds in parallel. The steps themselves are sequential:
        each needs the scores of all before it.

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

    N_PROPOSALS = 1000  #: random proposals scored by expected improvement at each step
    LENGTH_SCALES = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)  #: candidate RBF length scales (times sqrt D)
    JITTER = 1e-6  #: added to the kernel's diagonal: numerical safety, and near-interpolation

    def __init__(
        self,
        build_fn,
        space,
        n_iter=20,
        n_initial=5,
        cv=5,
        scoring="mse",
        seed=None,
        xi=0.01,
        fit_kwargs=None,
        greater_is_better=None,
        refit=True,
        n_jobs=None,
    ):
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
        self.n_jobs = n_jobs

    def _run(self, evaluate):
        owner = "BayesianSearch"
        n_iter = check_int(self.n_iter, "n_iter", owner, minimum=1)
        n_initial = check_int(self.n_initial, "n_initial", owner, minimum=1, maximum=n_iter)
        check_float(self.xi, "xi", owner, low=0)
        dims = _parse_space(self.space, "space", owner, allow_rvs=False)
        rng = as_generator(self.seed, owner=owner)
        # the random candidates: all drawn first, in order, then trained as one batch
        initial = [{k: d.draw(rng, 1) for k, d in dims.items()} for _ in range(n_initial)]
        scores = evaluate([{k: d.value(raw[k][0]) for k, d in dims.items()} for raw in initial])
        encoded = [np.hstack([d.encode(raw[k]) for k, d in dims.items()])[0] for raw in initial]
        losses = [s if not self._greater else -s for s in scores]  # oriented: lower is better
        for _ in range(n_initial, n_iter):
            raw = {k: d.draw(rng, self.N_PROPOSALS) for k, d in dims.items()}
            codes = np.hstack([d.encode(raw[k]) for k, d in dims.items()])
            pick = int(np.argmax(self.acquisition(np.array(encoded), np.array(losses), codes)))
            (score,) = evaluate([{k: d.value(raw[k][pick]) for k, d in dims.items()}])
            encoded.append(codes[pick])
            losses.append(score if not self._greater else -score)

    def acquisition(self, X, f, candidates):
        r"""The expected improvement of each candidate, given the points evaluated so far.

        The scores ``f`` (oriented so that lower is better; a NaN counts as the
        worst score seen) are standardised to mean 0 and standard deviation 1;
        :func:`gp_posterior` gives :math:`\mu` and :math:`\sigma` at each
        candidate, and :func:`expected_improvement` the acquisition, with
        :math:`f^* = \min f` and the margin ``xi``.

        Parameters
        ----------
        X : ndarray of shape (n, D)
            The evaluated candidates, encoded into :math:`[0, 1]^D`.
        f : ndarray of shape (n,)
            Their mean scores, lower is better.
        candidates : ndarray of shape (m, D)
            Encoded proposals.

        Returns
        -------
        ndarray of shape (m,)
            The expected improvement of each proposal (in standardised units).

        Examples
        --------
        >>> search = BayesianSearch(None, {})
        >>> X, f = np.array([[0.0], [0.5], [1.0]]), np.array([0.5, 0.3, 0.6])
        >>> int(np.argmax(search.acquisition(X, f, np.array([[0.1], [0.45], [0.9]]))))
        1

        Introduced in the chapter *Hyperparameters and their tuning*.
        """
        xi = check_float(self.xi, "xi", "BayesianSearch", low=0)
        f = np.where(np.isnan(f), np.nanmax(f) if np.isfinite(f).any() else 0.0, f)
        f = (f - f.mean()) / (f.std() if f.std() > 0 else 1.0)
        mu, sigma = gp_posterior(X, f, candidates, self.LENGTH_SCALES, self.JITTER)
        return expected_improvement(mu, sigma, f.min(), xi)


def expected_improvement(mu, sigma, best, xi=0.0):
    r"""Expected improvement over the best score ``best`` (lower is better).

    A Gaussian process predicts at a point a score with mean :math:`\mu` and
    standard deviation :math:`\sigma`; the expected amount by which it beats
    :math:`f^*` by more than :math:`\xi` is

    .. math::

        \mathrm{EI} = \underbrace{(f^* - \mu - \xi)\,\Phi(z)}_{\text{exploitation}}
                     + \underbrace{\sigma\,\varphi(z)}_{\text{exploration}},
        \qquad z = \frac{f^* - \mu - \xi}{\sigma},

    with :math:`\Phi` and :math:`\varphi` the standard normal distribution and
    density. Where :math:`\sigma = 0` (up to :math:`10^{-12}`) the score is
    certain and :math:`\mathrm{EI} = \max(f^* - \mu - \xi, 0)`.

    Parameters
    ----------
    mu, sigma : float or ndarray of shape (m,)
        Predicted mean and standard deviation (``sigma >= 0``) at ``m`` points.
    best : float
        :math:`f^*`, the best score so far.
    xi : float, default=0.0
        The margin :math:`\xi \ge 0`; a larger one favours uncertain points.

    Returns
    -------
    ndarray of shape (m,), or a float for scalar ``mu`` and ``sigma``

    Examples
    --------
    An uncertain point predicted worse than :math:`f^* = 0.35`, a certain one
    worse, and a certain one better by 0.05:

    >>> ei = expected_improvement(np.array([0.40, 0.38, 0.30]), np.array([0.05, 0.0, 0.0]), 0.35)
    >>> ei.round(4)
    array([0.0042, 0.    , 0.05  ])

    Introduced in the chapter *Hyperparameters and their tuning*.
    """
    from scipy.special import ndtr  # standard normal CDF (scipy comes with scikit-learn)

    mu, sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)
    if np.any(sigma < 0):
        raise ValueError(
            f"The 'sigma' argument of expected_improvement must be >= 0 (a standard deviation). "
            f"Got {describe(sigma)} with minimum {sigma.min()} instead."
        )
    certain = sigma <= 1e-12
    improvement = best - mu - xi
    z = improvement / np.where(certain, 1.0, sigma)
    ei = improvement * ndtr(z) + sigma * np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi)
    return np.where(certain, np.maximum(improvement, 0.0), ei)[()]


def _rbf(A, B, length_scale):
    sq = (A**2).sum(1)[:, None] + (B**2).sum(1)[None, :] - 2 * A @ B.T
    return np.exp(-0.5 * np.maximum(sq, 0.0) / length_scale**2)


def gp_posterior(
    X, f, X_new, length_scales=BayesianSearch.LENGTH_SCALES, jitter=BayesianSearch.JITTER
):
    r"""Mean and standard deviation at ``X_new`` of a zero-mean, unit-variance RBF process.

    With the kernel :math:`k(u, v) = \exp(-\lVert u - v\rVert^2 / 2\ell^2)` and
    :math:`K = k(X, X) + \text{jitter}\, I = L L^\top` (a Cholesky factor):
    :math:`\mu = k(X, X_*)^\top K^{-1} f` and
    :math:`\sigma^2 = 1 - \lVert L^{-1} k(X, X_*) \rVert^2`. The length scale
    :math:`\ell` is the one of ``length_scales`` (times :math:`\sqrt D`) with the
    highest log marginal likelihood
    :math:`-\tfrac12 f^\top K^{-1} f - \sum_i \log L_{ii}` (constant dropped).

    Parameters
    ----------
    X : ndarray of shape (n, D)
        The evaluated points.
    f : ndarray of shape (n,)
        Their standardised scores.
    X_new : ndarray of shape (m, D)
    length_scales : sequence of float
    jitter : float

    Returns
    -------
    mu, sigma : ndarray of shape (m,)

    Examples
    --------
    Next to an evaluated point the process knows the score; far away it
    reverts to the prior (mean 0, standard deviation 1):

    >>> mu, sigma = gp_posterior(np.array([[0.0], [0.2]]), np.array([1.0, -1.0]),
    ...                          np.array([[0.0], [5.0]]))
    >>> mu.round(3), sigma.round(3)
    (array([1., 0.]), array([0.001, 1.   ]))

    Introduced in the chapter *Hyperparameters and their tuning*.
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
