"""The course works outside its checkout, on every Python it promises.

Fast checks (part of ``make test-package``): ``requires-python``, the README,
Binder's Python and ``constraints.txt`` agree.

Slow checks (``make test-portability``, run by CI; they need the package index
and take minutes, so they are skipped unless ``MLPABC_PORTABILITY=1``):

* ``constraints.txt`` resolves for every promised minor version, from its
  first release (``pip install --dry-run --python-version 3.X``), and so does
  Binder's ``binder/requirements.txt``;
* the wheel built from the sources, installed with its Keras extra (pinned by
  ``constraints.txt``) into a fresh virtual environment outside the checkout,
  with the course's kernel registered the way the README tells students, runs
  three chapters copied to an empty folder: no error, no stderr.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tomllib
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
CHAPTERS = ["01_regression.ipynb", "04_forward.ipynb", "08_evaluation.ipynb"]  # the three tables

slow = pytest.mark.skipif(
    os.environ.get("MLPABC_PORTABILITY") != "1",
    reason="slow, needs the package index: run `make test-portability`",
)


def supported_minors() -> list[str]:
    """The minor versions 3.X whose first release requires-python accepts."""
    spec = SpecifierSet(PYPROJECT["project"]["requires-python"])
    return [f"3.{m}" for m in range(0, 30) if f"3.{m}.0" in spec]


def promised_minors() -> list[str]:
    """The versions the README promises, in its section 'Python versions'."""
    match = re.search(r"The course runs on \*\*Python ((?:3\.\d+, )*3\.\d+ and 3\.\d+)\*\*", README)
    assert match, (
        "README: the section 'Python versions' must say "
        "'The course runs on **Python 3.X, ... and 3.Z**'"
    )
    return re.findall(r"3\.\d+", match.group(1))


# -- fast: what is promised agrees everywhere ------------------------------------------------------


def test_requires_python_and_the_readme_promise_the_same_versions():
    assert supported_minors() == promised_minors()
    assert f'`requires-python = "{PYPROJECT["project"]["requires-python"]}"`' in README
    first, *middle, last = promised_minors()
    assert f"Python {', '.join([first, *middle])} or {last}" in README  # the 'Two commands' line


def test_the_tested_python_and_binders_python_are_promised():
    runtime = (ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    assert runtime.removeprefix("python-") in promised_minors()
    tested = re.search(r"the course is tested on (3\.\d+)", README).group(1)
    assert tested in promised_minors()
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in promised_minors()


def test_every_line_of_constraints_is_an_exact_pin():
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[A-Za-z0-9_.+]+", line), line


# -- slow: resolution on every promised Python --------------------------------------------------


def _dry_run(python_version: str, *requirements: str) -> subprocess.CompletedProcess:
    """pip's resolution for another Python, ignoring what this environment has installed."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--python-version",
            python_version,
            "--only-binary=:all:",
            "--report",
            "-",
            *requirements,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )


def _installed(done: subprocess.CompletedProcess) -> dict[str, str]:
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    return {
        item["metadata"]["name"].lower(): item["metadata"]["version"] for item in report["install"]
    }


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


@slow
@pytest.mark.slow
@pytest.mark.parametrize("version", promised_minors())
def test_the_constraints_resolve_on_every_promised_python(version):
    """3.X means 3.X.0, the first release: the strictest case of that minor version."""
    installed = _installed(_dry_run(version, "-c", "constraints.txt", ".[all]"))
    pins = _pins()
    for name, got in installed.items():
        key = re.sub(r"[-_.]+", "-", name)
        if key != "mlpabc":
            assert pins.get(key) == got, f"{name} {got} is not pinned in constraints.txt"


@slow
@pytest.mark.slow
def test_binders_requirements_resolve_for_binders_python():
    version = (
        (ROOT / "binder" / "runtime.txt")
        .read_text(encoding="utf-8")
        .strip()
        .removeprefix("python-")
    )
    installed = _installed(_dry_run(version, "-r", "binder/requirements.txt"))
    pins = _pins()
    for name in ("numpy", "tensorflow", "keras", "matplotlib", "scikit-learn"):
        assert installed[name] == pins[name]


# -- slow: the wheel, outside the checkout --------------------------------------------------------

_EXECUTE = textwrap.dedent(
    """
    import json, sys
    import nbformat
    from nbclient import NotebookClient
    from jupyter_client.kernelspec import KernelSpecManager

    report = {"kernel": KernelSpecManager().get_kernel_spec("mlpabc").resource_dir, "chapters": {}}
    for name in sys.argv[1:]:
        nb = nbformat.read(name, as_version=4)
        # no kernel_name: nbclient starts the kernel the chapter names in its metadata
        NotebookClient(nb, timeout=900, allow_errors=True, record_timing=False).execute()
        problems = []
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
                if out.output_type == "error":
                    problems.append(f"cell {i}: {out.ename}: {out.evalue}")
                elif out.output_type == "stream" and out.name == "stderr":
                    problems.append(f"cell {i}: stderr: {out.text[:500]}")
        report["chapters"][name] = problems
    print(json.dumps(report))
    """
)


def _copy_sources(dest: Path) -> Path:
    """What the wheel is built from, copied so the build leaves nothing in the checkout."""
    dest.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, dest / name)
    shutil.copytree(
        ROOT / "mlpabc", dest / "mlpabc", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    return dest


def _run(args, **kwargs):
    done = subprocess.run(args, capture_output=True, text=True, timeout=1800, **kwargs)
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@slow
@pytest.mark.slow
def test_the_wheel_runs_three_chapters_in_an_empty_folder(tmp_path):
    # 1. the wheel, built from a copy of the sources
    src = _copy_sources(tmp_path / "src")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path / "dist"),
            str(src),
        ]
    )
    (wheel,) = (tmp_path / "dist").glob("mlpabc-*.whl")

    # 2. a fresh environment outside the checkout: the wheel with Keras, pinned; a kernel as in
    #    the README
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = str(venv / "bin" / "python")
    _run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "-c",
            str(ROOT / "constraints.txt"),
            f"{wheel}[keras]",
            "ipykernel",
            "nbclient",
            "nbformat",
        ]
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("JUPYTER", "IPYTHON", "TF_", "KERAS", "MPLBACKEND", "PYTHON", "VIRTUAL_ENV")
        )
    }
    env |= {
        "JUPYTER_DATA_DIR": str(tmp_path / "jupyter-user"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),
        "IPYTHONDIR": str(tmp_path / "ipython"),
    }  # no kernel or setting of this machine's user
    _run(
        [
            python,
            "-m",
            "ipykernel",
            "install",
            "--sys-prefix",
            "--name",
            "mlpabc",
            "--display-name",
            "Python (MLP ABC)",
        ],
        env=env,
    )

    # 3. three chapters in an empty folder, run top to bottom in that environment
    work = tmp_path / "student"
    work.mkdir()
    for name in CHAPTERS:
        shutil.copy(ROOT / "chapters" / name, work / name)
    (work / "execute.py").write_text(_EXECUTE, encoding="utf-8")
    done = _run([python, "execute.py", *CHAPTERS], cwd=work, env=env)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(report["kernel"]).is_relative_to(venv), report["kernel"]
    assert report["chapters"] == {name: [] for name in CHAPTERS}
    installed = _run(
        [python, "-c", "import mlpabc, pathlib; print(pathlib.Path(mlpabc.__file__).parent)"],
        cwd=work,
        env=env,
    ).stdout.strip()
    assert Path(installed).is_relative_to(venv) and not Path(installed).is_relative_to(ROOT)
