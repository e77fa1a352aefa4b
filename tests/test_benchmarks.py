"""The benchmark suite runs (smoke mode: tiny sizes, one repetition).

Benchmarks are measurements, not timed tests: this only checks that every
workload runs in mlpabc, Keras and the fused numpy loop, that mlpabc and the
fused loop compute the same weights and loss history from the same batches,
and that the JSON is written.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.keras
@pytest.mark.slow
def test_benchmarks_run_in_smoke_mode(tmp_path):
    out = tmp_path / "smoke.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads(out.read_text())
    assert set(results["workloads"]) == {"W1", "W2", "W3", "W4"}
    for key, row in results["workloads"].items():
        for field in ("mlpabc_s", "fused_numpy_s", "keras_float32_s"):
            assert row[field] > 0, (key, field)
        # like for like: the fused loop does the same arithmetic (it agrees to the last bit here)
        assert row["max_weight_difference_vs_fused"] < 1e-9, (
            key,
            row["max_weight_difference_vs_fused"],
        )
        assert row["max_loss_difference_vs_fused"] < 1e-9, (
            key,
            row["max_loss_difference_vs_fused"],
        )
    assert set(results["workloads"]["W3"]) >= {
        "mlpabc_float32_s",
        "fused_numpy_float32_s",
        "keras_float64_s",
    }
