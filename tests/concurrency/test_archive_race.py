"""Archiving a project and queueing a run of it at the same moment: no run stays queued in an
archived project. Sessions s1 and s2; "waits" is read from pg_blocking_pids."""

from __future__ import annotations

import psycopg

from tests.concurrency.conftest import PROJECT, backend_pid, run_in_thread, wait_blocked_or_done, worker_conn
from tests.conftest import connect

ENQUEUE = "select id from ops.enqueue_run(%s, 'build', 'main', 'abcdef1')"
ARCHIVE = "select archived_at from ops.archive_project(%s)"


def queued_runs(db) -> int:
    with connect(db, "postgres") as conn:
        return conn.execute("select count(*) from ops.runs where status = 'queued'").fetchone()[0]


def test_an_archive_waits_for_a_run_being_queued_and_cancels_it(queue_db):
    """s1 queues a run and has not committed; s2 archives: it waits for s1, then cancels s1's run."""
    with worker_conn(queue_db, autocommit=False) as s1, worker_conn(queue_db, autocommit=False) as s2, \
            connect(queue_db, "postgres") as monitor:
        run = s1.execute(ENQUEUE, (PROJECT,)).fetchone()[0]
        thread, out = run_in_thread(lambda: (s2.execute(ARCHIVE, (PROJECT,)).fetchone(), s2.commit()))
        assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
        s1.commit()
        thread.join(timeout=10)
        assert "error" not in out, out
        status = monitor.execute("select status::text, cancel_reason from ops.runs where id = %s", (run,)).fetchone()
    assert status == ("canceled", "project archived")
    assert queued_runs(queue_db) == 0


def test_a_run_queued_while_the_archive_is_uncommitted_is_refused(queue_db):
    """s1 archives and has not committed; s2 queues a run: it waits for s1, then is refused (22023)."""
    with worker_conn(queue_db, autocommit=False) as s1, worker_conn(queue_db, autocommit=False) as s2, \
            connect(queue_db, "postgres") as monitor:
        s1.execute(ARCHIVE, (PROJECT,))
        thread, out = run_in_thread(lambda: s2.execute(ENQUEUE, (PROJECT,)).fetchone())
        assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
        s1.commit()
        thread.join(timeout=10)
        assert isinstance(out.get("error"), psycopg.errors.InvalidParameterValue), out
        assert "the project is archived" in str(out["error"])
        s2.rollback()
    assert queued_runs(queue_db) == 0
