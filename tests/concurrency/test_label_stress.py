"""16 workers with random label sets on 3,000 runs that require labels, with random kills and cancels.

Workers offer random sets of labels; runs require the labels of their workflow. A killer ends worker
backends at random (pg_terminate_backend) and the killed worker comes back under a new id, as a restarted
process would; its runs come back through lease expiry. A canceler cancels runs at random. Asserts, from
ops.runs and ops.run_events, that no run was ever claimed by a worker lacking one of its labels, that every
run ends exactly once with an unbroken event chain, that what workers were told is what is stored, that
the registry holds each worker's labels, and that claims did not wait on each other's row or transaction
locks (pg_blocking_pids; at most the few stray waits of PostgreSQL's update-chain follow, see Stress.check).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict

import psycopg

from tests.concurrency.conftest import Stress, worker_conn
from tests.conftest import connect

RUNS = 3000
WORKERS = 16
CANCELS = 200
KILLS = 40
LEASE = 2  # seconds: a killed worker's run comes back quickly
TIME_LIMIT = 120.0

WORKFLOWS = {  # name -> labels its runs require
    "build": [],
    "docker": ["docker"],
    "odoo17": ["docker", "odoo-17.0"],
    "arm": ["arm64"],
    "arm18": ["arm64", "odoo-18.0"],
}
OFFERS = [  # what a worker may offer
    [], ["docker"], ["docker", "odoo-17.0"], ["arm64"], ["arm64", "odoo-18.0"], ["gpu"],
    ["arm64", "docker", "odoo-17.0", "odoo-18.0"], ["docker", "gpu", "odoo-17.0"],
]


def worker_labels(rng: random.Random) -> list[list[str]]:
    """One label set per worker, at random, such that every workflow has at least one worker that fits it."""
    sets = [sorted(rng.choice(OFFERS)) for _ in range(WORKERS)]
    for i, need in enumerate(WORKFLOWS.values()):  # the first five cover the five workflows
        if not set(need) <= set(sets[i]):
            sets[i] = sorted(set(sets[i]) | set(need))
    return sets


def test_sixteen_labelled_workers_with_kills_and_cancels_respect_labels_and_end_every_run_once(queue_db):
    rng = random.Random(20261202)
    with connect(queue_db) as conn:
        for name, labels in WORKFLOWS.items():
            conn.execute(
                # Every commit of the branch is a run of its own: these workflows supersede nothing.
                "insert into ops.workflows"
                " (project_id, name, steps, lease_seconds, max_attempts, required_labels, supersede,"
                " retry_backoff_seconds) "
                "select id, %s, '[{\"name\": \"b\", \"command\": \"true\"}]', 5, 3, %s, 'none', 0 from ops.projects "
                "on conflict (project_id, name) do update"
                " set required_labels = excluded.required_labels, supersede = 'none', retry_backoff_seconds = 0",
                (name, labels),
            )
        conn.execute(
            "select ops.enqueue_run('acme', (array['build', 'docker', 'odoo17', 'arm', 'arm18'])[1 + n %% 5], "
            "'main', lpad(to_hex(n), 40, '0'), p_priority => (n * 7919 %% 11) - 5) "
            "from generate_series(1, %s) as n",
            (RUNS,),
        )
        run_ids = [r[0] for r in conn.execute("select id from ops.runs")]
        assert conn.execute("select count(distinct required_labels) from ops.runs").fetchone()[0] == len(WORKFLOWS)
    assert len(run_ids) == RUNS

    labels_of = worker_labels(rng)
    offered: dict[str, list[str]] = {}  # every worker id that ran -> the labels it offered
    completions: dict = defaultdict(list)
    stress = Stress(queue_db, WORKERS, TIME_LIMIT)

    def worker(n: int) -> None:
        labels = labels_of[n]
        wrng = random.Random(n)
        life = 0
        while stress.going():
            name = f"stress-{n}-{life}"
            with stress.lock:
                offered[name] = labels
            try:
                with worker_conn(queue_db) as conn:
                    conn.execute("select 1 from ops.register_worker(%s, %s, 'stress', 'test-host')", (name, labels))
                    with stress.lock:
                        stress.pids[n] = conn.info.backend_pid
                    while stress.going():
                        row = conn.execute(
                            "select id from ops.claim_next_run(%s, %s, %s)", (name, LEASE, labels)
                        ).fetchone()
                        if row is None:
                            if stress.left() == 0:
                                return
                            time.sleep(0.01)
                            continue
                        run = row[0]
                        if wrng.random() < 0.03:
                            conn.execute("select ops.requeue_run(%s, %s, 'stress hand-back')", (run, name))
                            continue
                        conn.execute("select ops.start_workflow_run(%s, %s)", (run, name))
                        if wrng.random() < 0.3:
                            conn.execute("select * from ops.heartbeat_run(%s, %s, %s)", (run, name, LEASE))
                        code = 0 if wrng.random() < 0.85 else 1
                        status = conn.execute(
                            "select status::text from ops.complete_workflow_run(%s, %s, %s, %s)",
                            (run, code, None if code == 0 else "random failure", name),
                        ).fetchone()[0]
                        with stress.lock:
                            completions[run].append((name, status))
            except psycopg.OperationalError:
                # Killed: come back as a new process would, under a new id with the same labels.
                life += 1

    threads = stress.run(worker, [lambda: stress.killer(KILLS, (0.05, 0.3)),
                                  lambda: stress.canceler(run_ids, CANCELS, 0.003)])
    stress.check(threads, min_kills=KILLS // 2)
    elapsed, kills = stress.elapsed, stress.kills

    with connect(queue_db) as conn:
        by_status = dict(conn.execute("select status::text, count(*) from ops.runs group by 1").fetchall())
        assert set(by_status) <= {"succeeded", "failed", "canceled"}, by_status
        assert sum(by_status.values()) == RUNS

        # No run was claimed by a worker lacking one of its labels: every claim event names its worker.
        required = {r: set(labels) for r, labels in conn.execute("select id, required_labels from ops.runs")}
        claims = conn.execute(
            "select run_id, substr(actor, 8) from ops.run_events where to_status = 'claimed'"
        ).fetchall()
        assert len(claims) >= RUNS - CANCELS
        unfit = [(run, w) for run, w in claims if not required[run] <= set(offered[w])]
        assert unfit == [], f"{len(unfit)} claim(s) by workers without the labels, first: {unfit[0]}"
        claimed_by_labels = {frozenset(required[run]) for run, _ in claims}
        assert len(claimed_by_labels) == len(WORKFLOWS), "runs of every label set were claimed"

        # Every run ends exactly once, with an unbroken chain of events.
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
        assert conn.execute(
            "select count(*), count(distinct run_id) from ops.run_events "
            "where to_status in ('succeeded', 'failed', 'canceled')"
        ).fetchone() == (RUNS, RUNS), "each run must end exactly once"
        recovered = conn.execute(
            "select count(*) from ops.run_events where reason like 'lease expired%%'"
        ).fetchone()[0]

        # The registry: every worker id that ran, with the labels it offered.
        registry = dict(conn.execute("select id, labels from ops.workers").fetchall())
        assert registry == offered
        stored = dict(conn.execute("select id, status::text from ops.runs").fetchall())
    for run, told in completions.items():
        assert len(told) == 1, f"run {run} completed {len(told)} times: {told}"
        assert stored[run] == told[0][1]
    print(f"\n{RUNS} runs, {WORKERS} labelled workers, {len(kills)} kills ({recovered} lease recoveries), "
          f"{len(offered)} worker ids: {by_status} in {elapsed:.1f} s")
