"""Tests of mlpabc.datasets and of its tables (package data in mlpabc/data/)."""

import dataclasses
import importlib.util
import socket
from pathlib import Path

import numpy as np
import pytest

import mlpabc.datasets as ds
from mlpabc.linear import Perceptron, least_squares, normal_equation

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "mlpabc" / "data"  # the tables: package data
GENERATOR = ROOT / "data" / "make_tables.py"  # the script that writes them


def _make_tables():
    spec = importlib.util.spec_from_file_location("make_tables", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the tables in mlpabc/data/ -----------------------------------------------------------------


def test_tables_are_package_data_read_with_importlib_resources():
    from importlib import resources

    assert ds._DATA_DIR == resources.files("mlpabc") / "data"
    make_tables = _make_tables()
    assert Path(make_tables.DATA_DIR) == DATA
    names = set(make_tables.tables()) | {"exam_scores_source.csv", "flowers_source.csv"}
    assert {p.name for p in DATA.glob("*.csv")} == names
    assert (DATA / "README.md").is_file()  # the provenance travels with the tables


def test_loaders_do_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    expected = [
        loader().x for loader in (ds.load_house_prices, ds.load_exam_scores, ds.load_flowers)
    ]
    monkeypatch.chdir(tmp_path)
    for loader, x in zip((ds.load_house_prices, ds.load_exam_scores, ds.load_flowers), expected):
        np.testing.assert_array_equal(loader().x, x)


def test_shipped_tables_are_exactly_what_the_script_generates():
    make_tables = _make_tables()
    for name, text in make_tables.tables().items():
        assert (DATA / name).read_text() == text, f"{name} is out of date: run data/make_tables.py"
    assert make_tables.main(["--check"]) == 0


def test_exam_scores_verbatim_rows():
    src = ds.load_exam_scores(source_only=True)
    np.testing.assert_array_equal(src.x, [[85, 76], [76, 83], [90, 86], [70, 80]])
    np.testing.assert_array_equal(src.y, [80, 80, 87, 73])
    full = ds.load_exam_scores()
    np.testing.assert_array_equal(full.x[:4], src.x)
    np.testing.assert_array_equal(full.y[:4], src.y)
    assert full.x.shape == (200, 2) and full.y.shape == (200,)
    assert full.feature_names == ("mock_a", "mock_b") and full.target_names == ("final",)
    table = np.column_stack([full.x, full.y])
    assert table.min() >= 0 and table.max() <= 100
    np.testing.assert_array_equal(table, np.round(table))  # whole points, as on a score sheet


def test_exam_scores_follow_the_plane_of_the_source_rows():
    src, full = ds.load_exam_scores(source_only=True), ds.load_exam_scores()
    theta_src = normal_equation(src.x, src.y)
    theta_full = normal_equation(full.x[4:], full.y[4:])
    np.testing.assert_allclose(theta_src, [-3.609442, 0.524768, 0.510730], atol=1e-6)
    np.testing.assert_allclose(theta_full[1:], theta_src[1:], atol=0.1)


def test_flowers_verbatim_rows_and_labels():
    src = ds.load_flowers(source_only=True)
    np.testing.assert_array_equal(src.x, [[23, 12, 2], [12, 5, 0.5], [32, 25, 5], [70, 35, 9]])
    np.testing.assert_array_equal(src.y, [1, 0, 3, 2])  # species 2, 1, 4, 3 as class indices
    assert src.y.dtype == np.int64
    full = ds.load_flowers()
    np.testing.assert_array_equal(full.x[:4], src.x)
    assert full.x.shape == (200, 3)
    assert np.bincount(full.y).tolist() == [50, 50, 50, 50]
    assert set(full.y[-60:].tolist()) == {0, 1, 2, 3}  # validation_split=0.3 sees every species
    assert np.all(full.x > 0)
    assert full.target_names == ("species 1", "species 2", "species 3", "species 4")


def test_house_prices():
    data = ds.load_house_prices()
    assert data.x.shape == (30, 2) and data.y.shape == (30,)
    assert data.feature_names == ("area", "floor") and data.target_names == ("price",)
    assert 65.0 not in data.x[:, 0]
    assert np.all(np.diff(data.x[:, 0]) > 0)  # sorted by area, no repeats
    theta = normal_equation(data.x, data.y)
    np.testing.assert_allclose(theta[1:], [1.2, 0.4], atol=0.25)  # the generating rule shows
    w, b = least_squares(data.x[:, 0], data.y)
    assert 70 < w * 65 + b < 100  # the chapter's question: the price at area 65


@pytest.mark.parametrize("loader", [ds.load_house_prices, ds.load_exam_scores, ds.load_flowers])
def test_table_loaders_dtypes_and_fresh_arrays(loader):
    a, b = loader(), loader()
    assert a.x.dtype == np.float64 and a.x.ndim == 2
    assert a.y.dtype == (np.int64 if a.task == "classification" else np.float64)
    assert len(a.feature_names) == a.x.shape[1]
    assert "2020" in a.description or "2023" in a.description
    a.x[0, 0] = -1.0
    assert b.x[0, 0] != -1.0 and loader().x[0, 0] != -1.0


def test_missing_data_folder_gives_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(ds, "_DATA_DIR", tmp_path / "nowhere")
    with pytest.raises(
        FileNotFoundError,
        match="'exam_scores.csv' was not found.*package data of mlpabc.*reinstall",
    ):
        ds.load_exam_scores()


def test_dataset_unpacks_and_is_frozen():
    data = ds.make_xor()
    x, y = data
    assert x is data.x and y is data.y
    assert repr(data) == (
        "Dataset(name='xor', task='classification', x: (4, 2), y: (4,), features=['x1', 'x2'])"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.x = np.zeros(3)


# -- generated data -----------------------------------------------------------------------------


def test_make_sine_follows_the_booklet():
    x, y = ds.make_sine(seed=0)
    assert x.shape == (1000, 1) and y.shape == (1000,)
    np.testing.assert_array_equal(x[:, 0], np.linspace(-2, 2, 1000))
    residual = y - 2 * np.sin(x[:, 0])
    assert residual.std() == pytest.approx(0.32, abs=0.02)
    w, b = least_squares(x, y)
    assert w == pytest.approx(1.31, abs=0.03) and abs(b) < 0.05  # booklet: y = 0.01 + 1.31 x
    x2, y2 = ds.make_sine(seed=0)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(y, ds.make_sine(seed=1).y)
    clean = ds.make_sine(n_samples=5, noise=0.0, x_range=(0.0, 1.0))
    np.testing.assert_allclose(clean.y, 2 * np.sin(np.linspace(0, 1, 5)), rtol=1e-15)


def test_make_xor():
    x, y = ds.make_xor()
    assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y.tolist() == [0, 1, 1, 0]
    assert y.dtype == np.int64
    x8, y8 = ds.make_xor(n_samples=8, noise=0.1, seed=0)
    assert x8.shape == (8, 2) and y8.tolist() == [0, 1, 1, 0] * 2
    assert np.abs(x8 - np.tile(x, (2, 1))).max() < 0.5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_make_blobs2d_is_separable(seed):
    x, y = ds.make_blobs2d(n_samples=51, separation=1.0, margin=0.1, seed=seed)
    assert x.shape == (51, 2) and np.bincount(y).tolist() == [25, 26]
    distance = (x - 1.0) @ (np.array([1.0, 1.0]) / np.sqrt(2))
    assert np.all(np.where(y == 1, distance, -distance) > 0.1)
    assert Perceptron(seed=seed, max_epochs=1000).fit(x, y).converged_
    again = ds.make_blobs2d(n_samples=51, separation=1.0, margin=0.1, seed=seed)
    np.testing.assert_array_equal(x, again.x)


def test_make_spirals():
    x, y = ds.make_spirals(n_samples=301, n_classes=3, noise=0.0, seed=0)
    assert x.shape == (301, 2) and np.bincount(y).tolist() == [101, 100, 100]
    r = np.linalg.norm(x, axis=1)
    assert r.min() == pytest.approx(0.1) and r.max() == pytest.approx(1.0)
    x2, y2 = ds.make_spirals(n_samples=301, n_classes=3, noise=0.0, seed=0)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    # No line separates two interleaved arms: the perceptron does not converge.
    xs, ys = ds.make_spirals(n_samples=100, seed=0)
    assert not Perceptron(seed=0, max_epochs=30).fit(xs, ys).converged_


@pytest.mark.parametrize("degree", [0, 1, 2, 3, 5])
def test_make_polynomial_is_chebyshev(degree):
    x, y = ds.make_polynomial(n_samples=30, degree=degree, noise=0.0, seed=0)
    t = x[:, 0]
    expected = {
        0: np.ones_like(t),
        1: t,
        2: 2 * t**2 - 1,
        3: 4 * t**3 - 3 * t,
        5: 16 * t**5 - 20 * t**3 + 5 * t,
    }[degree]
    np.testing.assert_allclose(y, expected, atol=1e-14)
    assert np.all(np.diff(t) >= 0) and t.min() >= -1 and t.max() <= 1


def test_generators_do_not_touch_the_global_rng():
    before = np.random.get_state()[1].copy()
    ds.make_sine()
    ds.make_blobs2d()
    ds.make_spirals()
    ds.make_polynomial()
    ds.make_xor(noise=0.1)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


_BAD = [
    (
        lambda: ds.make_sine(n_samples=0),
        ValueError,
        "'n_samples' argument of make_sine must be an integer >= 1",
    ),
    (
        lambda: ds.make_sine(noise=-1),
        ValueError,
        "'noise' argument of make_sine must be a float >= 0",
    ),
    (
        lambda: ds.make_sine(x_range=(2, 1)),
        ValueError,
        "'x_range' argument of make_sine.*low < high",
    ),
    (
        lambda: ds.make_sine(x_range="ab"),
        TypeError,
        "'x_range' argument of make_sine must be a pair",
    ),
    (lambda: ds.make_sine(seed=1.5), TypeError, "'seed' argument of make_sine"),
    (lambda: ds.make_xor(n_samples=2.0), TypeError, "'n_samples' argument of make_xor"),
    (
        lambda: ds.make_blobs2d(separation=0),
        ValueError,
        "'separation' argument of make_blobs2d must be a float > 0",
    ),
    (
        lambda: ds.make_blobs2d(separation=1.0, margin=0.6),
        ValueError,
        r"'margin' argument of make_blobs2d must be a float in \[0, 0.5\]",
    ),
    (lambda: ds.make_blobs2d(n_samples=1), ValueError, "'n_samples' argument of make_blobs2d"),
    (
        lambda: ds.make_spirals(n_classes=1),
        ValueError,
        "'n_classes' argument of make_spirals must be an integer >= 2",
    ),
    (
        lambda: ds.make_spirals(n_samples=2, n_classes=3),
        ValueError,
        "'n_samples' argument of make_spirals must be an integer >= 3",
    ),
    (lambda: ds.make_polynomial(degree=-1), ValueError, "'degree' argument of make_polynomial"),
    (lambda: ds.make_polynomial(x_range=(0, np.inf)), ValueError, "finite"),
    (
        lambda: ds.load_flowers(source_only="yes"),
        TypeError,
        "'source_only' argument of load_flowers must be True or False",
    ),
]


@pytest.mark.parametrize("call, exc, match", _BAD)
def test_bad_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# -- scikit-learn's shipped data sets -----------------------------------------------------------


@pytest.mark.parametrize(
    "loader, shape, task, n_classes",
    [
        (ds.load_digits, (1797, 64), "classification", 10),
        (ds.load_iris, (150, 4), "classification", 3),
        (ds.load_diabetes, (442, 10), "regression", None),
        (ds.load_breast_cancer, (569, 30), "classification", 2),
    ],
)
def test_sklearn_loaders_read_local_files_only(loader, shape, task, n_classes, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("a data loader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    data = loader()
    assert data.x.shape == shape and data.x.dtype == np.float64
    assert data.y.shape == (shape[0],) and data.task == task
    assert len(data.feature_names) == shape[1]
    if n_classes is None:
        assert data.y.dtype == np.float64
    else:
        assert data.y.dtype == np.int64 and len(data.target_names) == n_classes
        assert sorted(np.unique(data.y).tolist()) == list(range(n_classes))
    assert data.description
