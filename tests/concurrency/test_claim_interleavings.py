"""Claims under real concurrency: three workers claiming at once, and deterministic two-session interleavings.

Sessions are named s1, s2 as in Citus/pgmq isolation specs; each test states
the expected outcome of its permutation. "Does not block" is decided by
pg_blocking_pids on the server, never by a sleep.
"""

from __future__ import annotations

import threading

import psycopg
import pytest

from tests.concurrency.conftest import (
    backend_pid,
    enqueue,
    expire_lease,
    run_in_thread,
    wait_blocked_or_done,
    worker_conn,
)
from tests.conftest import connect

CLAIM = "select id from ops.claim_next_run(%s)"


def test_three_workers_claiming_at_once_get_three_different_runs(queue_db):
    """5 queued runs, 3 workers claim at the same moment, each gets a different run."""
    with worker_conn(queue_db) as admin:
        queued = set(enqueue(admin, 5))
    barrier = threading.Barrier(3)
    held = threading.Barrier(3)
    got: dict[str, object] = {}

    def worker(name: str) -> None:
        with worker_conn(queue_db, autocommit=False) as conn:
            with conn.transaction():
                barrier.wait(timeout=10)
                row = conn.execute(CLAIM, (name,)).fetchone()
                got[name] = row[0] if row else None
                # Keep every claim uncommitted until all three have claimed: none may wait for another.
                held.wait(timeout=10)

    threads = [threading.Thread(target=worker, args=(f"worker-{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(got) == 3 and None not in got.values(), got
    assert len(set(got.values())) == 3, f"two workers got the same run: {got}"
    assert set(got.values()) <= queued
    with connect(queue_db) as conn:
        rows = conn.execute(
            "select worker_id, count(*) from ops.runs where status = 'claimed' group by 1 order by 1"
        ).fetchall()
        assert rows == [("worker-0", 1), ("worker-1", 1), ("worker-2", 1)]
        assert conn.execute("select count(*) from ops.runs where status = 'queued'").fetchone()[0] == 2


def test_s2_claims_another_run_while_s1_holds_an_uncommitted_claim(queue_db):
    """s1_claim (uncommitted), s2_claim: s2 gets the other run at once and never waits on s1."""
    with worker_conn(queue_db) as admin:
        enqueue(admin, 2)
    with worker_conn(queue_db, autocommit=False) as s1, worker_conn(queue_db) as s2, connect(queue_db) as monitor:
        with s1.transaction():
            s1_run = s1.execute(CLAIM, ("s1",)).fetchone()[0]
            thread, out = run_in_thread(lambda: s2.execute(CLAIM, ("s2",)).fetchone())
            blockers = wait_blocked_or_done(monitor, backend_pid(s2), thread)
            thread.join(timeout=10)
            assert blockers == [], f"s2's claim waited on {blockers} (s1 is {backend_pid(s1)})"
            assert "error" not in out, out.get("error")
            assert out["result"] is not None and out["result"][0] != s1_run
            # Nothing left: the only other queued run is s1's uncommitted claim, which s2 skips.
            third, out3 = run_in_thread(lambda: s2.execute(CLAIM, ("s2",)).fetchone())
            assert wait_blocked_or_done(monitor, backend_pid(s2), third) == []
            third.join(timeout=10)
            assert out3["result"] is None


def test_the_detector_sees_a_plain_row_lock_wait(queue_db):
    """Control for the detector: without skip locked, s2 does wait on s1, and pg_blocking_pids names s1."""
    with worker_conn(queue_db) as admin:
        run_id = enqueue(admin, 1)[0]
    with worker_conn(queue_db, autocommit=False) as s1, worker_conn(queue_db, autocommit=False) as s2, \
            connect(queue_db) as monitor:
        with s1.transaction():
            s1.execute(CLAIM, ("s1",))
            s2.execute("begin")
            thread, out = run_in_thread(
                lambda: s2.execute("select id from ops.runs where id = %s for update", (run_id,)).fetchone()
            )
            blockers = wait_blocked_or_done(monitor, backend_pid(s2), thread)
            assert blockers == [backend_pid(s1)]
        thread.join(timeout=10)
        s2.execute("rollback")
        assert out["result"] == (run_id,)


def test_s2_claim_does_not_wait_on_s1_working_on_its_run(queue_db):
    """s1_claim, s1_start (uncommitted, holds the run's row lock), s2_claim: lease recovery passes s1's
    run (lease not expired) and s2 takes the next run without waiting."""
    with worker_conn(queue_db) as admin:
        enqueue(admin, 2)
    with worker_conn(queue_db) as s1_auto, worker_conn(queue_db, autocommit=False) as s1, \
            worker_conn(queue_db) as s2, connect(queue_db) as monitor:
        run = s1_auto.execute(CLAIM, ("s1",)).fetchone()[0]
        with s1.transaction():
            s1.execute("select ops.start_workflow_run(%s, 's1')", (run,))
            s1.execute("select ops.heartbeat_run(%s, 's1')", (run,))
            thread, out = run_in_thread(lambda: s2.execute(CLAIM, ("s2",)).fetchone())
            assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == []
            thread.join(timeout=10)
            assert out["result"] is not None and out["result"][0] != run


def test_lease_recovery_skips_a_run_whose_holder_is_heartbeating_it(queue_db):
    """s1's lease has expired; s1_heartbeat (uncommitted) holds the row; s2_claim must not wait for it and
    must not recover it; after s1 commits the lease is extended and the run stays s1's."""
    with worker_conn(queue_db) as admin:
        run = enqueue(admin, 1)[0]
        admin.execute(CLAIM, ("s1",))
    expire_lease(queue_db, run)
    with worker_conn(queue_db, autocommit=False) as s1, worker_conn(queue_db) as s2, connect(queue_db) as monitor:
        with s1.transaction():
            s1.execute("select ops.heartbeat_run(%s, 's1')", (run,))
            thread, out = run_in_thread(lambda: s2.execute(CLAIM, ("s2",)).fetchone())
            assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == []
            thread.join(timeout=10)
            assert out["result"] is None
        assert s2.execute(CLAIM, ("s2",)).fetchone() is None
        status, worker = s2.execute("select status::text, worker_id from ops.runs where id = %s", (run,)).fetchone()
        assert (status, worker) == ("claimed", "s1")


def test_s2_enqueue_with_the_same_key_waits_for_s1_and_returns_its_run(queue_db):
    """s1_enqueue(key) uncommitted, s2_enqueue(key): s2 waits on s1 (the unique key), then returns s1's run."""
    sql = ("select id from ops.enqueue_run('acme', 'build', 'main', 'abcdef1', "
           "p_idempotency_key => 'push-42')")
    with worker_conn(queue_db, autocommit=False) as s1, worker_conn(queue_db) as s2, connect(queue_db) as monitor:
        with s1.transaction():
            s1_run = s1.execute(sql).fetchone()[0]
            thread, out = run_in_thread(lambda: s2.execute(sql).fetchone())
            assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
        thread.join(timeout=10)
        assert "error" not in out, out.get("error")
        assert out["result"][0] == s1_run
        assert s2.execute("select count(*) from ops.runs").fetchone()[0] == 1


def test_s2_enqueue_reusing_the_active_run_waits_for_s1_and_returns_its_run(queue_db):
    """s1_enqueue(reuse) uncommitted, s2_enqueue(reuse) of the same commit: s2 waits on s1's advisory
    lock, then finds s1's run: two callers, one run."""
    sql = "select id from ops.enqueue_run('acme', 'build', 'main', 'abcdef1', p_reuse_active => true)"
    with worker_conn(queue_db, autocommit=False) as s1, worker_conn(queue_db) as s2, connect(queue_db) as monitor:
        with s1.transaction():
            s1_run = s1.execute(sql).fetchone()[0]
            thread, out = run_in_thread(lambda: s2.execute(sql).fetchone())
            assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
        thread.join(timeout=10)
        assert out["result"][0] == s1_run
        assert s2.execute("select count(*) from ops.runs").fetchone()[0] == 1


def test_a_stale_worker_cannot_complete_the_run_of_the_worker_that_took_over(queue_db):
    """s1 claims and stalls; its lease expires; s2's claim recovers and takes the run;
    s1 wakes up: its heartbeat, logs, artifact and completion are refused with OP002."""
    with worker_conn(queue_db) as admin:
        run = enqueue(admin, 1, workflow="quick")[0]
    with worker_conn(queue_db) as s1, worker_conn(queue_db) as s2:
        s1.execute("select ops.claim_next_run('s1')")
        s1.execute("select ops.start_workflow_run(%s, 's1')", (run,))
        expire_lease(queue_db, run)  # s1 stalled past its lease
        assert s2.execute(CLAIM, ("s2",)).fetchone()[0] == run
        for sql in (
            "select ops.heartbeat_run(%s, 's1')",
            "select ops.append_run_log(%s, 'info', 'late', p_worker_id => 's1')",
            "select ops.append_run_logs(%s, '[{\"seq\": 1, \"message\": \"late\"}]', 's1')",
            "select ops.add_run_artifact(%s, 'k', 's3://bucket-1/k', repeat('a', 64), 1, p_worker_id => 's1')",
            "select ops.complete_workflow_run(%s, 0, null, 's1')",
            "select ops.requeue_run(%s, 's1')",
        ):
            with pytest.raises(psycopg.Error) as exc:
                s1.execute(sql, (run,))
            assert exc.value.sqlstate == "OP002", sql
        s2.execute("select ops.start_workflow_run(%s, 's2')", (run,))
        assert s2.execute("select status::text from ops.complete_workflow_run(%s, 0, null, 's2')",
                          (run,)).fetchone()[0] == "succeeded"
