"""Every RPC called twice with the same arguments leaves the same state and the same number of rows;
enqueueing wakes LISTENing workers with one NOTIFY per call, delivered at commit."""

from __future__ import annotations

import time

import psycopg
import pytest

from tests.concurrency.conftest import enqueue, worker_conn
from tests.conftest import connect

# Columns a repeated heartbeat legitimately moves forward (time passes between the calls).
CLOCK_COLUMNS = ("lease_expires_at", "heartbeat_at", "updated_at")


def snapshot(conn: psycopg.Connection, ignore: tuple[str, ...] = ()) -> dict:
    """Row counts and contents of the queue's tables."""
    runs = conn.execute("select to_jsonb(r) from ops.runs as r order by id").fetchall()
    runs = [{k: v for k, v in r[0].items() if k not in ignore} for r in runs]
    return {
        "runs": runs,
        "run_events": conn.execute("select count(*), max(id) from ops.run_events").fetchone(),
        "run_logs": conn.execute("select count(*), max(id), max(seq) from ops.run_logs").fetchone(),
        "run_artifacts": conn.execute("select count(*) from ops.run_artifacts").fetchone(),
    }


def twice(conn: psycopg.Connection, sql: str, params: tuple = (), ignore: tuple[str, ...] = ()):
    """Call ``sql`` twice; assert the second call changed nothing and returned the same rows."""
    first = conn.execute(sql, params).fetchall()
    after_first = snapshot(conn, ignore)
    second = conn.execute(sql, params).fetchall()
    after_second = snapshot(conn, ignore)
    assert after_second == after_first, f"a repeat of {sql!r} changed the state"
    return first, second


def test_every_rpc_repeated_gives_the_same_state_and_row_counts(queue_db):
    with worker_conn(queue_db) as w:
        # enqueue_run with a key, and with p_reuse_active.
        a, b = twice(w, "select id from ops.enqueue_run('acme', 'build', 'main', 'abcdef1', "
                        "p_idempotency_key => 'k-1')")
        assert a == b
        a, b = twice(w, "select id from ops.enqueue_run('acme', 'build', 'main', 'abcdef1', "
                        "p_reuse_active => true)")
        assert a == b
        run = a[0][0]
        assert w.execute("select count(*) from ops.runs").fetchone()[0] == 1

        # claim_next_run takes the next run: with one due run, a repeat finds nothing and changes nothing.
        first = w.execute("select id from ops.claim_next_run('w-1')").fetchall()
        before = snapshot(w)
        assert w.execute("select id from ops.claim_next_run('w-1')").fetchall() == []
        assert snapshot(w) == before and first == [(run,)]

        a, b = twice(w, "select * from ops.start_workflow_run(%s, 'w-1')", (run,))
        assert a == b
        a, b = twice(w, "select cancel_requested from ops.heartbeat_run(%s, 'w-1')", (run,), ignore=CLOCK_COLUMNS)
        assert a == b == [(False,)]
        a, b = twice(w, "select ops.append_run_logs(%s, %s, 'w-1')",
                     (run, '[{"seq": 1, "message": "a"}, {"seq": 2, "message": "b"}]'))
        assert (a, b) == ([(2,)], [(0,)])
        w.execute("select ops.register_artifact_store('s3://bucket-1/')")
        a, b = twice(w, "select * from ops.add_run_artifact(%s, 'db.tgz', %s, %s, 10, p_worker_id => 'w-1')",
                     (run, f"s3://bucket-1/acme/{run}/db.tgz", "a" * 64))
        assert a == b
        a, b = twice(w, "select * from ops.complete_workflow_run(%s, 1, 'boom', 'w-1')", (run,))
        assert a == b
        a, b = twice(w, "select * from ops.cancel_run(%s, 'late')", (run,))
        assert a == b
        a, b = twice(w, "select * from ops.list_queued_runs()")
        assert a == b

        # requeue_run, and cancel_run of a queued and of a running run.
        run2, run3 = enqueue(w, 2)
        w.execute("select ops.claim_next_run('w-2')")
        held = w.execute("select id from ops.runs where worker_id = 'w-2'").fetchone()[0]
        a, b = twice(w, "select * from ops.requeue_run(%s, 'w-2', 'shutdown')", (held,))
        assert a == b
        a, b = twice(w, "select * from ops.cancel_run(%s, 'not needed')", (run2,))
        assert a == b
        w.execute("select ops.claim_next_run('w-3')")
        running = w.execute("select id from ops.runs where worker_id = 'w-3'").fetchone()[0]
        w.execute("select ops.start_workflow_run(%s, 'w-3')", (running,))
        a, b = twice(w, "select * from ops.cancel_run(%s, 'stop')", (running,))
        assert a == b

        # The one RPC without a client key: append_run_log stores a line per call, by design
        # (ops.append_run_logs with client seq numbers is the retry-safe form).
        n = w.execute("select count(*) from ops.run_logs").fetchone()[0]
        w.execute("select ops.append_run_log(%s, 'info', 'same line', p_worker_id => 'w-3')", (running,))
        w.execute("select ops.append_run_log(%s, 'info', 'same line', p_worker_id => 'w-3')", (running,))
        assert w.execute("select count(*) from ops.run_logs").fetchone()[0] == n + 2


def _notifies(conn: psycopg.Connection, timeout: float) -> list[psycopg.Notify]:
    return list(conn.notifies(timeout=timeout, stop_after=None))


def test_enqueue_notifies_listening_workers_once_per_call_at_commit(queue_db):
    with connect(queue_db) as listener, worker_conn(queue_db) as producer, \
            worker_conn(queue_db, autocommit=False) as tx:
        listener.execute("listen ops_runs_queued")
        project = producer.execute("select id::text from ops.projects where slug = 'acme'").fetchone()[0]

        enqueue(producer, 1)
        got = _notifies(listener, 0.5)
        assert [(n.channel, n.payload) for n in got] == [("ops_runs_queued", project)]

        with tx.transaction():
            enqueue(tx, 3)
            assert _notifies(listener, 0.2) == [], "a NOTIFY must not arrive before the commit"
        got = _notifies(listener, 0.5)
        assert len(got) == 1, "NOTIFYs with the same payload in one transaction are delivered once"

        with pytest.raises(psycopg.errors.ProgrammingError):
            with tx.transaction():
                enqueue(tx, 1)
                raise psycopg.errors.ProgrammingError("roll back")
        assert _notifies(listener, 0.2) == [], "a rolled-back enqueue wakes nobody"

        producer.execute("select ops.enqueue_run('acme', 'build', 'main', 'abcdef9', p_idempotency_key => 'n-1')")
        assert len(_notifies(listener, 0.5)) == 1
        producer.execute("select ops.enqueue_run('acme', 'build', 'main', 'abcdef9', p_idempotency_key => 'n-1')")
        assert _notifies(listener, 0.2) == [], "a repeat that queues nothing wakes nobody"

        run = producer.execute("select id from ops.claim_next_run('w-1')").fetchone()[0]
        producer.execute("select ops.requeue_run(%s, 'w-1')", (run,))
        assert len(_notifies(listener, 0.5)) == 1, "a handed-back run wakes the other workers"


def test_an_idle_listening_worker_claims_within_milliseconds(queue_db):
    with worker_conn(queue_db) as worker, worker_conn(queue_db) as producer:
        worker.execute("listen ops_runs_queued")
        latencies = []
        for _ in range(20):
            t0 = time.perf_counter()
            enqueue(producer, 1)
            for _n in worker.notifies(timeout=2, stop_after=1):
                pass
            row = worker.execute("select id from ops.claim_next_run('w-1')").fetchone()
            latencies.append(time.perf_counter() - t0)
            assert row is not None
        latencies.sort()
        assert latencies[len(latencies) // 2] < 0.1, latencies
