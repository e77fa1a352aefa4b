"""The chapters run wherever a student opens them: Colab, Binder, any Jupyter.

* Every chapter's first code cell installs ``mlpabc`` where it is missing, from
  the repository configured in ``_config.yml`` (the setting behind the launch
  buttons), prints nothing where it is installed, and quiets TensorFlow first.
* Every chapter names the course's kernel, with ``language`` for the fallback.
* ``binder/`` installs the package with its Keras extra at the pinned versions.
* The launch buttons Jupyter Book makes point to the configured repository.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
import tomllib
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import install_cell  # noqa: E402  (scripts/install_cell.py)

NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_notebook_is_checked():
    names = {p.name[:2] for p in NOTEBOOKS}
    assert {
        f"{n:02d}" for n in range(1, 14)
    } <= names and "pe" in names  # chapters 01-13, the appendix


# -- Colab: the first code cell ------------------------------------------------------------------


def test_the_install_cell_is_made_from_the_one_repository_setting():
    url, branch = (
        CONFIG["repository"]["url"].rstrip("/"),
        CONFIG["repository"].get("branch", "main"),
    )
    assert install_cell.repository() == (url, branch)
    source = install_cell.cell_source()
    assert f'%pip install --quiet "mlpabc[keras] @ git+{url}@{branch}"' in source
    assert source.count("http") == 1  # no second, hard-coded address


def test_a_changed_repository_setting_changes_the_cell(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text(
        "repository:\n  url: https://example.org/course/mlpabc.git/\n  branch: fall-2027\n"
    )
    assert install_cell.pip_requirement(config) == (
        "mlpabc[keras] @ git+https://example.org/course/mlpabc@fall-2027"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_chapter_starts_with_the_install_cell_and_names_the_course_kernel(path):
    nb = nbformat.read(path, as_version=4)
    assert install_cell.problems(nb, install_cell.cell_source()) == [], (
        f"{path.name}: run `python scripts/install_cell.py`, "
        f"then `make execute CHAPTERS=chapters/{path.name}`"
    )
    cell = nb.cells[install_cell.first_code_index(nb)]
    assert (
        cell.outputs == []
    )  # where mlpabc is installed the cell prints nothing: nbval compares ""
    ids = [c.id for c in nb.cells]
    assert len(ids) == len(set(ids))
    # Quiet TensorFlow before anything can import it: no import in the notebook comes earlier.
    before = "".join(
        c.source for c in nb.cells[: install_cell.first_code_index(nb)] if c.cell_type == "code"
    )
    assert before == ""


def test_the_check_mode_of_the_script_passes():
    assert install_cell.main(["--check"]) == 0


_SIMULATION = textwrap.dedent(
    """
    import json, os, sys
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    for key in ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND"):
        os.environ.pop(key, None)
    missing = sys.argv[2] == "missing"
    if missing:
        sys.modules["mlpabc"] = None  # `import mlpabc` raises ImportError, as on Colab
    shell = InteractiveShell.instance()
    calls = []
    # record, do not install
    shell.register_magic_function(lambda line: calls.append(line), "line", "pip")
    with capture_output() as out:
        result = shell.run_cell(open(sys.argv[1], encoding="utf-8").read())
    print(json.dumps({
        "ok": result.success, "pip": calls, "stdout": out.stdout, "stderr": out.stderr,
        "env": {k: os.environ.get(k) for k in (
            "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND")},
        "tensorflow_imported": "tensorflow" in sys.modules,
    }))
    """
)


@pytest.mark.parametrize("situation", ["missing", "installed"])
def test_the_install_cell_in_a_simulated_colab_and_in_the_course_environment(tmp_path, situation):
    """Runs the cell in a fresh IPython shell; %pip is recorded instead of run."""
    cell = tmp_path / "cell.py"
    cell.write_text(install_cell.cell_source(), encoding="utf-8")
    script = tmp_path / "simulate.py"
    script.write_text(_SIMULATION, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(cell), situation],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["ok"] and report["stdout"] == "" and report["stderr"] == ""
    assert report["env"] == {
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TF_ENABLE_ONEDNN_OPTS": "0",
        "KERAS_BACKEND": "tensorflow",
    }
    assert not report["tensorflow_imported"]
    url, branch = install_cell.repository()
    expected = (
        [f'install --quiet "mlpabc[keras] @ git+{url}@{branch}"'] if situation == "missing" else []
    )
    assert report["pip"] == expected


def test_the_kernel_settings_of_the_cell_are_those_of_the_course_kernel():
    config = (ROOT / "scripts" / "ipython_kernel_config.py").read_text(encoding="utf-8")
    settings = dict(re.findall(r'os\.environ\.setdefault\("(\w+)", "(\w+)"\)', config))
    cell = dict(
        re.findall(r'os\.environ\.setdefault\("(\w+)", "(\w+)"\)', install_cell.cell_source())
    )
    assert cell == settings and settings


# -- Binder --------------------------------------------------------------------------------------


def _requirement_lines():
    text = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8")
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def test_binder_installs_the_package_with_keras_at_the_pinned_versions():
    lines = _requirement_lines()
    assert "-c ../constraints.txt" in lines  # nested paths are relative to binder/requirements.txt
    assert (ROOT / "binder" / "../constraints.txt").is_file()
    assert ".[keras]" in lines  # a local path: repo2docker installs it from the repository root
    extras = PYPROJECT["project"]["optional-dependencies"]
    for line in lines:
        match = re.fullmatch(r"\.\[([\w,]+)\]", line)
        if match:
            assert set(match.group(1).split(",")) <= set(extras)


def test_binder_runs_a_python_the_package_and_the_constraints_accept():
    from packaging.specifiers import SpecifierSet

    runtime = (ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    version = re.fullmatch(r"python-(3\.\d+)", runtime).group(1)
    assert f"{version}.0" in SpecifierSet(PYPROJECT["project"]["requires-python"])


def test_binder_post_build_sets_up_the_course_kernel():
    post_build = ROOT / "binder" / "postBuild"
    text = post_build.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash") and "set -euo pipefail" in text
    assert "python scripts/setup_kernel.py" in text
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"


# -- launch buttons ------------------------------------------------------------------------------


def _repo_parts():
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)/?", CONFIG["repository"]["url"])
    assert match, "the launch buttons need a GitHub repository URL"
    return match.group(1), match.group(2), CONFIG["repository"].get("branch", "main")


def test_the_sphinx_configuration_jupyter_book_makes_points_to_the_repository():
    from jupyter_book.config import get_final_config

    config, _ = get_final_config(
        user_yaml=ROOT / "_config.yml", cli_config={"latex_individualpages": False}, sourcedir=ROOT
    )
    options = config["html_theme_options"]
    assert options["repository_url"] == CONFIG["repository"]["url"]
    assert options["repository_branch"] == CONFIG["repository"].get("branch", "main")
    assert options["launch_buttons"]["binderhub_url"] and options["launch_buttons"]["colab_url"]
    assert options["use_repository_button"] is True


def test_the_built_site_launches_the_configured_repository():
    page = ROOT / "_build" / "html" / "chapters" / "01_regression.html"
    if not page.is_file():
        pytest.skip("the website is not built (make book)")
    org, repo, branch = _repo_parts()
    html = page.read_text(encoding="utf-8")
    assert f"https://mybinder.org/v2/gh/{org}/{repo}/{branch}?urlpath=" in html
    assert (
        f"https://colab.research.google.com/github/{org}/{repo}/blob/{branch}/chapters/01_regression.ipynb"
        in html
    )
    assert f'href="https://github.com/{org}/{repo}"' in html


# -- the course's kernel -------------------------------------------------------------------------


def test_make_env_registered_the_course_kernel_for_this_environment():
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(install_cell.KERNELSPEC["name"])
    assert spec.display_name == install_cell.KERNELSPEC["display_name"] == "Python (MLP ABC)"
    assert spec.language == install_cell.KERNELSPEC["language"]
    assert Path(spec.argv[0]).parent.parent == Path(sys.prefix), (
        "run `make env` (scripts/setup_kernel.py)"
    )
    settings = Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.py"
    assert settings.read_text() == (ROOT / "scripts" / "ipython_kernel_config.py").read_text()


def test_make_lab_allows_root_and_make_env_registers_the_kernel():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "jupyter lab chapters $(if $(filter 0,$(shell id -u)),--allow-root)" in makefile
    assert "$(PY) scripts/setup_kernel.py" in makefile
    assert '--name mlpabc --display-name "Python (MLP ABC)"' in (ROOT / "README.md").read_text(
        encoding="utf-8"
    )
