"""Batch claims (ops.claim_runs) under real concurrency, as deterministic two-session interleavings.

Sessions are named s1, s2 as in Citus/pgmq isolation specs; each test states the expected outcome of its
permutation. "Does not block" is decided by pg_blocking_pids on the server, never by a sleep.
"""

from __future__ import annotations

from tests.concurrency.conftest import (
    backend_pid,
    enqueue,
    run_in_thread,
    wait_blocked_or_done,
    worker_conn,
)
from tests.conftest import connect

BATCH = "select id from ops.claim_runs(%s, null, %s)"


def test_s2_takes_other_runs_while_s1_holds_an_uncommitted_batch(queue_db):
    """No limit, 12 queued. s1_batch of 5 (uncommitted), s2_batch of 10: s2 does not wait and gets the other 7;
    s1 commits: 12 runs claimed, each once."""
    with worker_conn(queue_db) as admin:
        queued = enqueue(admin, 12)
    with worker_conn(queue_db, autocommit=False) as s1, worker_conn(queue_db) as s2, connect(queue_db) as monitor:
        with s1.transaction():
            s1_runs = [r[0] for r in s1.execute(BATCH, ("s1", 5))]
            thread, out = run_in_thread(lambda: [r[0] for r in s2.execute(BATCH, ("s2", 10))])
            blockers = wait_blocked_or_done(monitor, backend_pid(s2), thread)
            thread.join(timeout=10)
            assert blockers == [], f"s2's batch waited on {blockers} (s1 is {backend_pid(s1)})"
            assert "error" not in out, out.get("error")
            s2_runs = out["result"]
        assert s1_runs == queued[:5], "s1 takes the oldest five, in claim order"
        assert sorted(s2_runs) == sorted(queued[5:]), "s2 takes the seven s1 does not hold"
    with connect(queue_db) as conn:
        rows = conn.execute(
            "select worker_id, count(*) from ops.runs where status = 'claimed' group by 1 order by 1"
        ).fetchall()
        assert rows == [("s1", 5), ("s2", 7)]


def test_a_limited_project_gives_one_batch_its_free_slots_and_none_to_a_concurrent_one(queue_db):
    """Limit 3, 6 queued. s1_batch of 10 (uncommitted) takes 3; s2_batch of 10 does not wait and gets nothing
    (s1 holds the project's row); s1 commits; s2_batch: nothing (3 held); s1 completes one; s2_batch: one run."""
    with connect(queue_db) as conn:
        conn.execute("update ops.project_schedules set max_running_runs = 3")
    with worker_conn(queue_db) as admin:
        queued = enqueue(admin, 6)
    with worker_conn(queue_db, autocommit=False) as s1, worker_conn(queue_db) as s2, connect(queue_db) as monitor:
        with s1.transaction():
            s1_runs = [r[0] for r in s1.execute("select id from ops.claim_runs('s1', null, 10, p_start => true)")]
            assert s1_runs == queued[:3], "the batch stops at the project's limit"
            thread, out = run_in_thread(lambda: [r[0] for r in s2.execute(BATCH, ("s2", 10))])
            blockers = wait_blocked_or_done(monitor, backend_pid(s2), thread)
            thread.join(timeout=10)
            assert blockers == [], f"s2's batch waited on {blockers} (s1 is {backend_pid(s1)})"
            assert out.get("result") == [], "s2 took runs of a project whose free slots s1 is taking"
        assert [r[0] for r in s2.execute(BATCH, ("s2", 10))] == [], "three runs held: the limit is reached"
        s1.execute("select ops.complete_workflow_run(%s, 0, p_worker_id => 's1')", (s1_runs[0],))
        s1.commit()
        assert [r[0] for r in s2.execute(BATCH, ("s2", 10))] == [queued[3]], "one slot freed, one run"
