"""A worker whose connection dies mid-run loses the run to another worker once its lease expires."""

from __future__ import annotations

import psycopg
import pytest

from tests.concurrency.conftest import backend_pid, enqueue, expire_lease, worker_conn
from tests.conftest import connect

# Long enough that the lease cannot lapse on its own during a test: it ends by expire_lease.
LEASE = 60  # seconds


def test_a_killed_worker_loses_its_run_to_another_after_the_lease(queue_db):
    with worker_conn(queue_db) as admin:
        run = enqueue(admin, 1, workflow="quick")[0]
    victim_ctx = worker_conn(queue_db)
    victim = victim_ctx.__enter__()
    try:
        assert victim.execute("select id from ops.claim_next_run('victim', %s)", (LEASE,)).fetchone()[0] == run
        victim.execute("select ops.start_workflow_run(%s, 'victim')", (run,))
        victim.execute("select ops.append_run_log(%s, 'info', 'working', p_worker_id => 'victim')", (run,))
        with connect(queue_db, None) as killer:
            assert killer.execute("select pg_terminate_backend(%s)", (backend_pid(victim),)).fetchone()[0]
        with pytest.raises(psycopg.OperationalError):
            victim.execute("select 1")
    finally:
        try:
            victim_ctx.__exit__(None, None, None)
        except psycopg.Error:
            pass

    with worker_conn(queue_db) as rescuer:
        assert rescuer.execute("select id from ops.claim_next_run('rescuer')").fetchone() is None, \
            "the run was taken back before its lease ran out"
        expire_lease(queue_db, run)
        got, attempt = rescuer.execute("select id, attempt from ops.claim_next_run('rescuer')").fetchone()
        assert got == run and attempt == 2
        rescuer.execute("select ops.start_workflow_run(%s, 'rescuer')", (run,))
        assert rescuer.execute(
            "select status::text from ops.complete_workflow_run(%s, 0, null, 'rescuer')", (run,)
        ).fetchone()[0] == "succeeded"

    with connect(queue_db) as conn:
        events = conn.execute(
            "select coalesce(from_status::text, ''), to_status::text, actor, reason, payload ->> 'worker_id' "
            "from ops.run_events where run_id = %s order by id",
            (run,),
        ).fetchall()
        assert [(e[0], e[1]) for e in events] == [
            ("", "queued"), ("queued", "claimed"), ("claimed", "running"), ("running", "queued"),
            ("queued", "claimed"), ("claimed", "running"), ("running", "succeeded"),
        ]
        assert events[3][2:] == ("worker:rescuer", "lease expired", "victim")
        assert conn.execute("select count(*) from ops.run_logs where run_id = %s", (run,)).fetchone()[0] == 1


def test_a_killed_worker_on_its_last_attempt_fails_the_run_with_the_reason(queue_db):
    with worker_conn(queue_db) as admin:
        run = enqueue(admin, 1, workflow="once")[0]
    victim_ctx = worker_conn(queue_db)
    victim = victim_ctx.__enter__()
    try:
        victim.execute("select ops.claim_next_run('victim', %s)", (LEASE,))
        victim.execute("select ops.start_workflow_run(%s, 'victim')", (run,))
        with connect(queue_db, None) as killer:
            killer.execute("select pg_terminate_backend(%s)", (backend_pid(victim),))
    finally:
        try:
            victim_ctx.__exit__(None, None, None)
        except psycopg.Error:
            pass
    with worker_conn(queue_db) as other:
        status_sql = "select status::text, error_message from ops.runs where id = %s"
        assert other.execute("select id from ops.claim_next_run('other')").fetchone() is None
        assert other.execute(status_sql, (run,)).fetchone()[0] == "running", "failed before its lease ran out"
        expire_lease(queue_db, run)
        assert other.execute("select id from ops.claim_next_run('other')").fetchone() is None
        status, message = other.execute(status_sql, (run,)).fetchone()
        assert status == "failed"
        assert message.startswith("lease expired: worker victim stopped heartbeating")
        assert message.endswith("attempt 1 of 1")
