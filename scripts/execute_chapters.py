"""Re-execute chapters in place, top to bottom, in a fresh kernel each.

Usage::

    python scripts/execute_chapters.py                 # every notebook under chapters/
    python scripts/execute_chapters.py chapters/05_backprop.ipynb

The kernel is this environment's ``python3`` kernel (the chapters' metadata
names the course's kernel, "Python (MLP ABC)", which is this same
environment when ``make`` registered it), which reads the
project's settings from ``<env>/etc/ipython/ipython_kernel_config.py``
(installed by ``make``): TensorFlow's C++ log lines never reach the outputs.
Each chapter runs with ``chapters/`` as its working directory. The stored
notebook keeps only what nbval compares and the website shows: outputs and
execution counts (no timing metadata), and consecutive pieces of one stream
are joined into one output (how the kernel happened to split a cell's prints
depends on timing), so re-executing an unchanged chapter leaves git with
nothing to commit. What the kernels write to their own stderr (TensorFlow's
start-up lines, for instance) goes to ``_build/execute/<chapter>.log``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from install_cell import KERNELSPEC  # scripts/install_cell.py
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
LOGS = ROOT / "_build" / "execute"


def chapter_paths() -> list[Path]:
    """Every notebook of the book: the numbered chapters, then the appendices."""
    paths = sorted(CHAPTERS.glob("*.ipynb"))
    return [p for p in paths if p.name[:2].isdigit()] + [
        p for p in paths if not p.name[:2].isdigit()
    ]


def coalesce_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same name (stdout or stderr) into one."""
    joined = []
    for out in outputs:
        if (
            out.get("output_type") == "stream"
            and joined
            and joined[-1].get("output_type") == "stream"
            and joined[-1].get("name") == out.get("name")
        ):
            joined[-1]["text"] += out["text"]
        else:
            joined.append(out)
    return joined


def execute(path: Path, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    LOGS.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    log_path = LOGS / f"{path.stem}.log"
    try:
        with open(log_path, "w", encoding="utf-8") as log:
            client.execute(stderr=log)  # the kernel process's own stderr, not the cells' outputs
    except Exception:
        print(f"{path.name} failed; its kernel's own stderr is in {log_path}", file=sys.stderr)
        raise
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    # The chapters name the course's kernel (scripts/setup_kernel.py registers it); they run
    # here in this environment's own kernel, "python3", whatever kernels the user registered.
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.pop("widgets", None)
    lang = nb.metadata.get("language_info", {})
    nb.metadata["language_info"] = {k: lang[k] for k in ("name", "pygments_lexer") if k in lang}
    nbformat.write(nb, path)
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every chapter")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    os.environ.pop("MPLBACKEND", None)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    paths = args.notebooks or chapter_paths()
    total = 0.0
    for path in paths:
        elapsed = execute(path.resolve(), args.timeout)
        total += elapsed
        print(f"{elapsed:6.1f} s  {path}", flush=True)
    print(f"{total:6.1f} s  in all ({len(paths)} notebooks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
