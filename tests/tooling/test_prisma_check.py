"""``odooops prisma check`` against a real migrated database.

The drift part is Prisma's own schema engine diffing prisma/schema.prisma
against the database (``prisma_schema.drift``). That the committed schema
matches the migrated database is the `prisma` gate of `make test` itself. Each test changes its own clone
of the migrated database the way a hand-made change or a new migration would
and expects the engine's statement for exactly that change.
"""

from __future__ import annotations

import re

import pytest
from odooops.dev import catalog, prisma_schema

from tests.conftest import ROOT, connect


def live(db) -> catalog.Schema:
    with connect(db) as conn:
        return catalog.read(conn)


def drift_after(db, *statements: str, role: str | None = "postgres") -> list[str]:
    with connect(db, role=role) as conn:
        for sql in statements:
            conn.execute(sql)
    return prisma_schema.drift(live(db), ROOT, db.url("postgres"))


def test_a_changed_default_is_drift_with_the_engines_alter_and_what_to_do(db):
    with connect(db) as conn:
        conn.execute("alter table ops.runs alter column priority set default 5")
    problems = prisma_schema.check(live(db), ROOT, db.url("postgres"))
    assert len(problems) == 1, problems
    assert problems[0].startswith("drift: prisma/schema.prisma does not match the database"), problems
    assert '    ALTER TABLE "ops"."runs" ALTER COLUMN "priority" SET DEFAULT 5;\n' in problems[0], problems
    assert "Run `odooops schema docs` to regenerate prisma/schema.prisma from supabase/migrations" in problems[0]


@pytest.mark.parametrize(("change", "statement"), [
    pytest.param("alter table ops.runs alter column priority set default 5",
                 'ALTER TABLE "ops"."runs" ALTER COLUMN "priority" SET DEFAULT 5;', id="default"),
    pytest.param("alter table ops.runs alter column priority drop default",
                 'ALTER TABLE "ops"."runs" ALTER COLUMN "priority" DROP DEFAULT;', id="default dropped"),
    pytest.param("alter table ops.runs alter column cancel_reason type varchar(1000)",
                 'ALTER TABLE "ops"."runs" ALTER COLUMN "cancel_reason" SET DATA TYPE VARCHAR(1000);', id="type"),
    pytest.param("alter table ops.runs alter column heartbeat_at set not null",
                 'ALTER TABLE "ops"."runs" ALTER COLUMN "heartbeat_at" SET NOT NULL;', id="nullability"),
    pytest.param("alter table ops.runs add column note text",
                 'ALTER TABLE "ops"."runs" ADD COLUMN     "note" TEXT;', id="column only in the database"),
    pytest.param("alter table ops.runs drop column cancel_reason cascade",
                 'ALTER TABLE "ops"."runs" DROP COLUMN "cancel_reason";', id="column missing from the database"),
])
def test_a_column_change_is_the_engines_statement(db, change, statement):
    assert drift_after(db, change) == [f"-- AlterTable\n{statement}"]


def test_a_table_only_in_the_database_is_a_create_table(db):
    blocks = drift_after(db, "create table ops.extra (id uuid primary key, label text not null)")
    assert blocks[0].startswith('-- CreateTable\nCREATE TABLE "ops"."extra" (\n    "id" UUID NOT NULL,'), blocks
    assert len(blocks) == 1, blocks


def test_foreign_keys_within_ops_are_compared(db):
    blocks = drift_after(
        db,
        "alter table ops.runs drop constraint runs_project_id_fkey",
        "alter table ops.run_events add constraint run_events_actor_tool_fkey foreign key (actor) "
        "references ops.tools (name)",
    )
    assert blocks == [
        '-- DropForeignKey\nALTER TABLE "ops"."runs" DROP CONSTRAINT "runs_project_id_fkey";',
        ('-- AddForeignKey\nALTER TABLE "ops"."run_events" ADD CONSTRAINT "run_events_actor_tool_fkey" FOREIGN KEY '
         '("actor") REFERENCES "ops"."tools"("name") ON DELETE NO ACTION ON UPDATE NO ACTION;'),
    ]


def test_only_the_foreign_keys_into_auth_are_left_out(db):
    """The engine states every FK into auth.users; drift() drops exactly those, and reads the rest
    of auth as external."""
    # Supabase's auth has more than users: another table, an enum, a foreign key inside auth.
    with connect(db, role=None) as conn:
        conn.execute("create type auth.aal_level as enum ('aal1', 'aal2')")
        conn.execute("create table auth.sessions (id uuid primary key, "
                     "user_id uuid not null references auth.users (id) on delete cascade, aal auth.aal_level)")
    with connect(db) as conn:
        # a new column with a foreign key into auth: the column is drift, its foreign key is not
        conn.execute("alter table ops.tools add column owner_id uuid references auth.users (id)")
    s = live(db)
    into_auth = {(t.name, fk.name) for t in s.tables for fk in t.by_kind("f") if fk.ref_schema == "auth"}
    assert ("tools", "tools_owner_id_fkey") in into_auth and len(into_auth) > 1

    everything = prisma_schema.engine_statements(s, ROOT, db.url("postgres"),
                                                 (ROOT / prisma_schema.SCHEMA_FILE).read_text())
    left_out = [b for b in everything if prisma_schema.is_left_out_foreign_key(s, b)]
    assert {re.search(r'ALTER TABLE "ops"\."(\w+)" ADD CONSTRAINT "(\w+)"', b).groups() for b in left_out} == into_auth
    assert all('REFERENCES "auth"."users"("id")' in b for b in left_out), left_out
    assert not any('"auth"."sessions"' in b or "aal_level" in b for b in everything), everything

    assert prisma_schema.drift(s, ROOT, db.url("postgres")) == [
        '-- AlterTable\nALTER TABLE "ops"."tools" ADD COLUMN     "owner_id" UUID;'
    ]
