"""Pushes of one branch at the same moment: the supersede of ops.enqueue_run is serialized per
(project, workflow, branch), so exactly one run of the branch stays active and every other one is
canceled, superseded by the run queued after it. Sessions s1, s2; "waits" is read from
pg_blocking_pids, never from a sleep."""

from __future__ import annotations

import threading

import psycopg
import pytest

from tests.concurrency.conftest import backend_pid, run_in_thread, wait_blocked_or_done, worker_conn
from tests.conftest import connect

ENQUEUE = "select id from ops.enqueue_run('acme', 'build', %s, %s)"
CLAIM = "select id from ops.claim_next_run(%s)"


def sha(n: int) -> str:
    return f"{n:040x}"


def set_supersede(db, mode: str) -> None:
    with connect(db, "postgres") as conn:
        conn.execute("update ops.workflows set supersede = %s where name = 'build'", (mode,))


def runs(db, branch: str = "main") -> dict:
    """id -> (status, cancel_reason, cancel requested) of the branch's runs."""
    with connect(db, "postgres") as conn:
        rows = conn.execute(
            "select id, status::text, cancel_reason, cancel_requested_at is not null from ops.runs where branch = %s",
            (branch,),
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


@pytest.fixture
def superseding_db(queue_db):
    set_supersede(queue_db, "queued")
    return queue_db


def test_s2_enqueue_of_the_branch_waits_for_s1_then_supersedes_its_run(superseding_db):
    """s1_enqueue(sha 1) uncommitted, s2_enqueue(sha 2): s2 waits on s1 (the branch's advisory lock);
    once s1 commits, s2 sees s1's run and supersedes it. One run of the branch stays queued."""
    db = superseding_db
    with worker_conn(db, autocommit=False) as s1, worker_conn(db) as s2, connect(db) as monitor:
        with s1.transaction():
            s1_run = s1.execute(ENQUEUE, ("main", sha(1))).fetchone()[0]
            thread, out = run_in_thread(lambda: s2.execute(ENQUEUE, ("main", sha(2))).fetchone()[0])
            assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
            lock = monitor.execute(
                "select locktype, mode from pg_locks where pid = %s and not granted", (backend_pid(s2),)
            ).fetchone()
            assert lock == ("advisory", "ExclusiveLock"), "s2 waits for the branch's lock, nothing else"
        thread.join(timeout=10)
        assert "error" not in out, out.get("error")
        s2_run = out["result"]
    assert runs(db) == {
        s1_run: ("canceled", f"superseded by {s2_run}", True),
        s2_run: ("queued", None, False),
    }


def test_s1_rolls_back_and_s2_supersedes_what_s1_had_canceled(superseding_db):
    """An older run is queued; s1 enqueues (superseding it) and rolls back; s2, which waited, supersedes
    the older run itself: the cancel names s2's run, and the older run has one cancel event."""
    db = superseding_db
    with worker_conn(db) as admin:
        older = admin.execute(ENQUEUE, ("main", sha(1))).fetchone()[0]
    with worker_conn(db, autocommit=False) as s1, worker_conn(db) as s2, connect(db) as monitor:
        s1.execute(ENQUEUE, ("main", sha(2)))
        thread, out = run_in_thread(lambda: s2.execute(ENQUEUE, ("main", sha(3))).fetchone()[0])
        assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
        s1.rollback()
        thread.join(timeout=10)
        assert "error" not in out, out.get("error")
        s2_run = out["result"]
        events = monitor.execute(
            "select to_status::text, reason from ops.run_events where run_id = %s order by id", (older,)
        ).fetchall()
    assert runs(db) == {older: ("canceled", f"superseded by {s2_run}", True), s2_run: ("queued", None, False)}
    assert events == [("queued", None), ("canceled", f"superseded by {s2_run}")]


def test_eight_pushes_of_one_branch_at_once_leave_one_queued_run(superseding_db):
    """Eight sessions enqueue eight commits of the branch at the same moment and commit: one run stays
    queued; each of the seven others is canceled, superseded by the run that took the lock after it,
    so the reasons form one chain ending at the run that stays."""
    db = superseding_db
    n = 8
    start = threading.Barrier(n)
    got: dict[int, object] = {}

    def push(i: int) -> None:
        with worker_conn(db) as conn:
            start.wait(timeout=10)
            got[i] = conn.execute(ENQUEUE, ("main", sha(i + 1))).fetchone()[0]

    threads = [threading.Thread(target=push, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(got) == n, got
    state = runs(db)
    assert set(state) == set(got.values())
    active = [r for r, (status, _, _) in state.items() if status == "queued"]
    assert len(active) == 1, state
    superseded_by = {r: reason.removeprefix("superseded by ") for r, (status, reason, _) in state.items()
                     if status == "canceled"}
    assert len(superseded_by) == n - 1 and all(str(v) in {str(r) for r in state} for v in superseded_by.values())
    assert len(set(superseded_by.values())) == n - 1, "each run superseded exactly one other"
    # Follow the chain from the run nobody superseded to the one that stays.
    by_id = {str(k): str(v) for k, v in superseded_by.items()}
    first = (set(by_id) - set(by_id.values())).pop()
    chain = [first]
    while chain[-1] in by_id:
        chain.append(by_id[chain[-1]])
    assert len(chain) == n and chain[-1] == str(active[0])


def test_another_branch_does_not_wait(superseding_db):
    """s1_enqueue(main) uncommitted, s2_enqueue(dev): different key, s2 does not wait and nothing is
    canceled."""
    db = superseding_db
    with worker_conn(db, autocommit=False) as s1, worker_conn(db) as s2, connect(db) as monitor:
        with s1.transaction():
            s1.execute(ENQUEUE, ("main", sha(1)))
            thread, out = run_in_thread(lambda: s2.execute(ENQUEUE, ("dev", sha(2))).fetchone()[0])
            assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == []
            thread.join(timeout=10)
            assert "error" not in out, out.get("error")
    assert [s for s, _, _ in runs(db).values()] == ["queued"]
    assert [s for s, _, _ in runs(db, "dev").values()] == ["queued"]


def test_a_claim_does_not_wait_for_an_uncommitted_supersede(superseding_db):
    """An older run is queued; s1 enqueues a newer commit (the older run is canceled, uncommitted);
    s2 claims: it skips the row s1 holds without waiting, and gets nothing."""
    db = superseding_db
    with worker_conn(db) as admin:
        admin.execute(ENQUEUE, ("main", sha(1)))
    with worker_conn(db, autocommit=False) as s1, worker_conn(db) as s2, connect(db) as monitor:
        with s1.transaction():
            s1.execute(ENQUEUE, ("main", sha(2)))
            thread, out = run_in_thread(lambda: s2.execute(CLAIM, ("s2",)).fetchone())
            assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == []
            thread.join(timeout=10)
            assert out["result"] is None, "the superseded run is not claimed, the new one is not visible yet"
        newest = s2.execute(CLAIM, ("s2",)).fetchone()[0]
    state = runs(db)
    assert state[newest][0] == "claimed"
    assert sorted(s for s, _, _ in state.values()) == ["canceled", "claimed"]


@pytest.mark.parametrize("mode", ["queued", "queued_and_running"])
def test_a_run_claimed_while_the_supersede_waits_is_kept_or_asked_to_cancel(queue_db, mode):
    """s1 claims the older run and has not committed; s2 enqueues a newer commit: its cancel of queued
    runs waits on s1's row lock (pg_blocking_pids names s1). Once s1 commits the run is claimed, not
    queued: with queued it is left to run, with queued_and_running it gets a cancel request."""
    set_supersede(queue_db, mode)
    with worker_conn(queue_db) as admin:
        older = admin.execute(ENQUEUE, ("main", sha(1))).fetchone()[0]
    with worker_conn(queue_db, autocommit=False) as s1, worker_conn(queue_db) as s2, \
            connect(queue_db) as monitor:
        with s1.transaction():
            assert s1.execute(CLAIM, ("s1",)).fetchone()[0] == older
            thread, out = run_in_thread(lambda: s2.execute(ENQUEUE, ("main", sha(2))).fetchone()[0])
            assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
            lock = monitor.execute(
                "select locktype from pg_locks where pid = %s and not granted", (backend_pid(s2),)
            ).fetchone()
            assert lock[0] == "transactionid", "s2 waits for the row s1 claimed"
        thread.join(timeout=10)
        assert "error" not in out, out.get("error")
        newest = out["result"]
    expected = {
        "queued": ("claimed", None, False),
        "queued_and_running": ("claimed", f"superseded by {newest}", True),
    }[mode]
    assert runs(queue_db) == {older: expected, newest: ("queued", None, False)}


def _pair_in(db, isolation: str) -> dict:
    """s1 and s2 enqueue two commits of the branch in transactions of ``isolation``; s2 waits for s1's
    lock, s1 commits, then s2 goes on and commits. Returns s2's outcome."""
    with worker_conn(db, autocommit=False) as s1, worker_conn(db, autocommit=False) as s2, \
            connect(db) as monitor:
        s1.execute(f"set transaction isolation level {isolation}")
        s2.execute(f"set transaction isolation level {isolation}")
        s1.execute(ENQUEUE, ("main", sha(1)))
        thread, out = run_in_thread(lambda: (s2.execute(ENQUEUE, ("main", sha(2))).fetchone(), s2.commit()))
        assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
        s1.commit()
        thread.join(timeout=10)
        if "error" in out:
            s2.rollback()
    return out


def test_under_serializable_one_of_two_pushes_fails_rather_than_keep_both(superseding_db):
    """The supersede needs to see the run committed while it waited. Under SERIALIZABLE it cannot, and
    the pair cannot both commit: the second fails with 40001 (a retry then supersedes)."""
    out = _pair_in(superseding_db, "serializable")
    assert isinstance(out.get("error"), psycopg.errors.SerializationFailure), out
    assert [s for s, _, _ in runs(superseding_db).values()] == ["queued"]


def test_under_repeatable_read_two_pushes_both_stay_queued(superseding_db):
    """The documented limit: a REPEATABLE READ snapshot taken before the wait does not see the run
    committed meanwhile, so both stay queued (the next push supersedes both)."""
    out = _pair_in(superseding_db, "repeatable read")
    assert "error" not in out, out.get("error")
    assert [s for s, _, _ in runs(superseding_db).values()] == ["queued", "queued"]
    with worker_conn(superseding_db) as conn:
        conn.execute(ENQUEUE, ("main", sha(3)))
    assert sorted(s for s, _, _ in runs(superseding_db).values()) == ["canceled", "canceled", "queued"]


def test_two_transactions_enqueueing_two_branches_in_opposite_orders_deadlock(superseding_db):
    """The documented limit of holding the branch locks until commit: s1 enqueues main then dev, s2 dev
    then main; the server detects the cycle and fails one of them with 40P01, the other goes on."""
    db = superseding_db
    with worker_conn(db, autocommit=False) as s1, worker_conn(db, autocommit=False) as s2, \
            connect(db) as monitor:
        s1.execute(ENQUEUE, ("main", sha(1)))
        s2.execute(ENQUEUE, ("dev", sha(2)))
        t1, out1 = run_in_thread(lambda: s1.execute(ENQUEUE, ("dev", sha(3))).fetchone())
        assert wait_blocked_or_done(monitor, backend_pid(s1), t1) == [backend_pid(s2)]
        t2, out2 = run_in_thread(lambda: s2.execute(ENQUEUE, ("main", sha(4))).fetchone())
        t1.join(timeout=15)
        t2.join(timeout=15)
        failed = [o["error"] for o in (out1, out2) if "error" in o]
        assert len(failed) == 1 and isinstance(failed[0], psycopg.errors.DeadlockDetected), (out1, out2)
        s1.rollback()
        s2.rollback()
