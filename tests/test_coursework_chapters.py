"""Release -> honest completion -> grade, on the real chapters.

`make test` grades a few chapters; `make test-coursework` (MLPABC_COURSEWORK_ALL=1) grades all 13.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlpabc import coursework

ROOT = Path(__file__).resolve().parent.parent
ALL = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
FEW = [p for p in ALL if p.name[:2] in ("01", "02")]
CHAPTERS = ALL if os.environ.get("MLPABC_COURSEWORK_ALL") else FEW


def _complete(chapter, student, *, garble=True, skip_first=False, wrong_second=False):
    """The released notebook with the reference solutions pasted back by cell id."""
    original = json.loads(chapter.read_text(encoding="utf-8"))
    by_id = {c["id"]: c for c in original["cells"]}
    nb = json.loads(student.read_text(encoding="utf-8"))
    found = coursework.exercises(original)
    order = {}
    code = [c for c in original["cells"] if c["cell_type"] == "code"]
    for k, ex in enumerate(found):
        for i in ex.solution_cells:
            order[code[i]["id"]] = (k, ex)
    for cell in nb["cells"]:
        if cell["id"] in order:
            k, ex = order[cell["id"]]
            if not (skip_first and k == 0):
                cell["source"] = by_id[cell["id"]]["source"]
            if wrong_second and k == 1 and cell["id"] == code[ex.solution_cells[-1]]["id"]:
                name = ex.defines[-1]
                cell["source"] = (
                    "".join(cell["source"]) + f"\n{name} = {name} * 1.01 + 0.01  # a wrong answer"
                )
        if garble and cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "garbled\n"}]
    student.write_text(json.dumps(nb), encoding="utf-8")
    return student


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_release_then_honest_completion_passes_even_with_garbled_outputs(chapter, tmp_path):
    (student,) = coursework.release([chapter], tmp_path / "handout")
    _complete(chapter, student)
    report = coursework.grade(student, reference=chapter)
    assert report.passed, report.table()
    assert report.n_passed == len(report.results) == len(coursework.exercises(chapter))


@pytest.mark.parametrize("chapter", FEW, ids=lambda p: p.name)
def test_grading_tells_exercises_apart(chapter, tmp_path):
    """Exercise 1 left as the stub, exercise 2 answered wrongly: exactly those two fail."""
    (student,) = coursework.release([chapter], tmp_path)
    _complete(chapter, student, skip_first=True, wrong_second=True)
    report = coursework.grade(student, reference=chapter)
    got = [r.passed for r in report.results]
    assert got == [False, False] + [True] * (len(got) - 2), report.table()
    assert report.results[0].reason == "not solved yet"
    assert not report.problems, report.table()


def test_at_least_30_exercises_have_hidden_checks():
    count = sum(1 for p in ALL for ex in coursework.exercises(p) if ex.hidden_cells)
    assert count >= 30, count
