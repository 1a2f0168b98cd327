"""The spec gates fail when the database changes under the documents.

Each test changes the database the way a developer would (a column in a
migration, a transition, a policy, a function) without regenerating or editing
the committed documents, and expects the check that guards them to fail with
a message naming what changed. The migrations are copied to a temporary
directory and edited there; the repository is never touched.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from odooops.dev import baseline, catalog, docs_check, migrations, prisma_schema, schema_docs

from tests.conftest import ROOT, connect

CORE = "20260213000100_create_ops_core_schema.sql"


def migrate_edited(server, tmp_path: Path, old: str, new: str):
    """A database migrated from a copy of supabase/migrations where CORE has ``old`` replaced by ``new``."""
    mig = tmp_path / "migrations"
    shutil.copytree(ROOT / "supabase" / "migrations", mig)
    text = (mig / CORE).read_text()
    assert text.count(old) == 1, f"{CORE} no longer contains {old!r} exactly once; update this test"
    (mig / CORE).write_text(text.replace(old, new))
    db = server.create_database("odooops_drift")
    baseline.ensure(db)
    migrations.migrate(db, directory=mig)
    return db


COLUMN_CHANGES = [
    pytest.param("cancel_reason", "  cancel_reason text,\n", "  cancel_reason varchar(1000),\n", id="type"),
    pytest.param("priority", "  priority integer not null default 0,\n", "  priority integer not null default 5,\n",
                 id="default"),
    pytest.param("heartbeat_at", "  heartbeat_at timestamptz,\n",
                 "  heartbeat_at timestamptz not null default now(),\n", id="nullability"),
]


@pytest.mark.parametrize(("column", "old", "new"), COLUMN_CHANGES)
def test_a_changed_column_fails_the_dbml_erd_and_prisma_checks_naming_it(server, tmp_path, column, old, new):
    db = migrate_edited(server, tmp_path, old, new)
    try:
        with connect(db) as conn:
            live = catalog.read(conn)

        problems = schema_docs.check(live, ROOT)
        for rel in (schema_docs.DBML, schema_docs.ERD):
            about = [p for p in problems if p.startswith(f"{rel}:")]
            assert about, f"{rel} check did not notice ops.runs.{column} changing: {problems}"
            assert any(f"table ops.runs, column {column}" in p for p in about), about
            assert all("table ops.runs" in p for p in about), about  # a check constraint may follow a type

        drift = prisma_schema.drift(live, ROOT, db.url("postgres"))
        assert drift, f"the Prisma drift check did not notice ops.runs.{column} changing"
        statement = re.compile(rf'^ALTER TABLE "ops"\."runs" ALTER COLUMN "{column}" ', re.MULTILINE)
        assert all(statement.search(b) for b in drift), drift
        # The drawing shows types and keys, not defaults: a stale SVG is reported only when they change.
    finally:
        server.drop_database(db.dbname)


def test_a_transition_added_to_the_database_fails_the_docs_check(db):
    with connect(db) as conn:
        assert docs_check.check_lifecycle(conn, ROOT) == []
        definition = conn.execute(
            "select pg_get_functiondef('ops.run_status_transitions()'::regprocedure)").fetchone()[0]
        anchor = "  ) as t (from_status, to_status, cause)"
        assert anchor in definition, "ops.run_status_transitions() changed shape; update this test"
        conn.execute(definition.replace(
            anchor, "    , ('claimed', 'canceled', 'added by test_docs_drift')\n" + anchor
        ))
        problems = docs_check.check_lifecycle(conn, ROOT)
    assert any("transition claimed --> canceled is in ops.run_status_transitions() but not in the diagram" in p
               for p in problems), problems
    assert any("transition table lacks claimed -> canceled" in p for p in problems), problems
    assert all("claimed" in p and "canceled" in p for p in problems), problems


def test_a_policy_added_to_the_database_fails_the_docs_check(db):
    with connect(db) as conn:
        assert docs_check.check_security(conn, ROOT) == []
        conn.execute('create policy "service_role can select tools" on ops.tools'
                     " for select to service_role using (true)")
        problems = docs_check.check_security(conn, ROOT)
    assert problems == [
        ('docs/odooops-sh/SECURITY.md: policy "service_role can select tools" on ops.tools is in pg_policies '
        "but not in the policy table")
    ]


def test_a_changed_policy_or_function_grant_fails_the_docs_check(db):
    with connect(db) as conn:
        conn.execute('alter policy "authenticated can select tools" on ops.tools to authenticated, service_role')
        conn.execute("grant execute on function ops.claim_next_run(text, integer, text[], boolean) to authenticated")
        problems = docs_check.check_security(conn, ROOT)
    assert len(problems) == 2, problems
    assert re.search(r'"authenticated can select tools".*pg_policies says SELECT to authenticated, service_role',
                     problems[0]), problems
    assert "ops.claim_next_run(text,integer,text[],boolean)" in problems[1]
    assert "authenticated, service_role" in problems[1]


def test_an_rpc_named_in_the_docs_must_exist_with_those_parameters(db, tmp_path):
    docs = tmp_path / "docs" / "odooops-sh"
    docs.mkdir(parents=True)
    (docs / "X.md").write_text(
        "Call `ops.claim_next_run(p_worker_id, p_lease_seconds)`, not `ops.claim_next_run(p_worker)`,\n"
        "nor `ops.claim_next(p_worker_id)`.\n"
    )
    with connect(db) as conn:
        problems = docs_check.check_function_names(conn, tmp_path)
    assert problems == [
        ("docs/odooops-sh/X.md:1: ops.claim_next_run(p_worker): no such parameters "
        "(the function takes p_labels, p_lease_seconds, p_start, p_worker_id)"),
        "docs/odooops-sh/X.md:2: ops.claim_next() is named but no such function exists",
    ]


def test_a_console_route_added_or_removed_fails_the_docs_check(tmp_path):
    shutil.copytree(ROOT / "console" / "app", tmp_path / "console" / "app")
    (tmp_path / "docs" / "odooops-sh").mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "odooops-sh" / "ARCHITECTURE.md", tmp_path / "docs" / "odooops-sh")
    assert docs_check.check_console_routes(tmp_path) == []

    stats = tmp_path / "console" / "app" / "stats"
    stats.mkdir()
    (stats / "page.tsx").write_text("export default function Q() { return null; }\n")
    (stats / "route.ts").write_text("export async function DELETE() {}\n")
    shutil.rmtree(tmp_path / "console" / "app" / "auth" / "sign-out")
    assert docs_check.check_console_routes(tmp_path) == [
        "console/app: DELETE /stats is not in the route table of ARCHITECTURE.md",
        "console/app: page /stats is not in the route table of ARCHITECTURE.md",
        "docs/odooops-sh/ARCHITECTURE.md: route table lists POST /auth/sign-out, which console/app does not have",
    ]
