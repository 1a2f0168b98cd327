"""Pushes of one branch while a worker builds it: the newest commit is what gets built. Pushes go
through scripts/odooops/env_create.sh, the build through a real worker."""

from __future__ import annotations

import pytest

from .conftest import step

# The step says which commit it builds, then waits until the test releases that commit. Asked to
# stop (SIGTERM), it waits for the test too: the worker stays busy with it, so nothing else is
# claimed until the test says so, whatever the timing.
BUILD = (
    'trap \'echo "stopping $ODOOOPS_COMMIT"; until [ -e "$RELEASE_DIR/stop" ]; do sleep 0.1; done; exit 143\' TERM; '
    'echo "building $ODOOOPS_COMMIT"; '
    'while [ ! -e "$RELEASE_DIR/$ODOOOPS_COMMIT" ]; do sleep 0.1; done; '
    'echo "built $ODOOOPS_COMMIT"'
)
A, B, C = ("a" * 40, "b" * 40, "c" * 40)


def push(ops, commit: str) -> str:
    done = ops.script("env_create.sh", "demo", "ci", "main", commit)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("mode", ["queued", "queued_and_running"])
def test_two_pushes_during_a_build_leave_the_newest_commit_to_build(ops, mode):
    release = ops.tmp / "release"
    release.mkdir()
    ops.project(workflows={"ci": {"steps": [step("build", BUILD, env={"RELEASE_DIR": str(release)})]}})
    with ops.conn() as c:
        c.execute("update ops.workflows set supersede = %s where name = 'ci'", (mode,))
    worker = ops.worker("--kill-grace", "60", "--heartbeat-interval", "0.2")
    a = push(ops, A)
    ops.wait_log(a, f"building {A}", 20)

    # Two more pushes of main while the one worker builds A: B waits in the queue, C supersedes it.
    b = push(ops, B)
    c = push(ops, C)
    (release / C).touch()
    assert ops.status(b) == "canceled"
    run_b = ops.run(b)
    assert run_b["cancel_reason"] == f"superseded by {c}" and run_b["attempt"] == 0
    assert ops.events(b)[-1] == ("queued", "canceled", "role:service_role", f"superseded by {c}")
    assert ops.one("select array_agg(run_id::text) from ops.list_queued_runs()")[0] == [c]

    if mode == "queued":
        # A keeps building; once it ends, the worker takes C.
        assert ops.status(a) == "running" and ops.run(a)["cancel_requested_at"] is None
        (release / A).touch()
        assert ops.wait_status(a, {"succeeded", "failed", "canceled"}, 20) == "succeeded"
    else:
        # B asked A to stop; the worker sees it in its heartbeat, stops the step and ends A canceled.
        assert ops.run(a)["cancel_reason"] == f"superseded by {b}"
        ops.wait_log(a, f"stopping {A}", 20)
        assert ops.status(a) == "running"
        (release / "stop").touch()
        assert ops.wait_status(a, {"succeeded", "failed", "canceled"}, 20) == "canceled"
        messages = [m for _, _, _, m, _ in ops.logs(a)]
        assert "cancel requested: stopping step build" in messages and f"built {A}" not in messages
        run_a = ops.run(a)
        assert (run_a["exit_code"], run_a["error_message"]) == (143, "canceled during step 'build'")
        assert run_a["cancel_reason"] == f"superseded by {b}"
        assert [(e[0], e[1]) for e in ops.events(a)][-1] == ("running", "canceled")

    assert ops.wait_status(c, {"succeeded", "failed", "canceled"}, 20) == "succeeded"
    assert f"built {C}" in [m for _, _, _, m, _ in ops.logs(c)]
    assert ops.one("select count(*) from ops.run_logs where run_id = %s", (b,))[0] == 0, "B never ran"
    assert ops.stop_worker(worker) == 0
