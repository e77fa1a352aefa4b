r"""The course's data: small tables, generated data and scikit-learn's shipped sets.

Every function returns a :class:`Dataset`: ``x`` of shape
(n_samples, n_features) in float64 and ``y`` of shape (n_samples,), float64 for
regression and int64 class indices 0, 1, ... for classification. A
``Dataset`` unpacks like a tuple, ``x, y = load_exam_scores()``.

* Tables of the sources, shipped with the package in ``mlpabc/data/`` and read
  with :mod:`importlib.resources`, so they load from an installed wheel and any
  working directory (``mlpabc/data/README.md`` says which rows are verbatim and
  which generated):
  :func:`load_house_prices`, :func:`load_exam_scores`, :func:`load_flowers`.
* Generated data (seeded, nothing stored): :func:`make_sine`,
  :func:`make_xor`, :func:`make_blobs2d`, :func:`make_spirals`,
  :func:`make_polynomial`.
* Real data sets whose files scikit-learn installs with itself (nothing is
  downloaded): :func:`load_digits`, :func:`load_iris`,
  :func:`load_diabetes`, :func:`load_breast_cancer`.

Introduced in the chapter *From regression to neurons*.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from importlib import resources

import numpy as np

from ._random import as_generator
from ._validation import check_bool, check_float, check_int

__all__ = [
    "Dataset",
    "load_breast_cancer",
    "load_diabetes",
    "load_digits",
    "load_exam_scores",
    "load_flowers",
    "load_house_prices",
    "load_iris",
    "make_blobs2d",
    "make_polynomial",
    "make_sine",
    "make_spirals",
    "make_xor",
]

#: The folder of the course's tables: package data of mlpabc (a Traversable, not a path,
#: so it also works when the package is imported from a zip file).
_DATA_DIR = resources.files("mlpabc") / "data"

_CITE_002 = "Chen Yunji, Li Ling, Li Wei et al., AI Computing Systems course, ICT CAS, 2020"
_CITE_004 = "Li Sun Bowen, MLP ABC (AI 技术入门：神经网络基础), v0.2.2, 2023"


@dataclass(frozen=True, eq=False)
class Dataset:
    """A data set: inputs, targets and what they mean.

    Parameters
    ----------
    x : ndarray of shape (n_samples, n_features)
        Inputs, float64.
    y : ndarray of shape (n_samples,)
        Targets: float64 for regression, int64 class indices for classification.
    feature_names : tuple of str
        One name per column of ``x``.
    target_names : tuple of str
        Regression: the name of the target. Classification: the name of
        each class, indexed by the label (``target_names[y[0]]``).
    task : {"regression", "classification"}
    description : str
        Where the data come from.
    name : str
        A short label.

    Examples
    --------
    >>> data = make_xor()
    >>> x, y = data
    >>> x.shape, y.tolist(), data.task
    ((4, 2), [0, 1, 1, 0], 'classification')

    Introduced in the chapter *From regression to neurons*.
    """

    x: np.ndarray
    y: np.ndarray
    feature_names: tuple
    target_names: tuple
    task: str
    description: str = ""
    name: str = ""

    def __iter__(self):
        """Unpack as ``x, y``."""
        yield self.x
        yield self.y

    def __repr__(self):
        return (
            f"Dataset(name={self.name!r}, task={self.task!r}, x: {self.x.shape}, "
            f"y: {self.y.shape}, features={list(self.feature_names)})"
        )


# -- the course's tables ------------------------------------------------------------------------


def _read_table(filename):
    """Header and values of one CSV table of the package data (mlpabc/data/)."""
    path = _DATA_DIR / filename
    if not path.is_file():
        raise FileNotFoundError(
            f"The course's data file {filename!r} was not found at {path}. It is package data "
            f"of mlpabc (mlpabc/data/), installed with the package: reinstall mlpabc "
            f"(pip install --force-reinstall mlpabc, or pip install -e . in a checkout)."
        )
    with path.open(encoding="utf-8") as f:
        header = tuple(f.readline().strip().split(","))
        values = np.loadtxt(f, delimiter=",", ndmin=2, dtype=np.float64)
    return header, values


def load_house_prices() -> Dataset:
    r"""House area and floor -> price, the linear-regression example of chapter 1.

    30 houses: ``x`` holds ``area`` (m²) and ``floor``, ``y`` the ``price``
    in units of 10,000 CNY. The question of the slides (Chen et al., 2020):
    what is the price of a 65 m² house, an area that is not in the records?
    The slides show their data only in figures, without numbers, so **every
    row here is generated** (the repository's ``data/make_tables.py``:
    price = 5 + 1.2 area + 0.4 floor + noise with standard deviation 6).

    Returns
    -------
    Dataset
        ``x`` of shape (30, 2), ``y`` of shape (30,).

    Examples
    --------
    >>> x, y = load_house_prices()
    >>> x.shape, y.shape, 65.0 in x[:, 0]
    ((30, 2), (30,), False)

    Introduced in the chapter *From regression to neurons*.
    """
    names, table = _read_table("house_prices.csv")
    return Dataset(
        x=table[:, :2],
        y=table[:, 2],
        feature_names=names[:2],
        target_names=names[2:],
        task="regression",
        description=(
            "House sales: area (m^2) and floor -> price (10,000 CNY). Generated by "
            "data/make_tables.py (price = 5 + 1.2 area + 0.4 floor + N(0, 6^2)); the table of "
            f"the source is not available as numbers. Question from {_CITE_002}: the price at "
            "area 65."
        ),
        name="house_prices",
    )


def load_exam_scores(source_only: bool = False) -> Dataset:
    r"""Two mock-exam scores -> final-exam score (booklet table 2.1).

    Parameters
    ----------
    source_only : bool, default=False
        ``True``: only the 4 rows the booklet prints. ``False``: 200 rows, of
        which the first 4 are the booklet's and 196 are generated from their
        statistics (``data/make_tables.py``).

    Returns
    -------
    Dataset
        ``x`` (``mock_a``, ``mock_b``) of shape (n, 2) and ``y`` (``final``) of
        shape (n,), with n = 4 or 200.

    Examples
    --------
    >>> x, y = load_exam_scores(source_only=True)
    >>> x[0], y[0]
    (array([85., 76.]), np.float64(80.0))
    >>> load_exam_scores().x.shape
    (200, 2)

    Introduced in the chapter *Multilayer networks and forward propagation*.
    """
    check_bool(source_only, "source_only", "load_exam_scores")
    filename = "exam_scores_source.csv" if source_only else "exam_scores.csv"
    names, table = _read_table(filename)
    origin = (
        "the 4 rows printed in table 2.1"
        if source_only
        else "rows 1-4 verbatim from table 2.1, rows 5-200 generated by data/make_tables.py"
    )
    return Dataset(
        x=table[:, :2],
        y=table[:, 2],
        feature_names=names[:2],
        target_names=names[2:],
        task="regression",
        description=f"Exam scores: mock exams A and B -> final exam; {origin} of {_CITE_004}.",
        name="exam_scores",
    )


def load_flowers(source_only: bool = False) -> Dataset:
    r"""Three flower measurements -> one of four species (booklet table 2.3).

    The CSV stores the species as printed, 1-4; ``y`` holds class indices
    ``species - 1`` in 0-3, which is what ``sparse_categorical_crossentropy``
    with a four-unit softmax expects (the booklet's labels 1-4 would put
    label 4 out of range).

    Parameters
    ----------
    source_only : bool, default=False
        ``True``: only the booklet's 4 rows. ``False``: 200 rows (50 per
        species), the first 4 verbatim, the rest generated around them.

    Returns
    -------
    Dataset
        ``x`` (``petal_length``, ``petal_width``, ``serration_depth``) of shape
        (n, 3), ``y`` int64 of shape (n,).

    Examples
    --------
    >>> data = load_flowers(source_only=True)
    >>> data.x[1], data.y.tolist()
    (array([12. ,  5. ,  0.5]), [1, 0, 3, 2])
    >>> data.target_names[data.y[0]]
    'species 2'

    Introduced in the chapter *Loss functions*.
    """
    check_bool(source_only, "source_only", "load_flowers")
    filename = "flowers_source.csv" if source_only else "flowers.csv"
    names, table = _read_table(filename)
    origin = (
        "the 4 rows printed in table 2.3"
        if source_only
        else "rows 1-4 verbatim from table 2.3, rows 5-200 generated by data/make_tables.py"
    )
    return Dataset(
        x=table[:, :3],
        y=table[:, 3].astype(np.int64) - 1,
        feature_names=names[:3],
        target_names=tuple(f"species {k}" for k in range(1, 5)),
        task="classification",
        description=(
            f"Flowers (an invented task): three measurements -> species 1-4, stored in y as "
            f"0-3; {origin} of {_CITE_004}."
        ),
        name="flowers",
    )


# -- generated data -----------------------------------------------------------------------------


def make_sine(n_samples=1000, noise=0.32, x_range=(-2.0, 2.0), seed=None) -> Dataset:
    r"""Noisy samples of :math:`y = 2 \sin x` on an even grid (booklet section 2.5.2).

    .. math::

        x_j = \text{evenly spaced in } [a, b], \qquad
        y_j = 2 \sin x_j + \sigma\, \varepsilon_j, \quad \varepsilon_j \sim \mathcal N(0, 1).

    The defaults are the booklet's: 1000 points in :math:`[-2, 2]`,
    :math:`\sigma = 0.32`. Its least-squares baseline on such data is
    :math:`\hat y = 0.01 + 1.31 x`.

    Parameters
    ----------
    n_samples : int, default=1000
    noise : float, default=0.32
        Standard deviation :math:`\sigma` of the noise (0 for the clean curve).
    x_range : (float, float), default=(-2.0, 2.0)
    seed : int, numpy.random.Generator or None

    Returns
    -------
    Dataset
        ``x`` of shape (n_samples, 1), ``y`` of shape (n_samples,).

    Examples
    --------
    >>> x, y = make_sine(n_samples=3, noise=0.0, x_range=(0, np.pi))
    >>> x.ravel().round(4).tolist(), y.round(12).tolist()
    ([0.0, 1.5708, 3.1416], [0.0, 2.0, 0.0])

    Introduced in the chapter *Activation functions*.
    """
    owner = "make_sine"
    n_samples = check_int(n_samples, "n_samples", owner, minimum=1)
    noise = check_float(noise, "noise", owner, low=0)
    lo, hi = _check_range(x_range, "x_range", owner)
    rng = as_generator(seed, owner=owner)
    x = np.linspace(lo, hi, n_samples)
    y = 2.0 * np.sin(x) + noise * rng.standard_normal(n_samples)
    return Dataset(
        x=x[:, None],
        y=y,
        feature_names=("x",),
        target_names=("y",),
        task="regression",
        description=(
            f"y = 2 sin x + {noise} * N(0, 1), x evenly spaced in [{lo}, {hi}] ({_CITE_004})."
        ),
        name="sine",
    )


_XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_XOR_Y = np.array([0, 1, 1, 0])


def make_xor(n_samples=4, noise=0.0, seed=None) -> Dataset:
    r"""The XOR problem: :math:`y = x_1 \oplus x_2` on the corners of the unit square.

    No line separates the two classes, so a single perceptron cannot learn it
    (Minsky and Papert, 1969); one hidden layer can.

    Parameters
    ----------
    n_samples : int, default=4
        Sample ``j`` is corner ``j % 4`` of (0, 0), (0, 1), (1, 0), (1, 1);
        the default is the truth table.
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to each coordinate.
    seed : int, numpy.random.Generator or None
        Only used when ``noise > 0``.

    Returns
    -------
    Dataset
        ``x`` of shape (n_samples, 2), ``y`` int64 in {0, 1}.

    Examples
    --------
    >>> x, y = make_xor()
    >>> x.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])

    Introduced in the chapter *The neuron and the perceptron*.
    """
    owner = "make_xor"
    n_samples = check_int(n_samples, "n_samples", owner, minimum=1)
    noise = check_float(noise, "noise", owner, low=0)
    rng = as_generator(seed, owner=owner)
    corner = np.arange(n_samples) % 4
    x = _XOR_X[corner]
    if noise > 0:
        x = x + noise * rng.standard_normal(x.shape)
    return Dataset(
        x=x,
        y=_XOR_Y[corner].astype(np.int64),
        feature_names=("x1", "x2"),
        target_names=("0", "1"),
        task="classification",
        description="XOR of two binary inputs" + (f", N(0, {noise}^2) noise." if noise else "."),
        name="xor",
    )


def make_blobs2d(n_samples=100, separation=3.0, margin=0.0, seed=None) -> Dataset:
    r"""Two linearly separable Gaussian blobs in the plane (data for the perceptron).

    With :math:`u = (1, 1)/\sqrt 2` and :math:`m = (1, 1)`, class 1 is drawn
    around :math:`m + \tfrac{s}{2} u` and class 0 around :math:`m - \tfrac{s}{2} u`
    (identity covariance, :math:`s` = ``separation``). A point whose signed
    distance :math:`\pm u^\top (p - m)` to the line :math:`u^\top(p - m) = 0` is
    not larger than ``margin`` is drawn again, so that line separates the
    classes with a gap of at least ``2 * margin``: the perceptron always
    converges on this data.

    Parameters
    ----------
    n_samples : int, default=100
        Total; class 0 gets ``n_samples // 2``.
    separation : float, default=3.0
        Distance :math:`s > 0` between the two centres, in standard deviations.
    margin : float, default=0.0
        Half the minimum gap, :math:`\ge 0`, at most ``separation / 2``.
    seed : int, numpy.random.Generator or None

    Returns
    -------
    Dataset
        ``x`` of shape (n_samples, 2), ``y`` int64 in {0, 1}, samples in random order.

    Examples
    --------
    >>> x, y = make_blobs2d(n_samples=6, seed=0)
    >>> x.shape, sorted(y.tolist())
    ((6, 2), [0, 0, 0, 1, 1, 1])
    >>> u = np.array([1, 1]) / np.sqrt(2)
    >>> bool(np.all(((x - 1) @ u > 0) == (y == 1)))
    True

    Introduced in the chapter *The neuron and the perceptron*.
    """
    owner = "make_blobs2d"
    n_samples = check_int(n_samples, "n_samples", owner, minimum=2)
    separation = check_float(separation, "separation", owner, low=0, closed="neither")
    margin = check_float(margin, "margin", owner, low=0, high=separation / 2)
    rng = as_generator(seed, owner=owner)
    u = np.array([1.0, 1.0]) / np.sqrt(2.0)
    m = np.array([1.0, 1.0])
    n0 = n_samples // 2
    parts = []
    for label, count in ((0, n0), (1, n_samples - n0)):
        side = 1.0 if label == 1 else -1.0
        centre = m + side * separation / 2 * u
        points = np.empty((0, 2))
        while len(points) < count:  # rejection sampling: keep points beyond the margin
            draw = centre + rng.standard_normal((2 * count, 2))
            points = np.vstack([points, draw[side * ((draw - m) @ u) > margin]])
        parts.append((points[:count], np.full(count, label, dtype=np.int64)))
    x = np.vstack([p for p, _ in parts])
    y = np.concatenate([t for _, t in parts])
    order = rng.permutation(n_samples)
    return Dataset(
        x=x[order],
        y=y[order],
        feature_names=("x1", "x2"),
        target_names=("0", "1"),
        task="classification",
        description=(
            f"Two unit-variance Gaussian blobs {separation} apart along (1, 1), separated by "
            f"the line x1 + x2 = 2 with a margin of {margin} on each side."
        ),
        name="blobs2d",
    )


def make_spirals(n_samples=200, n_classes=2, noise=0.1, seed=None) -> Dataset:
    r"""Interleaved spiral arms, one per class: a problem no linear model solves.

    Arm :math:`k` of :math:`K` has points at radius :math:`r \in [0.1, 1]`
    (evenly spaced) and angle :math:`\theta = 2\pi k/K + 3\pi r`, so every arm
    makes one and a half turns:

    .. math::

        x = r\,(\cos\theta, \sin\theta) + \sigma\,\varepsilon,
        \qquad \varepsilon \sim \mathcal N(0, I_2).

    Parameters
    ----------
    n_samples : int, default=200
        Total; split between the classes as evenly as possible.
    n_classes : int, default=2
    noise : float, default=0.1
        Standard deviation :math:`\sigma` added to each coordinate.
    seed : int, numpy.random.Generator or None

    Returns
    -------
    Dataset
        ``x`` of shape (n_samples, 2), ``y`` int64 in 0 .. n_classes - 1, in random order.

    Examples
    --------
    >>> x, y = make_spirals(n_samples=7, n_classes=3, noise=0.0, seed=0)
    >>> x.shape, np.bincount(y).tolist()
    ((7, 2), [3, 2, 2])

    Introduced in the chapter *Multilayer networks and forward propagation*.
    """
    owner = "make_spirals"
    n_classes = check_int(n_classes, "n_classes", owner, minimum=2)
    n_samples = check_int(n_samples, "n_samples", owner, minimum=n_classes)
    noise = check_float(noise, "noise", owner, low=0)
    rng = as_generator(seed, owner=owner)
    counts = np.full(n_classes, n_samples // n_classes)
    counts[: n_samples % n_classes] += 1
    xs, ys = [], []
    for k, count in enumerate(counts):
        r = np.linspace(0.1, 1.0, count)
        theta = 2 * np.pi * k / n_classes + 3 * np.pi * r
        xs.append(r[:, None] * np.column_stack([np.cos(theta), np.sin(theta)]))
        ys.append(np.full(count, k, dtype=np.int64))
    x = np.vstack(xs) + noise * rng.standard_normal((n_samples, 2))
    y = np.concatenate(ys)
    order = rng.permutation(n_samples)
    return Dataset(
        x=x[order],
        y=y[order],
        feature_names=("x1", "x2"),
        target_names=tuple(str(k) for k in range(n_classes)),
        task="classification",
        description=f"{n_classes} spiral arms of 1.5 turns, N(0, {noise}^2) noise per coordinate.",
        name="spirals",
    )


def make_polynomial(n_samples=20, degree=3, noise=0.1, x_range=(-1.0, 1.0), seed=None) -> Dataset:
    r"""Noisy samples of a polynomial of known degree, for under- and over-fitting.

    The true function is the Chebyshev polynomial :math:`T_d` of degree
    :math:`d` (:math:`T_1 = x`, :math:`T_2 = 2x^2 - 1`, :math:`T_3 = 4x^3 - 3x`,
    ...), which on :math:`[-1, 1]` swings between -1 and 1 with :math:`d - 1`
    turning points: a fit of lower degree visibly underfits, a much higher
    degree chases the noise.

    .. math::

        x_j \sim \mathcal U(a, b) \text{ (sorted)}, \qquad
        y_j = T_d(x_j) + \sigma\,\varepsilon_j, \quad \varepsilon_j \sim \mathcal N(0, 1).

    Parameters
    ----------
    n_samples : int, default=20
    degree : int, default=3
        :math:`d \ge 0`.
    noise : float, default=0.1
        Standard deviation :math:`\sigma` of the noise.
    x_range : (float, float), default=(-1.0, 1.0)
    seed : int, numpy.random.Generator or None

    Returns
    -------
    Dataset
        ``x`` of shape (n_samples, 1) sorted, ``y`` of shape (n_samples,).

    Examples
    --------
    >>> x, y = make_polynomial(n_samples=5, degree=3, noise=0.0, seed=0)
    >>> np.allclose(y, 4 * x.ravel() ** 3 - 3 * x.ravel())
    True

    Introduced in the chapter *Evaluating training*.
    """
    owner = "make_polynomial"
    n_samples = check_int(n_samples, "n_samples", owner, minimum=1)
    degree = check_int(degree, "degree", owner, minimum=0)
    noise = check_float(noise, "noise", owner, low=0)
    lo, hi = _check_range(x_range, "x_range", owner)
    rng = as_generator(seed, owner=owner)
    x = np.sort(rng.uniform(lo, hi, n_samples))
    t_d = np.polynomial.chebyshev.Chebyshev.basis(degree)
    y = t_d(x) + noise * rng.standard_normal(n_samples)
    return Dataset(
        x=x[:, None],
        y=y,
        feature_names=("x",),
        target_names=("y",),
        task="regression",
        description=f"y = T_{degree}(x) + {noise} * N(0, 1), x uniform in [{lo}, {hi}].",
        name="polynomial",
    )


# -- scikit-learn's shipped data sets -------------------------------------------------------------


def _from_sklearn(loader_name, task, name):
    # Imported here: scikit-learn is a dependency, but importing it costs time.
    from sklearn import datasets as skd

    bunch = getattr(skd, loader_name)()  # reads files installed with scikit-learn
    y = bunch.target.astype(np.int64 if task == "classification" else np.float64)
    if task == "classification":
        target_names = tuple(str(t) for t in bunch.target_names)
    else:
        target_names = ("target",)
    return Dataset(
        x=np.asarray(bunch.data, dtype=np.float64),
        y=y,
        feature_names=tuple(str(f) for f in bunch.feature_names),
        target_names=target_names,
        task=task,
        description=bunch.DESCR,
        name=name,
    )


def load_digits() -> Dataset:
    """8 x 8 images of handwritten digits: 1797 samples, 64 pixels in 0..16, 10 classes.

    The pixel values are returned as stored (0 to 16); scale them before
    training (``x / 16``).

    Examples
    --------
    >>> data = load_digits()
    >>> data.x.shape, data.x.dtype, data.y.dtype, len(data.target_names)
    ((1797, 64), dtype('float64'), dtype('int64'), 10)

    Introduced in the chapter *Multilayer networks and forward propagation*.
    """
    return _from_sklearn("load_digits", "classification", "digits")


def load_iris() -> Dataset:
    """Fisher's iris flowers: 150 samples, 4 measurements (cm), 3 species.

    Examples
    --------
    >>> data = load_iris()
    >>> data.x.shape, data.target_names
    ((150, 4), ('setosa', 'versicolor', 'virginica'))

    Introduced in the chapter *Loss functions*.
    """
    return _from_sklearn("load_iris", "classification", "iris")


def load_diabetes() -> Dataset:
    """Diabetes progression: 442 patients, 10 baseline variables -> a disease score.

    The inputs are scikit-learn's scaled version (each column centred, with
    unit Euclidean norm); the target is the raw score (25 to 346).

    Examples
    --------
    >>> data = load_diabetes()
    >>> data.x.shape, data.task
    ((442, 10), 'regression')

    Introduced in the chapter *Cross-validation*.
    """
    return _from_sklearn("load_diabetes", "regression", "diabetes")


def load_breast_cancer() -> Dataset:
    """Wisconsin breast-cancer diagnosis: 569 samples, 30 features, malignant (0) or benign (1).

    Examples
    --------
    >>> data = load_breast_cancer()
    >>> data.x.shape, data.target_names
    ((569, 30), ('malignant', 'benign'))

    Introduced in the chapter *Batch normalisation, dropout and residual connections*.
    """
    return _from_sklearn("load_breast_cancer", "classification", "breast_cancer")


# -- argument checks ----------------------------------------------------------------------------


def _check_range(value, name, owner):
    """A pair (low, high) of finite numbers with low < high."""
    ok = (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value)
    )
    if not ok:
        raise TypeError(
            f"The {name!r} argument of {owner} must be a pair (low, high) of numbers. "
            f"Got {value!r} instead."
        )
    lo, hi = float(value[0]), float(value[1])
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(
            f"The {name!r} argument of {owner} must be a pair (low, high) of finite numbers "
            f"with low < high. Got {value!r} instead."
        )
    return lo, hi
