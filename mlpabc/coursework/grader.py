"""The grader: the reference notebook decides, the submission supplies only its solution code.

How one submission is graded (:func:`grade_submission`):

1. Before any student code runs, the caller has read the **reference** chapter
   (cells, tags, expected outputs, exercise list) and the **sanitize rules**
   into memory (:class:`Reference`, :func:`read_rules`). Nothing later is read
   from a file the student's code could have written.
2. The submission is read as data: only the source of the cells whose nbformat
   4.5 ``id`` is a solution cell's id in the reference is taken. Its outputs,
   tags, metadata, nbval markers and every other cell are ignored (changes to
   locked cells are reported as warnings).
3. The notebook that runs is the reference with the student's solution code in
   place. It runs with nbclient in a fresh temporary folder, in a kernel
   started as ``python -I`` (no user site, no current folder on ``sys.path``)
   with a scrubbed environment, a fresh IPython profile, a memory cap
   (``resource.setrlimit``), a per-cell timeout and a total time limit.
4. The grader compares each cell's outputs with the reference's itself, with
   nbval's comparison and the course's sanitize rules. An exercise passes only
   when every one of its solution cells ran without an error and every one of
   its ``check`` and ``hidden-check`` cells ran and printed what the reference
   prints. A cell that did not run (timeout, dead kernel, time limit) fails.

Introduced in the preface, *Using the chapters as coursework*.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Reference",
    "ExerciseResult",
    "SubmissionReport",
    "read_rules",
    "read_reference",
    "grade_submission",
    "grade_many",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_MEMORY",
]

#: Seconds one cell may run before the kernel is killed (``--timeout``).
DEFAULT_TIMEOUT = 120
#: Bytes of address space the kernel may use (``--max-memory``): 4 GB.
DEFAULT_MAX_MEMORY = 4 * 1024**3

_EXERCISE = re.compile(r"^###\s+Exercise\s+(\d+\.\d+)\s*:?\s*(.*)$", re.M)
_HEADING = re.compile(r"^#{1,6}\s", re.M)

# nbval's own list of output keys it does not compare (plus images, as without --nbdime).
_SKIP_COMPARE = (
    "metadata",
    "traceback",
    "prompt_number",
    "output_type",
    "name",
    "execution_count",
    "application/vnd.jupyter.widget-view+json",
    "image/png",
    "image/jpeg",
)

# The kernel: an isolated interpreter (-I) that caps its own memory before
# ipykernel (and any student code) is imported.
_LAUNCHER = (
    "import resource, sys\n"
    "limit = int(sys.argv.pop(1))\n"
    "if limit > 0:\n"
    "    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "from ipykernel.kernelapp import launch_new_instance\n"
    "launch_new_instance()\n"
)


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _tags(cell) -> list:
    meta = cell.get("metadata") or {}
    tags = meta.get("tags", []) if isinstance(meta, dict) else []
    return list(tags) if isinstance(tags, list) else []


def read_rules(path) -> list:
    """The (regex, replacement) pairs of an nbval sanitize file, compiled, in file order."""
    from nbval.plugin import get_sanitize_patterns

    text = Path(path).read_text(encoding="utf-8")
    return [(re.compile(rx), rep) for rx, rep in get_sanitize_patterns(text)]


@dataclass
class Reference:
    """A reference chapter, read once: the cells that run and what each exercise is made of.

    Attributes
    ----------
    name : str
        File name (``05_backprop.ipynb``); submissions are matched to it by file name.
    nb : dict
        The reference notebook (nbformat 4.5 dict).
    exercises : dict
        Exercise name (``"5.1"``) -> ``{"title", "solution", "check", "hidden"}``,
        lists of cell ids.
    role : dict
        Cell id -> ``(exercise name or None, "solution" | "check" | "hidden" | "other")``.
    """

    name: str
    nb: dict
    exercises: dict
    role: dict

    @property
    def chapter(self) -> str:
        return Path(self.name).stem


def read_reference(path) -> Reference:
    """Read a reference chapter and find its exercises (headings, tags and cell ids)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No reference notebook at {str(path)!r}.")
    import nbformat

    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    if nb.get("nbformat") != 4 or nb.get("nbformat_minor", 0) < 5:
        raise ValueError(
            f"The reference {path.name} must be an nbformat 4.5 notebook (cell ids). "
            f"Got nbformat {nb.get('nbformat')}.{nb.get('nbformat_minor')} instead."
        )
    nb = json.loads(json.dumps(nbformat.reads(text, as_version=4)))  # multi-line strings joined
    exercises, role, current = {}, {}, None
    for cell in nb["cells"]:
        cid = cell.get("id")
        if not cid:
            raise ValueError(f"The reference {path.name} has a cell without an id.")
        if cell["cell_type"] == "markdown":
            text = _source(cell)
            match = _EXERCISE.search(text)
            if match:
                current = match.group(1)
                exercises[current] = {
                    "title": match.group(2).strip(),
                    "solution": [],
                    "check": [],
                    "hidden": [],
                }
            elif _HEADING.search(text):
                current = None
            continue
        if cell["cell_type"] != "code":
            continue
        tags = _tags(cell)
        kind = "other"
        if current is not None:
            for tag, name in (
                ("solution", "solution"),
                ("check", "check"),
                ("hidden-check", "hidden"),
            ):
                if tag in tags:
                    kind = name
                    exercises[current][name].append(cid)
                    break
        role[cid] = (current if kind != "other" else None, kind)
    if not exercises:
        raise ValueError(
            f"The reference {path.name} has no exercises (no '### Exercise N.k' heading)."
        )
    for name, ex in exercises.items():
        if not ex["solution"] or not ex["check"]:
            raise ValueError(
                f"Exercise {name} of the reference {path.name} needs solution and check cells."
            )
    return Reference(path.name, nb, exercises, role)


@dataclass
class ExerciseResult:
    """The verdict on one exercise: ``passed`` and, when it failed, a ``reason`` and details."""

    exercise: str
    passed: bool
    reason: str = ""
    details: list = field(default_factory=list)


@dataclass
class SubmissionReport:
    """The outcome of grading one submission.

    ``results`` holds one :class:`ExerciseResult` per exercise of the
    reference, in order; ``problems`` are failures of the notebook as a whole
    (a chapter cell outside the exercises that failed, a killed kernel);
    ``warnings`` list changes to locked cells, which never affect the grade.
    """

    student: str
    submission: str
    chapter: str
    results: list
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def n_passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(r.passed for r in self.results) and not self.problems

    def rows(self) -> list:
        """Gradebook rows: one per exercise (and one per notebook-level problem)."""
        base = {"student": self.student, "submission": self.submission, "chapter": self.chapter}
        rows = [
            dict(base, exercise=r.exercise, passed=r.passed, reason=r.reason) for r in self.results
        ]
        for problem in self.problems:
            rows.append(dict(base, exercise="(notebook)", passed=False, reason=problem))
        return rows

    def table(self) -> str:
        lines = [f"{'exercise':<10} result", f"{'-' * 10} ------"]
        for r in self.results:
            lines.append(
                f"{r.exercise:<10} {'pass' if r.passed else 'FAIL'}"
                + (f"  ({r.reason})" if r.reason else "")
            )
        for problem in self.problems:
            lines.append(f"notebook   FAIL  ({problem})")
        lines.append(f"{self.n_passed}/{len(self.results)} exercises correct")
        return "\n".join(lines)

    def feedback(self) -> str:
        """A readable feedback text for the student."""
        out = [
            f"Feedback on {self.submission} (chapter {self.chapter}, student {self.student})",
            "",
        ]
        out.append(f"Score: {self.n_passed}/{len(self.results)} exercises correct.")
        out.append("")
        for r in self.results:
            out.append(
                f"Exercise {r.exercise}: {'pass' if r.passed else 'FAIL'}"
                + (f" ({r.reason})" if r.reason else "")
            )
            for detail in r.details:
                out.append("    " + detail.replace("\n", "\n    "))
        if self.problems:
            out += ["", "Problems with the notebook as a whole:"] + [
                f"  - {p}" for p in self.problems
            ]
        if self.warnings:
            out += [
                "",
                "Warnings (they do not change the grade; "
                "the course's version of these cells was run):",
            ]
            out += [f"  - {w}" for w in self.warnings]
        return "\n".join(out) + "\n"


# -- reading a submission ------------------------------------------------------------


def _failed_all(reference: Reference, student, submission, reason) -> SubmissionReport:
    results = [ExerciseResult(name, False, reason) for name in reference.exercises]
    return SubmissionReport(student, submission, reference.chapter, results)


def _solution_code(reference: Reference, text: str):
    """The student's code for each solution cell id, and warnings.

    Raises ValueError for a broken file.
    """
    try:
        nb = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"not a valid notebook (JSON error: {err})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("not a Jupyter notebook (no list of cells)")
    if nb.get("nbformat") != 4:
        raise ValueError(f"nbformat {nb.get('nbformat')!r} is not the format released (expected 4)")
    cells = [c for c in nb["cells"] if isinstance(c, dict)]
    solution_ids = {cid for cid, (_, kind) in reference.role.items() if kind == "solution"}
    ref_cells = {c["id"]: c for c in reference.nb["cells"]}
    code, warnings = {}, []
    if any("id" in c for c in cells):
        seen = set()
        for cell in cells:
            cid = cell.get("id")
            if cid in seen:
                warnings.append(f"cell id {cid!r} appears twice; the first one was used")
                continue
            seen.add(cid)
            if cid in solution_ids:
                if cell.get("cell_type") == "code":
                    code[cid] = _source(cell)
            elif cid in ref_cells and "solution" in _tags(ref_cells[cid]):
                pass  # a model answer (markdown): the student's own explanation, not graded
            elif cid in ref_cells and _source(cell) != _source(ref_cells[cid]):
                warnings.append(f"cell {cid!r} ({ref_cells[cid]['cell_type']}) was changed")
        for cid, cell in ref_cells.items():
            if cid not in seen and reference.role.get(cid, (None, ""))[1] != "hidden":
                warnings.append(f"cell {cid!r} ({cell['cell_type']}) was deleted")
    else:
        # A notebook saved without cell ids (nbformat < 4.5): match code cells by position,
        # and only when the code cells are exactly the released ones.
        mine = [c for c in cells if c.get("cell_type") == "code"]
        theirs = [
            c
            for c in reference.nb["cells"]
            if c["cell_type"] == "code" and "hidden-check" not in _tags(c)
        ]
        if len(mine) != len(theirs):
            raise ValueError(
                "its cells have no ids and its code cells are not the released ones "
                f"({len(mine)} code cells, expected {len(theirs)})"
            )
        warnings.append("the notebook has no cell ids; solution cells were matched by position")
        for a, b in zip(mine, theirs):
            if b["id"] in solution_ids:
                code[b["id"]] = _source(a)
    return code, warnings


# -- running -------------------------------------------------------------------------


def _kernel_env(home: Path) -> dict:
    """A scrubbed environment: nothing of the grader's own environment reaches the kernel."""
    bindir = str(Path(sys.executable).parent)
    return {
        "PATH": os.pathsep.join([bindir, "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home),
        "IPYTHONDIR": str(home / ".ipython"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "MPLCONFIGDIR": str(home / ".matplotlib"),
        "TMPDIR": str(home / "tmp"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TF_ENABLE_ONEDNN_OPTS": "0",
        "KERAS_BACKEND": "tensorflow",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }


def _kernel_manager(folder: Path, max_memory: int):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    spec = folder / "kernels" / "mlpabc-grader"
    spec.mkdir(parents=True)
    argv = [
        sys.executable,
        "-I",
        "-c",
        _LAUNCHER,
        str(int(max_memory)),
        "-f",
        "{connection_file}",
        "--IPKernelApp.capture_fd_output=False",
    ]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "mlpabc grader", "language": "python"}),
        encoding="utf-8",
    )
    ksm = KernelSpecManager(kernel_dirs=[str(folder / "kernels")])
    # IPC sockets inside the submission's own folder: no TCP port to race for or to expose.
    return AsyncKernelManager(
        kernel_name="mlpabc-grader",
        kernel_spec_manager=ksm,
        transport="ipc",
        ip=str(folder / "kernel"),
        connection_file=str(folder / "kernel.json"),
    )


class _Comparer:
    """nbval's output comparison (its own code) with the rules read by the grader."""

    def __init__(self, rules):
        from nbval.plugin import nocolors

        self.rules = rules
        self.colors = nocolors
        self.parent = type("P", (), {"skip_compare": _SKIP_COMPARE})()
        self.comparison_traceback = []

    def sanitize(self, s):
        if not isinstance(s, str):
            return s
        for regex, replace in self.rules:
            s = regex.sub(replace, s)
        return s

    def same(self, produced, expected) -> bool:
        import nbformat
        from nbval.plugin import IPyNbCell, coalesce_streams

        self.comparison_traceback = []
        produced = coalesce_streams([nbformat.from_dict(copy.deepcopy(o)) for o in produced])
        expected = coalesce_streams([nbformat.from_dict(copy.deepcopy(o)) for o in expected])
        for outs in (produced, expected):
            for o in outs:
                if o.get("output_type") == "stream" and isinstance(o.get("text"), list):
                    o["text"] = "".join(o["text"])
        return IPyNbCell.compare_outputs(self, produced, expected)

    format_output_compare = None  # bound below


def _format(self, key, left, right):
    self.comparison_traceback.append(f"expected ({key}):\n{left}\nproduced:\n{right}")


_Comparer.format_output_compare = _format


def _text_of(outputs) -> str:
    parts = []
    for o in outputs:
        if o.get("output_type") == "stream":
            parts.append(_source({"source": o.get("text", "")}))
        elif o.get("output_type") in ("execute_result", "display_data"):
            parts.append(_source({"source": o.get("data", {}).get("text/plain", "")}) + "\n")
        elif o.get("output_type") == "error":
            parts.append(f"{o.get('ename')}: {o.get('evalue')}\n")
    return "".join(parts)


def grade_submission(
    reference: Reference,
    rules,
    text: str,
    *,
    student: str = "",
    submission: str = "",
    timeout: float = DEFAULT_TIMEOUT,
    total_timeout: float | None = None,
    max_memory: int = DEFAULT_MAX_MEMORY,
) -> SubmissionReport:
    """Grade one submission (its text) against a reference read beforehand.

    Parameters
    ----------
    reference : Reference
        From :func:`read_reference`.
    rules : list
        From :func:`read_rules`.
    text : str
        The submitted notebook's content (it is never executed from its own folder).
    timeout : float
        Seconds per cell; on a timeout the kernel is killed and every later cell fails.
    total_timeout : float or None
        Seconds for the whole notebook (default: 20 times ``timeout``).
    max_memory : int
        Address-space cap of the kernel in bytes (0: no cap).

    Returns
    -------
    SubmissionReport
    """
    start = time.monotonic()
    total_timeout = 20 * timeout if total_timeout is None else total_timeout
    try:
        code, warnings = _solution_code(reference, text)
    except ValueError as err:
        report = _failed_all(reference, student, submission, f"broken submission: {err}")
        report.problems.append(f"broken submission: {err}")
        return report

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = nbformat.from_dict(copy.deepcopy(reference.nb))
    expected = {}
    must_raise = set()  # the reference's cells tagged raises-exception: they raise on purpose
    for cell in nb.cells:
        cell.source = _source(cell)
        if cell.cell_type != "code":
            continue
        expected[cell.id] = cell.outputs
        if "raises-exception" in cell.metadata.get("tags", []):
            must_raise.add(cell.id)
        cell.outputs = []
        cell.execution_count = None
        cell.metadata = nbformat.from_dict({})  # no tag of any kind changes how a cell runs
        if reference.role.get(cell.id, (None, ""))[1] == "solution":
            # Only the submission's code runs here; never the reference's solution.
            cell.source = code.get(cell.id, "")

    status = {}  # cell id -> (ok, reason, details)
    comparer = _Comparer(rules)
    stopped = None
    folder = Path(tempfile.mkdtemp(prefix="mlpabc-grade-"))
    try:
        home = folder / "home"
        for sub in ("", "tmp", ".ipython", ".jupyter", "runtime", ".matplotlib"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        work = folder / "work"
        work.mkdir()
        km = _kernel_manager(folder, max_memory)
        client = NotebookClient(
            nb,
            km=km,
            timeout=timeout,
            allow_errors=True,
            record_timing=False,
            interrupt_on_timeout=False,
            startup_timeout=120,
            shutdown_kernel="immediate",
        )
        try:
            with client.setup_kernel(
                cwd=str(work),
                env=_kernel_env(home),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ):
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type != "code":
                        continue
                    if stopped:
                        status[cell.id] = (False, f"not run: {stopped}", [])
                        continue
                    if (
                        reference.role.get(cell.id, (None, ""))[1] == "solution"
                        and cell.id not in code
                    ):
                        status[cell.id] = (
                            False,
                            "the solution cell is missing (deleted, or its id changed)",
                            [],
                        )
                        continue
                    left = total_timeout - (time.monotonic() - start)
                    if left <= 0:
                        stopped = f"the notebook's time limit of {total_timeout:g} s was reached"
                        status[cell.id] = (False, f"not run: {stopped}", [])
                        continue
                    client.timeout = max(1, int(min(timeout, left)))
                    try:
                        client.execute_cell(cell, index)
                    except CellTimeoutError:
                        stopped = (
                            f"a cell ran longer than {client.timeout} s; the kernel was stopped"
                        )
                        status[cell.id] = (False, f"timeout after {client.timeout} s", [])
                        _kill(client)
                        continue
                    except DeadKernelError:
                        stopped = "the kernel died (exit, crash or memory limit)"
                        status[cell.id] = (False, stopped, [])
                        continue
                    except Exception as err:  # noqa: BLE001 - anything else fails closed
                        stopped = f"the kernel stopped answering ({type(err).__name__})"
                        status[cell.id] = (False, stopped, [])
                        _kill(client)
                        continue
                    status[cell.id] = _judge(
                        cell,
                        expected[cell.id],
                        reference.role.get(cell.id),
                        comparer,
                        must_raise=cell.id in must_raise,
                    )
        except Exception as err:  # noqa: BLE001 - the kernel did not start: every cell fails
            reason = f"the kernel could not run the notebook ({type(err).__name__}: {err})"
            report = _failed_all(reference, student, submission, reason)
            report.problems.append(reason)
            report.warnings = warnings
            return report
        finally:
            _kill(client)  # nbclient leaves a kernel manager it was given running
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    results = []
    for name, ex in reference.exercises.items():
        failure = None
        for cid in ex["solution"] + ex["check"] + ex["hidden"]:
            ok, reason, details = status.get(cid, (False, "not run", []))
            if not ok:
                failure = ExerciseResult(name, False, reason, details)
                break
        results.append(failure or ExerciseResult(name, True))
    problems = []
    for cid, (_exercise, kind) in reference.role.items():
        if kind == "other":
            ok, reason, _ = status.get(cid, (False, "not run", []))
            if not ok and not reason.startswith("not run"):
                problems.append(f"the course's cell {cid!r} failed: {reason}")
    if stopped and not any(stopped in p for p in problems):
        problems.append(stopped)
    return SubmissionReport(
        student,
        submission,
        reference.chapter,
        results,
        problems,
        warnings,
        time.monotonic() - start,
    )


def _kill(client):
    from jupyter_core.utils import run_sync

    try:
        if run_sync(client.km.is_alive)():
            run_sync(client.km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - already gone
        pass


def _judge(cell, expected, role, comparer, must_raise=False):
    """(ok, reason, details) for a cell that ran."""
    exercise, kind = role or (None, "other")
    errors = [o for o in cell.outputs if o.get("output_type") == "error"]
    if kind == "solution":
        if errors:
            e = errors[0]
            if e.get("ename") == "NotImplementedError":
                return False, "not solved yet", []
            return (
                False,
                f"the solution raised {e.get('ename')}",
                [f"{e.get('ename')}: {e.get('evalue')}"],
            )
        return True, "", []
    if must_raise:
        # The reference tags this cell raises-exception (the submission's tags count for
        # nothing): it passes when it raised the stored error (nbval compares the error's
        # name and message, not the traceback).
        if not errors:
            return False, "a cell that must raise an error did not", []
        if not comparer.same(cell.outputs, expected):
            return False, "output differs from the reference", []
        return True, "", []
    if kind == "hidden":
        if errors:
            return False, f"a hidden check failed ({errors[0].get('ename')})", []
        if not comparer.same(cell.outputs, expected):
            return False, "a hidden check failed (its output differs)", []
        return True, "", []
    if errors:
        e = errors[0]
        return False, f"the check raised {e.get('ename')}", [f"{e.get('ename')}: {e.get('evalue')}"]
    if not comparer.same(cell.outputs, expected):
        if kind == "check":
            return (
                False,
                "output differs from the reference",
                [
                    "expected:\n" + _text_of(expected).rstrip(),
                    "produced:\n" + _text_of(cell.outputs).rstrip(),
                ],
            )
        return False, "output differs from the reference", []
    return True, "", []


# -- a class at once -------------------------------------------------------------------


def _read_submission(path):
    """The submission's text, or the reason it cannot be read.

    Read by the command, not the worker.
    """
    try:
        return Path(path).read_bytes().decode("utf-8"), None
    except (OSError, UnicodeDecodeError) as err:
        return None, f"unreadable submission: {err}"


def _task(reference, rules, text, problem, path, student, options):
    """One submission graded (runs in a worker process, local or on a Dask cluster)."""
    if problem:
        report = _failed_all(reference, student, str(path), problem)
        report.problems.append(problem)
        return report
    return grade_submission(
        reference, rules, text, student=student, submission=str(path), **options
    )


def grade_many(jobs, *, n_jobs=None, scheduler=None, **options) -> list:
    """Grade ``(reference, rules, path, student)`` jobs in parallel through joblib.

    ``n_jobs`` workers of joblib's ``loky`` backend (default: the number of
    cores), or, with ``scheduler="tcp://HOST:PORT"``, the workers of a Dask
    cluster through joblib's ``dask`` backend (each task grades one submission
    in a kernel of the worker's own environment). The submissions are read
    here and sent to the workers as text, so workers need no shared folder.
    Returns the reports in the order of ``jobs``.
    """
    from joblib import Parallel, delayed, parallel_backend

    tasks = [
        delayed(_task)(ref, rules, *_read_submission(path), path, student, options)
        for ref, rules, path, student in jobs
    ]
    if scheduler:
        from distributed import Client

        with Client(scheduler) as client, parallel_backend("dask", client=client):
            return Parallel(n_jobs=-1)(tasks)
    n_jobs = n_jobs or os.cpu_count() or 1
    if n_jobs == 1 or len(tasks) == 1:
        return Parallel(n_jobs=1)(tasks)
    return Parallel(n_jobs=n_jobs, backend="loky")(tasks)
