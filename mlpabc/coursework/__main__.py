"""Command line of :mod:`mlpabc.coursework`.

    python -m mlpabc.coursework release CHAPTER.ipynb [CHAPTER.ipynb ...] --out DIR
    python -m mlpabc.coursework grade NOTEBOOK.ipynb [NOTEBOOK.ipynb ...]
"""

from __future__ import annotations

import argparse
import sys

from . import grade, release


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mlpabc.coursework",
        description="Release student notebooks from the chapters, and grade completed ones.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="write student notebooks (solutions replaced by stubs)")
    rel.add_argument("notebooks", nargs="+", help="chapter notebooks")
    rel.add_argument("--out", required=True, help="folder for the student notebooks")
    gra = sub.add_parser("grade", help="grade completed notebooks with strict nbval")
    gra.add_argument("notebooks", nargs="+", help="completed student notebooks")
    gra.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = parser.parse_args(argv)

    try:
        if args.command == "release":
            for path in release(args.notebooks, args.out):
                print(f"wrote {path}")
            return 0
        ok = True
        for path in args.notebooks:
            report = grade(path, timeout=args.timeout)
            if len(args.notebooks) > 1:
                print(f"\n{report.notebook.name}")
            print(report.table())
            ok = ok and report.passed
        return 0 if ok else 1
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
