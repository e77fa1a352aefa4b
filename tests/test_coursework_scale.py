"""A class at once on a Dask cluster, and the container recipe for untrusted classes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mlpabc import coursework

ROOT = Path(__file__).resolve().parent.parent


def _tiny(tmp_path):
    from test_coursework import _tiny_notebook  # the same miniature chapter (tests/ is on sys.path)

    ref = tmp_path / "09_tiny.ipynb"
    ref.write_text(json.dumps(_tiny_notebook()), encoding="utf-8")
    return ref


def test_grading_on_a_dask_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    ref = _tiny(tmp_path)
    (handout,) = coursework.release([ref], tmp_path / "handout")
    jobs = []
    reference = coursework.read_reference(ref)
    rules = coursework.read_rules(coursework.SANITIZE_FILE)
    for student, path in (("alice", ref), ("bob", handout)):
        folder = tmp_path / "subs" / student
        folder.mkdir(parents=True)
        shutil.copy(path, folder / ref.name)
        jobs.append((reference, rules, str(folder / ref.name), student))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        reports = coursework.grade_many(jobs, scheduler=cluster.scheduler_address, timeout=60)
    assert [r.student for r in reports] == ["alice", "bob"]
    assert reports[0].passed and reports[0].n_passed == 2
    assert reports[1].n_passed == 0 and reports[1].results[0].reason == "not solved yet"


@pytest.mark.skipif(
    not os.environ.get("MLPABC_CONTAINER_TEST"),
    reason="builds the grading image (minutes, needs a container runtime): "
    "set MLPABC_CONTAINER_TEST=1",
)
def test_container_recipe_grades_a_class(tmp_path):
    runtime = shutil.which("podman") or shutil.which("docker")
    if runtime is None or subprocess.run([runtime, "info"], capture_output=True).returncode != 0:
        pytest.skip("no working container runtime (docker or podman) on this machine")
    build = subprocess.run(
        [runtime, "build", "-t", "mlpabc-grader", "-f", "coursework/Containerfile", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    ref = _tiny(tmp_path)
    subs = tmp_path / "submissions" / "alice"
    subs.mkdir(parents=True)
    shutil.copy(ref, subs / ref.name)
    (tmp_path / "out").mkdir()
    run = subprocess.run(
        [
            runtime,
            "run",
            "--rm",
            "--network=none",
            "--read-only",
            "--tmpfs",
            "/tmp",
            "--memory=4g",
            "-v",
            f"{tmp_path}:/class:ro",
            "-v",
            f"{tmp_path / 'out'}:/out",
            "mlpabc-grader",
            "grade",
            "/class/submissions/alice/09_tiny.ipynb",
            "--reference",
            "/class/09_tiny.ipynb",
            "--gradebook",
            "/out/grades.csv",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "alice" in (tmp_path / "out" / "grades.csv").read_text()
