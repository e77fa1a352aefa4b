"""Chapters as coursework: release student notebooks and grade completed ones.

Every chapter's exercises follow one pattern:

* a markdown cell whose heading is ``### Exercise N.k: title`` states the task;
* one or more code cells tagged ``solution`` hold the reference solution;
* one or more code cells tagged ``check`` print the graded answer; their stored
  output is the reference nbval compares;
* a markdown cell tagged ``solution`` after them, if any, holds a model answer to the
  exercise's "explain why" part.

:func:`release` writes a student notebook in which every solution cell is
replaced by a stub that raises :class:`NotImplementedError` with a hint, and every
model answer by a line inviting the student's own; every other cell and every
stored output is kept. :func:`grade` re-runs a completed
notebook with strict nbval (the project's sanitize rules and kernel settings),
maps every failing cell to its exercise and reports a score.

Command line::

    python -m mlpabc.coursework release chapters/05_backprop.ipynb --out handout/
    python -m mlpabc.coursework grade handout/05_backprop.ipynb

Introduced in the preface, *Using the chapters as coursework*.
"""

from __future__ import annotations

import ast
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Exercise", "GradeReport", "exercises", "release", "grade", "SANITIZE_FILE"]

#: The nbval sanitize rules used by the project's tests and by the grader.
SANITIZE_FILE = Path(__file__).with_name("nbval_sanitize.cfg")

_HEADING = re.compile(r"^#{1,6}\s", re.M)
_EXERCISE = re.compile(r"^###\s+Exercise\s+(\d+\.\d+)\s*:?\s*(.*)$", re.M)

_PYTEST_INI = """\
# Written by `python -m mlpabc.coursework release`: a plain `pytest --nbval`
# in this folder grades every notebook with the course's own settings.
[pytest]
addopts = --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg -p no:cacheprovider
"""

_CONFTEST = """\
# Written by `python -m mlpabc.coursework release`: the kernels nbval starts
# inherit these settings (the same ones the stored answers were made with).
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.pop("MPLBACKEND", None)
"""


@dataclass
class Exercise:
    """One exercise of a notebook.

    Attributes
    ----------
    name : str
        ``"N.k"``, from the heading ``### Exercise N.k: title``.
    title : str
        The rest of the heading.
    solution_cells, check_cells : list of int
        Positions of the exercise's solution and check cells among the
        notebook's *code* cells (nbval's ``Cell i`` numbering).
    defines : list of str
        Names the solution cells assign, for the stub's hint.
    """

    name: str
    title: str
    solution_cells: list = field(default_factory=list)
    check_cells: list = field(default_factory=list)
    defines: list = field(default_factory=list)

    @property
    def cells(self) -> list:
        return sorted(self.solution_cells + self.check_cells)


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _tags(cell) -> list:
    return list(cell.get("metadata", {}).get("tags", []))


def _read(path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No notebook at {str(path)!r}.")
    if path.suffix != ".ipynb":
        raise ValueError(f"Expected a Jupyter notebook (.ipynb). Got {path.name!r} instead.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path.name} is not a valid notebook (JSON error: {err}).") from None


def _assigned_names(source: str) -> list:
    """Top-level names a solution cell defines (assignments, functions, classes)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        targets = []
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name) and sub.id not in names:
                    names.append(sub.id)
    return names


def exercises(notebook) -> list[Exercise]:
    """The exercises of a notebook (a path or a loaded notebook dict), in order."""
    nb = notebook if isinstance(notebook, dict) else _read(notebook)
    found: list[Exercise] = []
    current = None
    code_index = -1
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = _source(cell)
            match = _EXERCISE.search(text)
            if match:
                current = Exercise(match.group(1), match.group(2).strip())
                found.append(current)
            elif _HEADING.search(text):
                current = None
            continue
        if cell["cell_type"] != "code":
            continue
        code_index += 1
        if current is None:
            continue
        tags = _tags(cell)
        if "solution" in tags:
            current.solution_cells.append(code_index)
            current.defines += [n for n in _assigned_names(_source(cell)) if n not in current.defines]
        elif "check" in tags:
            current.check_cells.append(code_index)
    return found


#: What a markdown cell tagged ``solution`` (a model answer) becomes in a student notebook.
MODEL_ANSWER_STUB = "*Model answer removed from the student notebook: write your own explanation here.*"


def _stub(exercise: Exercise) -> str:
    wanted = [n for n in exercise.defines if not n.startswith("_")]
    what = ", ".join(f"`{n}`" for n in wanted) if wanted else "the names the check cells use"
    return (
        f"# Exercise {exercise.name}: write your solution here, replacing the line below.\n"
        f"# The check cells that follow expect you to define {what}.\n"
        f'raise NotImplementedError("Exercise {exercise.name} is not solved yet: define {what}.")'
    )


def release(notebooks, out) -> list[Path]:
    """Write one student notebook per chapter into the folder ``out``.

    Every solution cell keeps its tags, its stored outputs and its execution
    count; only its code is replaced by a stub that raises
    ``NotImplementedError`` with a hint; a markdown cell tagged ``solution`` (a
    model answer) is replaced by :data:`MODEL_ANSWER_STUB`. Every other cell is kept as is. The
    folder also receives the sanitize rules, a ``pytest.ini`` and a
    ``conftest.py``, so that a plain ``pytest --nbval`` there grades with the
    course's settings.

    Returns the paths written.
    """
    out = Path(out)
    if isinstance(notebooks, (str, os.PathLike)):
        notebooks = [notebooks]
    if not notebooks:
        raise ValueError("The 'notebooks' argument of release must name at least one notebook.")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in map(Path, notebooks):
        nb = _read(path)
        found = exercises(nb)
        if not found:
            raise ValueError(f"{path.name} has no exercises (no '### Exercise N.k' heading).")
        student = copy.deepcopy(nb)
        stubs = {i: ex for ex in found for i in ex.solution_cells}
        code_index = -1
        for cell in student["cells"]:
            if cell["cell_type"] == "markdown" and "solution" in _tags(cell):
                cell["source"] = MODEL_ANSWER_STUB      # a model answer to an "explain why"
                continue
            if cell["cell_type"] != "code":
                continue
            code_index += 1
            if code_index in stubs:
                cell["source"] = _stub(stubs[code_index])
        target = out / path.name
        target.write_text(json.dumps(student, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    shutil.copyfile(SANITIZE_FILE, out / "nbval_sanitize.cfg")
    (out / "pytest.ini").write_text(_PYTEST_INI, encoding="utf-8")
    (out / "conftest.py").write_text(_CONFTEST, encoding="utf-8")
    return written


@dataclass
class GradeReport:
    """The outcome of :func:`grade`.

    Attributes
    ----------
    notebook : Path
    results : dict
        Exercise name -> True (passed) or False.
    other_failures : list of int
        Failing code cells outside the exercises (the chapter itself broke).
    messages : dict
        Exercise name -> short reasons for a failure.
    """

    notebook: Path
    results: dict
    other_failures: list
    messages: dict

    @property
    def n_passed(self) -> int:
        return sum(self.results.values())

    @property
    def passed(self) -> bool:
        return all(self.results.values()) and not self.other_failures

    def table(self) -> str:
        lines = [f"{'exercise':<10} result", f"{'-' * 10} ------"]
        for name, ok in self.results.items():
            reason = "" if ok else f"  ({self.messages.get(name, 'output differs')})"
            lines.append(f"{name:<10} {'pass' if ok else 'FAIL'}{reason}")
        if self.other_failures:
            cells = ", ".join(str(i) for i in self.other_failures)
            lines.append(f"cells outside the exercises failed: {cells}")
        lines.append(f"{self.n_passed}/{len(self.results)} exercises correct")
        return "\n".join(lines)


def _reason(node) -> str:
    text = (node.get("message") or node.text or "").strip()
    if "NotImplementedError" in text:
        return "not solved yet"
    if "NameError" in text:
        return "a name the check needs is not defined"
    if "differ" in text or "mismatch" in text.lower():
        return "output differs from the reference"
    if "exception" in text.lower() or "Error" in text:
        return "the cell raised an exception"
    return "failed"


def grade(notebook, *, timeout: int = 600) -> GradeReport:
    """Grade a completed student notebook with strict nbval.

    Runs ``pytest --nbval`` with the course's sanitize rules and kernel
    settings on ``notebook`` in a fresh kernel of this Python environment; an
    exercise passes when all of its solution and check cells run and every
    check prints the stored answer.
    """
    notebook = Path(notebook).resolve()
    found = exercises(notebook)
    if not found:
        raise ValueError(f"{notebook.name} has no exercises (no '### Exercise N.k' heading).")
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    env.pop("MPLBACKEND", None)
    with tempfile.TemporaryDirectory() as tmp:
        report_xml = Path(tmp) / "report.xml"
        cmd = [
            sys.executable, "-m", "pytest", str(notebook), "--nbval", "--nbval-current-env",
            "--nbval-sanitize-with", str(SANITIZE_FILE), "--nbval-cell-timeout", str(timeout),
            "-p", "no:cacheprovider", "-p", "no:xdist", "-q", "--rootdir", str(notebook.parent),
            "-c", os.devnull, f"--junitxml={report_xml}",
        ]
        proc = subprocess.run(cmd, cwd=notebook.parent, env=env, capture_output=True, text=True)
        if not report_xml.exists():
            raise RuntimeError(f"nbval did not run on {notebook.name}:\n{proc.stdout}\n{proc.stderr}")
        failed = {}
        for case in ET.parse(report_xml).getroot().iter("testcase"):
            match = re.search(r"Cell (\d+)", case.get("name", ""))
            bad = case.find("failure") if case.find("failure") is not None else case.find("error")
            if match and bad is not None:
                failed[int(match.group(1))] = _reason(bad)
    results, messages = {}, {}
    in_exercises = set()
    for ex in found:
        in_exercises.update(ex.cells)
        bad = [failed[i] for i in ex.cells if i in failed]
        results[ex.name] = not bad
        if bad:
            messages[ex.name] = bad[0]
    others = sorted(i for i in failed if i not in in_exercises)
    return GradeReport(notebook, results, others, messages)
