"""Code in the chapters fits the website's code box: no code line wider than 88 columns.

`make format-notebooks` (ruff format over the notebooks) does most of it; long comments
and strings are shortened by hand (a string is split into adjacent literals, so what it
prints does not change).
"""

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
WIDTH = 88  # characters the website's code box shows without scrolling


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
