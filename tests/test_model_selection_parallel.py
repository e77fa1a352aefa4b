"""n_jobs: cross-validation and the searches on several processes, and on a Dask cluster.

Every parallel run must give exactly the serial run's numbers (compared with
==, not a tolerance), in the same order.
"""

import joblib
import numpy as np
import pytest

import mlpabc
from mlpabc import layers
from mlpabc.model_selection import (
    BayesianSearch,
    GridSearch,
    KFold,
    RandomSearch,
    RepeatedKFold,
    cross_val_score,
)
from mlpabc.model_selection._parallel import run_tasks

_DATA = mlpabc.datasets.load_diabetes()
_x = _DATA.x[:90] * np.sqrt(len(_DATA.x))
_y = _DATA.y[:90] / 100
_TRAINING = dict(epochs=3, batch_size=16, shuffle=True)  # shuffled batches: the model's own seed
_CV = KFold(3, shuffle=True, random_state=0)


def _build(units=4, learning_rate=0.01, activation="relu", loss="mse"):
    model = mlpabc.Sequential(
        [layers.Input((10,)), layers.Dense(units, activation=activation), layers.Dense(1)], seed=0
    )
    model.compile(optimizer=mlpabc.optimizers.Adam(learning_rate=learning_rate), loss=loss)
    return model


_GRID = {"learning_rate": [0.003, 0.03], "units": [2, 6], "loss": ["mse", "mape"]}
_SPACE = {
    "learning_rate": ("log-uniform", 1e-3, 1e-1),
    "units": ("int", 2, 8),
    "activation": ["relu", "tanh"],
}


def _searches(**kwargs):
    common = dict(cv=_CV, scoring="mape", fit_kwargs=_TRAINING, refit=False, **kwargs)
    return {
        "grid": GridSearch(_build, _GRID, **common),
        "random": RandomSearch(_build, _SPACE, n_iter=4, seed=3, **common),
        "bayes": BayesianSearch(_build, _SPACE, n_iter=5, n_initial=3, seed=3, **common),
    }


def _assert_same_results(a, b):
    assert [r["params"] for r in a.cv_results_] == [r["params"] for r in b.cv_results_]
    for ra, rb in zip(a.cv_results_, b.cv_results_):
        np.testing.assert_array_equal(ra["scores"], rb["scores"])  # bit for bit
        assert ra["mean_score"] == rb["mean_score"] and ra["std_score"] == rb["std_score"]
    assert a.best_index_ == b.best_index_ and a.best_params_ == b.best_params_


@pytest.fixture(scope="module")
def serial():
    return {name: s.fit(_x, _y) for name, s in _searches().items()}


@pytest.mark.parametrize("n_jobs", [2, -1])
def test_searches_with_n_jobs_give_the_serial_results(serial, n_jobs):
    for name, search in _searches(n_jobs=n_jobs).items():
        _assert_same_results(search.fit(_x, _y), serial[name])


def test_cross_val_score_with_n_jobs_gives_the_serial_scores():
    cv = RepeatedKFold(3, n_repeats=2, random_state=1)
    kwargs = dict(cv=cv, scoring="mape", fit_kwargs=_TRAINING)
    serial = cross_val_score(lambda: _build(units=5), _x, _y, **kwargs)
    parallel = cross_val_score(lambda: _build(units=5), _x, _y, n_jobs=2, **kwargs)
    np.testing.assert_array_equal(parallel, serial)
    assert parallel.shape == (6,)


def test_refit_after_a_parallel_search_is_the_serial_model():
    a = GridSearch(_build, {"units": [2, 3]}, cv=_CV, fit_kwargs=_TRAINING).fit(_x, _y)
    b = GridSearch(_build, {"units": [2, 3]}, cv=_CV, fit_kwargs=_TRAINING, n_jobs=2).fit(_x, _y)
    for wa, wb in zip(a.best_model_.get_weights(), b.best_model_.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def _blas_threads():
    from threadpoolctl import threadpool_info

    return max((p["num_threads"] for p in threadpool_info()), default=1)


def test_workers_use_one_blas_thread():
    assert run_tasks(_blas_threads, [(), ()], n_jobs=2) == [1, 1]


def test_n_jobs_none_runs_in_this_process():
    import os

    assert run_tasks(os.getpid, [(), ()], n_jobs=None) == [os.getpid()] * 2
    assert run_tasks(os.getpid, [(), ()], n_jobs=1) == [os.getpid()] * 2


def test_a_failing_candidate_is_named_in_parallel_too():
    def build_named(optimizer):
        model = _build()
        model.compile(optimizer=optimizer, loss="mse")
        return model

    search = GridSearch(
        build_named, {"optimizer": ["adam", "lbgfs"]}, cv=_CV, n_jobs=2, fit_kwargs=_TRAINING
    )
    with pytest.raises(
        ValueError,
        match=r"GridSearch failed for the candidate \{'optimizer': "
        r"'lbgfs'\}: ValueError: Unknown optimizer 'lbgfs'",
    ):
        search.fit(_x, _y)


@pytest.mark.parametrize(
    "n_jobs, exc, match",
    [
        (0, ValueError, "Got 0 instead"),
        (1.5, TypeError, "Got 1.5 instead"),
        ("2", TypeError, "Got '2' instead"),
        (True, TypeError, "Got True instead"),
    ],
)
def test_bad_n_jobs(n_jobs, exc, match):
    expected = (
        r"The 'n_jobs' argument of {} must be None \(one process\), a positive number "
        r"of processes or a negative number \(-1: all cores\)\. "
    )
    with pytest.raises(exc, match=expected.format("cross_val_score") + match):
        cross_val_score(_build, _x, _y, cv=2, n_jobs=n_jobs)
    for search in _searches(n_jobs=n_jobs).values():
        with pytest.raises(exc, match=expected.format(type(search).__name__) + match):
            search.fit(_x, _y)


@pytest.mark.dask
@pytest.mark.slow
def test_searches_on_a_dask_cluster_give_the_serial_results(serial):
    from dask.distributed import Client, LocalCluster, get_task_stream

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        with joblib.parallel_backend("dask"), get_task_stream(client) as tasks:
            # unchanged code: n_jobs=None follows the joblib context, as in scikit-learn
            results = {name: s.fit(_x, _y) for name, s in _searches().items()}
            scores = cross_val_score(lambda: _build(units=5), _x, _y, cv=_CV, n_jobs=-1)
        workers = {t["worker"] for t in tasks.data}
    for name, search in results.items():
        _assert_same_results(search, serial[name])
    np.testing.assert_array_equal(scores, cross_val_score(lambda: _build(units=5), _x, _y, cv=_CV))
    assert len(tasks.data) > 0 and len(workers) >= 1  # the trainings ran on the cluster


@pytest.mark.dask
@pytest.mark.slow
def test_scale_benchmark_runs_in_smoke_mode(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    out = tmp_path / "scale.json"
    proc = subprocess.run([sys.executable, "-m", "benchmarks.scale", "--smoke", "--out", str(out)],
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads(out.read_text())
    assert results["loky"]["same_cv_results_as_serial"] is True
    assert results["dask"]["same_cv_results_as_serial"] is True
    assert results["loky"]["speed_up"] > 0 and results["dask"]["seconds_per_empty_task"] > 0
    assert len(results["machine"]["load_average_at_start"]) == 3
