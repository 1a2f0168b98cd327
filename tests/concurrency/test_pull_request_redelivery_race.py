"""Pull request deliveries at the same moment: sessions s1, s2. A redelivery of one delivery id waits for
the first (read from pg_blocking_pids, never from a sleep) and returns its runs, creating nothing; two
deliveries of one request (an update and a close) are applied one after the other, by the request's lock;
deliveries of two requests do not wait for each other."""

from __future__ import annotations

from tests.concurrency.conftest import backend_pid, run_in_thread, wait_blocked_or_done, worker_conn
from tests.conftest import connect

REPOSITORY = "https://git.test.invalid/acme.git"
RECORD = (
    "select id from ops.record_pull_request((select id from ops.projects where slug = 'acme'), 'github', %s, %s,"
    " %s, %s, 'main', 'alice', %s)"
)


def counts(db) -> tuple[int, int, int]:
    """runs, queued events, deliveries."""
    with connect(db, "postgres") as conn:
        return conn.execute(
            "select (select count(*) from ops.runs)::int, "
            "(select count(*) from ops.run_events where to_status = 'queued')::int, "
            "(select count(*) from ops.webhook_deliveries)::int"
        ).fetchone()


def on_pull_requests(db) -> None:
    with connect(db, "postgres") as conn:
        conn.execute("""update ops.workflows set triggers = '{"pull_request": {"actions": ["opened", "updated"]}}'""")


def test_s2_redelivery_waits_for_s1_then_returns_its_runs(queue_db):
    """s1_record(#7 opened, d-1) uncommitted, s2_record(#7 opened, d-1): s2 waits on s1; once s1 commits, s2
    returns s1's runs (build, once and quick) and nothing more exists than s1 made."""
    db = queue_db
    on_pull_requests(db)
    before = counts(db)
    with worker_conn(db, autocommit=False) as s1, worker_conn(db) as s2, connect(db) as monitor:
        with s1.transaction():
            s1_runs = [r[0] for r in s1.execute(RECORD, (7, "opened", "a" * 40, REPOSITORY, "d-1")).fetchall()]
            thread, out = run_in_thread(
                lambda: [r[0] for r in s2.execute(RECORD, (7, "opened", "a" * 40, REPOSITORY, "d-1"))])
            assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
        thread.join(timeout=10)
        assert "error" not in out, out.get("error")
    assert len(s1_runs) == 3
    assert out["result"] == s1_runs
    assert counts(db) == (before[0] + 3, before[1] + 3, before[2] + 1)


def test_s2_close_waits_for_s1_update_then_cancels_its_runs(queue_db):
    """s1_record(#7 updated, d-1) uncommitted, s2_record(#7 closed, d-2): s2 waits on s1's lock of the
    request; once s1 commits, s2 sees s1's runs and cancels them all."""
    db = queue_db
    on_pull_requests(db)
    with worker_conn(db, autocommit=False) as s1, worker_conn(db) as s2, connect(db) as monitor:
        with s1.transaction():
            s1_runs = [r[0] for r in s1.execute(RECORD, (7, "updated", "b" * 40, REPOSITORY, "d-1")).fetchall()]
            thread, out = run_in_thread(
                lambda: [r[0] for r in s2.execute(RECORD, (7, "closed", "b" * 40, REPOSITORY, "d-2"))])
            assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
        thread.join(timeout=10)
        assert "error" not in out, out.get("error")
    assert sorted(out["result"]) == sorted(s1_runs)
    with connect(db, "postgres") as conn:
        statuses = conn.execute(
            "select distinct status::text, cancel_reason from ops.runs where id = any(%s)", (s1_runs,)).fetchall()
    assert statuses == [("canceled", "pull request #7 closed")]


def test_two_requests_do_not_wait_for_each_other(queue_db):
    """s1_record(#7 opened) uncommitted, s2_record(#8 opened): s2 finishes without waiting."""
    db = queue_db
    on_pull_requests(db)
    with worker_conn(db, autocommit=False) as s1, worker_conn(db) as s2, connect(db) as monitor:
        with s1.transaction():
            s1.execute(RECORD, (7, "opened", "a" * 40, REPOSITORY, "d-1")).fetchall()
            thread, out = run_in_thread(
                lambda: [r[0] for r in s2.execute(RECORD, (8, "opened", "c" * 40, REPOSITORY, "d-2"))])
            assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == []
            thread.join(timeout=10)
            assert "error" not in out, out.get("error")
            assert len(out["result"]) == 3
