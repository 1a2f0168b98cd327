"""``odooops bench queue``: how fast the queue RPCs are, next to limits measured in the same run.

Every number is measured on the same server in the same run as the limit it
is compared with:

* lifecycle: claim -> start -> complete of no-op runs (three transactions per
  run) with 1/2/4/8 connections, driven by pgbench with a custom script, next
  to pgbench's single-row UPDATE transaction rate with the same connection
  count; then at the most connections the two cheaper forms: claim and start
  in one call (ops.claim_next_run with p_start) then complete, target >= 25 %
  of the limit; and the batch form (ops.claim_runs of 50, started, then one
  transaction completing them), target >= 100 % of the limit in runs/s.
* claim latency with a long history (1,000,000 finished and 100,000 queued
  runs, labels in use: a quarter each of four label sets, one of which no
  worker offers, at the head of the queue) next to the latency on a nearly
  empty table, for a worker without labels and for one with labels (docker,
  odoo-17.0). Target: <= 1.5x.
* heartbeats: their latency, and how often they write the worker's
  ops.workers row (last_seen_at moves at most every 5 s) and whether those
  writes and the run's are HOT updates.
* enqueue-to-claim latency with idle workers woken by NOTIFY. Target: p50 <
  10 ms, p99 < 50 ms.
* log ingestion through ops.append_run_logs next to COPY into the same table.
  Target: >= 30 % of COPY.
* fairness: project A queues 10,000 runs, then project B queues 10, while 8
  workers drain the queue; target: every run of B starts before A's next 100
  runs start (counted from ops.run_events), with the claims B waited.
* claim latency with limits in use (every project limited to 8 held runs, a
  workflow to 4 per branch) and labels, long history vs nearly empty.
* the cost of an idle transaction: claim latency over many claims while a
  session sits idle in a transaction (its snapshot keeps dead index entries),
  then after idle_in_transaction_session_timeout ended that session.

It prints one table and writes JSON. SQL lives in ``sql/bench/``; this module
only runs it, calls the RPCs and times them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg

from . import migrations
from .databases import fresh_database, server
from .target import Target

SQL_DIR = Path(__file__).parent / "sql" / "bench"
WORKER_ROLE = "service_role"
# What the labelled bench worker offers: it may take noop, noop-docker and noop-odoo17, never noop-arm64.
BENCH_LABELS = ["docker", "odoo-17.0"]
LABELLED_WORKFLOWS = ("noop", "noop-docker", "noop-odoo17")


@dataclass(frozen=True)
class Sizes:
    lifecycle_runs: int
    connections: tuple[int, ...]
    update_seconds: int
    history_finished: int
    history_queued: int
    latency_claims: int
    notify_runs: int
    notify_workers: int
    log_lines: int
    log_batch: int
    single_log_lines: int
    idle_claims: int
    heartbeat_seconds: float
    fair_a_runs: int
    fair_b_runs: int
    fair_workers: int


FULL = Sizes(
    lifecycle_runs=20_000, connections=(1, 2, 4, 8), update_seconds=10, history_finished=1_000_000,
    history_queued=100_000, latency_claims=2_000, notify_runs=500, notify_workers=4, log_lines=500_000,
    log_batch=1_000, single_log_lines=10_000, idle_claims=15_000, heartbeat_seconds=12.0,
    fair_a_runs=10_000, fair_b_runs=10, fair_workers=8,
)
SMOKE = Sizes(
    lifecycle_runs=200, connections=(1, 2), update_seconds=1, history_finished=5_000, history_queued=1_000,
    latency_claims=50, notify_runs=20, notify_workers=2, log_lines=5_000, log_batch=1_000,
    single_log_lines=200, idle_claims=200, heartbeat_seconds=1.0,
    fair_a_runs=1_000, fair_b_runs=10, fair_workers=8,
)


# -- helpers -------------------------------------------------------------------------
def _pctl(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))
    return s[k]


def _latency_stats(seconds: list[float]) -> dict:
    ms = [v * 1000 for v in seconds]
    return {
        "n": len(ms), "mean_ms": statistics.fmean(ms) if ms else None,
        "p50_ms": _pctl(ms, 0.50), "p90_ms": _pctl(ms, 0.90), "p99_ms": _pctl(ms, 0.99),
        "max_ms": max(ms, default=None),
    }


def _worker(t: Target, **kw) -> psycopg.Connection:
    """An autocommit connection acting as service_role (SET ROLE, as PostgREST does)."""
    conn = psycopg.connect(t.conninfo("postgres"), autocommit=True, **kw)
    conn.execute("set role service_role")
    return conn


def find_pgbench() -> str | None:
    exe = shutil.which("pgbench")
    if exe:
        return exe
    try:
        from .cluster import find_bindir

        candidate = find_bindir() / "pgbench"
        return str(candidate) if candidate.exists() else None
    except Exception:  # noqa: BLE001 - no server binaries: no pgbench either
        return None


def run_pgbench(t: Target, script: Path, clients: int, *, seconds: int | None = None,
                transactions: int | None = None, role: str | None = None) -> dict:
    """pgbench -n -M prepared with a custom script; returns tps and latency."""
    exe = find_pgbench()
    if exe is None:
        raise RuntimeError("pgbench not found")
    env = {**os.environ, **t.libpq_env("postgres")}
    if role:
        env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + f" -c role={role}").strip()
    threads = max(1, min(clients, os.cpu_count() or 1))
    cmd = [exe, "-n", "-M", "prepared", "-c", str(clients), "-j", str(threads), "-f", str(script)]
    cmd += ["-T", str(seconds)] if seconds else ["-t", str(transactions)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"pgbench failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    out = proc.stdout
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
    lat = re.search(r"latency average = ([0-9.]+) ms", out)
    done = re.search(r"number of transactions actually processed: (\d+)", out)
    return {
        "clients": clients, "tps": float(tps.group(1)) if tps else None,
        "latency_ms": float(lat.group(1)) if lat else None, "transactions": int(done.group(1)) if done else None,
    }


# -- the measurements -----------------------------------------------------------------
def add_fixtures(db: Target) -> None:
    """The bench fixtures (a project, workflows, helper functions) in a migrated database."""
    with psycopg.connect(db.conninfo("postgres"), autocommit=True) as conn:
        for _, stmt in migrations.split_statements((SQL_DIR / "setup.sql").read_text()):
            conn.execute(stmt.encode())


def server_facts(db: Target) -> dict:
    with psycopg.connect(db.conninfo("postgres"), autocommit=True) as conn:
        settings = dict(conn.execute(
            "select name, setting from pg_settings where name in ('fsync', 'synchronous_commit', "
            "'full_page_writes', 'shared_buffers', 'max_connections', 'wal_level', 'server_version')"
        ).fetchall())
    cpu = ""
    try:
        cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                    if ln.startswith("model name")), "")
    except OSError:
        pass
    mem_gb = None
    try:
        mem_kb = int(next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
                          if ln.startswith("MemTotal")))
        mem_gb = round(mem_kb / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        pass
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "host": platform.node(), "platform": platform.platform(), "cpu": cpu, "cpus": os.cpu_count(),
        "memory_gb": mem_gb, "postgres": settings,
        "durable": settings.get("fsync") == "on" and settings.get("synchronous_commit") == "on",
    }


def enqueue_many(db: Target, n: int, branch: str, workflow: str = "noop", priority: int = 0) -> None:
    """Queue ``n`` runs of ``workflow`` through ops.enqueue_run, in one statement."""
    with _worker(db) as conn:
        conn.execute(
            "select count(ops.enqueue_run('bench', %s, %s, lpad(to_hex(g), 40, '0'), p_priority => %s)) "
            "from generate_series(1, %s) as g",
            (workflow, branch, priority, n),
        )


def enqueue_labelled(db: Target, n: int, branch: str) -> None:
    """A queue with labels in use, as in bulk_history.sql: enough runs for ``n`` claims by the labelled worker,
    spread over the label sets it may take, and a quarter as many that it may not, at the head of the queue."""
    per = math.ceil(n / len(LABELLED_WORKFLOWS))
    for wf in LABELLED_WORKFLOWS:
        enqueue_many(db, per, branch, wf)
    enqueue_many(db, max(1, n // 4), branch, "noop-arm64", priority=10)


def vacuum_runs(db: Target) -> None:
    with psycopg.connect(db.conninfo("postgres"), autocommit=True) as conn:
        conn.execute("vacuum (analyze) ops.runs")


# The lifecycle forms: pgbench script, transactions per run (for the RPC tx/s column), runs per script pass.
LIFECYCLE_FORMS = {
    "three_calls": ("lifecycle.pgbench.sql", 3, 1),
    "claim_started": ("lifecycle_started.pgbench.sql", 2, 1),
    "batch": ("lifecycle_batch.pgbench.sql", 2 / 50, 50),
}


def measure_lifecycle(db: Target, sizes: Sizes, echo: Callable[[str], None] = print,
                      form: str = "three_calls", connections: tuple[int, ...] | None = None) -> tuple[dict, dict]:
    """Per connection count: the UPDATE limit, the lifecycle in ``form``, the UPDATE limit again.

    The limit is measured right before and right after each lifecycle round and averaged, so that
    drift on a shared machine (other processes, checkpoints) hits both sides alike.
    """
    script, tx_per_run, per_pass = LIFECYCLE_FORMS[form]
    limits, out = {}, {}
    for c in connections or sizes.connections:
        before = run_pgbench(db, SQL_DIR / "update_one_row.pgbench.sql", c, seconds=sizes.update_seconds)
        branch = f"lifecycle-{form}-{c}"
        enqueue_many(db, sizes.lifecycle_runs, branch)
        vacuum_runs(db)
        per_client = math.ceil(sizes.lifecycle_runs / c / per_pass)
        res = run_pgbench(db, SQL_DIR / script, c, transactions=per_client + per_client // 10 + 5,
                          role=WORKER_ROLE)
        after = run_pgbench(db, SQL_DIR / "update_one_row.pgbench.sql", c, seconds=sizes.update_seconds)
        with psycopg.connect(db.conninfo("postgres"), autocommit=True) as conn:
            done, window, left = conn.execute(
                "select count(*) filter (where status = 'succeeded'), "
                "extract(epoch from max(finished_at) - min(claimed_at))::float8, "
                "count(*) filter (where status <> 'succeeded') "
                "from ops.runs where branch = %s",
                (branch,),
            ).fetchone()
        rate = done / window if window else None
        tps = [x["tps"] for x in (before, after) if x["tps"]]
        limits[c] = {"clients": c, "tps": statistics.fmean(tps) if tps else None, "before": before, "after": after}
        out[c] = {"clients": c, "form": form, "runs": done, "left_over": left, "seconds": window, "runs_per_s": rate,
                  "rpc_tx_per_s": rate * tx_per_run if rate else None, "pgbench": res}
        echo(f"  {form}, {c} connection(s): {rate or 0:.0f} runs/s; UPDATE {limits[c]['tps'] or 0:.0f} tps")
    return limits, out


def timed_claims(db: Target, n: int, worker: str = "bench-latency") -> list[float]:
    """Claim ``n`` runs one by one; time each claim only, then start and complete it (untimed)."""
    times = []
    with _worker(db) as conn:
        for _ in range(n):
            t0 = time.perf_counter()
            row = conn.execute("select id from ops.claim_next_run(%s)", (worker,), prepare=True).fetchone()
            times.append(time.perf_counter() - t0)
            if row is None:
                break
            conn.execute("select 1 from ops.start_workflow_run(%s, %s)", (row[0], worker), prepare=True)
            conn.execute("select 1 from ops.complete_workflow_run(%s, 0, null, %s)", (row[0], worker), prepare=True)
    return times


def claim_latency_pair(empty: Target, history: Target, n: int, block: int = 50,
                       labels: list[str] | None = None) -> dict:
    """Claim latency on a nearly empty database next to one with a long history, in alternating blocks
    (so that drift hits both alike). Two numbers per claim: the claim statement alone (its work on the
    table and indexes) and with its commit (what a worker waits for; with durability on, mostly the WAL
    flush). ``labels``: what the claiming worker offers (none by default)."""
    samples: dict = {"empty": ([], []), "history": ([], [])}
    worker = "bench-latency-labels" if labels else "bench-latency"
    conns = {"empty": _worker(empty), "history": _worker(history)}
    try:
        for _ in range(0, n, block):
            for label, conn in conns.items():
                stmt, total = samples[label]
                for _ in range(block):
                    t0 = time.perf_counter()
                    with conn.transaction():
                        row = conn.execute("select id from ops.claim_next_run(%s, null, %s::text[])",
                                           (worker, labels or []), prepare=True).fetchone()
                        t1 = time.perf_counter()
                    t2 = time.perf_counter()
                    if row is None:
                        raise RuntimeError(f"the {label} queue ran dry")
                    stmt.append(t1 - t0)
                    total.append(t2 - t0)
                    conn.execute("select 1 from ops.start_workflow_run(%s, %s)", (row[0], worker), prepare=True)
                    conn.execute("select 1 from ops.complete_workflow_run(%s, 0, null, %s)", (row[0], worker),
                                 prepare=True)
    finally:
        for conn in conns.values():
            conn.close()
    out = {label: {"statement": _latency_stats(st), "with_commit": _latency_stats(tot)}
           for label, (st, tot) in samples.items()}
    out["ratio_p50_statement"] = out["history"]["statement"]["p50_ms"] / out["empty"]["statement"]["p50_ms"]
    out["ratio_p50_with_commit"] = out["history"]["with_commit"]["p50_ms"] / out["empty"]["with_commit"]["p50_ms"]
    out["labels"] = labels or []
    return out


def measure_heartbeats(db: Target, sizes: Sizes) -> dict:
    """Heartbeats of one held run, back to back for ``heartbeat_seconds``: latency, and the updates they cause
    on ops.runs and on the worker's ops.workers row (all, and HOT), from pg_stat_user_tables. last_seen_at is
    written at most every 5 s: over 12 s, two or three writes, however many heartbeats."""
    worker = "bench-heartbeat"
    enqueue_many(db, 1, "heartbeat")
    stats_sql = ("select relname, n_tup_upd, n_tup_hot_upd from pg_stat_user_tables "
                 "where schemaname = 'ops' and relname in ('runs', 'workers')")
    with _worker(db) as conn, psycopg.connect(db.conninfo("postgres"), autocommit=True) as mon:
        run = conn.execute("select id from ops.claim_next_run(%s)", (worker,)).fetchone()[0]
        conn.execute("select 1 from ops.start_workflow_run(%s, %s)", (run, worker))

        def stats() -> dict:
            conn.execute("select pg_stat_force_next_flush()")
            mon.execute("select pg_stat_clear_snapshot()")
            return {r[0]: (r[1], r[2]) for r in mon.execute(stats_sql)}

        before = stats()
        times = []
        t_all = time.perf_counter()
        while time.perf_counter() - t_all < sizes.heartbeat_seconds:
            t0 = time.perf_counter()
            conn.execute("select 1 from ops.heartbeat_run(%s, %s)", (run, worker), prepare=True)
            times.append(time.perf_counter() - t0)
        seconds = time.perf_counter() - t_all
        after = stats()
        conn.execute("select 1 from ops.complete_workflow_run(%s, 0, null, %s)", (run, worker))
    delta = {t: {"updates": after[t][0] - before[t][0], "hot": after[t][1] - before[t][1]} for t in after}
    return {"heartbeats": len(times), "seconds": seconds, **_latency_stats(times), "tables": delta}


def load_history(db: Target, finished: int, queued: int) -> dict:
    sql = (SQL_DIR / "bulk_history.sql").read_text()
    # 100 queued runs per project, as in the target (100,000 over 1,000 projects).
    projects = max(1, min(1000, queued // 100))
    sql = sql.replace(":finished", str(int(finished))).replace(":queued", str(int(queued)))
    sql = sql.replace(":projects", str(projects))
    t0 = time.monotonic()
    with psycopg.connect(db.admin_url, autocommit=True) as conn:  # replica mode needs a superuser
        with conn.transaction():
            for _, stmt in migrations.split_statements(sql):
                conn.execute(stmt.encode())
        conn.execute("vacuum (analyze) ops.runs")
        size = conn.execute(
            "select pg_size_pretty(pg_relation_size('ops.runs')), "
            "pg_size_pretty(pg_relation_size('ops.runs_claimable_idx')), "
            "(select count(*) from ops.runs), (select count(*) from ops.runs where status = 'queued'), "
            "pg_size_pretty(pg_relation_size('ops.runs_claimable_labels_idx')), "
            "(select count(distinct required_labels) from ops.runs where status = 'queued')"
        ).fetchone()
    return {"seconds": time.monotonic() - t0, "table_size": size[0], "claimable_index_size": size[1],
            "runs": size[2], "queued": size[3], "claimable_labels_index_size": size[4],
            "queued_label_sets": size[5], "projects": projects}


def measure_notify_latency(db: Target, sizes: Sizes) -> dict:
    """Idle workers LISTEN; a producer enqueues runs one at a time; time from the enqueue call to the claim."""
    started: dict = {}
    claimed: dict = {}
    stop = threading.Event()
    errors: list[BaseException] = []
    ready = threading.Barrier(sizes.notify_workers + 1)

    def worker(i: int) -> None:
        name = f"bench-notify-{i}"
        try:
            with _worker(db) as conn:
                conn.execute("listen ops_runs_queued")
                ready.wait(timeout=30)
                while not stop.is_set():
                    for _n in conn.notifies(timeout=0.5, stop_after=1):
                        pass
                    while True:
                        row = conn.execute("select id, commit_sha from ops.claim_next_run(%s)", (name,),
                                           prepare=True).fetchone()
                        if row is None:
                            break
                        claimed[row[1]] = time.perf_counter()
                        conn.execute("select 1 from ops.start_workflow_run(%s, %s)", (row[0], name), prepare=True)
                        conn.execute("select 1 from ops.complete_workflow_run(%s, 0, null, %s)", (row[0], name),
                                     prepare=True)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(sizes.notify_workers)]
    for th in threads:
        th.start()
    ready.wait(timeout=30)
    with _worker(db) as producer:
        for i in range(sizes.notify_runs):
            sha = f"{i:040x}"
            started[sha] = time.perf_counter()
            producer.execute("select 1 from ops.enqueue_run('bench', 'noop', 'notify', %s)", (sha,), prepare=True)
            time.sleep(0.02)  # idle workers between runs: the case NOTIFY is for
    deadline = time.monotonic() + 10
    while len(claimed) < len(started) and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    for th in threads:
        th.join(timeout=5)
    if errors:
        raise errors[0]
    lat = [claimed[s] - started[s] for s in started if s in claimed]
    return {"workers": sizes.notify_workers, "runs": len(started), "claimed": len(lat), **_latency_stats(lat)}


def measure_fairness(db: Target, sizes: Sizes) -> dict:
    """Project fair-a queues ``fair_a_runs`` runs and ``fair_workers`` workers start draining them; once a
    tenth of them have started, project fair-b queues ``fair_b_runs``. Counted from ops.run_events (in
    event order): how many runs of A started after B's runs were queued and before B's last one started,
    and how many claims (of anyone) B's last run waited. Target: fewer than 100 of A."""
    with psycopg.connect(db.conninfo("postgres"), autocommit=True) as conn:
        for slug in ("fair-a", "fair-b"):
            conn.execute(
                "insert into ops.projects (slug, name, odoo_series, repository_url) "
                "values (%s, %s, '17.0', 'https://git.test.invalid/' || %s || '.git') on conflict (slug) do nothing",
                (slug, slug, slug),
            )
            conn.execute(
                "insert into ops.workflows (project_id, name, steps, max_attempts, lease_seconds, supersede) "
                "select id, 'noop', '[{\"name\": \"noop\", \"command\": \"true\"}]', 3, 60, 'none' "
                "from ops.projects where slug = %s on conflict (project_id, name) do nothing",
                (slug,),
            )
    with _worker(db) as conn:
        conn.execute(
            "select count(ops.enqueue_run('fair-a', 'noop', 'main', lpad(to_hex(g), 40, '0'))) "
            "from generate_series(1, %s) as g",
            (sizes.fair_a_runs,),
        )
    stop = threading.Event()
    errors: list[BaseException] = []
    started = [0]
    lock = threading.Lock()

    def worker(i: int) -> None:
        name = f"bench-fair-{i}"
        try:
            with _worker(db) as conn:
                while not stop.is_set():
                    row = conn.execute("select id from ops.claim_next_run(%s)", (name,), prepare=True).fetchone()
                    if row is None:
                        time.sleep(0.005)
                        continue
                    conn.execute("select 1 from ops.start_workflow_run(%s, %s)", (row[0], name), prepare=True)
                    with lock:
                        started[0] += 1
                    conn.execute("select 1 from ops.complete_workflow_run(%s, 0, null, %s)", (row[0], name),
                                 prepare=True)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(sizes.fair_workers)]
    for th in threads:
        th.start()
    deadline = time.monotonic() + 300
    while started[0] < sizes.fair_a_runs // 10 and time.monotonic() < deadline and not stop.is_set():
        time.sleep(0.01)
    with _worker(db) as conn:
        conn.execute(
            "select count(ops.enqueue_run('fair-b', 'noop', 'main', lpad(to_hex(g), 40, '0'))) "
            "from generate_series(1, %s) as g",
            (sizes.fair_b_runs,),
        )
    with psycopg.connect(db.conninfo("postgres"), autocommit=True) as mon:
        done_b = (
            "select count(*) from ops.runs as r join ops.projects as p on p.id = r.project_id "
            "where p.slug = 'fair-b' and r.started_at is not null"
        )
        while time.monotonic() < deadline and not stop.is_set():
            if mon.execute(done_b).fetchone()[0] >= sizes.fair_b_runs:
                break
            time.sleep(0.01)
        stop.set()
        for th in threads:
            th.join(timeout=10)
        if errors:
            raise errors[0]
        a_between, claims_waited, b_started = mon.execute(
            """
            with e as (
              select e.id, e.to_status, e.from_status, p.slug from ops.run_events as e
              join ops.projects as p on p.id = e.project_id where p.slug in ('fair-a', 'fair-b')
            ),
            b as (
              select min(id) filter (where from_status is null) as queued,
                max(id) filter (where to_status = 'running') as last_start,
                max(id) filter (where to_status = 'claimed') as last_claim,
                count(*) filter (where to_status = 'running') as started
              from e where slug = 'fair-b'
            )
            select
              (select count(*) from e where e.slug = 'fair-a' and e.to_status = 'running'
                 and e.id > b.queued and e.id < b.last_start),
              (select count(*) from e where e.to_status = 'claimed' and e.id > b.queued and e.id < b.last_claim),
              b.started
            from b
            """
        ).fetchone()
    with _worker(db) as conn:  # A's runs left over would be claimed by the next measurement's workers
        conn.execute(
            "select count(ops.cancel_run(r.id, 'bench: fairness measured')) from ops.runs as r "
            "join ops.projects as p on p.id = r.project_id "
            "where p.slug in ('fair-a', 'fair-b') and r.status = 'queued'"
        )
    return {"a_runs": sizes.fair_a_runs, "b_runs": sizes.fair_b_runs, "workers": sizes.fair_workers,
            "b_started": b_started, "a_started_before_b_done": a_between, "claims_b_waited": claims_waited}


def set_limits(db: Target, project_limit: int, workflow_limit: int) -> None:
    """Limits in use: every project may hold ``project_limit`` runs, noop-docker ``workflow_limit`` per branch."""
    with psycopg.connect(db.conninfo("postgres"), autocommit=True) as conn:
        conn.execute("update ops.project_schedules set max_running_runs = %s", (project_limit,))
        conn.execute("update ops.workflows set concurrency_limit = %s where name = 'noop-docker'", (workflow_limit,))


def measure_logs(db: Target, sizes: Sizes) -> dict:
    """COPY into ops.run_logs next to ops.append_run_logs batches of the same lines, same connection count (1)."""
    n, batch = sizes.log_lines, sizes.log_batch
    runs_needed = 3
    enqueue_many(db, runs_needed, "logs")
    with psycopg.connect(db.conninfo("postgres"), autocommit=True) as conn:
        rows = conn.execute("select id, project_id from ops.runs where branch = 'logs' order by commit_sha").fetchall()
        run_ids = [r[0] for r in rows]
        # Only the worker holding a run may log to it: hold the two RPC runs as 'bench-logs'.
        for status in ("claimed", "running"):
            conn.execute(
                "update ops.runs set status = %s, worker_id = 'bench-logs', attempt = 1, claimed_at = now(),"
                " lease_expires_at = now() + interval '1 hour' where id = any(%s)", (status, run_ids[1:]))
    message = "INFO odoo.modules.loading: loading 42 modules... (a typical Odoo log line of about 80 chars)"
    # COPY: the server's bulk-load path into the same table, with the same indexes and foreign key, and the
    # run's project_id given as the RPCs give it (no lookup per line).
    with psycopg.connect(db.conninfo("postgres"), autocommit=True) as conn:
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy("copy ops.run_logs (run_id, project_id, seq, level, stream, message, metadata) "
                          "from stdin") as cp:
                rid, pid = str(rows[0][0]), str(rows[0][1])
                for seq in range(1, n + 1):
                    cp.write_row((rid, pid, seq, "info", "build", message, "{}"))
        copy_s = time.perf_counter() - t0
    # The batch RPC, as a worker or ops-ingest calls it.
    payloads = []
    for start in range(1, n + 1, batch):
        lines = [{"seq": s, "level": "info", "stream": "build", "message": message}
                 for s in range(start, min(n, start + batch - 1) + 1)]
        payloads.append(json.dumps(lines))
    with _worker(db) as conn:
        t0 = time.perf_counter()
        stored = 0
        for p in payloads:
            stored += conn.execute("select ops.append_run_logs(%s, %s, 'bench-logs')", (run_ids[1], p),
                                   prepare=True).fetchone()[0]
        batch_s = time.perf_counter() - t0
        # One line per call, for scale.
        m = sizes.single_log_lines
        t0 = time.perf_counter()
        for _ in range(m):
            conn.execute("select ops.append_run_log(%s, 'info', %s, p_worker_id => 'bench-logs')",
                         (run_ids[2], message), prepare=True)
        single_s = time.perf_counter() - t0
    assert stored == n, f"append_run_logs stored {stored} of {n} lines"
    return {
        "lines": n, "batch": batch,
        "copy_lines_per_s": n / copy_s, "batch_rpc_lines_per_s": n / batch_s,
        "single_rpc_lines": m, "single_rpc_lines_per_s": m / single_s,
        "ratio_batch_to_copy": (n / batch_s) / (n / copy_s),
    }


def measure_idle_transaction(db: Target, sizes: Sizes) -> dict:
    """Claim latency over many claims while an idle transaction holds a snapshot, then after
    idle_in_transaction_session_timeout ended it."""
    n = sizes.idle_claims
    tenth = max(1, n // 10)

    def phase(label: str) -> dict:
        enqueue_many(db, n, f"idle-{label}")
        times = timed_claims(db, n, worker=f"bench-idle-{label}")
        first, last = times[:tenth], times[-tenth:]
        return {"claims": len(times), "first_tenth": _latency_stats(first), "last_tenth": _latency_stats(last),
                "growth_p50": _pctl(last, 0.5) / _pctl(first, 0.5)}

    vacuum_runs(db)
    idle = psycopg.connect(db.conninfo("postgres"), autocommit=False)
    try:
        pid = idle.info.backend_pid
        idle.execute("set idle_in_transaction_session_timeout = 0")
        idle.commit()
        idle.execute("set transaction isolation level repeatable read")
        idle.execute("select count(*) from ops.projects")  # takes a snapshot, then sits idle in transaction
        held = phase("held")
        # The remedy: the session's timeout ends it (the baseline sets one for the postgres role; here it
        # is set on the session), after which dead index entries can be cleaned up again.
        idle.rollback()
        idle.execute("set idle_in_transaction_session_timeout = '1s'")
        idle.commit()
        idle.execute("select 1")  # a new transaction, left idle: the server ends the session after 1 s
        with psycopg.connect(db.conninfo("postgres"), autocommit=True) as conn:
            deadline = time.monotonic() + 10
            while conn.execute("select count(*) from pg_stat_activity where pid = %s", (pid,)).fetchone()[0]:
                if time.monotonic() > deadline:
                    raise RuntimeError("idle_in_transaction_session_timeout did not end the idle session")
                time.sleep(0.1)
    finally:
        try:
            idle.close()
        except psycopg.Error:
            pass
    after = phase("ended")
    return {"held_snapshot": held, "after_timeout": after}


# -- the run ---------------------------------------------------------------------------
def _row(name: str, value: str, limit: str = "", ratio: str = "", target: str = "", ok: bool | None = None) -> tuple:
    verdict = "" if ok is None else ("met" if ok else "NOT met")
    return (name, value, limit, ratio, target, verdict)


def summarize(res: dict) -> list[tuple]:
    rows = []
    upd, life = res.get("update_limit", {}), res.get("lifecycle", {})
    for c, lf in life.items():
        lim = upd.get(c, {}).get("tps") if upd else None
        ratio = lf["runs_per_s"] / lim if (lim and lf["runs_per_s"]) else None
        rows.append(_row(
            f"lifecycle runs/s, {c} conn, 3 calls", f"{lf['runs_per_s']:.0f} ({lf['rpc_tx_per_s']:.0f} RPC tx/s)",
            f"UPDATE {lim:.0f} tps" if lim else "n/a", f"{ratio:.1%}" if ratio else "",
        ))
    for key, label, floor in (
        ("lifecycle_claim_started", "claim+start, complete", 0.25), ("lifecycle_batch", "batch of 50", 1.0),
    ):
        for c, lf in res.get(key, {}).get("lifecycle", {}).items():
            lim = res[key]["update_limit"].get(c, {}).get("tps")
            ratio = lf["runs_per_s"] / lim if (lim and lf["runs_per_s"]) else None
            rows.append(_row(
                f"lifecycle runs/s, {c} conn, {label}", f"{lf['runs_per_s']:.0f}",
                f"UPDATE {lim:.0f} tps" if lim else "n/a", f"{ratio:.1%}" if ratio else "",
                f">= {floor:.0%}", (ratio >= floor) if ratio else False,
            ))
    for key, who in (
        ("claim_latency", "no labels"), ("claim_latency_labels", "labels"),
        ("claim_latency_limits", "labels + limits"),
    ):
        cl = res.get(key)
        if not cl:
            continue
        for kind, label in (("statement", "claim statement"), ("with_commit", "claim + commit")):
            h, e = cl["history"][kind], cl["empty"][kind]
            ratio = h["p50_ms"] / e["p50_ms"]
            rows.append(_row(
                f"{label} p50 / p99, long history, {who}", f"{h['p50_ms']:.2f} / {h['p99_ms']:.2f} ms",
                f"empty {e['p50_ms']:.2f} / {e['p99_ms']:.2f} ms", f"{ratio:.2f}x", "<= 1.5x", ratio <= 1.5,
            ))
    fr = res.get("fairness")
    if fr:
        rows.append(_row(
            f"fairness: A {fr['a_runs']} runs, then B {fr['b_runs']}, {fr['workers']} workers",
            f"{fr['a_started_before_b_done']} of A started before B's last",
            f"B waited {fr['claims_b_waited']} claims", "", "< 100 of A",
            fr["b_started"] == fr["b_runs"] and fr["a_started_before_b_done"] < 100,
        ))
    hb = res.get("heartbeats")
    if hb:
        w, r = hb["tables"].get("workers", {}), hb["tables"].get("runs", {})
        rows.append(_row(
            f"heartbeat p50 / p99, {hb['heartbeats']} in {hb['seconds']:.1f} s",
            f"{hb['p50_ms']:.2f} / {hb['p99_ms']:.2f} ms",
            f"ops.workers: {w.get('updates', 0)} updates ({w.get('hot', 0)} HOT); "
            f"ops.runs: {r.get('updates', 0)} ({r.get('hot', 0)} HOT)",
        ))
    nt = res.get("notify")
    if nt:
        rows.append(_row(
            "enqueue -> claim (NOTIFY) p50 / p99", f"{nt['p50_ms']:.1f} / {nt['p99_ms']:.1f} ms", "", "",
            "< 10 / < 50 ms", nt["p50_ms"] < 10 and nt["p99_ms"] < 50,
        ))
    lg = res.get("logs")
    if lg:
        rows.append(_row(
            f"log lines/s, batch of {lg['batch']}", f"{lg['batch_rpc_lines_per_s']:.0f}",
            f"COPY {lg['copy_lines_per_s']:.0f}", f"{lg['ratio_batch_to_copy']:.1%}", ">= 30%",
            lg["ratio_batch_to_copy"] >= 0.30,
        ))
        rows.append(_row("log lines/s, one per call", f"{lg['single_rpc_lines_per_s']:.0f}",
                         f"COPY {lg['copy_lines_per_s']:.0f}",
                         f"{lg['single_rpc_lines_per_s'] / lg['copy_lines_per_s']:.1%}"))
    it = res.get("idle_transaction")
    if it:
        h, a = it["held_snapshot"], it["after_timeout"]
        rows.append(_row(
            f"claim p50 growth over {h['claims']} claims",
            f"idle tx open: {h['growth_p50']:.2f}x", f"after timeout: {a['growth_p50']:.2f}x", "", "", None,
        ))
    return rows


def format_table(rows: list[tuple]) -> str:
    head = ("measure", "value", "limit / reference", "ratio", "target", "")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    line = "  ".join("-" * w for w in widths)
    fmt = lambda r: "  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=False)).rstrip()  # noqa: E731
    return "\n".join([fmt(head), line, *map(fmt, rows)])


def _print(msg: str) -> None:
    print(msg, flush=True)


def run_queue(server: Target, *, smoke: bool = False, json_path: Path | None = None,
              echo: Callable[[str], None] = _print) -> dict:
    """Run the queue benchmark on a fresh database of ``server``; print the table, write JSON, return results."""
    sizes = SMOKE if smoke else FULL
    res: dict = {"mode": "smoke" if smoke else "full", "sizes": asdict(sizes)}
    with fresh_database(server, "odooops_bench") as db, fresh_database(server, "odooops_bench") as empty:
        add_fixtures(db)
        add_fixtures(empty)
        res["server"] = server_facts(db)
        if not res["server"]["durable"]:
            echo("note: fsync or synchronous_commit is off on this server; numbers are not durable ones")
        t_all = time.monotonic()

        if find_pgbench():
            echo(f"lifecycle: {sizes.lifecycle_runs} runs per connection count {sizes.connections}, "
                 "each next to the single-row UPDATE limit (pgbench) ...")
            res["update_limit"], res["lifecycle"] = measure_lifecycle(db, sizes, echo)
            top = (max(sizes.connections),)
            for form in ("claim_started", "batch"):
                limit, life = measure_lifecycle(db, sizes, echo, form=form, connections=top)
                res[f"lifecycle_{form}"] = {"update_limit": limit, "lifecycle": life}
        else:
            echo("pgbench not found: lifecycle throughput and the UPDATE limit are skipped")

        echo("idle transaction vs idle_in_transaction_session_timeout ...")
        res["idle_transaction"] = measure_idle_transaction(db, sizes)

        echo(f"fairness: A queues {sizes.fair_a_runs}, then B {sizes.fair_b_runs}, {sizes.fair_workers} workers ...")
        res["fairness"] = measure_fairness(db, sizes)

        echo("enqueue -> claim latency through NOTIFY ...")
        res["notify"] = measure_notify_latency(db, sizes)

        echo("log ingestion: COPY vs ops.append_run_logs ...")
        res["logs"] = measure_logs(db, sizes)

        echo(f"heartbeats: {sizes.heartbeat_seconds:.0f} s of one run's ...")
        res["heartbeats"] = measure_heartbeats(db, sizes)

        echo(f"history: {sizes.history_finished} finished + {sizes.history_queued} queued runs ...")
        res["history_load"] = load_history(db, sizes.history_finished, sizes.history_queued)
        echo("claim latency: long history vs nearly empty table, alternating ...")
        enqueue_many(empty, sizes.latency_claims, "latency-empty")
        vacuum_runs(empty)
        res["claim_latency"] = claim_latency_pair(empty, db, sizes.latency_claims)
        echo(f"claim latency with labels ({', '.join(BENCH_LABELS)}): long history vs nearly empty table ...")
        enqueue_labelled(empty, sizes.latency_claims, "latency-labels")
        vacuum_runs(empty)
        res["claim_latency_labels"] = claim_latency_pair(empty, db, sizes.latency_claims, labels=BENCH_LABELS)
        echo("claim latency with labels and limits in use (8 per project, 4 per branch of noop-docker) ...")
        for target in (empty, db):
            set_limits(target, 8, 4)
        enqueue_labelled(empty, sizes.latency_claims, "latency-limits")
        vacuum_runs(empty)
        res["claim_latency_limits"] = claim_latency_pair(empty, db, sizes.latency_claims, labels=BENCH_LABELS)
        res["seconds"] = time.monotonic() - t_all

    res["table"] = summarize(res)
    echo(format_table(res["table"]))
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(res, indent=2, default=str))
        echo(f"wrote {json_path}")
    return res


def default_json_path() -> Path:
    from .target import project_root

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return project_root() / ".odooops" / "bench" / f"queue-{stamp}.json"


def main(args) -> int:
    """``odooops bench queue [--smoke] [--json PATH]``."""
    json_path = Path(args.json) if args.json else default_json_path()
    # A cluster of our own is durable (fsync and synchronous_commit on), as the numbers must be.
    with server(durable=True) as parent:
        run_queue(parent, smoke=args.smoke, json_path=json_path)
    return 0
