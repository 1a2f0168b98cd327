"""The commands a new user runs, as subprocesses against a real migrated database: register a repository,
apply a workflow file, see branches and move them between stages, list runs, follow one's logs while a real
worker runs it, show it, cancel another. Every refusal says why and what to do next, and changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

from tests.conftest import ROOT, connect

BUILD_YAML = """\
# kept in the project's repository
name: build
description: Say hello twice
steps:
  - name: hello
    command: echo "hello from $ODOOOPS_RUN_ID"; echo second line
supersede: none
triggers:
  push:
    stages: [development, staging]
    branches: ['feature/*', main]
"""

BAD_YAML = """\
workflows:
  - name: build
    steps: [{name: hello, command: echo changed}]
  - name: deploy
    steps: [{name: deploy, command: 'true'}]
    triggers: {push: {stages: [prod]}}
"""


def odooops(ops, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "odooops.cli", *args], env=ops.script_env(), capture_output=True, text=True,
        timeout=timeout, cwd=ROOT,
    )


def test_a_new_user_registers_a_repository_and_follows_a_build(ops, tmp_path):
    # A project, from nothing.
    r = odooops(ops, "project", "create", "acme", "--repo", ops.repo_url, "--series", "17.0")
    assert r.returncode == 0, r.stderr
    assert "project acme created (Odoo 17.0" in r.stdout and "production branch main" in r.stdout
    assert "next: odooops workflow apply" in r.stdout
    r = odooops(ops, "project", "create", "acme", "--repo", ops.repo_url, "--series", "17.0")
    assert r.returncode == 1
    assert "p_slug 'acme' is taken by another project [23505]" in r.stderr and "Choose another slug." in r.stderr

    # A workflow file, then a bad one that changes nothing.
    (tmp_path / "build.yml").write_text(BUILD_YAML)
    r = odooops(ops, "workflow", "apply", str(tmp_path / "build.yml"), "--project", "acme")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("workflow build of acme: version 1, enabled, triggers ")
    (tmp_path / "bad.yaml").write_text(BAD_YAML)
    r = odooops(ops, "workflow", "apply", str(tmp_path / "bad.yaml"), "-p", "acme")
    assert r.returncode == 1
    assert "triggers.push.stages[0] must be one of development, staging, production, got '\"prod\"' [22023]" in r.stderr
    assert "Nothing was applied" in r.stderr
    assert ops.one("select count(*), max(version) from ops.workflows") == (1, 1)
    (tmp_path / "broken.json").write_text("{name: build")
    r = odooops(ops, "workflow", "apply", str(tmp_path / "broken.json"), "-p", "acme")
    assert r.returncode == 1 and "not valid JSON" in r.stderr

    # A push makes a branch and a run (the webhook handler will call record_push).
    project_id = ops.one("select id from ops.projects where slug = 'acme'")[0]
    run_id = str(ops.one(
        "select id from ops.record_push(%s, 'feature/x', %s, 'alice', 'delivery-1')", (project_id, ops.commit)
    )[0])
    r = odooops(ops, "branch", "list", "-p", "acme")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STAGE", "HEAD_COMMIT", "LAST_PUSH_AT", "PUSHED_BY", "RUNS"]
    assert lines[1].split()[:2] == ["main", "production"]
    assert lines[2].split()[:3] == ["feature/x", "development", ops.commit]
    assert lines[2].split()[-2:] == ["alice", "1"]

    r = odooops(ops, "branch", "stage", "feature/x", "production", "-p", "acme")
    assert r.returncode == 1
    assert "branch 'feature/x' is development: it moves to staging before production [OP012]" in r.stderr
    assert "Move it to staging first." in r.stderr
    r = odooops(ops, "branch", "stage", "feature/x", "staging", "-p", "acme")
    assert r.returncode == 0 and r.stdout.strip() == "branch feature/x of acme is staging"

    r = odooops(ops, "run", "list", "-p", "acme", "--status", "queued")
    assert r.returncode == 0, r.stderr
    assert [line.split()[:6] for line in r.stdout.splitlines()[1:]] == [
        [run_id, "build", "feature/x", ops.commit[:12], "development", "queued"]
    ]

    # Follow the logs from before a worker takes the run until it ends.
    follow = subprocess.Popen(
        [sys.executable, "-m", "odooops.cli", "run", "logs", run_id, "--follow", "--interval", "0.2"],
        env=ops.script_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        worker = ops.worker("--once")
        assert worker.wait(60) == 0
        out, errors = follow.communicate(timeout=30)
    finally:
        follow.kill()
    assert follow.returncode == 0, errors
    messages = [line.split(": ", 1)[1] for line in out.splitlines()]
    assert f"hello from {run_id}" in messages and "second line" in messages
    assert messages.index("second line") == messages.index(f"hello from {run_id}") + 1
    assert f"run {run_id} succeeded (exit code 0)" in errors

    r = odooops(ops, "run", "show", run_id)
    assert r.returncode == 0, r.stderr
    fields = dict(line.split(None, 1) for line in r.stdout.split("\n\n")[0].splitlines())
    assert (fields["status"], fields["branch"], fields["stage"], fields["exit_code"]) == (
        "succeeded", "feature/x", "development", "0"
    )
    events = r.stdout.split("\nAT ")[1].splitlines()[1:]
    assert [line.split()[2:4] for line in events] == [
        ["-", "queued"], ["queued", "claimed"], ["claimed", "running"], ["running", "succeeded"]
    ]

    # Another push, canceled; its logs say so with the exit status of a cancel.
    other = str(ops.one(
        "select id from ops.record_push(%s, 'feature/y', 'abcdef1', 'bob', 'delivery-2')", (project_id,)
    )[0])
    r = odooops(ops, "run", "cancel", other, "--reason", "not now")
    assert r.returncode == 0 and r.stdout.strip() == f"run {other} canceled"
    r = odooops(ops, "run", "logs", other, "--follow")
    assert r.returncode == 3 and f"run {other} canceled: not now" in r.stderr
    r = odooops(ops, "run", "cancel", other)
    assert r.returncode == 0 and r.stdout.strip() == f"run {other} had already ended: canceled"


def test_refusals_say_what_to_do_next(ops):
    r = odooops(ops, "branch", "list", "-p", "nope")
    assert r.returncode == 1
    assert "project 'nope' not found" in r.stderr
    assert "odooops project create nope --repo URL --series 17.0" in r.stderr
    r = odooops(ops, "run", "show", "00000000-0000-0000-0000-000000000000")
    assert r.returncode == 1 and "run 00000000-0000-0000-0000-000000000000 not found" in r.stderr
    r = odooops(ops, "run", "list")
    assert r.returncode == 1 and "Give --project SLUG (or set ODOOOPS_PROJECT)" in r.stderr
    r = odooops(ops, "project", "create", "Bad_Slug", "--repo", "https://example.invalid/x.git", "--series", "17.0")
    assert r.returncode == 1 and "p_slug must be lowercase letters" in r.stderr and "[22023]" in r.stderr
    r = odooops(ops, "project", "list")
    assert r.returncode == 0
    assert r.stdout.strip() == "no project yet: odooops project create <slug> --repo <url> --series 17.0"
    r = odooops(ops, "workflow", "apply", "/nonexistent.yml", "-p", "acme")
    assert r.returncode == 1 and "/nonexistent.yml: No such file or directory" in r.stderr


def test_operators_are_added_listed_and_removed_by_service_role(ops):
    user = str(uuid.uuid4())
    with connect(ops.db, "postgres") as c:
        c.execute("insert into auth.users (id, aud, role, email) values (%s, 'authenticated', 'authenticated',"
                  " 'op@example.test')", (user,))
    r = odooops(ops, "operator", "list")
    assert r.returncode == 0 and r.stdout.strip() == "no installation operator: odooops operator add <user id>"
    r = odooops(ops, "operator", "add", user)
    assert r.returncode == 0, r.stderr
    assert f"user {user} is now an installation operator" in r.stdout
    r = odooops(ops, "operator", "add", user)
    assert r.returncode == 0 and f"user {user} was already an installation operator" in r.stdout
    r = odooops(ops, "operator", "list", "--json")
    assert [o["user_id"] for o in json.loads(r.stdout)] == [user]
    assert ops.all("select user_id::text from ops.installation_operators") == [(user,)]

    # Refusals: not a uuid, no such user, not an operator; nothing changes.
    r = odooops(ops, "operator", "add", "x" * 60)
    assert r.returncode == 1 and f"user id must be a uuid (auth.users.id), got '{'x' * 40}'" in r.stderr
    r = odooops(ops, "operator", "add", "00000000-0000-4000-8000-000000000000")
    assert r.returncode == 1 and "[23503]" in r.stderr and "auth.users" in r.stderr
    r = odooops(ops, "operator", "remove", "00000000-0000-4000-8000-000000000000")
    assert r.returncode == 1 and "is no installation operator" in r.stderr
    assert ops.all("select user_id::text from ops.installation_operators") == [(user,)]

    r = odooops(ops, "operator", "remove", user)
    assert r.returncode == 0 and f"user {user} is no longer an installation operator" in r.stdout
    assert ops.all("select user_id from ops.installation_operators") == []
