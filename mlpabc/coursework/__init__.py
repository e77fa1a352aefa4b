"""Chapters as coursework: release student notebooks and grade completed ones.

Every chapter's exercises follow one pattern:

* a markdown cell whose heading is ``### Exercise N.k: title`` states the task;
* one or more code cells tagged ``solution`` hold the reference solution;
* one or more code cells tagged ``check`` print the graded answer; their stored
  output is the reference the grader compares;
* optionally, code cells tagged ``hidden-check`` test the solution on inputs the
  student never sees; :func:`release` removes them with their outputs;
* a markdown cell tagged ``solution`` after the checks, if any, holds a model answer to the
  exercise's "explain why" part; :func:`release` replaces it by a line inviting the student's own.

Every cell has a stable nbformat 4.5 ``id``. :func:`release` writes a student
notebook in which every solution cell's code is replaced by a stub that raises
:class:`NotImplementedError` with a hint; ids, tags and visible outputs are kept.
:func:`grade` (and :func:`grade_many` for a class) builds the notebook it runs
from the **reference** chapter and takes only the solution cells' code from the
submission, matched by cell id (see :mod:`mlpabc.coursework.grader`).

Command line::

    python -m mlpabc.coursework release chapters/05_backprop.ipynb --out handout/
    python -m mlpabc.coursework grade submissions/*/05_backprop.ipynb --gradebook grades.csv

Introduced in the preface, *Using the chapters as coursework*.
"""

from __future__ import annotations

import ast
import copy
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .grader import (
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT,
    SubmissionReport,
    grade_many,
    grade_submission,
    read_reference,
    read_rules,
)

__all__ = [
    "Exercise",
    "SubmissionReport",
    "exercises",
    "release",
    "grade",
    "grade_many",
    "read_reference",
    "read_rules",
    "default_reference",
    "resolve_reference",
    "SANITIZE_FILE",
    "MODEL_ANSWER_STUB",
]

#: The nbval sanitize rules used by the project's tests and by the grader.
SANITIZE_FILE = Path(__file__).with_name("nbval_sanitize.cfg")

_HEADING = re.compile(r"^#{1,6}\s", re.M)
_EXERCISE = re.compile(r"^###\s+Exercise\s+(\d+\.\d+)\s*:?\s*(.*)$", re.M)

_PYTEST_INI = """\
# Written by `python -m mlpabc.coursework release`: a plain `pytest --nbval`
# in this folder checks the visible answers with the course's own settings
# (the grade itself comes from `python -m mlpabc.coursework grade`).
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
    solution_cells, check_cells, hidden_cells : list of int
        Positions of the exercise's solution, check and hidden-check cells among the
        notebook's *code* cells (nbval's ``Cell i`` numbering).
    defines : list of str
        Names the solution cells assign, for the stub's hint.
    """

    name: str
    title: str
    solution_cells: list = field(default_factory=list)
    check_cells: list = field(default_factory=list)
    defines: list = field(default_factory=list)
    hidden_cells: list = field(default_factory=list)

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
            current.defines += [
                n for n in _assigned_names(_source(cell)) if n not in current.defines
            ]
        elif "check" in tags:
            current.check_cells.append(code_index)
        elif "hidden-check" in tags:
            current.hidden_cells.append(code_index)
    return found


#: What a markdown cell tagged ``solution`` (a model answer) becomes in a student notebook.
MODEL_ANSWER_STUB = (
    "*Model answer removed from the student notebook: write your own explanation here.*"
)


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

    Every solution cell keeps its id, its tags, its stored outputs and its
    execution count; only its code is replaced by a stub that raises
    ``NotImplementedError`` with a hint; a markdown cell tagged ``solution`` (a
    model answer) is replaced by :data:`MODEL_ANSWER_STUB`. Cells tagged
    ``hidden-check`` are removed with their outputs. Every other cell is kept as is. The
    folder also receives the sanitize rules, a ``pytest.ini`` and a
    ``conftest.py``, so that students can check their visible answers with a
    plain ``pytest --nbval`` there (the grader uses none of these files).

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
        hidden = {i for ex in found for i in ex.hidden_cells}
        code_index = -1
        kept = []
        for cell in student["cells"]:
            if cell["cell_type"] == "markdown" and "solution" in _tags(cell):
                cell["source"] = MODEL_ANSWER_STUB  # a model answer to an "explain why"
            if cell["cell_type"] == "code":
                code_index += 1
                if code_index in hidden:
                    continue
                if code_index in stubs:
                    cell["source"] = _stub(stubs[code_index])
            kept.append(cell)
        student["cells"] = kept
        target = out / path.name
        target.write_text(
            json.dumps(student, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        written.append(target)
    shutil.copyfile(SANITIZE_FILE, out / "nbval_sanitize.cfg")
    (out / "pytest.ini").write_text(_PYTEST_INI, encoding="utf-8")
    (out / "conftest.py").write_text(_CONFTEST, encoding="utf-8")
    return written


def default_reference():
    """The course's own ``chapters/`` folder, or None when it cannot be found.

    It exists beside the package in a copy of the repository (an editable
    install); an installed wheel holds no chapters, so ``--reference`` is then
    required.
    """
    folder = Path(__file__).resolve().parent.parent.parent / "chapters"
    return folder if folder.is_dir() and any(folder.glob("[0-9][0-9]_*.ipynb")) else None


def grade(
    notebook,
    *,
    reference=None,
    timeout: float = DEFAULT_TIMEOUT,
    total_timeout=None,
    max_memory: int = DEFAULT_MAX_MEMORY,
    student: str = "",
) -> SubmissionReport:
    """Grade one completed notebook against its reference chapter.

    Parameters
    ----------
    notebook : path
        The student's notebook.
    reference : path, optional
        The reference chapter, or a folder holding it under the same file name
        (default: the course's ``chapters/``).
    timeout, total_timeout, max_memory
        Limits, see :func:`mlpabc.coursework.grader.grade_submission`.

    Returns
    -------
    SubmissionReport
        ``results`` (one per exercise), ``passed``, ``table()``, ``feedback()``.
    """
    notebook = Path(notebook)
    if not notebook.is_file():
        raise FileNotFoundError(f"No notebook at {str(notebook)!r}.")
    ref = resolve_reference(reference, notebook.name)
    rules = read_rules(SANITIZE_FILE)
    return grade_submission(
        read_reference(ref),
        rules,
        notebook.read_bytes().decode("utf-8", "replace"),
        student=student or notebook.parent.name,
        submission=str(notebook),
        timeout=timeout,
        total_timeout=total_timeout,
        max_memory=max_memory,
    )


def resolve_reference(reference, name: str) -> Path:
    """The reference notebook for a submission file called ``name``."""
    if reference is None:
        reference = default_reference()
        if reference is None:
            raise ValueError(
                "The course's chapters/ folder was not found "
                "(an installed package holds no chapters): "
                "pass --reference CHAPTER.ipynb or --reference FOLDER."
            )
    reference = Path(reference)
    if reference.is_dir():
        path = reference / name
        if not path.is_file():
            raise FileNotFoundError(f"No reference chapter named {name!r} in {str(reference)!r}.")
        return path
    if not reference.is_file():
        raise FileNotFoundError(f"No reference notebook at {str(reference)!r}.")
    return reference
