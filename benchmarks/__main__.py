"""How fast is mlpabc? Time `fit` of mlpabc, Keras and a fused numpy loop.

Usage::

    python -m benchmarks                 # full run, writes benchmarks/results.json
    python -m benchmarks --smoke         # tiny sizes, one repetition: checks that everything runs
    python -m benchmarks --out FILE      # write the JSON elsewhere

Workloads (as in the course):

W1  the booklet's task: 1000 points of 2 sin x + noise, 1-5-1 sigmoid, SGD(0.01), batch 32, 50 epochs
W2  scikit-learn's digits: 64-128-64-10 ReLU/softmax, Adam(1e-3), batch 32, 20 epochs
W3  a wide, BLAS-bound case: 20 000 x 100 -> 256 -> 256 -> 1 ReLU, SGD, batch 256, 3 epochs
W4  the worked example of chapter 5: 3-3-2 sigmoid, full batch, SGD(1.0), 1000 steps

Every number is the median of several repetitions of a complete `fit` call on a
freshly built model (for Keras this includes tracing its training function, as a
learner experiences it). mlpabc and the fused loop run in float64 unless stated;
Keras in its default float32 (and W3 also in float64). Before timing, each
workload checks that mlpabc and the fused loop compute the same weights from the
same batches, so the comparison is like for like.
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

from . import fused

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

HERE = Path(__file__).resolve().parent


def _median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def _matmul_peak(dtype, n=1024, repeats=5):
    a = np.random.default_rng(0).standard_normal((n, n)).astype(dtype)
    b = a.copy()
    a @ b
    best = min(_median_time(lambda: a @ b, 1)[0] for _ in range(repeats))
    return 2 * n**3 / best / 1e9


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
        optimizer=("sgd", 0.01), batch_size=32, epochs=max(1, int(50 * s)), fused=fused.sgd_mlp_sigmoid,
    )

    digits = mlpabc.datasets.load_digits()
    xd = digits.x / 16.0
    yd = np.eye(10)[digits.y.astype(int)]
    out["W2"] = dict(
        title="digits, 64-128-64-10 ReLU/softmax, Adam, batch 32",
        x=xd, y=yd, sizes=[64, 128, 64, 10], hidden="relu", output="softmax",
        loss="categorical_crossentropy", optimizer=("adam", 1e-3), batch_size=32,
        epochs=max(1, int(20 * s)), fused=fused.adam_relu_softmax,
    )

    n3 = 2000 if smoke else 20000
    xw = rng.standard_normal((n3, 100))
    yw = (xw[:, :1] ** 2 - xw[:, 1:2] + 0.1 * rng.standard_normal((n3, 1)))
    out["W3"] = dict(
        title="wide regression, 100-256-256-1 ReLU, SGD, batch 256",
        x=xw, y=yw, sizes=[100, 256, 256, 1], hidden="relu", output=None, loss="mse",
        optimizer=("sgd", 1e-3), batch_size=256, epochs=1 if smoke else 3, fused=fused.sgd_relu_regression,
    )

    xe = np.array([[0.02, 0.04, 0.01]])
    ye = np.array([[0.9, 0.5]])
    out["W4"] = dict(
        title="worked example, 3-3-2 sigmoid, full batch, 1000 steps",
        x=xe, y=ye, sizes=[3, 3, 2], hidden="sigmoid", output="sigmoid", loss="mse",
        optimizer=("sgd", 1.0), batch_size=1, epochs=100 if smoke else 1000, fused=None,
    )
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
    opt = mlpabc.optimizers.SGD(learning_rate=lr) if name == "sgd" else mlpabc.optimizers.Adam(learning_rate=lr)
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
    opt = keras.optimizers.SGD(learning_rate=lr) if name == "sgd" else keras.optimizers.Adam(learning_rate=lr)
    model.compile(optimizer=opt, loss=w["loss"])
    return model


def _fused_for_w4(x, y, weights, steps, lr):
    W1, b1, W2, b2 = (a.copy() for a in weights)
    sig = fused._sigmoid
    for _ in range(steps):
        H = sig(x @ W1 + b1)
        P = sig(H @ W2 + b2)
        D2 = (P - y) * (2.0 / y.size) * P * (1 - P)
        D1 = (D2 @ W2.T) * H * (1 - H)
        W2 -= lr * (H.T @ D2)
        b2 -= lr * D2.sum(axis=0)
        W1 -= lr * (x.T @ D1)
        b1 -= lr * D1.sum(axis=0)
    return [W1, b1, W2, b2]


def run(smoke=False, repeats=3):
    import mlpabc

    results = {
        "machine": {
            "processor": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "mlpabc": mlpabc.__version__,
            "matmul_gflops_float64": round(_matmul_peak(np.float64), 1),
            "matmul_gflops_float32": round(_matmul_peak(np.float32), 1),
        },
        "smoke": smoke,
        "repeats": repeats,
        "workloads": {},
    }
    import keras

    results["machine"]["keras"] = keras.__version__
    for key, w in _workloads(smoke).items():
        x, y, bs, epochs = w["x"], w["y"], w["batch_size"], w["epochs"]
        lr = w["optimizer"][1]
        row = {"title": w["title"], "epochs": epochs, "samples": len(x), "batch_size": bs}

        # like-for-like check: mlpabc and the fused loop, same weights and batches
        probe = _mlpabc_model(w)
        start = probe.get_weights()
        hist = probe.fit(x, y, batch_size=bs, epochs=epochs, verbose=0, shuffle=key != "W4")
        if key == "W4":
            ref = _fused_for_w4(x, y, start, epochs, lr)
        else:
            ref = w["fused"](x, y, start, hist.batch_order, bs, lr)
        row["max_weight_difference_vs_fused"] = float(
            max(np.max(np.abs(a - b)) for a, b in zip(probe.get_weights(), ref))
        )

        def fit_mlpabc(dtype="float64"):
            m = _mlpabc_model(w, dtype=dtype)
            m.fit(x, y, batch_size=bs, epochs=epochs, verbose=0, shuffle=key != "W4")

        def fit_fused(dtype=np.float64):
            xs, ys = x.astype(dtype), y.astype(dtype)
            weights = [a.astype(dtype) for a in start]
            if key == "W4":
                _fused_for_w4(xs, ys, weights, epochs, lr)
            else:
                perms = [np.random.default_rng(e).permutation(len(x)) for e in range(epochs)]
                w["fused"](xs, ys, weights, perms, bs, lr)

        def fit_keras(dtype="float32"):
            m = _keras_model(w, start, dtype)
            m.fit(x.astype(dtype), y.astype(dtype), batch_size=bs, epochs=epochs, verbose=0, shuffle=key != "W4")

        reps = 1 if smoke else repeats
        row["mlpabc_s"], row["mlpabc_runs"] = _median_time(fit_mlpabc, reps)
        row["fused_numpy_s"], row["fused_runs"] = _median_time(fit_fused, reps)
        row["keras_float32_s"], row["keras_runs"] = _median_time(fit_keras, reps)
        row["mlpabc_over_fused"] = row["mlpabc_s"] / row["fused_numpy_s"]
        row["keras_over_mlpabc"] = row["keras_float32_s"] / row["mlpabc_s"]
        if key == "W3":
            row["mlpabc_float32_s"] = _median_time(lambda: fit_mlpabc("float32"), reps)[0]
            row["fused_numpy_float32_s"] = _median_time(lambda: fit_fused(np.float32), reps)[0]
            row["keras_float64_s"] = _median_time(lambda: fit_keras("float64"), reps)[0]
            sizes = w["sizes"]
            macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
            flops = (6 * macs - 2 * sizes[0] * sizes[1]) * len(x) * epochs
            row["gflop"] = flops / 1e9
            row["mlpabc_gflops"] = flops / row["mlpabc_s"] / 1e9
            row["mlpabc_float32_gflops"] = flops / row["mlpabc_float32_s"] / 1e9
        results["workloads"][key] = row
        print(
            f"{key}: mlpabc {row['mlpabc_s']:.3f} s, fused numpy {row['fused_numpy_s']:.3f} s, "
            f"Keras {row['keras_float32_s']:.3f} s | mlpabc/fused {row['mlpabc_over_fused']:.2f}, "
            f"Keras/mlpabc {row['keras_over_mlpabc']:.1f}",
            flush=True,
        )
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and one repetition")
    parser.add_argument("--repeats", type=int, default=3, help="repetitions per measurement (median)")
    parser.add_argument("--out", type=Path, default=None, help="JSON file (default benchmarks/results.json)")
    args = parser.parse_args(argv)
    results = run(smoke=args.smoke, repeats=args.repeats)
    out = args.out or (HERE / ("results-smoke.json" if args.smoke else "results.json"))
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
