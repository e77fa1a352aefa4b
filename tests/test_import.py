"""`import mlpabc` is light: no TensorFlow, no Keras, no matplotlib, and quick."""

import subprocess
import sys


def _run(code):
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout


def test_import_does_not_load_heavy_modules():
    out = _run(
        "import sys, mlpabc; "
        "heavy = ('tensorflow', 'keras', 'matplotlib', 'sklearn', 'tqdm'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    assert out.strip() == "[]"


def test_import_is_quick():
    # CPU time of the import (process_time), not wall time: other tests running in parallel
    # slow the wall clock down but not the work the import itself does.
    best = min(
        float(
            _run(
                "import time; t = time.process_time(); import mlpabc; "
                "print(time.process_time() - t)"
            )
        )
        for _ in range(5)
    )
    assert best < 0.3, f"import mlpabc took {best:.3f} s of CPU time"
