"""Two sessions store findings of one run at the same time (a worker's retry racing its first attempt):
the second waits on the first's lock of the run row (read from pg_blocking_pids, not a sleep), then
stores only what the first did not, and the per-run cap counts what is committed."""

from __future__ import annotations

import json

from tests.concurrency.conftest import backend_pid, enqueue, run_in_thread, wait_blocked_or_done, worker_conn
from tests.conftest import connect


def batch(lines: range, file: str = "a/views/v.xml") -> str:
    return json.dumps([{"source": "upgrade-scan", "code": "tree-to-list", "file": file, "line": n, "column": 1}
                       for n in lines])


def test_a_repeated_batch_racing_the_first_waits_then_stores_only_the_new_findings(queue_db):
    with worker_conn(queue_db) as w:
        (run,) = enqueue(w)
        w.execute("select ops.claim_next_run('w-1')")
    with worker_conn(queue_db, autocommit=False) as s1, worker_conn(queue_db) as s2, connect(queue_db) as monitor:
        first = s1.execute("select ops.add_upgrade_findings(%s, %s, 'w-1')", (run, batch(range(1, 11)))).fetchone()
        assert first == (10,)
        # s1 holds its transaction open: s2's overlapping batch (lines 6 to 15) must wait for it.
        thread, out = run_in_thread(lambda: s2.execute(
            "select ops.add_upgrade_findings(%s, %s, 'w-1')", (run, batch(range(6, 16)))).fetchone())
        assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
        s1.commit()
        thread.join(10)
        assert "error" not in out, out.get("error")
        assert out["result"] == (5,), "only lines 11 to 15 were new"
    with connect(queue_db) as c:
        assert c.execute("select count(*), count(distinct line) from ops.upgrade_findings").fetchone() == (15, 15)


def test_the_cap_counts_a_racing_batch_once_it_commits(queue_db):
    with worker_conn(queue_db) as w:
        (run,) = enqueue(w)
        w.execute("select ops.claim_next_run('w-1')")
        for start in range(0, 19000, 1000):
            w.execute("select ops.add_upgrade_findings(%s, %s, 'w-1')", (run, batch(range(start + 1, start + 1001))))
    with worker_conn(queue_db, autocommit=False) as s1, worker_conn(queue_db) as s2, connect(queue_db) as monitor:
        s1.execute("select ops.add_upgrade_findings(%s, %s, 'w-1')", (run, batch(range(19001, 19601))))
        thread, out = run_in_thread(lambda: s2.execute(
            "select ops.add_upgrade_findings(%s, %s, 'w-1')", (run, batch(range(1, 601), "b.xml"))).fetchone())
        assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
        s1.commit()
        thread.join(10)
        assert getattr(out.get("error"), "sqlstate", None) == "54000", out
        assert "this batch would make 20200" in str(out["error"])
    with connect(queue_db) as c:
        assert c.execute("select count(*) from ops.upgrade_findings").fetchone() == (19600,)
