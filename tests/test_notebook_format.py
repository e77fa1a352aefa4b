"""Code in the chapters fits the website's code box: no code line wider than 88 columns.

`make format-notebooks` (ruff format over the notebooks) does most of it; long comments
and strings are shortened by hand. Not yet true for the chapters: the mark below goes
when the chapters have been formatted (it is strict, so the test fails as soon as
they fit and the mark is still there).
"""

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
WIDTH = 88  # characters the website's code box shows without scrolling


@pytest.mark.xfail(
    strict=True,
    reason="the chapters are not formatted yet: run `make format-notebooks`, then remove this mark",
)
def test_no_code_line_is_wider_than_the_code_box():
    wide = []
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            for line in cell.source.splitlines():
                if len(line) > WIDTH:
                    wide.append(
                        f"{path.name} cell {cell.get('id')}: {len(line)} columns: {line[:60]}..."
                    )
    assert not wide, f"{len(wide)} code lines wider than {WIDTH} columns:\n" + "\n".join(wide)
