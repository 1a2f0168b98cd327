"""The whole flow from a shell: env_create.sh queues a run -> it is claimed with
ops.claim_next_run from psql and a worker executes it -> env_wait_ready.sh
follows it, printing its log lines -> the logs, selected in timestamp order,
are in seq order with no gap and are the lines env_wait_ready.sh printed."""

from __future__ import annotations

import re

from tests.conftest import wait_for


def test_env_create_claim_from_psql_wait_ready_then_logs_in_order(ops):
    ops.project()

    created = ops.script("env_create.sh", "demo", "build", "main", ops.commit)
    assert created.returncode == 0, created.stderr
    run_id = created.stdout.strip()
    assert re.fullmatch(r"[0-9a-f-]{36}", run_id), f"env_create.sh must print the id only, got {created.stdout!r}"
    again = ops.script("env_create.sh", "demo", "build", "main", ops.commit)
    assert again.stdout.strip() == run_id, "the same arguments while the run is active give the same id"

    # Claim with ops.claim_next_run from psql, then a worker executes the run it holds.
    claimed = ops.psql("SELECT id, status, worker_id, attempt FROM ops.claim_next_run('worker-001');")
    assert claimed.strip() == f"{run_id}|claimed|worker-001|1"
    worker = ops.worker("--run", run_id, name="worker-001")

    waited = ops.script("env_wait_ready.sh", run_id, "--timeout", "60", timeout=90)
    assert waited.returncode == 0, waited.stderr
    assert "succeeded" in waited.stderr
    assert worker.wait(20) == 0

    # The logs, selected in timestamp order.
    out = ops.psql(f"SELECT seq, level, stream, message FROM ops.run_logs WHERE run_id = '{run_id}'"
                   " ORDER BY timestamp;")
    rows = [line.split("|", 3) for line in out.splitlines()]
    seqs = [int(r[0]) for r in rows]
    assert seqs == list(range(1, len(rows) + 1)), "timestamp order is seq order, with no gap and no repeat"
    messages = [r[3] for r in rows]
    starts = [i for i, m in enumerate(messages) if m.startswith("==> step")]
    assert [messages[i].split()[3].rstrip(":") for i in starts] == [
        "checkout", "validate-manifests", "compile", "package"]
    assert any(m.startswith("checked out " + ops.commit) for m in messages)
    assert any("3 addon(s) checked against Odoo 17.0: 3 valid, 0 invalid" in m for m in messages)
    assert any(m.startswith("compiled ") and m.endswith(": 0 error(s)") for m in messages)
    assert messages[-1] == "run succeeded (exit code 0)"

    # env_wait_ready.sh printed the same lines, in the same order, as they arrived.
    printed = [line for line in waited.stdout.splitlines() if line.strip()]
    assert len(printed) == len(messages)
    for line, message in zip(printed, messages, strict=True):
        assert line.endswith(message.strip()) or message.strip() in line

    run = ops.run(run_id)
    assert (run["status"], run["exit_code"], run["attempt"], run["worker_id"]) == ("succeeded", 0, 1, "worker-001")
    artifacts = ops.all("select artifact_key, size_bytes, sha256, storage_url from ops.run_artifacts where run_id = %s",
                        (run_id,))
    assert [a[0] for a in artifacts] == [f"demo-addons-{ops.commit[:12]}.tar.gz"]
    assert artifacts[0][3].startswith("file:///")
    # One event per transition, one completion.
    assert [(e[0], e[1]) for e in ops.events(run_id)] == [
        (None, "queued"), ("queued", "claimed"), ("claimed", "running"), ("running", "succeeded")]
    # The id is reusable only while active: a finished run is not returned again.
    third = ops.script("env_create.sh", "demo", "build", "main", ops.commit)
    assert third.stdout.strip() != run_id
    ops.script("env_destroy.sh", third.stdout.strip())


def test_scripts_print_usage_and_exit_2_on_bad_arguments(ops):
    for name, args in [
        ("env_create.sh", []), ("env_create.sh", ["demo", "build", "main"]),
        ("env_create.sh", ["demo", "build", "main", "NOT-HEX"]), ("env_wait_ready.sh", []),
        ("env_wait_ready.sh", ["not-a-uuid"]),
        ("env_wait_ready.sh", ["00000000-0000-0000-0000-000000000000", "--timeout"]),
        ("env_destroy.sh", []), ("env_destroy.sh", ["nope"]),
    ]:
        res = ops.script(name, *args)
        assert res.returncode == 2, (name, args, res.stderr)
        assert "usage:" in res.stderr
        assert res.stdout == ""


def test_scripts_print_usage_on_help_and_exit_0(ops):
    for name in ("env_create.sh", "env_wait_ready.sh", "env_destroy.sh"):
        for flag in ("-h", "--help"):
            res = ops.script(name, flag)
            assert (res.returncode, res.stderr) == (0, ""), (name, flag)
            assert res.stdout.startswith(f"usage: {name} ")


def test_env_scripts_report_database_refusals_without_writing(ops):
    ops.project()
    res = ops.script("env_create.sh", "no-such-project", "build", "main", ops.commit)
    assert res.returncode != 0 and "project 'no-such-project' not found" in res.stderr
    res = ops.script("env_wait_ready.sh", "00000000-0000-0000-0000-000000000000", "--timeout", "1")
    assert res.returncode == 5 and "not found" in res.stderr
    # A queued run is canceled at once, with no worker.
    run_id = ops.script("env_create.sh", "demo", "build", "main", ops.commit).stdout.strip()
    res = ops.script("env_destroy.sh", run_id)
    assert (res.returncode, res.stdout.strip()) == (0, f"{run_id} canceled")
    res = ops.script("env_wait_ready.sh", run_id, "--timeout", "5")
    assert res.returncode == 3 and "canceled" in res.stderr
    assert ops.one("select count(*) from ops.runs")[0] == 1
    # Params, stage and priority come through the environment.
    res = ops.script("env_create.sh", "demo", "upgrade-scan", "feature/x", ops.commit[:10],
                     ODOOOPS_PARAMS='{"target_series": "19.0"}', ODOOOPS_STAGE="staging", ODOOOPS_PRIORITY="5")
    assert res.returncode == 0, res.stderr
    run = ops.run(res.stdout.strip())
    assert (run["params"], run["stage"], run["priority"], run["branch"]) == (
        {"target_series": "19.0"}, "staging", 5, "feature/x")
    res = ops.script("env_create.sh", "demo", "build", "main", ops.commit, ODOOOPS_PARAMS="not json")
    assert res.returncode != 0 and "invalid input syntax for type json" in res.stderr
    assert ops.one("select count(*) from ops.runs")[0] == 2, "a refused call leaves no row"


def test_env_wait_ready_times_out_with_a_clear_message(ops):
    ops.project()
    run_id = ops.script("env_create.sh", "demo", "build", "main", ops.commit).stdout.strip()
    res = ops.script("env_wait_ready.sh", run_id, "--timeout", "1")
    assert res.returncode == 4
    assert f"run {run_id} is still queued after 1s" in res.stderr
    wait_for(lambda: True, 0)
