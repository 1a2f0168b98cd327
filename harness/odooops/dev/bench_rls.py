"""``odooops bench rls``: what row-level security costs a member, next to the same queries without it.

One database holds N finished runs over M projects (each with its final
event), log lines for some runs, and a member who is a viewer of K of the
projects. The queries a member's console makes are timed, in the same run and
interleaved round by round:

* as the member (``authenticated`` with JWT claims, as PostgREST sets them),
  through the policies, with no project filter of their own;
* as the table owner (``postgres``, no row-level security) with the member's
  projects written into the query, so that it returns the same rows: the
  limit each member query is compared with (target: within 2x);
* as ``service_role`` (BYPASSRLS) with the same query as the owner.

The log-tail poll has an absolute target too (under 5 ms). With ``scale`` > 1
a second database holds ``scale`` times the runs and log lines in the other
tenants' projects, the member's projects unchanged, and the member's queries
there are compared with the same queries at 1x (target: within 1.5x).

Each member query's result is compared with the owner's (the same rows), and
its plan is kept: a plan that reads all of ops.runs or of a child table (a
sequential scan, or an index scan with no condition) is reported.
``designs`` also times the member's queries under other policy shapes (the
ones before 20261202000800, a definer helper per row, subqueries over the
member's runs), swapped in and restored in the throwaway database: the
measurements behind the choice in docs/odooops-sh/SECURITY.md.

It prints one table and writes JSON. The data is SQL in ``sql/bench/``.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg

from . import migrations
from .bench import _latency_stats, _print, _row, format_table, server_facts
from .databases import fresh_database, server
from .target import Target

SQL_DIR = Path(__file__).parent / "sql" / "bench"
MEMBER_ID = "00000000-0000-4000-8000-000000000001"
# Tables that a member's query plan must never read whole: the policy would not scale.
LARGE_TABLES = ("runs", "run_events", "run_logs", "run_artifacts")


@dataclass(frozen=True)
class Sizes:
    runs: int
    projects: int
    member_of: int
    log_runs: int
    log_lines: int
    member_log_runs: int
    scale: int
    rounds: int


FULL = Sizes(runs=1_000_000, projects=100, member_of=3, log_runs=200, log_lines=5_000, member_log_runs=5,
             scale=10, rounds=60)
SMOKE = Sizes(runs=3_000, projects=10, member_of=3, log_runs=4, log_lines=200, member_log_runs=2,
              scale=2, rounds=3)


@dataclass(frozen=True)
class Query:
    key: str
    label: str
    member: str
    owner: str
    target: bool = True  # within 2x of the owner's query (and 1.5x of 1x at scale); else shown for information


LOG_TAIL = "log_tail"
QUERIES = (
    Query("one_project", "latest 50 runs of one project",
          "select * from ops.runs where project_id = %(project)s order by created_at desc limit 50",
          "select * from ops.runs where project_id = %(project)s order by created_at desc limit 50"),
    Query("my_projects", "latest 50 runs of my projects",
          "select * from ops.runs order by created_at desc limit 50",
          "select * from ops.runs where project_id = any(%(projects)s) order by created_at desc limit 50"),
    Query("count_succeeded", "count of my succeeded runs",
          "select count(*) from ops.runs where status = 'succeeded'",
          "select count(*) from ops.runs where status = 'succeeded' and project_id = any(%(projects)s)"),
    # A rare status: the member's status filter is not an index condition (enum equality is not leakproof,
    # so it runs after the policy), and the member reads all of their runs' index entries, the owner only the
    # failed ones. Shown, not targeted.
    Query("count_failed", "count of my failed runs",
          "select count(*) from ops.runs where status = 'failed'",
          "select count(*) from ops.runs where status = 'failed' and project_id = any(%(projects)s)", target=False),
    Query(LOG_TAIL, "log tail: 100 lines of a run after seq N",
          "select * from ops.run_logs where run_id = %(run)s and seq > %(after)s order by seq limit 100",
          "select * from ops.run_logs where run_id = %(run)s and seq > %(after)s order by seq limit 100"),
    Query("whole_log", "whole log of a run, in order",
          "select * from ops.run_logs where run_id = %(run)s order by seq",
          "select * from ops.run_logs where run_id = %(run)s order by seq"),
    Query("run_events", "events of a run",
          "select * from ops.run_events where run_id = %(run)s order by id",
          "select * from ops.run_events where run_id = %(run)s order by id"),
    Query("run_artifacts", "artifacts of a run",
          "select * from ops.run_artifacts where run_id = %(run)s order by artifact_key",
          "select * from ops.run_artifacts where run_id = %(run)s order by artifact_key"),
)

# Other policy shapes, for --designs: {table: (policy, using)}; runs keep theirs unless named.
_MEMBER = "ops_private.member_project_ids('viewer')"
CHILD_POLICIES = {"run_events": "authenticated can select run events of member projects",
             "run_logs": "authenticated can select run logs of member projects",
             "run_artifacts": "authenticated can select run artifacts of member projects"}
RUNS_SELECT = "authenticated can select runs of member projects"
DESIGNS = {
    "chosen: project_id = any(array(...)) on runs and children": {},
    "before: run_id in (select ... runs where project_id in (select ...))": {
        **{t: f"run_id in (select r.id from ops.runs as r where r.project_id in (select {_MEMBER}))"
           for t in CHILD_POLICIES},
        "runs": f"project_id in (select {_MEMBER})",
    },
    "definer helper per row: bench.can_read_run(run_id)": {
        t: "bench.can_read_run(run_id)" for t in CHILD_POLICIES
    },
    "run_id in (select ... runs where project_id = any(array(...)))": {
        t: f"run_id in (select r.id from ops.runs as r where r.project_id = any(array(select {_MEMBER})))"
        for t in CHILD_POLICIES
    },
    "exists (run of run_id with project_id = any(array(...)))": {
        t: (f"exists (select 1 from ops.runs as r where r.id = run_id "
            f"and r.project_id = any(array(select {_MEMBER})))")
        for t in CHILD_POLICIES
    },
}
CAN_READ_RUN = """
create or replace function bench.can_read_run(p_run_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from ops.runs as r
    join ops.project_memberships as m on m.project_id = r.project_id
    where r.id = p_run_id and m.user_id = (select auth.uid())
  )
$$
"""


# -- data ------------------------------------------------------------------------------
def load(db: Target, sizes: Sizes, scale: int) -> dict:
    """The runs, events, logs and the member of ``rls_data.sql``, then vacuum and analyze."""
    params = {"runs": sizes.runs, "projects": sizes.projects, "member_of": sizes.member_of,
              "log_runs": sizes.log_runs, "log_lines": sizes.log_lines, "member_log_runs": sizes.member_log_runs,
              "scale": scale}
    sql = (SQL_DIR / "rls_data.sql").read_text()
    for name in sorted(params, key=len, reverse=True):
        sql = sql.replace(f":{name}", str(int(params[name])))
    t0 = time.monotonic()
    with psycopg.connect(db.admin_url, autocommit=True) as conn:  # replica mode needs a superuser
        with conn.transaction():
            for _, stmt in migrations.split_statements(sql):
                conn.execute(stmt.encode())
        # A vacuumed history, as autovacuum keeps one: the visibility map set, so that index-only scans are
        # index-only. The first vacuum after the load may leave pages unmarked; vacuum again until none is.
        for table in LARGE_TABLES:
            conn.execute(f"vacuum (analyze) ops.{table}")
            for _ in range(5):
                pages, visible = conn.execute(
                    "select relpages, relallvisible from pg_class where oid = %s::regclass", (f"ops.{table}",)
                ).fetchone()
                if visible >= pages:
                    break
                time.sleep(1)
                conn.execute(f"vacuum ops.{table}")
        counts = conn.execute(
            "select (select count(*) from ops.runs), (select count(*) from ops.run_logs), "
            "(select count(*) from ops.run_events), pg_size_pretty(pg_total_relation_size('ops.runs')), "
            "pg_size_pretty(pg_total_relation_size('ops.run_logs'))"
        ).fetchone()
    return {"scale": scale, "seconds": time.monotonic() - t0, "runs": counts[0], "log_lines": counts[1],
            "events": counts[2], "runs_size": counts[3], "run_logs_size": counts[4]}


def member_params(db: Target) -> dict:
    """The member's projects, one of them, and a run of theirs with logs (the last lines after seq N)."""
    with psycopg.connect(db.conninfo("postgres"), autocommit=True) as conn:
        projects = [r[0] for r in conn.execute(
            "select project_id from ops.project_memberships where user_id = %s order by project_id", (MEMBER_ID,))]
        run, last = conn.execute(
            "select id, last_log_seq from ops.runs where project_id = any(%s) and last_log_seq > 0 "
            "order by created_at desc limit 1", (projects,)).fetchone()
    return {"projects": projects, "project": projects[0], "run": run, "after": max(0, last - 100)}


# -- connections ---------------------------------------------------------------------------
def connect_as(db: Target, who: str) -> psycopg.Connection:
    """member: authenticated with the member's JWT claims; owner: postgres; service_role: SET ROLE."""
    conn = psycopg.connect(db.conninfo("postgres"), autocommit=True)
    if who == "member":
        conn.execute("set role authenticated")
        conn.execute("select set_config('request.jwt.claims', %s, false)",
                     (json.dumps({"sub": MEMBER_ID, "role": "authenticated"}),))
    elif who == "service_role":
        conn.execute("set role service_role")
    return conn


def _sql(q: Query, who: str) -> str:
    return q.member if who == "member" else q.owner


def _run(conn: psycopg.Connection, sql: str, params: dict) -> list:
    return conn.execute(sql, params).fetchall()


def plan_of(conn: psycopg.Connection, sql: str, params: dict) -> dict:
    """The plan's nodes, and the large tables it reads whole: a sequential scan, or an index scan with no
    index condition (all of the index, as the planner may pick for a subquery over every run)."""
    plan = conn.execute("explain (format json) " + sql, params).fetchone()[0][0]["Plan"]
    nodes, whole = [], []

    def walk(n: dict) -> None:
        rel, index, kind = n.get("Relation Name"), n.get("Index Name"), n["Node Type"]
        nodes.append(kind + (f" using {index}" if index else "") + (f" on {rel}" if rel else ""))
        unbounded = kind == "Seq Scan" or (kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in n)
        if unbounded and rel in LARGE_TABLES:
            whole.append(rel)
        for child in n.get("Plans", []):
            walk(child)

    walk(plan)
    return {"nodes": nodes, "full_scans": whole}


# -- timing ------------------------------------------------------------------------------
def measure(dbs: dict[str, Target], rounds: int, queries=QUERIES, whos=("member", "owner", "service_role"),
            echo: Callable[[str], None] = _print) -> dict:
    """Every (database, role, query), once per round, interleaved; the member's rows checked against the owner's."""
    conns = {(label, who): connect_as(db, who) for label, db in dbs.items() for who in whos}
    params = {label: member_params(db) for label, db in dbs.items()}
    samples: dict = {(label, who, q.key): [] for label in dbs for who in whos for q in queries}
    out: dict = {}
    try:
        for label in dbs:
            out[label] = {"params": {k: str(v) for k, v in params[label].items()}, "queries": {}}
            for q in queries:
                rows = {who: _run(conns[(label, who)], _sql(q, who), params[label]) for who in whos}  # warm-up
                same = all(rows[who] == rows["owner"] for who in whos)
                out[label]["queries"][q.key] = {
                    "label": q.label, "rows": len(rows["owner"]), "member_sees_the_owners_rows": same,
                    "member_plan": plan_of(conns[(label, "member")], q.member, params[label]),
                }
                if not same:
                    echo(f"  {label}: {q.label}: the member's rows differ from the owner's")
        # Python's garbage collector stays off while the clock runs (it would charge the freeing of one
        # query's rows to the next), and the roles take turns at going first.
        gc.collect()
        gc.disable()
        for r in range(rounds):
            order = whos[r % len(whos):] + whos[:r % len(whos)]
            for q in queries:
                for label in dbs:
                    for who in order:
                        conn, sql = conns[(label, who)], _sql(q, who)
                        t0 = time.perf_counter()
                        _run(conn, sql, params[label])
                        samples[(label, who, q.key)].append(time.perf_counter() - t0)
                gc.collect()
    finally:
        gc.enable()
        for conn in conns.values():
            conn.close()
    for (label, who, key), s in samples.items():
        out[label]["queries"][key][who] = _latency_stats(s)
    return out


def measure_designs(db: Target, rounds: int, echo: Callable[[str], None] = _print) -> dict:
    """The member's queries under each policy shape of DESIGNS, swapped in one after the other, then restored."""
    with psycopg.connect(db.conninfo("postgres"), autocommit=True) as conn:
        original = {t: conn.execute(
            "select qual from pg_policies where schemaname = 'ops' and tablename = %s and policyname = %s",
            (t, name)).fetchone()[0] for t, name in {**CHILD_POLICIES, "runs": RUNS_SELECT}.items()}
        conn.execute("create schema if not exists bench")
        conn.execute("grant usage on schema bench to authenticated")
        conn.execute(CAN_READ_RUN)
        conn.execute("grant execute on function bench.can_read_run(uuid) to authenticated")
    out = {}

    def swap(using: dict) -> None:
        with psycopg.connect(db.conninfo("postgres"), autocommit=True) as conn:
            for t, name in {**CHILD_POLICIES, "runs": RUNS_SELECT}.items():
                conn.execute(f'alter policy "{name}" on ops.{t} using ({using.get(t, original[t])})')

    try:
        for design, using in DESIGNS.items():
            echo(f"  {design} ...")
            swap(using)
            res = measure({"1x": db}, rounds, whos=("member", "owner"), echo=echo)["1x"]["queries"]
            out[design] = {k: {"member_p50_ms": v["member"]["p50_ms"], "owner_p50_ms": v["owner"]["p50_ms"],
                               "same_rows": v["member_sees_the_owners_rows"],
                               "full_scans": v["member_plan"]["full_scans"]} for k, v in res.items()}
    finally:
        swap({})
    return out


# -- the table -------------------------------------------------------------------------------
def summarize(res: dict) -> list[tuple]:
    rows = []
    base = res["measure"]["1x"]["queries"]
    targeted = {q.key for q in QUERIES if q.target}
    for key, q in base.items():
        m, o, s = q["member"]["p50_ms"], q["owner"]["p50_ms"], q["service_role"]["p50_ms"]
        whole = q["member_plan"]["full_scans"]
        note = f" (reads all of {', '.join(whole)})" if whole else ""
        ok = m / o <= 2.0 and q["member_sees_the_owners_rows"] and not whole
        rows.append(_row(f"{q['label']}: member{note}", f"{m:.2f} ms", f"owner, no RLS {o:.2f} ms",
                         f"{m / o:.2f}x", "<= 2x" if key in targeted else "", ok if key in targeted else None))
        rows.append(_row(f"{q['label']}: service_role", f"{s:.2f} ms", f"owner, no RLS {o:.2f} ms",
                         f"{s / o:.2f}x"))
        if key == LOG_TAIL:
            rows.append(_row("log tail: member p50 / p99", f"{m:.2f} / {q['member']['p99_ms']:.2f} ms", "", "",
                             "p50 < 5 ms", m < 5.0))
    scaled = [k for k in res["measure"] if k != "1x"]
    for label in scaled:
        for key, q in res["measure"][label]["queries"].items():
            m1, mx = base[key]["member"]["p50_ms"], q["member"]["p50_ms"]
            ok = mx / m1 <= 1.5 and q["member_sees_the_owners_rows"]
            rows.append(_row(f"{q['label']}: member at {label}", f"{mx:.2f} ms", f"at 1x {m1:.2f} ms",
                             f"{mx / m1:.2f}x", "<= 1.5x" if key in targeted else "",
                             ok if key in targeted else None))
    for design, qs in res.get("designs", {}).items():
        for key, v in qs.items():
            rows.append(_row(f"design {design}: {base[key]['label']}", f"{v['member_p50_ms']:.2f} ms",
                             f"owner {v['owner_p50_ms']:.2f} ms", f"{v['member_p50_ms'] / v['owner_p50_ms']:.2f}x"))
    return rows


def run_rls(parent: Target, *, smoke: bool = False, scale: int | None = None, designs: bool = False,
            json_path: Path | None = None, echo: Callable[[str], None] = _print) -> dict:
    """Build the data on fresh databases of ``parent``, measure, print the table, write JSON, return results."""
    sizes = SMOKE if smoke else FULL
    scale = sizes.scale if scale is None else scale
    res: dict = {"mode": "smoke" if smoke else "full", "sizes": {**asdict(sizes), "scale": scale}}
    t_all = time.monotonic()
    with fresh_database(parent, "odooops_bench_rls") as db:
        res["server"] = server_facts(db)
        echo(f"data: {sizes.runs} runs over {sizes.projects} projects, a viewer of {sizes.member_of}, "
             f"log lines of about {sizes.log_runs + sizes.member_of * sizes.member_log_runs} runs ...")
        res["load"] = {"1x": load(db, sizes, 1)}
        dbs = {"1x": db}
        if scale > 1:
            with fresh_database(parent, "odooops_bench_rls") as big:
                echo(f"data at {scale}x: {sizes.runs * scale} runs, the member's projects unchanged ...")
                res["load"][f"{scale}x"] = load(big, sizes, scale)
                dbs[f"{scale}x"] = big
                echo(f"timing {len(QUERIES)} queries x {sizes.rounds} rounds, member / owner / service_role, "
                     f"1x and {scale}x ...")
                res["measure"] = measure(dbs, sizes.rounds, echo=echo)
        else:
            echo(f"timing {len(QUERIES)} queries x {sizes.rounds} rounds, member / owner / service_role ...")
            res["measure"] = measure(dbs, sizes.rounds, echo=echo)
        if designs:
            echo("other policy shapes, on the 1x data:")
            res["designs"] = measure_designs(db, sizes.rounds, echo=echo)
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
    return project_root() / ".odooops" / "bench" / f"rls-{stamp}.json"


def main(args) -> int:
    """``odooops bench rls [--smoke] [--scale N] [--designs] [--json PATH]``."""
    if args.scale is not None and args.scale < 1:
        print(f"odooops: --scale must be 1 or more (1: no scale check), got {args.scale}", file=sys.stderr)
        return 2
    json_path = Path(args.json) if args.json else default_json_path()
    with server() as parent:
        run_rls(parent, smoke=args.smoke, scale=args.scale, designs=args.designs, json_path=json_path)
    return 0
