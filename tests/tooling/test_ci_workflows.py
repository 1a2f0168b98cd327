"""The GitHub workflows and their composite action: the gates of `odooops check` that validate them
fail on a broken copy, and the Supabase CLI job's script passes here and fails on a broken migration.

The gates (`workflow files`, `action files`, `actionlint` in `gate_steps()`) run on a copy of
`.github`, once as it is and once with one mistake each, as `make test` runs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from odooops.cli.check import gate_steps

from tests.conftest import ROOT

WORKFLOW_GATES = ("workflow files", "action files", "actionlint")
TESTS_WORKFLOW = Path(".github/workflows/odooops-tests.yml")
SPEC_GATES_WORKFLOW = Path(".github/workflows/odooops-sh-spec-gates.yml")
SETUP_ACTION = Path(".github/actions/setup/action.yml")
PUSH_SCRIPT = ROOT / ".github" / "scripts" / "supabase_db_push.sh"
SUPABASE = ROOT / "node_modules" / ".bin" / "supabase"


@pytest.fixture
def github_copy(tmp_path):
    shutil.copytree(ROOT / ".github", tmp_path / ".github")
    # actionlint reads the local actions (`uses: ./.github/actions/...`) of a project only, which
    # it finds by its `.git`: a clone has one, the copy gets an empty one.
    (tmp_path / ".git").mkdir()
    return tmp_path


def run_gates(root: Path) -> dict[str, subprocess.CompletedProcess]:
    steps = dict(gate_steps(root))
    assert set(WORKFLOW_GATES) <= set(steps), sorted(steps)
    return {name: subprocess.run(steps[name], cwd=root, capture_output=True, text=True, timeout=120)
            for name in WORKFLOW_GATES}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def failed(results: dict[str, subprocess.CompletedProcess]) -> dict[str, str]:
    return {name: p.stdout + p.stderr for name, p in results.items() if p.returncode != 0}


def test_the_workflows_and_the_action_pass_every_gate(github_copy):
    assert failed(run_gates(github_copy)) == {}


def test_a_workflow_that_breaks_the_schema_fails(github_copy):
    edit(github_copy / TESTS_WORKFLOW, "    runs-on: ubuntu-24.04\n", "    run-on: ubuntu-24.04\n")
    bad = failed(run_gates(github_copy))
    assert set(bad) == {"workflow files", "actionlint"}, bad
    assert "odooops-tests.yml" in bad["workflow files"]
    assert '"runs-on" section is missing in job' in bad["actionlint"]


def test_an_input_the_action_does_not_have_fails_actionlint(github_copy):
    edit(github_copy / TESTS_WORKFLOW, "          postgres: ${{ matrix.postgres }}\n",
         "          postgre: ${{ matrix.postgres }}\n")
    bad = failed(run_gates(github_copy))
    assert set(bad) == {"actionlint"}, bad
    assert 'input "postgre" is not defined in action "OdooOps setup"' in bad["actionlint"]


def test_an_undefined_matrix_property_fails_actionlint(github_copy):
    edit(github_copy / TESTS_WORKFLOW, "name: test-reports-postgres-${{ matrix.postgres }}",
         "name: test-reports-postgres-${{ matrix.postgress }}")
    bad = failed(run_gates(github_copy))
    assert set(bad) == {"actionlint"}, bad
    assert 'property "postgress" is not defined' in bad["actionlint"]


def test_an_action_without_runs_using_fails_the_action_schema(github_copy):
    edit(github_copy / SETUP_ACTION, "  using: composite\n", "")
    bad = failed(run_gates(github_copy))
    assert "action files" in bad, bad
    assert "action.yml" in bad["action files"]


def jobs(path: Path) -> dict:
    return yaml.safe_load((ROOT / path).read_text())["jobs"]


def test_every_job_that_needs_the_tools_installs_them_with_the_shared_action():
    for workflow in (TESTS_WORKFLOW, SPEC_GATES_WORKFLOW):
        for name, job in jobs(workflow).items():
            runs = " ".join(s.get("run", "") for s in job["steps"])
            if ".venv/" in runs or "make " in runs or ".github/scripts/" in runs:
                uses = [s.get("uses") for s in job["steps"]]
                assert "./.github/actions/setup" in uses, f"{workflow}: job {name}"


def test_the_tests_run_make_test_and_push_the_migrations_on_both_supabase_majors():
    tests = jobs(TESTS_WORKFLOW)
    for name, job in tests.items():
        assert job["strategy"]["matrix"]["postgres"] == ["15", "17"], name
    assert any(s.get("run") == "make test" for s in tests["make-test"]["steps"])
    assert tests["make-test"]["env"]["ODOOOPS_PG_BINDIR"] == "/usr/lib/postgresql/${{ matrix.postgres }}/bin"
    assert any(s.get("run") == ".github/scripts/supabase_db_push.sh" for s in tests["supabase-db-push"]["steps"])


# -- the Supabase CLI job ------------------------------------------------------------------
needs_cli = pytest.mark.skipif(not SUPABASE.exists(), reason=f"Supabase CLI not installed at {SUPABASE}")


def push_script(tmp_path: Path, migrations: Path) -> subprocess.CompletedProcess:
    """The job's script in a folder of its own: config.toml, the migrations, its own `db up` cluster."""
    work = tmp_path / "work"
    (work / "supabase").mkdir(parents=True)
    shutil.copy(ROOT / "supabase" / "config.toml", work / "supabase" / "config.toml")
    shutil.copytree(migrations, work / "supabase" / "migrations", ignore=shutil.ignore_patterns(".*"))
    env = {k: v for k, v in os.environ.items() if k not in ("ODOOOPS_ROOT", "SUPABASE_ACCESS_TOKEN")}
    env.update(ODOOOPS_PYTHON=sys.executable, SUPABASE_CLI=str(SUPABASE))
    return subprocess.run(["bash", str(PUSH_SCRIPT)], cwd=work, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
@needs_cli
def test_the_supabase_job_pushes_every_migration_here(tmp_path):
    proc = push_script(tmp_path, ROOT / "supabase" / "migrations")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    count = len(list((ROOT / "supabase" / "migrations").glob("*.sql")))
    assert proc.stdout.rstrip().endswith(f"supabase db push: {count} migrations applied, the harness agrees")
    assert not (tmp_path / "work" / ".odooops" / "cluster.json").exists(), "the cluster is left up"


@pytest.mark.slow
@needs_cli
def test_the_supabase_job_fails_on_a_migration_that_does_not_apply(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "20260101000000_broken.sql").write_text("create table public.t (id int references public.nope);\n")
    proc = push_script(tmp_path, broken)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "supabase_db_push: db push failed" in proc.stderr
    assert 'relation "public.nope" does not exist' in proc.stdout
    assert not (tmp_path / "work" / ".odooops" / "cluster.json").exists(), "the cluster is left up"
