"""The lint-odoo step on real OCA addon code (published wheels of the upgrade-scan corpus, cached; skipped when
pip cannot reach the registry, except under CI): pylint-odoo's messages become findings, the workflow chooses
which fail the build, and the worker stores them in ops.upgrade_findings with source pylint-odoo."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from odooops.dev import bench_upgrade_scan, demo, demo_repo, wheels
from odooops.runner import findings as runner_findings

from tests.conftest import ROOT
from tests.e2e.conftest import step

ADDON = "base_technical_user"


@pytest.fixture(scope="module")
def oca_addon() -> Path:
    """base_technical_user as published for 17.0: a manifest key pylint-odoo calls superfluous (C8116), and a
    str.format on a translation (E8151, an error)."""
    entries = [e for e in bench_upgrade_scan.load_corpus()["addons"] if e["name"] == ADDON]
    try:
        trees = bench_upgrade_scan.fetch(entries, bench_upgrade_scan.cache_dir(), echo=lambda _: None)
    except wheels.DownloadError as exc:
        why = f"pip could not download the corpus wheels: {exc}"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return trees[(ADDON, "17.0")]


def lint(src: Path, work: Path, *args: str, **env: str) -> tuple[subprocess.CompletedProcess, dict | None]:
    full = {**os.environ, "ODOOOPS_WORKDIR": str(work), "ODOOOPS_SOURCE_DIR": str(src),
            "ODOOOPS_ARTIFACTS_DIR": str(work / "artifacts"), "ODOOOPS_ODOO_SERIES": "17.0",
            "PYTHONPATH": str(ROOT / "harness"), **env}
    if "LINT_ODOO_FAIL_ON" not in env:
        full.pop("LINT_ODOO_FAIL_ON", None)
    proc = subprocess.run([sys.executable, "-m", "odooops.steps", "lint-odoo", *args], cwd=work, env=full,
                          capture_output=True, text=True, timeout=300)
    report = work / "artifacts" / "lint-odoo.json"
    return proc, (json.loads(report.read_text()) if report.exists() else None)


@pytest.fixture
def checkout(oca_addon, tmp_path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(oca_addon, src / ADDON)
    return src


def test_messages_become_findings_and_errors_fail_by_default(checkout, tmp_path):
    proc, report = lint(checkout, tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    by_code = {f["code"]: f for f in report["findings"]}
    assert {"manifest-superfluous-key", "translation-injection"} <= set(by_code)
    sup = by_code["manifest-superfluous-key"]
    assert (sup["message_id"], sup["severity"], sup["file"], sup["fails"]) == (
        "C8116", "convention", f"{ADDON}/__manifest__.py", False)
    assert sup["text"] == '"installable": True,' and sup["line"] >= 1 and sup["column"] >= 1
    inj = by_code["translation-injection"]
    assert (inj["severity"], inj["fails"]) == ("error", True)
    assert report["fail_on"] == ["error", "fatal"] and report["failing"] >= 1
    assert any(line.startswith("ERROR translation-injection (E8151, error) ") for line in proc.stdout.splitlines())
    # The worker's reading of the report: every finding is one the database takes.
    rows = runner_findings.rows("pylint-odoo", report)
    assert all(r["source"] == "pylint-odoo" and r["severity"] in ("convention", "warning", "error") for r in rows)


@pytest.mark.parametrize(("args", "env", "rc", "failing"), [
    (["--fail-on", "none"], {}, 0, set()),
    (["--fail-on", "manifest-superfluous-key"], {}, 1, {"manifest-superfluous-key"}),
    (["--fail-on", "C8116,W8302"], {}, 1, {"manifest-superfluous-key", "translation-format-interpolation"}),
    ([], {"LINT_ODOO_FAIL_ON": "convention"}, 1, {"manifest-superfluous-key"}),
    (["--disable", "translation-injection,translation-format-interpolation"], {}, 0, set()),
])
def test_the_workflow_chooses_what_fails_the_build(checkout, tmp_path, args, env, rc, failing):
    proc, report = lint(checkout, tmp_path, *args, **env)
    assert proc.returncode == rc, proc.stdout + proc.stderr
    assert {f["code"] for f in report["findings"] if f["fails"]} == failing
    if "--disable" in args:
        assert not {"translation-injection", "translation-format-interpolation"} & {
            f["code"] for f in report["findings"]}


def test_a_bad_fail_on_is_refused_before_linting(checkout, tmp_path):
    proc, report = lint(checkout, tmp_path, "--fail-on", "Errors!")
    assert proc.returncode == 1 and report is None
    assert "ERROR lint-odoo: --fail-on: 'Errors!' is not a pylint message symbol, id or type" in proc.stdout


def test_the_worker_stores_lint_findings_and_the_build_fails_on_errors(ops, oca_addon):
    ops.repo = ops.tmp / "oca-repo"
    files = {str(p.relative_to(oca_addon.parent)): p.read_text() for p in oca_addon.rglob("*")
             if p.is_file() and p.suffix in (".py", ".xml", ".csv", ".rst")}
    ops.commit = demo_repo.create(ops.repo, files, message="base_technical_user 17.0")
    ops.repo_url = ops.repo.as_uri()
    lint_steps = [demo.step("checkout", timeout_seconds=120), demo.step("lint-odoo", timeout_seconds=300)]
    ops.project(workflows={
        "lint": {"steps": lint_steps},
        "lint-lenient": {"steps": [lint_steps[0], {**lint_steps[1], "env": {"LINT_ODOO_FAIL_ON": "none"}}]},
        "hello": {"steps": [step("hello", "echo hello")]},
    })
    strict, lenient = ops.enqueue("lint"), ops.enqueue("lint-lenient")
    assert ops.worker("--drain").wait(120) == 0
    assert (ops.status(strict), ops.status(lenient)) == ("failed", "succeeded")
    for run_id in (strict, lenient):
        rows = ops.all("select source, code, severity, file from ops.upgrade_findings where run_id = %s"
                       " order by file, line, col, code", (run_id,))
        assert ("pylint-odoo", "manifest-superfluous-key", "convention", f"{ADDON}/__manifest__.py") in rows
        assert ("pylint-odoo", "translation-injection", "error", f"{ADDON}/models/models.py") in rows
    assert ops.run(strict)["error_message"].startswith("step 'lint-odoo' failed with exit code 1")
