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


def _cell(kind, source, tags=(), outputs=None, count=None, cid=None):
    _cell.n = getattr(_cell, "n", 0) + 1
    cell = {
        "cell_type": kind,
        "id": cid or f"t{_cell.n:03d}",
        "metadata": {"tags": list(tags)} if tags else {},
        "source": source,
    }
    if kind == "code":
        cell["outputs"] = outputs or []
        cell["execution_count"] = count
    return cell


def _stream(text):
    return [{"output_type": "stream", "name": "stdout", "text": text}]


def _tiny_notebook():
    """A chapter in miniature.

    One teaching cell, two exercises (one with a hidden check), a summary.
    """
    _cell.n = 0
    cells = [
        _cell("markdown", "# 9. Tiny\n"),
        _cell("code", "import math\nbase = 3", count=1),
        _cell("markdown", "### Exercise 9.1: square\nStore base squared in `square`."),
        _cell("code", "square = base ** 2", tags=["solution", "hide-input"], count=2),
        _cell("code", "print(square)", tags=["check"], outputs=_stream("9\n"), count=3),
        _cell("markdown", "### Exercise 9.2: root\nStore the square root of base in `root`."),
        _cell("code", "root = math.sqrt(base)", tags=["solution", "hide-input"], count=4),
        _cell(
            "code", "print(f'{root:.6f}')", tags=["check"], outputs=_stream("1.732051\n"), count=5
        ),
        _cell(
            "code",
            "print(f'{root ** 2:.12f}')",
            tags=["hidden-check"],
            outputs=_stream("3.000000000000\n"),
            count=6,
        ),
        _cell("markdown", "## Summary\n- done"),
    ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
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
    original["cells"] = [
        c for c in original["cells"] if "hidden-check" not in c["metadata"].get("tags", [])
    ]
    assert len(student["cells"]) == len(original["cells"])
    for before, after in zip(original["cells"], student["cells"]):
        assert before["id"] == after["id"]
        assert before.get("metadata") == after.get("metadata")
        assert before.get("outputs") == after.get("outputs")
        if "solution" in before.get("metadata", {}).get("tags", []):
            assert "raise NotImplementedError" in after["source"]
        else:
            assert before["source"] == after["source"]
    assert (
        "`square`"
        in [c for c in student["cells"] if "solution" in c["metadata"].get("tags", [])][0]["source"]
    )
    for extra in ("nbval_sanitize.cfg", "pytest.ini", "conftest.py"):
        assert (tmp_path / "handout" / extra).is_file()


def test_release_removes_model_answers(tmp_path):
    nb = _tiny_notebook()
    answer = _cell(
        "markdown",
        ":::{admonition} Model answer\n:class: dropdown\nBecause 3 * 3 = 9.\n:::",
        tags=["solution"],
    )
    nb["cells"].insert(5, answer)  # after exercise 9.1's check cell
    (out,) = coursework.release([_write(nb, tmp_path / "09_tiny.ipynb")], tmp_path / "handout")
    student = json.loads(out.read_text())
    assert student["cells"][5]["source"] == coursework.MODEL_ANSWER_STUB
    assert student["cells"][5]["metadata"] == answer["metadata"]
    assert "Because" not in out.read_text()
    assert [e.name for e in coursework.exercises(student)] == ["9.1", "9.2"]
    reference = coursework.read_reference(tmp_path / "09_tiny.ipynb")
    student["cells"][5]["source"] = "Because 9 is 3 squared."  # the student's own answer
    student["cells"][1]["source"] = "base = 4"  # a locked cell, changed
    _, warnings = coursework.grader._solution_code(reference, json.dumps(student))
    assert warnings == [f"cell {student['cells'][1]['id']!r} (code) was changed"]


def test_release_refuses_a_notebook_without_exercises(tmp_path):
    nb = _tiny_notebook()
    nb["cells"] = nb["cells"][:2]
    with pytest.raises(ValueError, match="no exercises"):
        coursework.release([_write(nb, tmp_path / "x.ipynb")], tmp_path / "out")


def test_grade_untouched_fixed_and_wrong(tmp_path):
    src = _write(_tiny_notebook(), tmp_path / "09_tiny.ipynb")
    (student,) = coursework.release([src], tmp_path / "handout")

    untouched = coursework.grade(student, reference=src)
    assert [r.passed for r in untouched.results] == [False, False] and not untouched.passed
    assert untouched.results[0].reason == "not solved yet"

    nb = json.loads(student.read_text())
    _set_solution(nb, 0, "square = base ** 2")
    _set_solution(nb, 1, "root = math.sqrt(base)")
    solved = coursework.grade(_write(nb, student), reference=src)
    assert {r.exercise: r.passed for r in solved.results} == {
        "9.1": True,
        "9.2": True,
    } and solved.passed
    assert solved.table().splitlines()[-1] == "2/2 exercises correct"

    _set_solution(nb, 1, "root = base ** 0.5 + 1e-3")
    wrong = coursework.grade(_write(nb, student), reference=src)
    assert [r.passed for r in wrong.results] == [True, False]
    assert wrong.results[1].reason == "output differs from the reference"
    assert any(
        "1.732051" in d for d in wrong.results[1].details
    )  # a visible check shows what was expected

    # Printing the stored answer passes the visible check, not the hidden one, which leaks nothing.
    _set_solution(nb, 1, "root = 1.732051")
    stored = coursework.grade(_write(nb, student), reference=src)
    assert [r.passed for r in stored.results] == [True, False]
    assert (
        stored.results[1].reason.startswith("a hidden check failed")
        and not stored.results[1].details
    )
    assert "3.0000" not in stored.feedback()


def _with_intended_error(nb, raises=True):
    """The tiny chapter with a teaching cell tagged `raises-exception` (as chapter 5 has)."""
    error = {
        "output_type": "error",
        "ename": "ValueError",
        "evalue": "shapes differ",
        "traceback": ["ValueError: shapes differ"],
    }
    source = "raise ValueError('shapes differ')" if raises else "print('no error')"
    cell = _cell("code", source, tags=["raises-exception"], outputs=[error], count=2, cid="boom")
    nb["cells"].insert(2, cell)
    return nb


def test_a_course_cell_that_raises_on_purpose(tmp_path):
    src = _write(_with_intended_error(_tiny_notebook()), tmp_path / "09_tiny.ipynb")
    (student,) = coursework.release([src], tmp_path / "handout")
    nb = json.loads(student.read_text())
    _set_solution(nb, 0, "square = base ** 2")
    _set_solution(nb, 1, "root = math.sqrt(base)")
    solved = coursework.grade(_write(nb, student), reference=src)
    assert solved.passed and not solved.problems, solved.table()

    # The tag is the reference's: a reference cell so tagged that does not raise fails closed.
    (tmp_path / "q").mkdir()
    (tmp_path / "s").mkdir()
    quiet = _write(
        _with_intended_error(_tiny_notebook(), raises=False), tmp_path / "q" / "09_tiny.ipynb"
    )
    report = coursework.grade(_write(nb, tmp_path / "s" / "09_tiny.ipynb"), reference=quiet)
    assert not report.passed
    assert any("must raise an error did not" in p for p in report.problems), report.problems


def test_command_line_exit_codes(tmp_path):
    src = _write(_tiny_notebook(), tmp_path / "09_tiny.ipynb")
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "mlpabc.coursework", *args], capture_output=True, text=True
    )
    rel = run("release", str(src), "--out", str(tmp_path / "h"))
    assert rel.returncode == 0 and "wrote" in rel.stdout
    bad = run("grade", str(tmp_path / "h" / "09_tiny.ipynb"), "--reference", str(src))
    assert bad.returncode == 1 and "0/2 exercises correct" in bad.stdout
    good = run("grade", str(src), "--reference", str(tmp_path))
    assert good.returncode == 0 and "2/2 exercises correct" in good.stdout
    missing = run("grade", str(tmp_path / "nope.ipynb"), "--reference", str(src))
    assert missing.returncode == 2 and "No notebook" in missing.stderr
    unknown = run("grade", str(src), "--reference", str(tmp_path / "h" / "nothing"))
    assert unknown.returncode == 2 and "No reference" in unknown.stderr
    usage = run("grade", str(src), "--jobs", "0")
    assert usage.returncode == 2


def test_reference_is_required_when_the_chapters_cannot_be_found(tmp_path, monkeypatch):
    monkeypatch.setattr(coursework, "default_reference", lambda: None)
    with pytest.raises(ValueError, match="--reference"):
        coursework.resolve_reference(None, "05_backprop.ipynb")


def test_default_reference_is_the_courses_chapters():
    assert coursework.default_reference() == ROOT / "chapters"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_chapter_release_round_trip_is_exact(chapter, tmp_path):
    """Pasting the reference solutions back into the student notebook restores the chapter."""
    (student,) = coursework.release([chapter], tmp_path)
    original = json.loads(chapter.read_text(encoding="utf-8"))
    original["cells"] = [
        c for c in original["cells"] if "hidden-check" not in c["metadata"].get("tags", [])
    ]
    released = json.loads(student.read_text(encoding="utf-8"))
    for before, after in zip(original["cells"], released["cells"]):
        if "solution" in before.get("metadata", {}).get("tags", []):
            if before["cell_type"] == "code":
                assert "raise NotImplementedError" in after["source"]
            else:  # a model answer
                assert after["source"] == coursework.MODEL_ANSWER_STUB
            after["source"] = before["source"]
    assert released == original
