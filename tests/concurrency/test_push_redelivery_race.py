"""A webhook delivered twice at the same moment, and two first runs of one new branch: sessions s1, s2.
The second ops.record_push of a delivery id waits on the first's row of ops.webhook_deliveries (read from
pg_blocking_pids, never from a sleep) and, once s1 commits, returns s1's runs and creates nothing; if s1
rolls back, s2 records the push itself. Two first runs of a new branch create it once."""

from __future__ import annotations

from tests.concurrency.conftest import backend_pid, run_in_thread, wait_blocked_or_done, worker_conn
from tests.conftest import connect

PUSH = "select id from ops.record_push((select id from ops.projects where slug = 'acme'), %s, %s, 'alice', %s)"
ENQUEUE = "select branch_id from ops.enqueue_run('acme', 'build', %s, %s)"


def counts(db) -> tuple[int, int, int, int]:
    """runs, queued events, deliveries, branches."""
    with connect(db, "postgres") as conn:
        return conn.execute(
            "select (select count(*) from ops.runs)::int, "
            "(select count(*) from ops.run_events where to_status = 'queued')::int, "
            "(select count(*) from ops.webhook_deliveries)::int, (select count(*) from ops.branches)::int"
        ).fetchone()


def test_s2_redelivery_waits_for_s1_then_returns_its_runs(queue_db):
    """s1_push(delivery d-1) uncommitted, s2_push(d-1): s2 waits on s1; once s1 commits, s2 returns s1's
    runs (one for each of build, once and quick, all given a push trigger) and nothing more exists than s1
    made."""
    db = queue_db
    with connect(db, "postgres") as conn:
        conn.execute("""update ops.workflows set triggers = '{"push": {"stages": ["development"]}}'""")
    before = counts(db)
    with worker_conn(db, autocommit=False) as s1, worker_conn(db) as s2, connect(db) as monitor:
        with s1.transaction():
            s1_runs = [r[0] for r in s1.execute(PUSH, ("feature/x", "a" * 40, "d-1")).fetchall()]
            thread, out = run_in_thread(lambda: [r[0] for r in s2.execute(PUSH, ("feature/x", "b" * 40, "d-1"))])
            assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
        thread.join(timeout=10)
        assert "error" not in out, out.get("error")
    assert len(s1_runs) == 3
    assert out["result"] == s1_runs
    assert counts(db) == (before[0] + 3, before[1] + 3, before[2] + 1, before[3] + 1)
    with connect(db, "postgres") as conn:
        head = conn.execute("select head_commit from ops.branches where name = 'feature/x'").fetchone()[0]
    assert head == "a" * 40, "the redelivery did not touch the branch"


def test_s1_rolls_back_and_s2_records_the_push_itself(queue_db):
    """s1_push(d-1) uncommitted, s2_push(d-1) waits; s1 rolls back: s2 goes on and records the push."""
    db = queue_db
    with connect(db, "postgres") as conn:
        conn.execute("""update ops.workflows set triggers = '{"push": {"stages": ["development"]}}'
                        where name = 'build'""")
    before = counts(db)
    with worker_conn(db, autocommit=False) as s1, worker_conn(db) as s2, connect(db) as monitor:
        s1.execute(PUSH, ("feature/x", "a" * 40, "d-1"))
        thread, out = run_in_thread(lambda: [r[0] for r in s2.execute(PUSH, ("feature/x", "b" * 40, "d-1"))])
        assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
        s1.rollback()
        thread.join(timeout=10)
        assert "error" not in out, out.get("error")
    assert len(out["result"]) == 1
    assert counts(db) == (before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1)
    with connect(db, "postgres") as conn:
        head = conn.execute("select head_commit from ops.branches where name = 'feature/x'").fetchone()[0]
    assert head == "b" * 40


def test_two_first_runs_of_a_new_branch_create_it_once(queue_db):
    """s1_enqueue(new branch) uncommitted, s2_enqueue(same branch): s2 waits on s1's branch row; once s1
    commits, s2's run belongs to the same branch."""
    db = queue_db
    with worker_conn(db, autocommit=False) as s1, worker_conn(db) as s2, connect(db) as monitor:
        with s1.transaction():
            s1_branch = s1.execute(ENQUEUE, ("feature/new", "a" * 40)).fetchone()[0]
            thread, out = run_in_thread(lambda: s2.execute(ENQUEUE, ("feature/new", "b" * 40)).fetchone()[0])
            assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
        thread.join(timeout=10)
        assert "error" not in out, out.get("error")
    assert out["result"] == s1_branch
    with connect(db, "postgres") as conn:
        assert conn.execute("select count(*) from ops.branches where name = 'feature/new'").fetchone()[0] == 1
