"""Scaling out: a grid search on one core, on two, and on a Dask cluster.

Usage::

    python -m benchmarks.scale               # full run, writes benchmarks/scale_results.json
    python -m benchmarks.scale --smoke       # tiny sizes, one repetition: checks that it runs
    python -m benchmarks.scale --out FILE    # write the JSON elsewhere
    python -m benchmarks.scale --repeats 7   # more repetitions (median)

The workload is chapter 11's grid: 3 x 2 x 2 x 2 = 24 candidates (learning
rate, units, activation, cost function) of a 10-units-1 network on the
diabetes development set (331 patients), 20 epochs of batches of 32, each
candidate scored by 3-fold cross-validation: 72 trainings.

1. **Serial against ``n_jobs=2``** (joblib's ``loky`` processes, one BLAS
   thread each). The pool of workers is started once before timing (its start
   is reported separately, as ``first_parallel_s``); then serial and parallel
   runs alternate, in a rotating order, so that a change in the machine's load
   hits both alike, and the speed-up is the median of the ratios of the two
   runs of each repetition. Every run's ``cv_results_`` is compared with the
   first serial run's, exactly (==).
2. **The Dask backend** on a ``LocalCluster`` of two worker processes with one
   thread each: the same grid, unchanged, inside
   ``with joblib.parallel_backend("dask")``, and the per-task overhead: the
   wall time per task of 200 empty tasks sent one at a time (``batch_size=1``),
   for Dask and, for comparison, for loky.

The machine's load average (as ``uptime`` shows it) is stored at the start
and at the end: on a shared machine the speed-up is depressed, since other
processes take their share of the two cores. As a control, the same serial
against ``n_jobs=2`` comparison is made for 24 tasks of a pure-Python loop
(no library, no data): ``control_speed_up`` is close to 2 on an idle
two-core machine, and shows how much of a second core the machine lent when
the benchmark ran.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

GRID = {"learning_rate": [1e-3, 3e-3, 1e-2], "units": [16, 64],
        "activation": ["relu", "tanh"], "loss": ["mse", "mape"]}  # fmt: skip


def _load():
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:  # pragma: no cover - not on this platform
        return None


def _build(n_layers=1, units=16, learning_rate=0.01, activation="relu", loss="mse"):
    """Chapter 11's ``build``: a fresh, compiled network."""
    import mlpabc
    from mlpabc import layers

    hidden = [layers.Dense(units, activation=activation) for _ in range(n_layers)]
    model = mlpabc.Sequential([layers.Input((10,)), *hidden, layers.Dense(1)], seed=0)
    model.compile(optimizer=mlpabc.optimizers.Adam(learning_rate=learning_rate), loss=loss)
    return model


def _data():
    import mlpabc
    from mlpabc.model_selection import train_test_split

    data = mlpabc.datasets.load_diabetes()
    x = data.x * np.sqrt(len(data.x))
    y = data.y / 100
    x_dev, _, y_dev, _ = train_test_split(x, y, test_size=0.25, seed=0)
    return x_dev, y_dev


def _noop():
    return None


def _busy(n):
    """A pure-Python loop: CPU work with no library, no data and no BLAS."""
    total = 0
    for i in range(n):
        total += i
    return total


def _control_speed_up(n_tasks, n, repeats):
    """Serial against n_jobs=2 for ``_busy`` tasks: how many cores the machine lends us now."""
    from mlpabc.model_selection._parallel import run_tasks

    run_tasks(_busy, [(n,)] * 2, 2)  # the pool is up
    ratios = []
    for _ in range(repeats):
        start = time.perf_counter()
        run_tasks(_busy, [(n,)] * n_tasks, None)
        serial = time.perf_counter() - start
        start = time.perf_counter()
        run_tasks(_busy, [(n,)] * n_tasks, 2)
        ratios.append(serial / (time.perf_counter() - start))
    return statistics.median(ratios)


def _search(x, y, epochs, n_jobs, grid):
    from mlpabc.model_selection import GridSearch, KFold

    search = GridSearch(_build, grid, cv=KFold(3, shuffle=True, random_state=0), scoring="mape",
                        fit_kwargs=dict(epochs=epochs, batch_size=32, shuffle=False),
                        refit=False, n_jobs=n_jobs)  # fmt: skip
    start = time.perf_counter()
    search.fit(x, y)
    seconds = time.perf_counter() - start
    return seconds, [(r["params"], r["scores"].tolist()) for r in search.cv_results_]


def _empty_tasks(n_tasks, n_jobs=2):
    """Seconds per task of ``n_tasks`` empty tasks sent one at a time to the active backend."""
    import joblib

    start = time.perf_counter()
    joblib.Parallel(n_jobs=n_jobs, batch_size=1)(joblib.delayed(_noop)() for _ in range(n_tasks))
    return (time.perf_counter() - start) / n_tasks


def run(smoke=False, repeats=5):
    import dask
    import distributed
    import joblib
    from dask.distributed import Client, LocalCluster

    import mlpabc

    epochs = 2 if smoke else 20
    grid = {k: v[:1] for k, v in GRID.items()} | {"units": [16, 64]} if smoke else GRID
    repeats = 1 if smoke else repeats
    n_tasks = 20 if smoke else 200
    x, y = _data()
    n_candidates = int(np.prod([len(v) for v in grid.values()]))
    results = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "joblib": joblib.__version__,
            "dask": dask.__version__,
            "distributed": distributed.__version__,
            "mlpabc": mlpabc.__version__,
            "load_average_at_start": _load(),
        },
        "smoke": smoke,
        "repeats": repeats,
        "workload": {"candidates": n_candidates, "folds": 3, "trainings": n_candidates * 3,
                     "epochs": epochs, "batch_size": 32, "samples": len(x)},
    }  # fmt: skip

    # 1. serial against n_jobs=2 (the first parallel run starts the pool of workers)
    serial_s, reference = _search(x, y, epochs, None, grid)
    first_parallel_s, first_parallel = _search(x, y, epochs, 2, grid)
    same = first_parallel == reference
    runs = {"serial": [serial_s], "n_jobs_2": []}
    for r in range(repeats):
        for n_jobs in [None, 2] if r % 2 else [2, None]:
            seconds, out = _search(x, y, epochs, n_jobs, grid)
            same &= out == reference
            runs["serial" if n_jobs is None else "n_jobs_2"].append(seconds)
    pairs = list(zip(runs["serial"][1:], runs["n_jobs_2"]))
    row = {
        "serial_s": statistics.median(runs["serial"]),
        "n_jobs_2_s": statistics.median(runs["n_jobs_2"]),
        "first_parallel_s": first_parallel_s,
        "speed_up": statistics.median(s / p for s, p in pairs),
        "serial_runs": runs["serial"],
        "n_jobs_2_runs": runs["n_jobs_2"],
        "same_cv_results_as_serial": bool(same),
    }
    row["seconds_per_training_serial"] = row["serial_s"] / results["workload"]["trainings"]
    results["loky"] = row
    print(f"serial {row['serial_s']:.2f} s, n_jobs=2 {row['n_jobs_2_s']:.2f} s, speed-up "
          f"{row['speed_up']:.2f}, same cv_results_: {row['same_cv_results_as_serial']}",
          flush=True)  # fmt: skip
    row["loky_seconds_per_empty_task"] = _empty_tasks(n_tasks)
    # control: the same comparison for a pure-Python loop; on an idle two-core machine it is
    # close to 2, on a shared one it shows the share of the cores the machine lends us
    row["control_speed_up"] = _control_speed_up(24, 10_000 if smoke else 1_000_000, 3)
    print(f"control (pure-Python loop, 24 tasks): speed-up {row['control_speed_up']:.2f}",
          flush=True)  # fmt: skip

    # 2. Dask: the same grid, unchanged, on a LocalCluster; and the per-task overhead
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):  # fmt: skip
        with joblib.parallel_backend("dask"):
            _search(x, y, epochs, None, grid)  # warm-up: imports mlpabc in the workers
            dask_runs, dask_same = [], True
            for _ in range(repeats):
                seconds, out = _search(x, y, epochs, None, grid)
                dask_runs.append(seconds)
                dask_same &= out == reference
            per_task = _empty_tasks(n_tasks, n_jobs=-1)
    results["dask"] = {
        "workers": 2,
        "threads_per_worker": 1,
        "grid_s": statistics.median(dask_runs),
        "grid_runs": dask_runs,
        "speed_up_vs_serial": row["serial_s"] / statistics.median(dask_runs),
        "same_cv_results_as_serial": bool(dask_same),
        "seconds_per_empty_task": per_task,
        "empty_tasks": n_tasks,
    }
    print(f"Dask LocalCluster: grid {results['dask']['grid_s']:.2f} s, same cv_results_: "
          f"{dask_same}; {per_task * 1e3:.1f} ms per empty task (loky "
          f"{row['loky_seconds_per_empty_task'] * 1e3:.1f} ms)", flush=True)  # fmt: skip
    results["machine"]["load_average_at_end"] = _load()
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and one repetition")
    parser.add_argument("--repeats", type=int, default=5, help="alternating repetitions (median)")
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON file (default benchmarks/scale_results.json)")  # fmt: skip
    args = parser.parse_args(argv)
    results = run(smoke=args.smoke, repeats=args.repeats)
    out = args.out or (HERE / ("scale_results-smoke.json" if args.smoke else "scale_results.json"))
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
