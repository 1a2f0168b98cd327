"""16 workers on 5,000 runs, with random failures, hand-backs and cancels.

Asserts that every run ends exactly once in a terminal state, that every
status change has exactly one event (the event history of each run is an
unbroken chain ending at its status), that every completion a worker was told
succeeded is the stored outcome, and that nothing deadlocked or timed out.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict

import psycopg

from tests.concurrency.conftest import worker_conn
from tests.conftest import connect

RUNS = 5000
WORKERS = 16
CANCELS = 250
TIME_LIMIT = 90.0  # seconds: a hang fails the test instead of stalling the suite


def test_sixteen_workers_finish_every_run_exactly_once(queue_db):
    with connect(queue_db) as conn:
        conn.execute(
            "select ops.enqueue_run('acme', 'build', 'main', lpad(to_hex(n), 40, '0'), "
            "p_priority => (n %% 7) - 3) from generate_series(1, %s) as n",
            (RUNS,),
        )
        run_ids = [r[0] for r in conn.execute("select id from ops.runs")]
    assert len(run_ids) == RUNS

    completions: dict = defaultdict(list)  # run id -> [(worker, status told)]
    errors: list[BaseException] = []
    lock = threading.Lock()
    stop = threading.Event()
    deadline = time.monotonic() + TIME_LIMIT

    def worker(n: int) -> None:
        name = f"stress-{n}"
        rng = random.Random(n)
        try:
            with worker_conn(queue_db) as conn:
                while time.monotonic() < deadline and not stop.is_set():
                    row = conn.execute("select id from ops.claim_next_run(%s)", (name,)).fetchone()
                    if row is None:
                        left = conn.execute(
                            "select count(*) from ops.runs where status in ('queued', 'claimed', 'running')"
                        ).fetchone()[0]
                        if left == 0:
                            return
                        time.sleep(0.005)
                        continue
                    run = row[0]
                    if rng.random() < 0.03:  # shutting down: hand the claimed run back
                        conn.execute("select ops.requeue_run(%s, %s, 'stress hand-back')", (run, name))
                        continue
                    conn.execute("select ops.start_workflow_run(%s, %s)", (run, name))
                    if rng.random() < 0.2:
                        lines = ",".join(f'{{"seq": {i}, "message": "line {i}"}}' for i in range(1, 4))
                        conn.execute("select ops.append_run_logs(%s, %s, %s)", (run, f"[{lines}]", name))
                    if rng.random() < 0.3:
                        conn.execute("select * from ops.heartbeat_run(%s, %s)", (run, name))
                    if rng.random() < 0.02:  # hand back a running run too
                        conn.execute("select ops.requeue_run(%s, %s)", (run, name))
                        continue
                    code = 0 if rng.random() < 0.85 else 1
                    status = conn.execute(
                        "select status::text from ops.complete_workflow_run(%s, %s, %s, %s)",
                        (run, code, None if code == 0 else "random failure", name),
                    ).fetchone()[0]
                    with lock:
                        completions[run].append((name, status))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
            stop.set()

    def canceler() -> None:
        rng = random.Random(99)
        try:
            with worker_conn(queue_db) as conn:
                for run in rng.sample(run_ids, CANCELS):
                    if stop.is_set():
                        return
                    conn.execute("select ops.cancel_run(%s, 'stress cancel')", (run,))
                    time.sleep(0.002)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
            stop.set()

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(WORKERS)]
    threads.append(threading.Thread(target=canceler, daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, deadline - time.monotonic() + 5))
    elapsed = time.monotonic() - t0
    assert not errors, f"{len(errors)} worker error(s), first: {errors[0]!r}"
    assert not any(t.is_alive() for t in threads), f"workers still running after {elapsed:.0f} s"

    with connect(queue_db) as conn:
        by_status = dict(conn.execute("select status::text, count(*) from ops.runs group by 1").fetchall())
        assert set(by_status) <= {"succeeded", "failed", "canceled"}, by_status
        assert sum(by_status.values()) == RUNS
        assert by_status.get("canceled", 0) > 0 and by_status.get("failed", 0) > 0

        # Every run's events form one chain: null -> queued, each next event starting where the
        # last ended, the last ending at the run's status. A missing or doubled event breaks it.
        broken = conn.execute(
            """
            with e as (
              select run_id, id, from_status, to_status,
                lag(to_status) over (partition by run_id order by id) as prev,
                row_number() over (partition by run_id order by id) as rn,
                last_value(to_status) over (
                  partition by run_id order by id rows between unbounded preceding and unbounded following
                ) as last_to
              from ops.run_events
            )
            select count(*) from e inner join ops.runs as r on r.id = e.run_id
            where (e.rn = 1 and (e.from_status is not null or e.to_status <> 'queued'))
               or (e.rn > 1 and e.from_status is distinct from e.prev)
               or e.last_to <> r.status
            """
        ).fetchone()[0]
        assert broken == 0
        terminal_events = conn.execute(
            "select count(*), count(distinct run_id) from ops.run_events "
            "where to_status in ('succeeded', 'failed', 'canceled')"
        ).fetchone()
        assert terminal_events == (RUNS, RUNS), "each run must end exactly once"
        assert conn.execute(
            "select count(*) from ops.runs r where (select count(*) from ops.run_events e where e.run_id = r.id) < 2"
        ).fetchone()[0] == 0

        # What workers were told is what is stored; no run was completed twice.
        stored = dict(conn.execute("select id, status::text from ops.runs").fetchall())
        exit_codes = dict(conn.execute("select id, exit_code from ops.runs").fetchall())
    for run, told in completions.items():
        assert len(told) == 1, f"run {run} completed {len(told)} times: {told}"
        assert stored[run] == told[0][1]
    for run in run_ids:
        if run not in completions:
            assert stored[run] == "canceled" and exit_codes[run] is None, run
    print(f"\n{RUNS} runs, {WORKERS} workers: {by_status} in {elapsed:.1f} s")


def test_no_deadlock_or_lock_wait_between_claims_and_heartbeats(queue_db):
    """Heartbeats of held runs and claims of queued ones touch disjoint rows: 8 workers that heartbeat
    in a tight loop while 8 others claim and finish runs never wait on a lock for long."""
    with connect(queue_db) as conn:
        conn.execute(
            "select ops.enqueue_run('acme', 'build', 'main', lpad(to_hex(n), 40, '0')) "
            "from generate_series(1, 600) as n"
        )
    errors: list[BaseException] = []
    done = threading.Event()

    def holder(n: int) -> None:
        name = f"holder-{n}"
        try:
            with worker_conn(queue_db) as conn:
                conn.execute("set lock_timeout = '2s'")
                run = conn.execute("select id from ops.claim_next_run(%s)", (name,)).fetchone()[0]
                conn.execute("select ops.start_workflow_run(%s, %s)", (run, name))
                while not done.is_set():
                    conn.execute("select * from ops.heartbeat_run(%s, %s)", (run, name))
                conn.execute("select ops.complete_workflow_run(%s, 0, null, %s)", (run, name))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    def finisher(n: int) -> None:
        name = f"finisher-{n}"
        try:
            with worker_conn(queue_db) as conn:
                conn.execute("set lock_timeout = '2s'")
                while True:
                    row = conn.execute("select id from ops.claim_next_run(%s)", (name,)).fetchone()
                    if row is None:
                        return
                    conn.execute("select ops.start_workflow_run(%s, %s)", (row[0], name))
                    conn.execute("select ops.complete_workflow_run(%s, 0, null, %s)", (row[0], name))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    holders = [threading.Thread(target=holder, args=(i,), daemon=True) for i in range(8)]
    for t in holders:
        t.start()
    time.sleep(0.2)
    finishers = [threading.Thread(target=finisher, args=(i,), daemon=True) for i in range(8)]
    for t in finishers:
        t.start()
    for t in finishers:
        t.join(timeout=60)
    done.set()
    for t in holders:
        t.join(timeout=10)
    assert not errors, [repr(e) for e in errors][:3]
    assert not any(isinstance(e, psycopg.errors.DeadlockDetected) for e in errors)
    with connect(queue_db) as conn:
        assert conn.execute("select count(*) from ops.runs where status <> 'succeeded'").fetchone()[0] == 0
