"""The tampering battery: every way a student tried to fool the old grader, on chapter 1.

Each vector is one submission of ``01_regression.ipynb`` in its own student folder; the whole
class is graded by one command line (`--jobs 2`, a gradebook, feedback files), then each
vector's verdict is checked. Run by `make test-coursework`, not by `make test`.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from mlpabc import coursework
from mlpabc.coursework.__main__ import main

pytestmark = pytest.mark.skipif(
    not os.environ.get("MLPABC_COURSEWORK_ALL"),
    reason="22 gradings of chapter 1: run by `make test-coursework` (MLPABC_COURSEWORK_ALL=1)",
)

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "chapters" / "01_regression.ipynb"
STORED_11 = "price of a 65 m² house on floor 10: 84.5957"


def _load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _cells(nb, tag):
    return [c for c in nb["cells"] if tag in c.get("metadata", {}).get("tags", [])]


def _honest(nb):
    ref = {c["id"]: c for c in _load(CHAPTER)["cells"]}
    for cell in _cells(nb, "solution"):
        cell["source"] = ref[cell["id"]]["source"]
    return nb


def _solution(nb, k):
    return _cells(nb, "solution")[k]


def _vectors(handout):
    """name -> (notebook dict or raw text, extra files, verdict).

    The verdict is the expected one per exercise, or 'broken'.
    """
    fresh = lambda: _load(handout)  # noqa: E731
    v = {}

    v["honest"] = (_honest(fresh()), {}, [True, True, True])

    nb = _honest(fresh())
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            c["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "garbled\n"}]
    v["honest, garbled outputs"] = (nb, {}, [True, True, True])

    nb = _honest(fresh())
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            c["outputs"], c["execution_count"] = [], None
    v["honest, no outputs"] = (nb, {}, [True, True, True])

    nb = _honest(fresh())
    for c in nb["cells"]:
        if c["cell_type"] == "markdown" and "### Exercise" in "".join(c["source"]):
            c["source"] = "## renamed"
    nb["cells"] = [
        c
        for c in nb["cells"]
        if not (c["cell_type"] == "markdown" and "Summary" in "".join(c["source"]))
    ]
    v["honest, headings renamed or deleted"] = (nb, {}, [True, True, True])

    nb = fresh()
    for c in _cells(nb, "check"):
        c["source"] = (
            "print(" + repr("".join("".join(o.get("text", "")) for o in c["outputs"])) + ", end='')"
        )
    v["checks rewritten to print the stored answer"] = (nb, {}, [False, False, False])

    nb = fresh()
    for c in _cells(nb, "check") + _cells(nb, "solution"):
        c["source"] = "# NBVAL_SKIP\n# NBVAL_IGNORE_OUTPUT\n" + "".join(c["source"])
        c["metadata"]["tags"] = c["metadata"].get("tags", []) + [
            "nbval-skip",
            "nbval-ignore-output",
            "raises-exception",
        ]
    v["nbval markers and tags"] = (nb, {}, [False, False, False])

    nb = _honest(fresh())
    _solution(nb, 0)["source"] = "theta_both = np.zeros(3)\nprice_65_floor_10 = 84.5957"
    v["hard-coded stored number"] = (nb, {}, [False, True, True])

    nb = _honest(fresh())
    _solution(nb, 2)["source"] = "r2_line = 0.5"
    for c in _cells(nb, "check"):
        if "r2_line" in "".join(c["source"]):
            c["outputs"] = [
                {
                    "output_type": "stream",
                    "name": "stdout",
                    "text": "R^2 of the least-squares line: 0.500000\n"
                    "equals LeastSquares.score: False\n",
                }
            ]
    v["stored outputs edited to match wrong code"] = (nb, {}, [True, True, False])

    nb = fresh()
    nb["cells"] = [c for c in nb["cells"] if "check" not in c.get("metadata", {}).get("tags", [])]
    for c in nb["cells"]:
        c.get("metadata", {}).pop("tags", None)
    v["checks deleted, tags removed"] = (nb, {}, [False, False, False])

    nb = _honest(fresh())
    nb["cells"] = [c for c in nb["cells"] if c["id"] != _solution(nb, 1)["id"]]
    v["a solution cell deleted"] = (nb, {}, [True, False, True])

    nb = fresh()
    extra = [
        dict(c, id=c["id"] + "-again")
        for c in nb["cells"]
        if c["cell_type"] == "markdown" and "### Exercise" in "".join(c["source"])
    ]
    nb["cells"] += extra
    v["exercise headings appended again"] = (nb, {}, [False, False, False])

    nb = fresh()
    nb["nbformat"] = 5
    v["nbformat 5"] = (nb, {}, "broken")
    nb = fresh()
    nb["nbformat"], nb["nbformat_minor"] = 3, 0
    v["nbformat 3"] = (nb, {}, "broken")
    v["invalid JSON"] = ('{"cells": [', {}, "broken")

    marker = "import pathlib; pathlib.Path(__file__).with_name('IMPORTED').write_text('x')\n"
    v["pytest.py, conftest.py, sitecustomize.py beside it"] = (
        fresh(),
        {"pytest.py": marker, "conftest.py": marker, "sitecustomize.py": marker},
        [False, False, False],
    )

    nb = _honest(fresh())
    _solution(nb, 0)["source"] = (
        "theta_both = np.zeros(3)\nprice_65_floor_10 = 0.0\n"
        "def _answer(lines):\n"
        "    if any('price_65_floor_10' in line for line in lines):\n"
        f"        return ['print({STORED_11!r})\\n']\n"
        "    return lines\n"
        "get_ipython().input_transformers_cleanup.append(_answer)\n"
    )
    v["input transformer"] = (nb, {}, [False, True, True])

    nb = _honest(fresh())
    _solution(nb, 2)["source"] = (
        "import builtins\n_print = builtins.print\nr2_line = 0.957845\n"
        "def print(*args, **kwargs):\n    _print(*args, **kwargs)\n"
        "builtins.print = print\nnp.isclose = lambda *args, **kwargs: np.True_\n"
    )
    v["monkey-patched print and np.isclose"] = (nb, {}, [True, True, False])

    nb = _honest(fresh())
    _solution(nb, 0)["source"] = (
        "import os, pathlib\n"
        "for place in (pathlib.Path.cwd(), pathlib.Path(os.environ.get('TMPDIR', '/tmp'))):\n"
        "    (place / 'report.xml').write_text('<testsuite failures=\"0\"/>')\n"
        "os._exit(0)\n"
    )
    v["forged report, then os._exit"] = (nb, {}, [False, False, False])

    nb = _honest(fresh())
    _solution(nb, 0)["source"] = "while True:\n    pass\n"
    v["endless loop in exercise 1"] = (nb, {}, [False, False, False])

    nb = _honest(fresh())
    _solution(nb, 1)["source"] = "import sys\nsys.exit(0)\n"
    v["sys.exit"] = (nb, {}, [True, False, True])

    nb = _honest(fresh())
    _solution(nb, 0)["source"] = "blow_up = bytearray(8 * 1024**3)\n"
    v["memory blow-up"] = (nb, {}, [False, True, True])

    nb = _honest(fresh())
    _solution(nb, 0)["source"] = (
        "import mlpabc.coursework as cw\n"
        "with open(cw.SANITIZE_FILE, 'a') as f:\n"
        "    f.write('\\nregex: (?s).+\\nreplace: same\\n')\n"
        "theta_both = np.zeros(3)\nprice_65_floor_10 = 0.0\n"
    )
    v["a solution rewrites the grader's sanitize rules"] = (nb, {}, [False, True, True])
    nb = _honest(fresh())
    _solution(nb, 2)["source"] = "r2_line = 0.5\n"
    v["zz a later wrong student"] = (nb, {}, [True, True, False])
    return v


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("class")
    (handout,) = coursework.release([CHAPTER], tmp / "handout")
    vectors = _vectors(handout)
    paths = {}
    for i, (name, (nb, files, _)) in enumerate(vectors.items()):
        folder = tmp / "submissions" / f"s{i:02d}"
        folder.mkdir(parents=True)
        text = nb if isinstance(nb, str) else json.dumps(nb)
        (folder / CHAPTER.name).write_text(text, encoding="utf-8")
        for fname, content in files.items():
            (folder / fname).write_text(content, encoding="utf-8")
        paths[name] = folder
    saved = coursework.SANITIZE_FILE.read_bytes()
    try:
        code = main(
            [
                "grade",
                *[str(p / CHAPTER.name) for p in paths.values()],
                "--reference",
                str(CHAPTER),
                "--jobs",
                "2",
                "--timeout",
                "60",
                "--gradebook",
                str(tmp / "grades.csv"),
                "--feedback",
                str(tmp / "feedback"),
            ]
        )
    finally:
        tampered = coursework.SANITIZE_FILE.read_bytes() != saved
        coursework.SANITIZE_FILE.write_bytes(saved)
    rows = list(csv.DictReader(open(tmp / "grades.csv", encoding="utf-8")))
    return {
        "vectors": vectors,
        "paths": paths,
        "rows": rows,
        "code": code,
        "tmp": tmp,
        "tampered": tampered,
    }


def _names():
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        (handout,) = coursework.release([CHAPTER], tmp)
        return list(_vectors(handout))


@pytest.mark.parametrize("vector", _names())
def test_vector_verdict(graded, vector):
    expected = graded["vectors"][vector][2]
    student = graded["paths"][vector].name
    rows = [r for r in graded["rows"] if r["student"] == student]
    exercises = [r for r in rows if r["exercise"] != "(notebook)"]
    assert [r["exercise"] for r in exercises] == ["1.1", "1.2", "1.3"], rows
    if expected == "broken":
        assert all(
            r["passed"] == "False" and r["reason"].startswith("broken submission")
            for r in exercises
        ), rows
    else:
        assert [r["passed"] == "True" for r in exercises] == expected, rows
        for r in exercises:
            assert (r["reason"] == "") == (r["passed"] == "True"), r


def test_class_results(graded):
    assert graded["code"] == 1
    assert graded["tampered"], "the attacking solution did write into the installed rules file"
    for folder in graded["paths"].values():
        assert not (folder / "IMPORTED").exists(), "a file from the student's folder was imported"
    feedback = sorted((graded["tmp"] / "feedback").glob("*.txt"))
    assert len(feedback) == len(graded["paths"])
    text = (
        graded["tmp"]
        / "feedback"
        / f"{graded['paths']['hard-coded stored number'].name}__01_regression.txt"
    ).read_text()
    assert "Exercise 1.1: FAIL (a hidden check failed" in text and "Exercise 1.2: pass" in text
    reasons = {r["student"]: r["reason"] for r in graded["rows"] if r["exercise"] == "1.1"}
    assert "timeout" in reasons[graded["paths"]["endless loop in exercise 1"].name]
    assert "died" in reasons[graded["paths"]["forged report, then os._exit"].name]
    assert "MemoryError" in reasons[graded["paths"]["memory blow-up"].name]
