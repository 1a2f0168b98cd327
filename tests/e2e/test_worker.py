"""Workers under hard conditions: racing, failing steps,
cancels, a worker killed outright, a database restart, SIGTERM, tools."""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
import signal
import time

import pytest
from odooops.dev import target

from tests.conftest import wait_for

from .conftest import step

TERMINAL = {"succeeded", "failed", "canceled"}


def test_two_workers_race_over_50_runs_and_each_run_ends_once(ops):
    ops.project(workflows={"echo": {"steps": [step("say", 'echo "hello from $ODOOOPS_RUN_ID"')]}})
    w1, w2 = ops.worker(name="w1"), ops.worker(name="w2")
    wait_for(lambda: all(any(e["event"] == "started" for e in ops.worker_events(n)) for n in ("w1", "w2")), 20,
             what="both workers to start")
    with ops.conn() as c, c.transaction():
        run_ids = [str(c.execute("select (ops.enqueue_run('demo', 'echo', 'main', %s, %s::jsonb)).id",
                                 (ops.commit, f'{{"n": {i}}}')).fetchone()[0]) for i in range(50)]
    wait_for(lambda: ops.one("select count(*) from ops.runs where status in ('succeeded', 'failed', 'canceled')")[0]
             == 50, 60, interval=0.2, what="50 runs to end")
    assert ops.stop_worker(w1) == 0 and ops.stop_worker(w2) == 0

    rows = ops.all("select id::text, status::text, attempt, worker_id from ops.runs order by created_at")
    assert sorted(r[0] for r in rows) == sorted(run_ids)
    assert {(r[1], r[2]) for r in rows} == {("succeeded", 1)}, "every run succeeded at its first attempt"
    per_worker = collections.Counter(r[3] for r in rows)
    assert set(per_worker) == {"w1", "w2"}, f"both workers took runs: {per_worker}"

    # The database's view: one claim, one start, one completion per run.
    events = ops.all("select run_id::text, to_status::text, count(*) from ops.run_events"
                     " where from_status is not null group by 1, 2")
    by_run = collections.defaultdict(dict)
    for run_id, to_status, n in events:
        by_run[run_id][to_status] = n
    assert all(by_run[r] == {"claimed": 1, "running": 1, "succeeded": 1} for r in run_ids)
    # Each step's output stored exactly once.
    said = ops.all("select run_id::text, count(*) from ops.run_logs where message like 'hello from %%'"
                   " and message = 'hello from ' || run_id::text group by 1")
    assert dict(said) == {r: 1 for r in run_ids}
    # The workers' view: 50 completions between them, none reported twice.
    done = [e["run_id"] for n in ("w1", "w2") for e in ops.worker_events(n) if e["event"] == "succeeded"]
    assert sorted(done) == sorted(run_ids)


def test_a_failing_step_fails_the_run_with_its_exit_code_and_error(ops):
    ops.project(workflows={"fails": {"steps": [
        step("first", "echo first step ran"),
        step("breaks", "echo 'ERROR something broke in step two' >&2; exit 3"),
        step("never", "echo this must not run"),
    ]}})
    run_id = ops.enqueue("fails")
    worker = ops.worker("--drain")
    assert worker.wait(30) == 0
    run = ops.run(run_id)
    assert (run["status"], run["exit_code"]) == ("failed", 3)
    assert run["error_message"] == "step 'breaks' failed with exit code 3: ERROR something broke in step two"
    messages = [m for _, _, _, m, _ in ops.logs(run_id)]
    assert "first step ran" in messages and "this must not run" not in messages
    errors = [(lvl, stream, m) for _, lvl, stream, m, _ in ops.logs(run_id) if lvl == "error"]
    assert ("error", "stderr", "ERROR something broke in step two") in errors
    waited = ops.script("env_wait_ready.sh", run_id, "--timeout", "5")
    assert waited.returncode == 1
    assert f"run {run_id} failed with exit code 3: step 'breaks' failed" in waited.stderr
    assert [e[1] for e in ops.events(run_id)].count("failed") == 1


def test_an_invalid_manifest_fails_the_build_naming_the_problem(ops):
    from odooops.dev import demo_repo

    commit = demo_repo.commit(ops.repo, {"library_core/__manifest__.py": ops.repo.joinpath(
        "library_core/__manifest__.py").read_text().replace('"17.0.1.2.0"', '"16.0.1.2.0"').replace(
        '"LGPL-3"', '"MIT"')}, "Break the manifest")
    ops.project()
    run_id = ops.enqueue("build", commit=commit)
    assert ops.worker("--drain").wait(30) == 0
    run = ops.run(run_id)
    assert (run["status"], run["exit_code"]) == ("failed", 1)
    assert run["error_message"].startswith("step 'validate-manifests' failed with exit code 1: ERROR ")
    messages = [m for _, _, _, m, _ in ops.logs(run_id)]
    assert ("ERROR library_core/__manifest__.py: version must be 17.0.x.y.z (the project's series first), "
            "got '16.0.1.2.0'") in messages
    assert any(m.startswith("ERROR library_core/__manifest__.py: license 'MIT' is not one Odoo accepts")
               for m in messages)
    assert not any(m.startswith("==> step 3/4 compile") for m in messages)


def test_a_step_over_its_timeout_is_stopped_and_fails_with_124(ops):
    ops.project(workflows={"slow": {"steps": [step("slow", "echo going; sleep 30", timeout_seconds=1)]}})
    run_id = ops.enqueue("slow")
    t0 = time.monotonic()
    assert ops.worker("--drain", "--kill-grace", "1").wait(30) == 0
    assert time.monotonic() - t0 < 15
    run = ops.run(run_id)
    assert (run["status"], run["exit_code"], run["error_message"]) == ("failed", 124, "step 'slow' timed out after 1s")


def _gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def _state(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def test_cancel_during_a_running_step_kills_it_and_ends_canceled(ops):
    # The step ignores SIGTERM: the worker must escalate to SIGKILL after the grace period.
    ops.project(workflows={"stubborn": {"steps": [
        step("hang", "trap '' TERM; echo \"pgid $$\"; while :; do sleep 0.1; done"),
        step("after", "echo must not run"),
    ]}})
    run_id = ops.enqueue("stubborn")
    worker = ops.worker("--kill-grace", "1", "--heartbeat-interval", "0.2")
    ops.wait_log(run_id, "pgid ", 20)
    pgid = int(next(m for _, _, _, m, _ in ops.logs(run_id) if m.startswith("pgid ")).split()[1])
    assert not _gone(pgid)

    t0 = time.monotonic()
    destroyed = ops.script("env_destroy.sh", run_id, "--timeout", "20")
    assert destroyed.returncode == 0, destroyed.stderr
    assert destroyed.stdout.strip() == f"{run_id} canceled"
    assert time.monotonic() - t0 < 10
    # Gone, once init has reaped the killed children (zombies still answer kill(0)).
    wait_for(lambda: _gone(pgid), 5, what="the step's whole process group to be gone")
    run = ops.run(run_id)
    assert run["status"] == "canceled" and run["cancel_requested_at"] is not None
    assert run["exit_code"] == 137 and run["error_message"] == "canceled during step 'hang'"
    messages = [m for _, _, _, m, _ in ops.logs(run_id)]
    assert "cancel requested: stopping step hang" in messages
    assert "step hang still running 1s after SIGTERM: killing it" in messages
    assert "must not run" not in messages
    assert [(e[0], e[1]) for e in ops.events(run_id)][-1] == ("running", "canceled")
    assert ops.stop_worker(worker) == 0


def test_a_worker_killed_mid_run_is_replaced_after_lease_expiry(ops):
    ops.project(workflows={"long": {"lease_seconds": 5, "steps": [step("work", (
        'echo "attempt $ODOOOPS_ATTEMPT pgid $$"; '
        'if [ "$ODOOOPS_ATTEMPT" = 1 ]; then sleep 30; fi; echo "finished attempt $ODOOOPS_ATTEMPT"'))]}})
    run_id = ops.enqueue("long")
    first = ops.worker("--lease-seconds", "2", "--heartbeat-interval", "0.3", name="first")
    ops.wait_log(run_id, "attempt 1 pgid", 20)
    pgid = int(next(m for _, _, _, m, _ in ops.logs(run_id) if m.startswith("attempt 1")).split()[-1])
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    try:
        # The step's shell dies with its worker (parent-death signal); a zombie until init reaps it.
        wait_for(lambda: _state(pgid) in (None, "Z"), 5, what="the step's shell to die with its worker")
        assert ops.status(run_id) == "running"
        second = ops.worker("--lease-seconds", "2", name="second")
        ops.wait_status(run_id, TERMINAL, 30)
        assert ops.stop_worker(second) == 0
    finally:
        if not _gone(pgid):  # the step outlived its worker (only its shell dies with it)
            os.killpg(pgid, signal.SIGKILL)

    run = ops.run(run_id)
    assert (run["status"], run["attempt"], run["worker_id"], run["exit_code"]) == ("succeeded", 2, "second", 0)
    transitions = [(e[0], e[1], e[2], e[3]) for e in ops.events(run_id)]
    assert [(a, b) for a, b, _, _ in transitions] == [
        (None, "queued"), ("queued", "claimed"), ("claimed", "running"), ("running", "queued"),
        ("queued", "claimed"), ("claimed", "running"), ("running", "succeeded")]
    assert transitions[3][3] == "lease expired" and transitions[4][2] == "worker:second"
    messages = [m for _, _, _, m, _ in ops.logs(run_id)]
    assert sum(m.startswith("attempt 1 pgid") for m in messages) == 1
    assert messages.count("finished attempt 2") == 1 and "finished attempt 1" not in messages
    seqs = [s for s, *_ in ops.logs(run_id)]
    assert seqs == list(range(1, len(seqs) + 1)), "attempt 2 continues the numbering of attempt 1"


@pytest.mark.skipif(bool(target.env_url()), reason="restarts the server: needs the embedded cluster, "
                    "not the DATABASE_URL server")
def test_the_database_restarts_under_a_running_worker(ops, server):
    ops.project(workflows={"ticks": {"lease_seconds": 30, "steps": [step("tick", (
        "for i in $(seq 1 30); do echo tick $i; sleep 0.1; done"))]}})
    run_id = ops.enqueue("ticks")
    worker = ops.worker()
    ops.wait_log(run_id, "tick 3", 20)
    server.cluster.restart()
    ops.wait_status(run_id, TERMINAL, 40)
    assert ops.stop_worker(worker) == 0

    run = ops.run(run_id)
    assert (run["status"], run["attempt"], run["exit_code"]) == ("succeeded", 1, 0)
    messages = [m for _, _, _, m, _ in ops.logs(run_id)]
    assert [m for m in messages if m.startswith("tick ")] == [f"tick {i}" for i in range(1, 31)]
    seqs = [s for s, *_ in ops.logs(run_id)]
    assert seqs == list(range(1, len(seqs) + 1))
    kinds = [e["event"] for e in ops.worker_events("w1")]
    assert "db-down" in kinds and "db-up" in kinds and kinds.index("db-down") < kinds.index("db-up")
    assert [e[1] for e in ops.events(run_id)].count("succeeded") == 1


def test_sigterm_hands_the_current_run_back_and_exits_0(ops):
    ops.project(workflows={"long": {"steps": [step("wait", 'echo "attempt $ODOOOPS_ATTEMPT"; sleep 30')]}})
    run_id = ops.enqueue("long")
    worker = ops.worker("--kill-grace", "1")
    ops.wait_log(run_id, "attempt 1", 20)
    t0 = time.monotonic()
    assert ops.stop_worker(worker) == 0
    assert time.monotonic() - t0 < 10
    run = ops.run(run_id)
    assert (run["status"], run["attempt"], run["worker_id"]) == ("queued", 0, None)
    assert [(e[0], e[1], e[3]) for e in ops.events(run_id)][-1] == ("running", "queued", "worker received SIGTERM")
    assert any(e["event"] == "requeued" for e in ops.worker_events("w1"))
    # The attempt was given back: the next claim is attempt 1 again.
    assert ops.psql("select id, attempt from ops.claim_next_run('w2')").strip() == f"{run_id}|1"


def test_tools_secrets_and_params_reach_steps_as_documented(ops):
    ops.project(workflows={
        "tooled": {"steps": [
            step("local-tool", "echo in tool", tool="python-3.11"),
            step("secrets", 'echo "token=$API_TOKEN length=${#API_TOKEN} mode=$MODE step=$STEP_VAR"',
                 env={"STEP_VAR": "from-step"}),
        ]},
        "docker-only": {"steps": [step("odoo", "odoo --version", tool="odoo-17.0")]},
    })
    # Project secrets: a project-wide value, overridden for the production stage
    # (main is the demo project's production branch, so its runs are production runs).
    ops.one("select ops.set_project_secret('demo', 'API_TOKEN', 's3cr3t-everywhere')")
    ops.one("select ops.set_project_secret('demo', 'API_TOKEN', 's3cr3t-value', 'production')")
    ops.one("select ops.set_project_secret('demo', 'GONE_TOKEN', 's3cr3t-gone')")
    ok = ops.enqueue("tooled", params={"env": {"MODE": "ci"}, "secrets": ["API_TOKEN"]})
    gone = ops.enqueue("tooled", params={"secrets": ["GONE_TOKEN"]})
    ops.one("select ops.delete_project_secret('demo', 'GONE_TOKEN')")
    refused = ops.enqueue("docker-only")
    assert ops.worker("--drain").wait(30) == 0

    assert ops.status(ok) == "succeeded"
    messages = [m for _, _, _, m, _ in ops.logs(ok)]
    assert "token=*** length=12 mode=ci step=from-step" in messages  # the production value, masked
    assert "secrets: API_TOKEN (values masked as ***)" in messages
    assert not ops.one("select count(*) from ops.run_logs where message like '%%s3cr3t%%'")[0]
    assert not ops.one("select count(*) from ops.runs where params::text like '%%s3cr3t%%'")[0]

    # A secret deleted after the enqueue: the run fails before any step, saying which.
    run = ops.run(gone)
    assert (run["status"], run["exit_code"]) == ("failed", 125)
    assert run["error_message"].startswith(
        f"cannot read the run's secrets: run {gone}: secret 'GONE_TOKEN' is set neither for stage production")
    assert not any(m.startswith("==> step") for _, _, _, m, _ in ops.logs(gone))
    assert any("no Docker engine answers" in m and "tool python-3.11 allows it" in m for m in messages)

    run = ops.run(refused)
    assert (run["status"], run["exit_code"]) == ("failed", 125)
    assert run["error_message"].startswith("step 'odoo': tool odoo-17.0 (odoo:17.0) needs a Docker engine and none "
                                           "answers")
    assert "set ops.tools.run_locally for odoo-17.0" in run["error_message"]


def test_only_a_workflow_whose_step_asks_gets_the_upgrade_advisories(ops):
    from odooops.dev import demo

    legacy = [{k: v for k, v in s.items() if k != "advisories"} for s in demo.WORKFLOWS["upgrade-scan"]["steps"]]
    assert any(s.get("advisories") is True for s in demo.WORKFLOWS["upgrade-scan"]["steps"])
    ops.project(workflows={**demo.WORKFLOWS, "legacy-scan": {"steps": legacy}})
    runs = {name: ops.enqueue(name) for name in ("build", "upgrade-scan", "legacy-scan")}
    assert ops.worker("--drain", "--keep-workdirs").wait(60) == 0

    every = [code for (code,) in ops.all("select code from ops.upgrade_advisories order by code")]
    assert every, "the seed has advisories"

    def written(run_id: str) -> list[dict]:
        (workdir,) = (ops.tmp / "work").glob(f"odooops-run-{run_id[:8]}-a1-*")
        return json.loads((workdir / ".odooops" / "advisories.json").read_text())

    assert {name: ops.status(r) for name, r in runs.items()} == dict.fromkeys(runs, "succeeded")
    # The build asks for none: its file is an empty list.
    assert written(runs["build"]) == []
    # The demo's upgrade-scan step says "advisories": true; a step that runs upgrade-scan without the key
    # (workflows written before it) gets them as well.
    for name in ("upgrade-scan", "legacy-scan"):
        advisories = written(runs[name])
        assert [a["code"] for a in advisories] == every, name
        assert set(advisories[0]) == {"code", "from_series", "to_series", "area", "severity", "title",
                                      "engine", "detect_regex", "detect_pattern", "detect_globs", "remediation",
                                      "reference_url"}
        assert any(m.startswith("scanning for the move 17.0 -> 18.0: ") and f" of {len(every)} advisories apply" in m
                   for _, _, _, m, _ in ops.logs(runs[name])), name


def test_log_lines_reach_the_database_within_about_200ms(ops):
    ops.project(workflows={"clock": {"steps": [step("clock", (
        'for i in 1 2 3 4 5; do echo "t=$(date +%s.%N)"; sleep 0.4; done'))]}})
    run_id = ops.enqueue("clock")
    worker = ops.worker()
    seen: dict[str, float] = {}

    def all_seen():
        for _, _, _, m, _ in ops.logs(run_id):
            if m.startswith("t=") and m not in seen:
                seen[m] = time.time()
        return len(seen) == 5

    wait_for(all_seen, 30, interval=0.01, what="five clock lines")
    delays = sorted(arrived - float(m[2:]) for m, arrived in seen.items())
    # 100 ms batching plus the poll; generous for a busy two-core machine.
    assert delays[len(delays) // 2] < 0.3, delays
    assert delays[-1] < 1.0, delays
    ops.wait_status(run_id, TERMINAL, 20)
    assert ops.stop_worker(worker) == 0


def test_background_processes_left_by_a_step_are_stopped(ops):
    ops.project(workflows={"bg": {"steps": [step("spawn", "sleep 60 & echo spawned $!"), step("next", "echo next")]}})
    run_id = ops.enqueue("bg")
    t0 = time.monotonic()
    assert ops.worker("--drain", "--kill-grace", "1").wait(30) == 0
    assert time.monotonic() - t0 < 10
    assert ops.status(run_id) == "succeeded"
    messages = [m for _, _, _, m, _ in ops.logs(run_id)]
    pid = int(next(m for m in messages if m.startswith("spawned ")).split()[1])
    assert "step spawn left background processes behind: stopping them" in messages and "next" in messages
    wait_for(lambda: _state(pid) in (None, "Z"), 5, what="the background sleep to be stopped")


def test_a_run_past_its_workflows_time_limit_is_canceled_though_it_heartbeats(ops):
    ops.project(workflows={"capped": {"steps": [step("hang", "while :; do sleep 0.1; done")]}})
    with ops.conn() as c:
        c.execute("update ops.workflows set time_limit_seconds = 2 where name = 'capped'")
    run_id = ops.enqueue("capped")
    worker = ops.worker("--heartbeat-interval", "0.2")
    assert ops.wait_status(run_id, {"canceled", "failed", "succeeded"}, 20) == "canceled"
    run = ops.run(run_id)
    assert run["cancel_reason"] == "time limit of 2 s exceeded"
    assert run["finished_at"] - run["started_at"] < dt.timedelta(seconds=10)
    assert ops.events(run_id)[-1][:2] == ("running", "canceled")
    assert ops.events(run_id)[-1][3] == "time limit of 2 s exceeded"
    assert "cancel requested: stopping step hang" in [m for _, _, _, m, _ in ops.logs(run_id)]
    assert ops.stop_worker(worker) == 0
