"""Two notifiers lease at the same moment: sessions s1, s2. s2's ops.lease_commit_statuses waits on s1's
(read from pg_blocking_pids, never from a sleep); once s1 commits, s2 sees s1's lease and takes nothing of
the same commit and context, so no two statuses of one commit and context are ever in flight at once."""

from __future__ import annotations

from tests.concurrency.conftest import backend_pid, run_in_thread, wait_blocked_or_done, worker_conn
from tests.conftest import connect

LEASE = "select id, run_status::text from ops.lease_commit_statuses(%s, 10, 60)"


def test_s2_waits_for_s1_then_leases_nothing_of_the_same_key(queue_db):
    db = queue_db
    with connect(db, "postgres") as conn:
        conn.execute("update ops.projects set repository_url = 'https://github.com/acme/addons'")
        conn.execute("""update ops.workflows set triggers = '{"push": {"stages": ["development"]}}'
                        where name = 'build'""")
    with worker_conn(db) as svc:
        run_id = svc.execute("select id from ops.record_push((select id from ops.projects), 'feature/x', %s, "
                             "'alice', 'd-1')", ("a" * 40,)).fetchone()[0]
    with worker_conn(db, autocommit=False) as s1, worker_conn(db) as s2, connect(db) as monitor:
        with s1.transaction():
            s1_rows = s1.execute(LEASE, ("n-1",)).fetchall()
            # The run is canceled meanwhile: a newer status of the same commit and context.
            with worker_conn(db) as svc:
                svc.execute("select ops.cancel_run(%s, 'stop')", (run_id,))
            thread, out = run_in_thread(lambda: s2.execute(LEASE, ("n-2",)).fetchall())
            assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
        thread.join(timeout=10)
        assert "error" not in out, out.get("error")
    assert [r[1] for r in s1_rows] == ["queued"]
    assert out["result"] == [], "the canceled status waits while the queued one is in flight"
    with connect(db, "postgres") as conn:
        assert conn.execute("select run_status::text, leased_by, superseded_at is null from ops.commit_status_outbox "
                            "order by id").fetchall() == [("queued", "n-1", True), ("canceled", None, True)]
