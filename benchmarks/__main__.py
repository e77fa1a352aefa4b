"""How fast is mlpabc? Time `fit` of mlpabc, Keras and a fused numpy loop.

Usage::

    python -m benchmarks                 # full run, writes benchmarks/results.json
    python -m benchmarks --smoke         # tiny sizes, one repetition: checks that everything runs
    python -m benchmarks --out FILE      # write the JSON elsewhere
    python -m benchmarks --only W1 W4    # some workloads only

Workloads (as in the course):

W1  the booklet's task: 1000 points of 2 sin x + noise, 1-5-1 sigmoid, SGD(0.01), batch 32,
    50 epochs
W2  scikit-learn's digits: 64-128-64-10 ReLU/softmax, Adam(1e-3), batch 32, 20 epochs
W3  a wide, BLAS-bound case: 20 000 x 100 -> 256 -> 256 -> 1 ReLU, SGD, batch 256, 3 epochs
W4  the worked example of chapter 5: 3-3-2 sigmoid, full batch, SGD(1.0), 1000 steps

Every time is the median of several repetitions of a complete `fit` call on a
freshly built model (for Keras this includes tracing its training function, as a
learner experiences it): 11 for mlpabc and the fused loop, 3 for Keras. Runs
that are compared are interleaved, in a rotating order, so that a change in the
machine's load hits them alike, and a ratio is the median of the ratios of the
two runs of each repetition. First mlpabc and the fused loop are timed
(mlpabc / fused); then Keras, each repetition in a fresh worker process, and
mlpabc again right after it (Keras / mlpabc). The main process never loads
TensorFlow, whose runtime keeps threads competing for the cores after a fit.
mlpabc and the fused loop run in float64 unless stated, Keras in its default
float32: Keras / mlpabc compares the two libraries as a learner uses them. W3
also compares like with like: Keras in float64 against mlpabc in float64, and
both in float32.

Before timing, each workload checks that mlpabc and the fused loop (see
`benchmarks/fused.py`: the same arithmetic written out by hand) end with the
same weights and the same loss history from the same batches, so the comparison
is like for like; the largest differences are stored in the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from . import fused

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

HERE = Path(__file__).resolve().parent


def _time(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _matmul_peak(dtype, n=1024, repeats=5):
    """GFLOP/s of the best of a few n x n matrix products (numpy's BLAS, all cores)."""
    a = np.random.default_rng(0).standard_normal((n, n)).astype(dtype)
    b = a.copy()
    a @ b
    best = min(_time(lambda: a @ b) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _processor():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _load():
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:  # pragma: no cover - not on this platform
        return None


def _workloads(smoke):
    import mlpabc

    s = 0.1 if smoke else 1.0
    rng = np.random.default_rng(0)
    out = {}

    x = np.linspace(-2, 2, 1000)[:, None]
    y = 2 * np.sin(x) + 0.32 * rng.standard_normal(x.shape)
    out["W1"] = dict(
        title="booklet sine, 1-5-1 sigmoid, SGD, batch 32",
        x=x, y=y, sizes=[1, 5, 1], hidden="sigmoid", output=None, loss="mse",
        optimizer=("sgd", 0.01), batch_size=32, epochs=max(1, int(50 * s)), fused=fused.sgd_sigmoid,
    )  # fmt: skip

    digits = mlpabc.datasets.load_digits()
    xd = digits.x / 16.0
    yd = np.eye(10)[digits.y.astype(int)]
    out["W2"] = dict(
        title="digits, 64-128-64-10 ReLU/softmax, Adam, batch 32",
        x=xd, y=yd, sizes=[64, 128, 64, 10], hidden="relu", output="softmax",
        loss="categorical_crossentropy", optimizer=("adam", 1e-3), batch_size=32,
        epochs=max(1, int(20 * s)), fused=fused.adam_relu_softmax,
    )  # fmt: skip

    n3 = 2000 if smoke else 20000
    xw = rng.standard_normal((n3, 100))
    yw = xw[:, :1] ** 2 - xw[:, 1:2] + 0.1 * rng.standard_normal((n3, 1))
    out["W3"] = dict(
        title="wide regression, 100-256-256-1 ReLU, SGD, batch 256",
        x=xw, y=yw, sizes=[100, 256, 256, 1], hidden="relu", output=None, loss="mse",
        optimizer=("sgd", 1e-3),
        batch_size=256,
        epochs=1 if smoke else 3,
        fused=fused.sgd_relu_regression,
    )  # fmt: skip

    xe = np.array([[0.02, 0.04, 0.01]])
    ye = np.array([[0.9, 0.5]])
    out["W4"] = dict(
        title="worked example, 3-3-2 sigmoid, full batch, 1000 steps",
        x=xe, y=ye, sizes=[3, 3, 2], hidden="sigmoid", output="sigmoid", loss="mse",
        optimizer=("sgd", 1.0), batch_size=1, epochs=100 if smoke else 1000, shuffle=False,
        fused=lambda *args: fused.sgd_sigmoid(*args, sigmoid_output=True),
    )  # fmt: skip
    return out


def _mlpabc_model(w, seed=0, dtype="float64"):
    import mlpabc
    from mlpabc import layers

    sizes = w["sizes"]
    stack = [layers.Input((sizes[0],))]
    for units in sizes[1:-1]:
        stack.append(layers.Dense(units, activation=w["hidden"]))
    stack.append(layers.Dense(sizes[-1], activation=w["output"]))
    model = mlpabc.Sequential(stack, seed=seed, dtype=dtype)
    name, lr = w["optimizer"]
    opt = (
        mlpabc.optimizers.SGD(learning_rate=lr)
        if name == "sgd"
        else mlpabc.optimizers.Adam(learning_rate=lr)
    )
    model.compile(optimizer=opt, loss=w["loss"])
    return model


def _keras_model(w, weights, dtype):
    import keras

    keras.config.set_floatx(dtype)
    sizes = w["sizes"]
    stack = [keras.Input((sizes[0],))]
    for units in sizes[1:-1]:
        stack.append(keras.layers.Dense(units, activation=w["hidden"]))
    stack.append(keras.layers.Dense(sizes[-1], activation=w["output"]))
    model = keras.Sequential(stack)
    model.set_weights([np.asarray(a, dtype=dtype) for a in weights])
    name, lr = w["optimizer"]
    opt = (
        keras.optimizers.SGD(learning_rate=lr)
        if name == "sgd"
        else keras.optimizers.Adam(learning_rate=lr)
    )
    model.compile(optimizer=opt, loss=w["loss"])
    return model


def _max_difference(a, b):
    return float(max(np.max(np.abs(np.asarray(u) - np.asarray(v))) for u, v in zip(a, b)))


def _interleaved(contenders, repeats):
    """Median times of the contenders, run one after the other in a rotating order.

    A change in the machine's load, or what one contender leaves behind (the
    caches), hits all of them alike.
    """
    runs = {name: [] for name in contenders}
    names = list(contenders)
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            runs[name].append(_time(contenders[name]))
    return {name: (statistics.median(times), times) for name, times in runs.items()}


def _ratio(row, a, b):
    """The median of the ratios of ``a``'s and ``b``'s runs in the same repetition.

    The two runs of a repetition are next to each other in time, so the ratio
    of each pair is what load changes disturb least.
    """
    return statistics.median(u / v for u, v in zip(row[a + "_runs"], row[b + "_runs"]))


def _numpy_phase(key, w, repeats):
    """The like-for-like check, then the times of mlpabc and the fused loop, interleaved."""
    x, y, bs, epochs = w["x"], w["y"], w["batch_size"], w["epochs"]
    shuffle = w.get("shuffle", True)
    lr = w["optimizer"][1]
    row = {"title": w["title"], "epochs": epochs, "samples": len(x), "batch_size": bs}
    row["steps"] = epochs * -(-len(x) // bs)

    # like-for-like check: mlpabc and the fused loop, same weights and batches
    probe = _mlpabc_model(w)
    start = probe.get_weights()
    hist = probe.fit(x, y, batch_size=bs, epochs=epochs, verbose=0, shuffle=shuffle)
    orders = hist.batch_order if shuffle else [None] * epochs
    ref, ref_history = w["fused"](x, y, start, orders, bs, lr)
    row["max_weight_difference_vs_fused"] = _max_difference(probe.get_weights(), ref)
    row["max_loss_difference_vs_fused"] = _max_difference([hist.history["loss"]], [ref_history])

    def fit_mlpabc(dtype="float64"):
        m = _mlpabc_model(w, dtype=dtype)
        m.fit(x, y, batch_size=bs, epochs=epochs, verbose=0, shuffle=shuffle)

    def fit_fused(dtype=np.float64):
        xs, ys = x.astype(dtype), y.astype(dtype)
        weights = [a.astype(dtype) for a in start]
        if (
            shuffle
        ):  # one permutation per epoch from one generator, drawn as the loop goes (as fit does)
            rng = np.random.default_rng(0)
            perms = (rng.permutation(len(x)) for _ in range(epochs))
        else:
            perms = [None] * epochs
        w["fused"](xs, ys, weights, perms, bs, lr)

    contenders = {"mlpabc": fit_mlpabc, "fused_numpy": fit_fused}
    if key == "W3":
        contenders["mlpabc_float32"] = lambda: fit_mlpabc("float32")
        contenders["fused_numpy_float32"] = lambda: fit_fused(np.float32)
    for name, (median, times) in _interleaved(contenders, repeats).items():
        row[name + "_s"], row[name + "_runs"] = median, times
    row["mlpabc_over_fused"] = _ratio(row, "mlpabc", "fused_numpy")
    row["mlpabc_us_per_step"] = row["mlpabc_s"] / row["steps"] * 1e6
    row["fused_numpy_us_per_step"] = row["fused_numpy_s"] / row["steps"] * 1e6
    if key == "W3":
        row["mlpabc_float32_over_fused"] = _ratio(row, "mlpabc_float32", "fused_numpy_float32")
        sizes = w["sizes"]
        macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        # forward, kernel gradients and input gradients (none for the first layer): 2 flops per MAC
        flops = (6 * macs - 2 * sizes[0] * sizes[1]) * len(x) * epochs
        row["gflop"] = flops / 1e9
        for name in ("mlpabc", "fused_numpy", "mlpabc_float32", "fused_numpy_float32"):
            row[name + "_gflops"] = flops / row[name + "_s"] / 1e9
    return row


def _keras_jobs(key):
    """The Keras fits of a workload: float32, and for W3 also float64."""
    return [f"{key}:float32"] + ([f"{key}:float64"] if key == "W3" else [])


def _keras_worker(jobs, smoke):
    """In a worker process: time Keras's fit for each job ``"W1:float32"``; print JSON times."""
    import keras

    workloads = _workloads(smoke)
    times = {"keras_version": keras.__version__}
    for job in jobs:
        key, dtype = job.split(":")
        w = workloads[key]
        x, y = w["x"].astype(dtype), w["y"].astype(dtype)
        m = _keras_model(w, _mlpabc_model(w).get_weights(), dtype)  # mlpabc's initial weights
        times[job] = _time(
            lambda: m.fit(x, y, batch_size=w["batch_size"], epochs=w["epochs"], verbose=0,  # noqa: B023
                          shuffle=w.get("shuffle", True))  # noqa: B023
        )  # fmt: skip
    print(json.dumps(times))


def _keras_times(jobs, smoke):
    """Run :func:`_keras_worker` in a fresh Python process; its times."""
    cmd = [sys.executable, "-m", "benchmarks", "--keras-worker", *jobs] + (
        ["--smoke"] if smoke else []
    )
    proc = subprocess.run(cmd, cwd=HERE.parent, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"the Keras worker failed:\n{proc.stdout}\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _keras_phase(workloads, results, repeats, smoke):
    """Keras's fit from mlpabc's initial weights, in float32 (for W3 also in float64).

    Keras runs in a worker process, started afresh for each repetition, so
    that its runtime (worker threads that keep competing for the cores after a
    fit) never shares a process with mlpabc. mlpabc is timed again, in this
    process, right after each worker, and the Keras/mlpabc ratios pair each
    Keras time with that one: both are measured in the same minute.
    """

    def fit_mlpabc(w, dtype):
        model = _mlpabc_model(w, dtype=dtype)
        model.fit(w["x"], w["y"], batch_size=w["batch_size"], epochs=w["epochs"], verbose=0,
                  shuffle=w.get("shuffle", True))  # fmt: skip

    keras_version = None
    for _ in range(1 if smoke else repeats):
        # one worker per workload (in smoke mode one for all: it only checks that they run)
        keys = list(workloads)
        for batch in [keys] if smoke else [[key] for key in keys]:
            times = _keras_times([job for key in batch for job in _keras_jobs(key)], smoke)
            keras_version = times.pop("keras_version")
            for key in batch:
                row = results["workloads"][key]
                for dtype in ("float32", "float64") if key == "W3" else ("float32",):
                    row.setdefault(f"keras_{dtype}_runs", []).append(times[f"{key}:{dtype}"])
                for name, dtype in [("mlpabc_alongside_keras", "float64")] + (
                    [("mlpabc_float32_alongside_keras", "float32")] if key == "W3" else []
                ):
                    seconds = _time(lambda: fit_mlpabc(workloads[key], dtype))  # noqa: B023
                    row.setdefault(name + "_runs", []).append(seconds)
    for key in workloads:
        row = results["workloads"][key]
        for name in [n[: -len("_runs")] for n in list(row) if n.endswith("_runs") and "keras" in n]:
            row[name + "_s"] = statistics.median(row[name + "_runs"])
        # each library in its default dtype, as a learner uses them
        row["keras_over_mlpabc"] = _ratio(row, "keras_float32", "mlpabc_alongside_keras")
        if key == "W3":  # and like for like
            row["keras_float64_over_mlpabc"] = _ratio(
                row, "keras_float64", "mlpabc_alongside_keras"
            )
            row["keras_float32_over_mlpabc_float32"] = _ratio(
                row, "keras_float32", "mlpabc_float32_alongside_keras"
            )
        print(
            f"{key}: Keras {row['keras_float32_s']:.3f} s, "
            f"Keras/mlpabc {row['keras_over_mlpabc']:.1f}",
            flush=True,
        )
    return keras_version


def run(smoke=False, repeats=3, numpy_repeats=11, only=None):
    """Run the benchmark; returns the results as a dict (what the JSON file holds).

    Two phases. First mlpabc and the fused loop, ``numpy_repeats`` times
    each, interleaved: mlpabc / fused. Then Keras, ``repeats`` times, each in
    a fresh worker process, with mlpabc again after each: Keras / mlpabc. This
    process never loads TensorFlow. Smoke mode runs everything once.
    """
    import mlpabc

    if smoke:
        repeats = numpy_repeats = 1
    results = {
        "machine": {
            "processor": _processor(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "mlpabc": mlpabc.__version__,
            "load_average_at_start": _load(),
            "matmul_gflops_float64": round(_matmul_peak(np.float64), 1),
            "matmul_gflops_float32": round(_matmul_peak(np.float32), 1),
        },
        "smoke": smoke,
        "repeats": repeats,
        "numpy_repeats": numpy_repeats,
        "workloads": {},
    }
    workloads = {key: w for key, w in _workloads(smoke).items() if not only or key in only}
    for key, w in workloads.items():
        row = _numpy_phase(key, w, numpy_repeats)
        if key == "W3":
            peak = results["machine"]
            row["mlpabc_fraction_of_peak"] = row["mlpabc_gflops"] / peak["matmul_gflops_float64"]
            row["mlpabc_float32_fraction_of_peak"] = (
                row["mlpabc_float32_gflops"] / peak["matmul_gflops_float32"]
            )
        results["workloads"][key] = row
        print(
            f"{key}: mlpabc {row['mlpabc_s']:.3f} s, fused numpy {row['fused_numpy_s']:.3f} s, "
            f"mlpabc/fused {row['mlpabc_over_fused']:.2f} | same weights as the fused loop to "
            f"{row['max_weight_difference_vs_fused']:.1e}",
            flush=True,
        )
    results["machine"]["keras"] = _keras_phase(workloads, results, repeats, smoke)
    results["machine"]["load_average_at_end"] = _load()
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and one repetition")
    parser.add_argument(
        "--repeats", type=int, default=3, help="repetitions of each Keras fit (median)"
    )
    parser.add_argument(
        "--numpy-repeats",
        type=int,
        default=11,
        help="repetitions of each mlpabc and fused-loop fit (median)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="JSON file (default benchmarks/results.json)"
    )
    parser.add_argument(
        "--only", nargs="+", choices=["W1", "W2", "W3", "W4"], help="run these workloads only"
    )
    parser.add_argument("--keras-worker", nargs="+", metavar="JOB", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.keras_worker:
        _keras_worker(args.keras_worker, args.smoke)
        return 0
    results = run(
        smoke=args.smoke, repeats=args.repeats, numpy_repeats=args.numpy_repeats, only=args.only
    )
    out = args.out or (HERE / ("results-smoke.json" if args.smoke else "results.json"))
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
