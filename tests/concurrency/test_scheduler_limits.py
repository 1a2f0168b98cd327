"""Concurrency limits and fair turns under real concurrent claims.

Sessions are named s1, s2 as in Citus/pgmq isolation specs; each test states the expected outcome of its
permutation. "Does not block" is decided by pg_blocking_pids on the server, never by a sleep.
"""

from __future__ import annotations

import threading

from tests.concurrency.conftest import (
    backend_pid,
    enqueue,
    run_in_thread,
    wait_blocked_or_done,
    worker_conn,
)
from tests.conftest import connect

CLAIM = "select id from ops.claim_next_run(%s)"


def set_project_limit(db, limit: int | None) -> None:
    with connect(db) as conn:
        conn.execute("update ops.project_schedules set max_running_runs = %s", (limit,))


def test_s2_skips_a_limited_project_while_s1_decides_it_then_sees_the_limit(queue_db):
    """Limit 1. s1_claim (uncommitted), s2_claim: s2 does not wait and gets nothing (s1 holds the project's
    row: a second run would break the limit if s1 commits); s1 commits; s2_claim: nothing, 1 running;
    s1 completes; s2_claim: the next run."""
    set_project_limit(queue_db, 1)
    with worker_conn(queue_db) as admin:
        runs = enqueue(admin, 3)
    with worker_conn(queue_db, autocommit=False) as s1, worker_conn(queue_db) as s2, connect(queue_db) as monitor:
        with s1.transaction():
            s1_run = s1.execute(CLAIM, ("s1",)).fetchone()[0]
            thread, out = run_in_thread(lambda: s2.execute(CLAIM, ("s2",)).fetchone())
            blockers = wait_blocked_or_done(monitor, backend_pid(s2), thread)
            thread.join(timeout=10)
            assert blockers == [], f"s2's claim waited on {blockers} (s1 is {backend_pid(s1)})"
            assert "error" not in out, out.get("error")
            assert out["result"] is None, "s2 took a second run of a project limited to one"
        assert s1_run == runs[0]
        assert s2.execute(CLAIM, ("s2",)).fetchone() is None, "one run held: the limit is reached"
        s1.execute("select ops.start_workflow_run(%s, 's1')", (s1_run,))
        s1.execute("select ops.complete_workflow_run(%s, 0, p_worker_id => 's1')", (s1_run,))
        s1.commit()
        assert s2.execute(CLAIM, ("s2",)).fetchone()[0] == runs[1]


def test_an_unlimited_project_is_claimed_side_by_side(queue_db):
    """No limit. s1_claim (uncommitted), s2_claim: s2 gets the next run of the same project at once."""
    with worker_conn(queue_db) as admin:
        enqueue(admin, 2)
    with worker_conn(queue_db, autocommit=False) as s1, worker_conn(queue_db) as s2, connect(queue_db) as monitor:
        with s1.transaction():
            s1_run = s1.execute(CLAIM, ("s1",)).fetchone()[0]
            thread, out = run_in_thread(lambda: s2.execute(CLAIM, ("s2",)).fetchone())
            assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == []
            thread.join(timeout=10)
            assert "error" not in out, out.get("error")
            assert out["result"] is not None and out["result"][0] != s1_run


def test_sixteen_claimers_at_once_never_exceed_the_limits(queue_db):
    """Limit 3 on the project, and 1 per branch for workflow 'quick'; 16 claimers claim at the same moment,
    each keeping its transaction open until all have claimed: at most 3 runs are held, at most one 'quick'
    per branch, and nobody waited."""
    set_project_limit(queue_db, 3)
    with connect(queue_db) as conn:
        conn.execute("update ops.workflows set concurrency_limit = 1 where name = 'quick'")
    with worker_conn(queue_db) as admin:
        enqueue(admin, 10, workflow="quick")
        enqueue(admin, 10)
    barrier = threading.Barrier(16)
    held = threading.Barrier(16)
    got: dict[str, object] = {}
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            with worker_conn(queue_db, autocommit=False) as conn:
                with conn.transaction():
                    barrier.wait(timeout=20)
                    row = conn.execute(CLAIM, (name,)).fetchone()
                    got[name] = row[0] if row else None
                    held.wait(timeout=20)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    taken = [r for r in got.values() if r is not None]
    assert 1 <= len(taken) <= 3, got
    with connect(queue_db) as conn:
        held_now = conn.execute(
            "select w.name, r.branch, count(*) from ops.runs as r join ops.workflows as w on w.id = r.workflow_id "
            "where r.status in ('claimed', 'running') group by 1, 2"
        ).fetchall()
    assert sum(n for _, _, n in held_now) == len(taken) <= 3
    assert all(n <= 1 for name, _, n in held_now if name == "quick"), held_now
