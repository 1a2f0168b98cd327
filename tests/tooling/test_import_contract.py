"""The package boundary: the runner and the steps never import the repository's tooling.

The contract lives in pyproject.toml and `odooops check` runs `lint-imports`.
These tests run it on a copy of the package, once as it is and once with a
runner module importing odooops.dev, to show that the contract catches it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


@pytest.fixture
def package_copy(tmp_path):
    shutil.copytree(ROOT / "harness" / "odooops", tmp_path / "harness" / "odooops",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root / "harness"), "NO_COLOR": "1"}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", str(root / "pyproject.toml")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_the_package_keeps_its_contract(package_copy):
    proc = lint_imports(package_copy)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 kept, 0 broken" in proc.stdout


def test_a_runner_module_importing_dev_tooling_breaks_it(package_copy):
    storage = package_copy / "harness" / "odooops" / "runner" / "storage.py"
    storage.write_text(storage.read_text() + "\nfrom ..dev.target import project_root  # noqa\n")
    proc = lint_imports(package_copy)
    assert proc.returncode != 0
    assert "odooops.runner is not allowed to import odooops.dev" in proc.stdout
    assert "odooops.runner.storage -> odooops.dev.target" in proc.stdout


def test_a_step_importing_a_dev_tool_breaks_it(package_copy):
    step = package_copy / "harness" / "odooops" / "steps" / "compile.py"
    step.write_text(step.read_text() + "\nimport sqlfluff  # noqa\n")
    proc = lint_imports(package_copy)
    assert proc.returncode != 0
    assert "odooops.steps is not allowed to import sqlfluff" in proc.stdout


def test_the_notifier_importing_the_cli_breaks_it(package_copy):
    module = package_copy / "harness" / "odooops" / "notifier" / "providers.py"
    module.write_text(module.read_text() + "\nfrom ..cli import output  # noqa\n")
    proc = lint_imports(package_copy)
    assert proc.returncode != 0
    assert "odooops.notifier is not allowed to import odooops.cli" in proc.stdout


def test_the_runner_importing_the_notifier_breaks_it(package_copy):
    module = package_copy / "harness" / "odooops" / "runner" / "storage.py"
    module.write_text(module.read_text() + "\nfrom ..notifier import providers  # noqa\n")
    proc = lint_imports(package_copy)
    assert proc.returncode != 0
    assert "odooops.runner is not allowed to import odooops.notifier" in proc.stdout
