"""Release and grade round trips (`python -m mlpabc.coursework`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlpabc import coursework

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


def _cell(kind, source, tags=(), outputs=None, count=None):
    cell = {"cell_type": kind, "metadata": {"tags": list(tags)} if tags else {}, "source": source}
    if kind == "code":
        cell["outputs"] = outputs or []
        cell["execution_count"] = count
    return cell


def _stream(text):
    return [{"output_type": "stream", "name": "stdout", "text": text}]


def _tiny_notebook():
    """A chapter in miniature: one teaching cell, two exercises, a summary."""
    cells = [
        _cell("markdown", "# 9. Tiny\n"),
        _cell("code", "import math\nbase = 3", count=1),
        _cell("markdown", "### Exercise 9.1: square\nStore base squared in `square`."),
        _cell("code", "square = base ** 2", tags=["solution", "hide-input"], count=2),
        _cell("code", "print(square)", tags=["check"], outputs=_stream("9\n"), count=3),
        _cell("markdown", "### Exercise 9.2: root\nStore the square root of base in `root`."),
        _cell("code", "root = math.sqrt(base)", tags=["solution", "hide-input"], count=4),
        _cell("code", "print(f'{root:.6f}')", tags=["check"], outputs=_stream("1.732051\n"), count=5),
        _cell("markdown", "## Summary\n- done"),
    ]
    return {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _write(nb, path):
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def _set_solution(nb, exercise_index, source):
    """Replace the code of the first solution cell of the given exercise."""
    ex = coursework.exercises(nb)[exercise_index]
    target = ex.solution_cells[0]
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    code[target]["source"] = source


def test_exercises_are_found_with_their_cells_and_names():
    found = coursework.exercises(_tiny_notebook())
    assert [e.name for e in found] == ["9.1", "9.2"]
    assert found[0].solution_cells == [1] and found[0].check_cells == [2]
    assert found[1].defines == ["root"]


def test_release_stubs_every_solution_and_keeps_everything_else(tmp_path):
    src = _write(_tiny_notebook(), tmp_path / "09_tiny.ipynb")
    (out,) = coursework.release([src], tmp_path / "handout")
    student = json.loads(out.read_text())
    original = _tiny_notebook()
    for before, after in zip(original["cells"], student["cells"]):
        assert before.get("metadata") == after.get("metadata")
        assert before.get("outputs") == after.get("outputs")
        if "solution" in before.get("metadata", {}).get("tags", []):
            assert "raise NotImplementedError" in after["source"]
        else:
            assert before["source"] == after["source"]
    assert "`square`" in [c for c in student["cells"] if "solution" in c["metadata"].get("tags", [])][0]["source"]
    for extra in ("nbval_sanitize.cfg", "pytest.ini", "conftest.py"):
        assert (tmp_path / "handout" / extra).is_file()


def test_release_removes_model_answers(tmp_path):
    nb = _tiny_notebook()
    answer = _cell("markdown", ":::{admonition} Model answer\n:class: dropdown\nBecause 3 * 3 = 9.\n:::",
                   tags=["solution"])
    nb["cells"].insert(5, answer)                      # after exercise 9.1's check cell
    (out,) = coursework.release([_write(nb, tmp_path / "09_tiny.ipynb")], tmp_path / "handout")
    student = json.loads(out.read_text())
    assert student["cells"][5]["source"] == coursework.MODEL_ANSWER_STUB
    assert student["cells"][5]["metadata"] == answer["metadata"]
    assert "Because" not in out.read_text()
    assert [e.name for e in coursework.exercises(student)] == ["9.1", "9.2"]


def test_release_refuses_a_notebook_without_exercises(tmp_path):
    nb = _tiny_notebook()
    nb["cells"] = nb["cells"][:2]
    with pytest.raises(ValueError, match="no exercises"):
        coursework.release([_write(nb, tmp_path / "x.ipynb")], tmp_path / "out")


def test_grade_untouched_fixed_and_wrong(tmp_path):
    src = _write(_tiny_notebook(), tmp_path / "09_tiny.ipynb")
    (student,) = coursework.release([src], tmp_path / "handout")

    untouched = coursework.grade(student)
    assert untouched.results == {"9.1": False, "9.2": False} and not untouched.passed
    assert untouched.messages["9.1"] == "not solved yet"

    nb = json.loads(student.read_text())
    _set_solution(nb, 0, "square = base ** 2")
    _set_solution(nb, 1, "root = math.sqrt(base)")
    solved = coursework.grade(_write(nb, student))
    assert solved.results == {"9.1": True, "9.2": True} and solved.passed
    assert solved.table().splitlines()[-1] == "2/2 exercises correct"

    _set_solution(nb, 1, "root = base ** 0.5 + 1e-3")
    wrong = coursework.grade(_write(nb, student))
    assert wrong.results == {"9.1": True, "9.2": False}
    assert wrong.messages["9.2"] == "output differs from the reference"


def test_command_line_exit_codes(tmp_path):
    src = _write(_tiny_notebook(), tmp_path / "09_tiny.ipynb")
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "mlpabc.coursework", *args], capture_output=True, text=True
    )
    rel = run("release", str(src), "--out", str(tmp_path / "h"))
    assert rel.returncode == 0 and "wrote" in rel.stdout
    bad = run("grade", str(tmp_path / "h" / "09_tiny.ipynb"))
    assert bad.returncode == 1 and "0/2 exercises correct" in bad.stdout
    good = run("grade", str(src))
    assert good.returncode == 0 and "2/2 exercises correct" in good.stdout
    missing = run("grade", str(tmp_path / "nope.ipynb"))
    assert missing.returncode == 2 and "No notebook" in missing.stderr


def test_plain_pytest_nbval_gives_the_same_verdict(tmp_path):
    src = _write(_tiny_notebook(), tmp_path / "09_tiny.ipynb")
    coursework.release([src], tmp_path / "h")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "-q", "-p", "no:xdist", "09_tiny.ipynb"],
        cwd=tmp_path / "h", capture_output=True, text=True,
    )
    assert proc.returncode == 1, proc.stdout


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_chapter_release_round_trip_is_exact(chapter, tmp_path):
    """Pasting the reference solutions back into the student notebook restores the chapter."""
    (student,) = coursework.release([chapter], tmp_path)
    original = json.loads(chapter.read_text(encoding="utf-8"))
    released = json.loads(student.read_text(encoding="utf-8"))
    for before, after in zip(original["cells"], released["cells"]):
        if "solution" in before.get("metadata", {}).get("tags", []):
            if before["cell_type"] == "code":
                assert "raise NotImplementedError" in after["source"]
            else:                                            # a model answer
                assert after["source"] == coursework.MODEL_ANSWER_STUB
            after["source"] = before["source"]
    assert released == original


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_chapter_grading_tells_exercises_apart(chapter, tmp_path):
    """One grading run per chapter: exercise 1 left as the stub, exercise 2 answered wrongly,
    every other exercise with the reference solution. Exactly the first two must fail."""
    (student,) = coursework.release([chapter], tmp_path)
    original = json.loads(chapter.read_text(encoding="utf-8"))
    nb = json.loads(student.read_text(encoding="utf-8"))
    found = coursework.exercises(original)      # the released stubs define no names
    code_before = [c for c in original["cells"] if c["cell_type"] == "code"]
    code_after = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for k, ex in enumerate(found):
        for i in ex.solution_cells:
            if k >= 1:
                code_after[i]["source"] = code_before[i]["source"]
        if k == 1:
            last = ex.solution_cells[-1]
            name = ex.defines[-1]
            code_after[last]["source"] += f"\n{name} = {name} * 1.01 + 0.01  # a wrong answer"
    report = coursework.grade(_write(nb, student))
    expected = {ex.name: k >= 2 for k, ex in enumerate(found)}
    assert report.results == expected, report.table()
    assert not report.other_failures, report.table()
