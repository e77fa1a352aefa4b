"""Command line of :mod:`mlpabc.coursework`.

    python -m mlpabc.coursework release CHAPTER.ipynb [CHAPTER.ipynb ...] --out DIR
    python -m mlpabc.coursework grade SUBMISSION.ipynb [...] [--reference CHAPTER.ipynb|DIR]
        [--jobs N | --scheduler tcp://HOST:PORT] [--gradebook grades.csv] [--feedback DIR]
        [--timeout 120] [--total-timeout S] [--max-memory 4GB]

Exit status of ``grade``: 0 when every exercise of every submission passes,
1 when some fail, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

from . import SANITIZE_FILE, release, resolve_reference
from .grader import DEFAULT_MAX_MEMORY, DEFAULT_TIMEOUT, grade_many, read_reference, read_rules

_COLUMNS = ["student", "submission", "chapter", "exercise", "passed", "reason"]


def _memory(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected a size such as 4GB or 512MB, got {text!r}")
    scale = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mlpabc.coursework",
        description="Release student notebooks from the chapters, and grade completed ones.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser(
        "release",
        help="write student notebooks (solutions replaced by stubs, hidden checks removed)",
    )
    rel.add_argument("notebooks", nargs="+", help="chapter notebooks")
    rel.add_argument("--out", required=True, help="folder for the student notebooks")
    gra = sub.add_parser(
        "grade",
        help="grade completed notebooks against the reference chapters",
        description="Grade submissions: the reference chapter supplies every cell "
        "but the solution cells' code. "
        "The student is the name of the folder holding the submission.",
    )
    gra.add_argument(
        "notebooks",
        nargs="+",
        help="completed student notebooks, e.g. submissions/*/05_backprop.ipynb",
    )
    gra.add_argument(
        "--reference",
        help="the reference chapter, or a folder of chapters matched by file name "
        "(default: the course's chapters/, when this package runs from a copy of the repository)",
    )
    gra.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="submissions graded at once (default: number of cores)",
    )
    gra.add_argument(
        "--scheduler", help="grade on a Dask cluster: its scheduler address, tcp://HOST:PORT"
    )
    gra.add_argument(
        "--gradebook", help="write a CSV: student, submission, chapter, exercise, passed, reason"
    )
    gra.add_argument("--feedback", help="folder for one feedback file per submission")
    gra.add_argument(
        "--timeout",
        type=_positive,
        default=DEFAULT_TIMEOUT,
        help=f"seconds per cell, then the kernel is killed (default {DEFAULT_TIMEOUT})",
    )
    gra.add_argument(
        "--total-timeout",
        type=_positive,
        default=None,
        help="seconds per notebook (default: 20 times --timeout)",
    )
    gra.add_argument(
        "--max-memory",
        type=_memory,
        default=DEFAULT_MAX_MEMORY,
        help="memory cap of each kernel, e.g. 4GB (default 4GB; 0 for none)",
    )
    return parser


def _feedback_name(report) -> str:
    safe = re.sub(r"[^\w.-]+", "_", f"{report.student}__{report.chapter}")
    return f"{safe}.txt"


def main(argv=None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0

    if args.command == "release":
        try:
            for path in release(args.notebooks, args.out):
                print(f"wrote {path}")
        except (FileNotFoundError, ValueError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        return 0

    if args.jobs is not None and args.jobs < 1:
        print(
            f"error: --jobs must be a positive integer. Got {args.jobs} instead.", file=sys.stderr
        )
        return 2
    if args.scheduler and args.jobs is not None:
        print("error: give either --jobs or --scheduler, not both.", file=sys.stderr)
        return 2
    # Everything the verdict depends on is read here, before any student code runs.
    try:
        rules = read_rules(SANITIZE_FILE)
        references, jobs = {}, []
        for name in args.notebooks:
            path = Path(name)
            if not path.is_file():
                raise FileNotFoundError(f"No notebook at {name!r}.")
            ref_path = resolve_reference(args.reference, path.name)
            key = str(ref_path.resolve())
            if key not in references:
                references[key] = read_reference(ref_path)
            jobs.append((references[key], rules, str(path), path.resolve().parent.name))
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    options = {
        "timeout": args.timeout,
        "total_timeout": args.total_timeout,
        "max_memory": args.max_memory,
    }
    reports = grade_many(jobs, n_jobs=args.jobs, scheduler=args.scheduler, **options)

    for report in reports:
        if len(reports) > 1:
            print(f"\n{report.student}: {report.submission}")
        print(report.table())
    if args.gradebook:
        Path(args.gradebook).parent.mkdir(parents=True, exist_ok=True)
        with open(args.gradebook, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=_COLUMNS)
            writer.writeheader()
            for report in reports:
                writer.writerows(report.rows())
    if args.feedback:
        folder = Path(args.feedback)
        folder.mkdir(parents=True, exist_ok=True)
        for report in reports:
            (folder / _feedback_name(report)).write_text(report.feedback(), encoding="utf-8")
    if len(reports) > 1:
        n_ok = sum(r.passed for r in reports)
        print(f"\n{n_ok}/{len(reports)} submissions fully correct")
    return 0 if all(r.passed for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
