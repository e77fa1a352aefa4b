"""Write (or check) the first code cell of every chapter: install mlpabc where it is missing.

Usage::

    python scripts/install_cell.py            # insert or update the cell in every chapter
    python scripts/install_cell.py --check    # exit 1 if a chapter's cell is missing or stale

A chapter opened in Colab (the site's launch button) runs in a Python that has
TensorFlow but not ``mlpabc``. The first code cell of every chapter therefore

* quiets TensorFlow's start-up log (the settings of
  ``scripts/ipython_kernel_config.py``) before anything imports Keras;
* installs the package with its Keras extra from the repository when
  ``import mlpabc`` fails, with ``%pip``, into the running kernel;
* prints nothing when ``mlpabc`` is installed (``make``'s environment, Binder,
  a student's own environment), so strict nbval compares an empty output.

The repository URL and branch come from ``repository.url`` and
``repository.branch`` in ``_config.yml``: the one setting that also drives the
site's repository, Binder and Colab buttons. A host who changes it runs this
script and re-executes the chapters (``make execute``). The cell is tagged
``remove-cell``: the website shows the chapters' outputs, and this cell has
none. The script also names the course's kernel, "Python (MLP ABC)", in every
chapter's metadata (``scripts/setup_kernel.py`` registers it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "_config.yml"

#: The first line of the cell; it identifies the cell when the script updates it.
MARKER = "# Runs anywhere: installs the course's package when it is missing (Colab)."
TAGS = ["remove-cell"]

#: The kernel registered by scripts/setup_kernel.py. Where no kernel of that name exists,
#: JupyterLab falls back to the one Python kernel it has (it matches "language"), Colab to its
#: own Python; `make execute` and nbval (--nbval-current-env) use this environment's kernel.
KERNELSPEC = {"name": "mlpabc", "display_name": "Python (MLP ABC)", "language": "python"}


def repository(config: Path = CONFIG) -> tuple[str, str]:
    """The repository URL (without a trailing slash or .git) and branch of _config.yml."""
    repo = yaml.safe_load(config.read_text(encoding="utf-8"))["repository"]
    url = str(repo["url"]).rstrip("/")
    url = url[: -len(".git")] if url.endswith(".git") else url
    return url, str(repo.get("branch") or "main")


def pip_requirement(config: Path = CONFIG) -> str:
    """The requirement the cell installs: ``mlpabc[keras] @ git+<url>@<branch>``."""
    url, branch = repository(config)
    return f"mlpabc[keras] @ git+{url}@{branch}"


def cell_source(config: Path = CONFIG) -> str:
    """The text of the first code cell, for the repository configured in _config.yml."""
    return "\n".join(
        [
            MARKER,
            "import os",
            "",
            "# Set before TensorFlow loads: no start-up log lines, the book's numerics.",
            'os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")',
            'os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")',
            'os.environ.setdefault("KERAS_BACKEND", "tensorflow")',
            "try:",
            "    import mlpabc",
            "except ImportError:",
            f'    %pip install --quiet "{pip_requirement(config)}"',
        ]
    )


def first_code_index(nb) -> int:
    return next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")


def has_install_cell(nb) -> bool:
    cell = nb.cells[first_code_index(nb)]
    return cell.source.startswith(MARKER)


def update(nb, source: str) -> bool:
    """Insert or refresh the cell and the kernelspec; True if the notebook changed."""
    before = nbformat.writes(nb)
    if has_install_cell(nb):
        cell = nb.cells[first_code_index(nb)]
        cell.source = source
        cell.metadata["tags"] = list(TAGS)
    else:
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(TAGS)})  # a new cell id
        nb.cells.insert(first_code_index(nb), cell)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    return nbformat.writes(nb) != before


def problems(nb, source: str) -> list[str]:
    """What is wrong with a chapter's install cell and kernelspec (empty when nothing)."""
    found = []
    cell = nb.cells[first_code_index(nb)]
    if not cell.source.startswith(MARKER):
        found.append("its first code cell is not the install cell")
    elif cell.source != source:
        found.append("its install cell does not match repository.url in _config.yml")
    elif cell.metadata.get("tags") != TAGS:
        found.append(f"its install cell is not tagged {TAGS}")
    if dict(nb.metadata.get("kernelspec", {})) != KERNELSPEC:
        found.append(f"its kernelspec is not {KERNELSPEC}")
    return found


def chapter_paths() -> list[Path]:
    return sorted((ROOT / "chapters").glob("*.ipynb"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every chapter")
    args = parser.parse_args(argv)
    source = cell_source()
    stale = []
    for path in args.notebooks or chapter_paths():
        nb = nbformat.read(path, as_version=4)
        if args.check:
            stale += [f"{path.name}: {p}" for p in problems(nb, source)]
        elif update(nb, source):
            nbformat.write(nb, path)
            rel = path.relative_to(ROOT)
            print(f"updated {path.name} (re-execute it: make execute CHAPTERS={rel})")
    for line in stale:
        print(line, file=sys.stderr)
    if stale:
        print("run: python scripts/install_cell.py, then make execute", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
