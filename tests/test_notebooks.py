"""Structural checks of the stored chapters, before nbval compares their outputs.

A notebook stripped of its outputs passes strict nbval while comparing
nothing; these tests make sure every chapter was executed top to bottom in a
fresh kernel, stores no noise, and follows the chapter anatomy.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))  # chapters and appendices
CHAPTERS = [p for p in NOTEBOOKS if p.name[:2].isdigit()]  # numbered chapters
MACHINE_PATH = re.compile(r"(/tmp/|/root/|/work/|/home/|site-packages|\.venv/)")
PLOT_SEMICOLON = re.compile(r"^\s*(plt|ax\w*|fig\w*)\.\w+\(.*\);\s*$", re.M)
TIMING = re.compile(
    r"\d\s*(ms|µs|us)\b|\bs/it\b|\bit/s\b|\bETA\b|/step\b|Wall time|CPU times"
)  # timers, progress bars
EXERCISE = re.compile(r"^###\s+Exercise\s+(\d+)\.(\d+)", re.M)


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _text(output):
    data = output.get("data", {})
    parts = [output.get("text", ""), data.get("text/plain", ""), data.get("text/html", "")]
    return "".join("".join(p) if isinstance(p, list) else p for p in parts)


def _toc_files():
    text = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    return set(re.findall(r"(?:root|file):\s*(\S+)", text))


def test_there_are_chapters():
    assert CHAPTERS, "no chapters/NN_*.ipynb found"


def test_every_chapter_is_in_the_toc_and_every_toc_entry_exists():
    toc = _toc_files()
    for path in NOTEBOOKS:
        assert f"chapters/{path.stem}" in toc, f"{path.name} is not listed in _toc.yml"
    for entry in toc:
        candidates = [ROOT / f"{entry}{ext}" for ext in (".ipynb", ".md", "")]
        assert any(c.is_file() for c in candidates), f"_toc.yml lists {entry}, which does not exist"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_was_executed_top_to_bottom(path):
    counts = [
        c.get("execution_count")
        for c in _cells(path)
        if c["cell_type"] == "code" and _source(c).strip()
    ]
    assert None not in counts, (
        f"{path.name}: a code cell was never executed (nbval would compare nothing)"
    )
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1, 2, 3, ...: "
        "re-execute with `make execute`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_hold_no_noise(path):
    for i, cell in enumerate(_cells(path)):
        if cell["cell_type"] != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        for out in cell.get("outputs", []):
            assert out.get("name") != "stderr", (
                f"{path.name} cell {i}: stderr stored ({_text(out)[:200]!r})"
            )
            if out.get("output_type") == "error":
                assert "raises-exception" in tags, f"{path.name} cell {i}: an error is stored"
            assert not MACHINE_PATH.search(_text(out)), (
                f"{path.name} cell {i}: a machine path in the output"
            )
            assert "application/vnd.jupyter.widget-view+json" not in out.get("data", {}), (
                f"{path.name} cell {i}: a widget output (use text progress or verbose=0)"
            )
        assert not PLOT_SEMICOLON.search(_source(cell)), (
            f"{path.name} cell {i}: a plot line ends in ';' "
            "(nbval ignores it: end the cell with plt.show())"
        )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapters_compare_every_output_and_store_no_timing(path):
    """Times differ from run to run: a chapter keeps them out of its outputs instead of
    hiding a cell from nbval. (Only the appendix on speed shows stored benchmark results.)"""
    for i, cell in enumerate(_cells(path)):
        if cell["cell_type"] != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        assert "nbval-ignore-output" not in tags and "nbval-skip" not in tags, (
            f"{path.name} cell {i}: nbval would not compare this cell"
        )
        for out in cell.get("outputs", []):
            match = TIMING.search(_text(out))
            assert not match, f"{path.name} cell {i}: a timing in the output ({match.group(0)!r})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_streams_are_stored_as_scripts_execute_chapters_writes_them(path):
    """One output per stream and cell: how a kernel splits prints depends on timing."""
    for i, cell in enumerate(_cells(path)):
        outs = cell.get("outputs", []) if cell["cell_type"] == "code" else []
        for a, b in zip(outs, outs[1:]):
            assert not (
                a.get("output_type") == b.get("output_type") == "stream"
                and a.get("name") == b.get("name")
            ), f"{path.name} cell {i}: a stream split in two: re-execute with `make execute`"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_anatomy(path):
    cells = _cells(path)
    first = _source(cells[0])
    # _toc.yml numbers chapters and sections ("numbered: true"): titles carry no hand number
    assert cells[0]["cell_type"] == "markdown" and re.search(r"^# (?!\d)\S", first, re.M), (
        f"{path.name}: the first cell must be the title '# Title' (no number: _toc.yml numbers it)"
    )
    text = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
    headings = re.findall(r"(?m)^#{1,3} \d+\.\d*", text)
    assert not headings, f"{path.name}: hand-numbered headings {headings} (_toc.yml numbers them)"
    assert re.search(r"^\(ch-[\w-]+\)=", first, re.M), (
        f"{path.name}: the title cell needs a (ch-...)= label"
    )
    text = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
    assert "In this chapter" in text, f"{path.name}: no 'In this chapter' learning goals"
    assert re.search(r"^#+ .*Summary", text, re.M), f"{path.name}: no Summary section"
    assert "assert_allclose" in "\n".join(_source(c) for c in cells if c["cell_type"] == "code"), (
        f"{path.name}: no asserted agreement (np.testing.assert_allclose)"
    )


def _exercises(cells):
    """Map 'N.k' -> list of (tags) of the code cells that follow its heading."""
    exercises, current = {}, None
    for cell in cells:
        if cell["cell_type"] == "markdown":
            m = EXERCISE.search(_source(cell))
            if m:
                current = f"{m.group(1)}.{m.group(2)}"
                exercises[current] = []
            elif re.search(r"^#{1,3} ", _source(cell), re.M):
                current = None
        elif current is not None:
            exercises[current].append(cell.get("metadata", {}).get("tags", []))
    return exercises


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_exercises_follow_the_pattern(path):
    exercises = _exercises(_cells(path))
    assert 2 <= len(exercises) <= 4, f"{path.name}: {len(exercises)} exercises (expected 2 to 4)"
    number = int(path.name[:2])
    for name, tags in exercises.items():
        assert name.startswith(f"{number}."), (
            f"{path.name}: exercise {name} is numbered for another chapter"
        )
        solutions = [t for t in tags if "solution" in t]
        checks = [t for t in tags if "check" in t]
        assert solutions, f"{path.name}: exercise {name} has no cell tagged 'solution'"
        assert checks, f"{path.name}: exercise {name} has no cell tagged 'check'"
        for t in solutions:
            assert "hide-input" in t, (
                f"{path.name}: a solution cell of exercise {name} is not hidden (tag 'hide-input')"
            )
