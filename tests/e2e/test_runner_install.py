"""What a build host installs: `pip install odooops` alone, in a fresh virtualenv.

It must bring what the worker and the built-in steps need (psycopg,
manifestoo-core) and none of the repository's tooling, answer
`odooops worker --help`, and build a real run against a migrated database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import step

pytestmark = pytest.mark.slow

DEV_TOOLS = ("sqlfluff", "pytest", "testcontainers", "moto", "import-linter", "boto3")


@pytest.fixture(scope="module")
def runner_venv(tmp_path_factory):
    """A virtualenv with `pip install <a copy of this repository>`, pinned by requirements.lock."""
    base = tmp_path_factory.mktemp("runner-install")
    src = base / "src"
    shutil.copytree(ROOT / "harness" / "odooops", src / "harness" / "odooops",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "requirements.lock"):
        shutil.copy(ROOT / name, src / name)
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=False)  # this checkout's pip installs into it: no pip of its own to set up
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python"), "install", "-q",
         "--disable-pip-version-check", "-c", str(src / "requirements.lock"), str(src)],
        capture_output=True, text=True, timeout=600,
    )
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return env_dir


def test_the_runner_install_brings_no_dev_tooling(runner_venv):
    frozen = subprocess.run([sys.executable, "-m", "pip", "--python", str(runner_venv / "bin" / "python"), "list",
                             "--format=json", "--disable-pip-version-check"],
                            capture_output=True, text=True, check=True).stdout
    names = {p["name"].lower().replace("_", "-") for p in json.loads(frozen)}
    assert {"odooops", "psycopg", "manifestoo-core", "docker", "lxml"} <= names
    assert not names & set(DEV_TOOLS), names & set(DEV_TOOLS)


def test_the_runner_install_answers_worker_help(runner_venv):
    proc = subprocess.run([str(runner_venv / "bin" / "odooops"), "worker", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: odooops worker")
    assert "--database-url" in proc.stdout


def test_the_runner_install_builds_a_real_run(runner_venv, ops):
    """checkout, validate-manifests, compile and package of the demo repository, by the installed worker."""
    ops.project(workflows={"build": {"steps": [
        step("checkout", "python -m odooops.steps checkout"),
        step("validate", "python -m odooops.steps validate-manifests"),
        step("compile", "python -m odooops.steps compile"),
        step("package", "python -m odooops.steps package"),
    ]}})
    run_id = ops.enqueue("build")
    # Nothing of this checkout's virtualenv on the way: steps find the installed package only.
    path = os.pathsep.join(p for p in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep)
                           if p and not p.startswith(sys.prefix))
    env = {"PATH": path, "HOME": str(ops.tmp),
           "DOCKER_HOST": f"unix://{ops.tmp}/no-docker.sock"}
    proc = subprocess.run(
        [str(runner_venv / "bin" / "odooops"), "worker", "--database-url", ops.db.conninfo("service_role"),
         "--worker-id", "build-host-1", "--once", "--json", "--artifacts-dir", str(ops.tmp / "store"),
         "--work-dir", str(ops.tmp / "work")],
        capture_output=True, text=True, timeout=180, env=env, cwd=ops.tmp,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run = ops.run(run_id)
    assert run["status"] == "succeeded", (run, proc.stdout)
    assert run["worker_id"] == "build-host-1"
    messages = [m for _, _, _, m, _ in ops.logs(run_id)]
    assert any(m.startswith("checked out ") for m in messages), messages
    assert any(" valid, 0 invalid" in m for m in messages), messages
    artifacts = ops.all("select artifact_key, storage_url from ops.run_artifacts where run_id = %s", (run_id,))
    assert len(artifacts) == 1 and artifacts[0][0].endswith(".tar.gz"), artifacts
    assert artifacts[0][1].startswith((ops.tmp / "store").as_uri())
