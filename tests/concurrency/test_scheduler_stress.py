"""16 workers over four projects with concurrency limits, labels, random kills, cancels and supersedes.

Projects p0 and p1 may hold 2 and 3 runs at once; p2 and p3 have no project limit. Every project has a
workflow 'deploy' (requires docker, one run per branch at a time, supersedes older queued commits of its
branch), 'docker' (requires docker) and 'build' (no label). Workers offer no label or docker. A killer ends
worker backends at random (their runs come back through lease expiry), a canceler cancels runs, a pusher
queues new deploy commits that supersede the queued ones. Asserts from ops.run_events, in event order, that
no project and no (project, workflow, branch) ever held more runs than its limit, that no run was claimed by
a worker lacking its labels, that every run ended exactly once, and that claims did not wait on each other's
locks (see Stress.check).
It runs twice: workers claiming one run at a time (claim, start, complete), and workers taking batches
(ops.claim_runs of up to 3 runs, claimed and started in one transaction, then completed one by one).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter

import psycopg
import pytest

from tests.concurrency.conftest import Stress, worker_conn
from tests.conftest import connect

PROJECTS = {"p0": 2, "p1": 3, "p2": None, "p3": None}  # slug -> max_running_runs
WORKFLOWS = {"build": ([], None, "none"), "docker": (["docker"], None, "none"), "deploy": (["docker"], 1, "queued")}
BRANCHES = ["main", "staging", "dev"]
RUNS_PER_PROJECT = 60
WORKERS = 16
KILLS = 6
CANCELS = 30
PUSHES = 40
LEASE = 2
TIME_LIMIT = 90.0
HELD = ("claimed", "running")


@pytest.mark.parametrize("batch", [False, True], ids=["one_at_a_time", "batches"])
def test_sixteen_workers_never_exceed_limits_respect_labels_and_end_every_run_once(db, batch):
    with connect(db) as conn:
        for slug, limit in PROJECTS.items():
            conn.execute(
                "insert into ops.projects (slug, name, odoo_series, repository_url) "
                "values (%s, %s, '17.0', 'https://git.test.invalid/' || %s || '.git')",
                (slug, slug, slug),
            )
            conn.execute(
                "update ops.project_schedules set max_running_runs = %s "
                "where project_id = (select id from ops.projects where slug = %s)",
                (limit, slug),
            )
            for name, (labels, concurrency, supersede) in WORKFLOWS.items():
                conn.execute(
                    "insert into ops.workflows (project_id, name, steps, lease_seconds, max_attempts,"
                    " required_labels, concurrency_limit, supersede) "
                    "select id, %s, '[{\"name\": \"b\", \"command\": \"true\"}]', 5, 3, %s, %s, %s "
                    "from ops.projects where slug = %s",
                    (name, labels, concurrency, supersede, slug),
                )
        conn.execute(
            "select ops.enqueue_run(p.slug, (array['build', 'docker', 'deploy'])[1 + n %% 3],"
            " (array['main', 'staging', 'dev'])[1 + n %% 7 %% 3], lpad(to_hex(n), 40, '0')) "
            "from ops.projects as p cross join generate_series(1, %s) as n order by n, p.slug",
            (RUNS_PER_PROJECT,),
        )
        run_ids = [r[0] for r in conn.execute("select id from ops.runs where status = 'queued'")]

    labels_of = [[] if i % 2 else ["docker"] for i in range(WORKERS)]
    offered: dict[str, list[str]] = {}
    stress = Stress(db, WORKERS, TIME_LIMIT)
    pushed = threading.Event()

    def worker(n: int) -> None:
        labels = labels_of[n]
        wrng = random.Random(n)
        life = 0
        while stress.going():
            name = f"w-{n}-{life}"
            with stress.lock:
                offered[name] = labels
            try:
                with worker_conn(db) as conn:
                    with stress.lock:
                        stress.pids[n] = conn.info.backend_pid
                    while stress.going():
                        if batch:
                            claimed = [r[0] for r in conn.execute(
                                "select id from ops.claim_runs(%s, %s, 3, %s, true)", (name, labels, LEASE)
                            )]
                        else:
                            claimed = [r[0] for r in conn.execute(
                                "select id from ops.claim_next_run(%s, %s, %s)", (name, LEASE, labels)
                            )]
                        if not claimed:
                            if pushed.is_set() and stress.left() == 0:
                                return
                            time.sleep(0.01)
                            continue
                        for run in claimed:
                            if not batch:
                                conn.execute("select ops.start_workflow_run(%s, %s)", (run, name))
                            time.sleep(wrng.uniform(0, 0.01))  # a little work, so that runs overlap
                            code = 0 if wrng.random() < 0.9 else 1
                            conn.execute(
                                "select 1 from ops.complete_workflow_run(%s, %s, %s, %s)",
                                (run, code, None if code == 0 else "random failure", name),
                            )
            except psycopg.OperationalError:
                life += 1  # killed: back under a new id, as a restarted process

    def pusher() -> None:
        prng = random.Random(5)
        try:
            with worker_conn(db) as conn:
                for i in range(PUSHES):
                    if stress.stop.is_set():
                        return
                    conn.execute(
                        "select 1 from ops.enqueue_run(%s, 'deploy', %s, %s)",
                        (prng.choice(list(PROJECTS)), prng.choice(BRANCHES), f"{10_000 + i:040x}"),
                    )
                    time.sleep(0.01)
        finally:
            pushed.set()

    threads = stress.run(worker, [lambda: stress.killer(KILLS, (0.05, 0.2)),
                                  lambda: stress.canceler(run_ids, CANCELS, 0.005), pusher])
    stress.check(threads)
    elapsed, kills = stress.elapsed, stress.kills

    with connect(db) as conn:
        runs = {
            r[0]: r[1:]
            for r in conn.execute(
                "select r.id, p.slug, w.name, r.branch, r.required_labels, r.status::text, w.concurrency_limit "
                "from ops.runs as r join ops.projects as p on p.id = r.project_id "
                "join ops.workflows as w on w.id = r.workflow_id"
            )
        }
        events = conn.execute(
            "select run_id, from_status::text, to_status::text, substr(actor, 8) from ops.run_events order by id"
        ).fetchall()
        superseded = conn.execute(
            "select count(*) from ops.runs where status = 'canceled' and cancel_reason like 'superseded by %%'"
        ).fetchone()[0]

    # Every run ends exactly once, in the status stored.
    assert all(status in ("succeeded", "failed", "canceled") for *_, status, _ in runs.values())
    ends = Counter(run for run, _, to, _ in events if to in ("succeeded", "failed", "canceled"))
    assert set(ends) == set(runs) and set(ends.values()) == {1}, "every run ends exactly once"

    # Replay the events in order: held runs per project and per (project, workflow, branch).
    per_project: Counter = Counter()
    per_branch: Counter = Counter()
    peak_project: Counter = Counter()
    peak_branch: Counter = Counter()
    unfit = []
    for run, frm, to, actor in events:
        slug, wf, branch, required, _, concurrency = runs[run]
        if to == "claimed":
            if not set(required) <= set(offered.get(actor, ["?"])):
                unfit.append((run, actor))
            per_project[slug] += 1
            per_branch[slug, wf, branch] += 1
            peak_project[slug] = max(peak_project[slug], per_project[slug])
            peak_branch[slug, wf, branch] = max(peak_branch[slug, wf, branch], per_branch[slug, wf, branch])
        elif frm in HELD and to not in HELD:
            per_project[slug] -= 1
            per_branch[slug, wf, branch] -= 1
    assert unfit == [], f"{len(unfit)} claim(s) by workers without the labels, first: {unfit[0]}"
    for slug, limit in PROJECTS.items():
        if limit is not None:
            assert peak_project[slug] <= limit, f"{slug} held {peak_project[slug]} runs, limit {limit}"
            assert peak_project[slug] == limit, f"{slug} never reached its limit: the test proves nothing"
    over = {k: v for k, v in peak_branch.items() if k[1] == "deploy" and v > 1}
    assert over == {}, f"deploy ran twice at once on a branch: {over}"
    assert superseded > 0, "no run was superseded"
    print(
        f"\n{len(runs)} runs over {len(PROJECTS)} projects, {WORKERS} workers, {len(kills)} kills, "
        f"{superseded} superseded; peaks {dict(peak_project)} in {elapsed:.1f} s"
    )
