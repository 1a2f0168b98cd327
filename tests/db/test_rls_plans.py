"""Guard: through the policies, a member's typical queries never read all of a large table.

The queries are those of ``odooops bench rls`` (latest runs of one project and of all their projects,
counts by status, the tail of a run's log, a run's events and artifacts), planned as a viewer of 3
of 100 projects (``authenticated`` with JWT claims, as PostgREST sets them) on 20,000 analyzed runs with
events, log lines and artifacts: enough rows that the planner takes an index whenever the policy lets it.
A policy that is neither an index condition nor a filter on rows an index found shows up here as a
sequential scan of ops.runs or of a child table, or as an index scan with no condition (all of the
index). The same check against the policies before 20261202000800 fails, which shows the guard sees what
it is for.
"""

from __future__ import annotations

import json

import psycopg
import pytest
from odooops.dev import bench_rls

from tests.conftest import connect

SIZES = bench_rls.Sizes(runs=20_000, projects=100, member_of=3, log_runs=20, log_lines=300, member_log_runs=2,
                        scale=1, rounds=0)
QUERIES = bench_rls.QUERIES


@pytest.fixture(scope="module")
def loaded(server, template_db):
    from odooops.dev.databases import fresh_database

    with fresh_database(server, "odooops_rls", template=template_db.dbname) as db:
        bench_rls.load(db, SIZES, 1)
        yield db, bench_rls.member_params(db)


def member_plans(conn: psycopg.Connection, params: dict) -> dict[str, dict]:
    """Plan every query as the member, inside the caller's transaction."""
    conn.execute("set local role authenticated")
    conn.execute("select set_config('request.jwt.claims', %s, true)",
                 (json.dumps({"sub": bench_rls.MEMBER_ID, "role": "authenticated"}),))
    return {q.key: bench_rls.plan_of(conn, q.member, params) for q in QUERIES}


def test_a_members_typical_queries_read_no_large_table_whole(loaded):
    db, params = loaded
    with connect(db) as conn, conn.transaction(force_rollback=True):
        plans = member_plans(conn, params)
    bad = {key: plan["nodes"] for key, plan in plans.items() if plan["full_scans"]}
    assert not bad, f"a policy makes these member queries read all of a large table: {bad}"


def test_the_member_sees_exactly_the_rows_of_their_projects(loaded):
    db, params = loaded
    with connect(db) as owner, connect(db) as member:
        member.execute("set role authenticated")
        member.execute("select set_config('request.jwt.claims', %s, false)",
                       (json.dumps({"sub": bench_rls.MEMBER_ID, "role": "authenticated"}),))
        for q in QUERIES:
            assert member.execute(q.member, params).fetchall() == owner.execute(q.owner, params).fetchall(), q.key
        counts = member.execute(
            "select (select count(*) from ops.runs), (select count(*) from ops.run_events), "
            "(select count(*) from ops.run_logs), "
            "(select count(*) from ops.runs where project_id <> all(%(projects)s)), "
            "(select count(*) from ops.run_logs where project_id <> all(%(projects)s))", params).fetchone()
        expected = owner.execute(
            "select (select count(*) from ops.runs where project_id = any(%(projects)s)), "
            "(select count(*) from ops.run_events where project_id = any(%(projects)s)), "
            "(select count(*) from ops.run_logs where project_id = any(%(projects)s)), 0, 0", params).fetchone()
        assert counts == expected
        assert counts[0] > 0 and counts[2] > 0


def test_the_guard_catches_the_former_policies(loaded):
    """The policies before 20261202000800, swapped in and rolled back: the member's cross-project queries and
    the log tail read all of ops.runs, and the guard says so."""
    db, params = loaded
    former = bench_rls.DESIGNS["before: run_id in (select ... runs where project_id in (select ...))"]
    with connect(db) as conn, conn.transaction(force_rollback=True):
        for table, using in former.items():
            name = bench_rls.RUNS_SELECT if table == "runs" else bench_rls.CHILD_POLICIES[table]
            conn.execute(f'alter policy "{name}" on ops.{table} using ({using})')
        plans = member_plans(conn, params)
    caught = {key for key, plan in plans.items() if "runs" in plan["full_scans"]}
    assert {"my_projects", "count_succeeded", "log_tail", "run_events"} <= caught, plans


FINDINGS_QUERIES = {
    # The console's findings of a run, and "which of my projects are blocked from 18.0, and by what".
    "findings of a run": "select * from ops.upgrade_findings where run_id = %(run)s order by file, line, col",
    "blocking findings of my projects": (
        "select project_id, code, count(*) from ops.upgrade_findings "
        "where source = 'upgrade-scan' and to_series = '18.0' group by project_id, code"),
}


def test_findings_of_a_member_are_found_from_their_projects(loaded):
    """ops.upgrade_findings carries the project of its run like the logs: 40 findings on each of 2,000 runs
    (80,000 rows over every project), and the member's queries find theirs by index, never read all."""
    db, params = loaded
    with connect(db) as owner:
        owner.execute(
            "insert into ops.upgrade_findings (run_id, project_id, source, code, severity, to_series, file, line, col) "
            "select r.id, r.project_id, 'upgrade-scan', 'tree-view-renamed-to-list', 'breaking', '18.0', "
            "'views/view_' || n || '.xml', n, 1 "
            "from (select id, project_id from ops.runs order by id limit 2000) as r, generate_series(1, 40) as n")
        owner.execute(
            "insert into ops.upgrade_findings (run_id, project_id, source, code, severity, to_series, file, line, col) "
            "select %(run)s, r.project_id, 'upgrade-scan', 'tree-view-renamed-to-list', 'breaking', '18.0', "
            "'views/member.xml', n, 1 from ops.runs as r, generate_series(1, 40) as n where r.id = %(run)s "
            "on conflict do nothing", params)
        owner.execute("analyze ops.upgrade_findings")
        expected = owner.execute(
            "select count(*) from ops.upgrade_findings where project_id = any(%(projects)s)", params).fetchone()[0]
        try:
            with connect(db) as conn, conn.transaction(force_rollback=True):
                conn.execute("set local role authenticated")
                conn.execute("select set_config('request.jwt.claims', %s, true)",
                             (json.dumps({"sub": bench_rls.MEMBER_ID, "role": "authenticated"}),))
                for label, sql in FINDINGS_QUERIES.items():
                    plan = conn.execute("explain (format json) " + sql, params).fetchone()[0][0]["Plan"]
                    scans = list(_scans(plan))
                    whole = [rel for kind, rel in scans
                             if kind == "Seq Scan" and rel in (*bench_rls.LARGE_TABLES, "upgrade_findings")]
                    assert not whole, (label, scans)
                    assert any(rel == "upgrade_findings" for _, rel in scans), (label, scans)
                seen = conn.execute("select count(*) from ops.upgrade_findings").fetchone()[0]
            assert seen == expected and seen >= 40
        finally:
            owner.execute("delete from ops.upgrade_findings")


def _scans(node: dict):
    if node.get("Relation Name"):
        yield node["Node Type"], node["Relation Name"]
    for child in node.get("Plans", []):
        yield from _scans(child)
