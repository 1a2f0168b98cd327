"""Renaming ops.runs/ops.run_events to ops.agent_runs/ops.agent_run_events (20260213000001) loses nothing.

A database migrated up to the agent-tracking schema is seeded with 10,000 runs
and about 30,000 events; a snapshot of every row and of every dependent object
is compared before and after the rename. The comparison itself is tested on
deliberately broken renames, so it cannot pass by seeing nothing.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from odooops.dev import baseline, migrations

from tests.conftest import ROOT, connect

MIGRATIONS = ROOT / "supabase" / "migrations"
CREATE = "20260212000000_create_agent_tracking_schema.sql"
RENAME = "20260213000001_rename_agent_tables.sql"

TABLES = {"runs": "agent_runs", "run_events": "agent_run_events"}
POLICIES = {
    "authenticated can select own runs": "authenticated can select own agent runs",
    "authenticated can select events of own runs": "authenticated can select events of own agent runs",
}
RUNS = 10_000

SEED = [
    # Users for created_by; a run's creator is one of them or NULL.
    """
    insert into auth.users (id, email, created_at)
    select md5('user' || u)::uuid, 'user' || u || '@example.test',
      timestamptz '2026-01-01 00:00:00+00' + u * interval '1 day'
    from generate_series(0, 19) as u
    """,
    # 10 more than RUNS: every 1001st is deleted again below, leaving id gaps.
    f"""
    insert into ops.runs (external_id, agent_id, task, status, started_at, finished_at, metadata, created_by,
                          created_at, updated_at)
    select
      'run-' || g,
      'agent-' || (g % 17),
      'task ' || g || case when g % 5 = 0 then E' with\\nnewline, \\'quotes\\', "dq" | pipe; and (parens)' else '' end,
      (array['running', 'succeeded', 'failed', 'canceled'])[1 + g % 4],
      timestamptz '2026-01-01 00:00:00+00' + g * interval '37.123456 seconds',
      case when g % 4 = 0 then null
           else timestamptz '2026-01-01 00:00:00+00' + g * interval '37.123456 seconds'
                + (g % 600) * interval '1 s' end,
      case when g % 3 = 0 then '{{}}'::jsonb
           else jsonb_build_object('n', g, 'ratio', g / 7.0, 'tags', jsonb_build_array('a', g % 7, null),
                                   'nested', jsonb_build_object('ok', g % 2 = 0, 'none', null)) end,
      case when g % 10 = 0 then null else md5('user' || (g % 20))::uuid end,
      timestamptz '2025-12-31 00:00:00+00' + g * interval '1 minute',
      timestamptz '2026-02-01 00:00:00+00' + g * interval '1 second'
    from generate_series(1, {RUNS + 10}) as g
    """,
    # Two to four events per run, about three on average.
    """
    insert into ops.run_events (run_id, external_id, event_type, payload, occurred_at)
    select r.id, 'ev-' || r.id || '-' || k, (array['tool_call', 'message', 'error', 'usage'])[k],
      case when (r.id + k) % 5 = 0 then '{}'::jsonb
           else jsonb_build_object('k', k, 'text', repeat('x;', (r.id % 13)::int), 'null', null,
                                   'tokens', r.id * k) end,
      r.started_at + k * interval '1.5 seconds'
    from ops.runs as r
    cross join lateral generate_series(1, 2 + (r.id % 3)::int) as k
    """,
    "delete from ops.runs where id % 1001 = 0",  # cascades to their events
    "update ops.runs set status = 'succeeded' where id % 997 = 0",  # fires the updated_at trigger
]

# Every dependent object of the given ops tables, with a definition that names
# the table (schema-qualified: the snapshot runs with an empty search_path).
OBJECTS = """
with tbl as (
  select c.oid, c.relname::text as relname
  from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
  where n.nspname = 'ops' and c.relname = any(%(tables)s)
)
select 'table', tbl.relname, concat_ws(E'\\n',
  (select string_agg(format('%%s %%s not null=%%s default=%%s identity=%%s generated=%%s', a.attname,
                            format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                            a.attidentity, a.attgenerated), ', ' order by a.attnum)
   from pg_attribute as a left join pg_attrdef as d on d.adrelid = a.attrelid and d.adnum = a.attnum
   where a.attrelid = tbl.oid and a.attnum > 0 and not a.attisdropped),
  format('kind=%%s rls=%%s force_rls=%%s owner=%%s acl=%%s', c.relkind, c.relrowsecurity, c.relforcerowsecurity,
         pg_get_userbyid(c.relowner), c.relacl),
  'comment=' || coalesce(obj_description(tbl.oid, 'pg_class'), ''))
from tbl join pg_class as c on c.oid = tbl.oid
union all
select 'index', i.relname::text, pg_get_indexdef(i.oid)
from tbl join pg_index as x on x.indrelid = tbl.oid join pg_class as i on i.oid = x.indexrelid
union all
select 'constraint', con.conname::text,
  format('%%s on %%s: %%s', con.contype, con.conrelid::regclass, pg_get_constraintdef(con.oid))
from tbl join pg_constraint as con on con.conrelid = tbl.oid
union all
select 'sequence', s.relname::text,
  format('owned by %%s.%%s (%%s) type=%%s start=%%s increment=%%s min=%%s max=%%s cache=%%s cycle=%%s last_value=%%s',
         d.refobjid::regclass, a.attname, d.deptype, format_type(q.seqtypid, null), q.seqstart, q.seqincrement,
         q.seqmin, q.seqmax, q.seqcache, q.seqcycle, pg_sequence_last_value(s.oid))
from tbl
join pg_depend as d on d.refobjid = tbl.oid and d.classid = 'pg_class'::regclass
join pg_class as s on s.oid = d.objid and s.relkind = 'S'
join pg_sequence as q on q.seqrelid = s.oid
join pg_attribute as a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
union all
select 'policy', p.polname::text,
  format('on %%s cmd=%%s permissive=%%s roles=%%s using=%%s check=%%s', p.polrelid::regclass, p.polcmd,
         p.polpermissive, (select array_agg(r::regrole::text order by r::regrole::text) from unnest(p.polroles) as r),
         pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
from tbl join pg_policy as p on p.polrelid = tbl.oid
union all
select 'trigger', t.tgname::text, pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
from tbl join pg_trigger as t on t.tgrelid = tbl.oid
where not t.tgisinternal
"""

# Anything in ops still carrying an old name.
LEFTOVERS = r"""
select 'relation', c.relname::text from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
where n.nspname = 'ops' and (c.relname in ('runs', 'run_events') or c.relname like 'runs\_%%'
                             or c.relname like 'run\_events\_%%')
union all
select 'constraint', con.conname::text from pg_constraint as con join pg_namespace as n on n.oid = con.connamespace
where n.nspname = 'ops' and (con.conname like 'runs\_%%' or con.conname like 'run\_events\_%%')
union all
select 'trigger', t.tgname::text from pg_trigger as t join pg_class as c on c.oid = t.tgrelid
join pg_namespace as n on n.oid = c.relnamespace
where n.nspname = 'ops' and (t.tgname like 'runs\_%%' or t.tgname like 'run\_events\_%%')
union all
select 'policy', p.polname::text from pg_policy as p join pg_class as c on c.oid = p.polrelid
join pg_namespace as n on n.oid = c.relnamespace
where n.nspname = 'ops' and (p.polname like 'runs\_%%' or p.polname like 'run\_events\_%%' or p.polname = any(%s))
order by 1, 2
"""


@dataclass(frozen=True)
class Snapshot:
    data: dict[str, tuple[int, str, int | None]]  # table -> (rows, md5 of every row in id order, max id)
    objects: dict[tuple[str, str], str]  # (kind, name) -> definition


def snapshot(t, tables: list[str]) -> Snapshot:
    """Rows and dependent objects of ops tables, read as the superuser (no RLS) in UTC."""
    with connect(t, None) as conn:
        conn.execute("set search_path = ''")
        conn.execute("set timezone = 'UTC'")
        conn.execute("set extra_float_digits = 3")
        data = {}
        for table in tables:
            q = psycopg.sql.SQL(
                "select count(*), md5(coalesce(string_agg(t::text, '|' order by t.id), '')), max(t.id) from {} as t"
            ).format(psycopg.sql.Identifier("ops", table))
            data[table] = conn.execute(q).fetchone()
        rows = conn.execute(OBJECTS, {"tables": tables}).fetchall()
    objects = {(kind, name): definition for kind, name, definition in rows}
    assert len(objects) == len(rows), "object names are unique per kind"
    return Snapshot(data, objects)


def renamed(kind: str, name: str) -> str:
    """The name an object of the old tables must carry after the rename."""
    if kind == "policy":
        return POLICIES.get(name, name)
    return re.sub(r"^(run_events|runs)(?=_|$)", lambda m: TABLES[m[1]], name)


def normalised(definition: str) -> str:
    """An old definition with the old table and object names replaced by the new ones."""
    definition = re.sub(r"\bops\.(run_events|runs)\b", lambda m: "ops." + TABLES[m[1]], definition)
    return re.sub(r"\b(run_events|runs)_(?=\w)", lambda m: TABLES[m[1]] + "_", definition)


def rename_differences(before: Snapshot, after: Snapshot) -> list[str]:
    """What the rename lost or changed, one line per object; empty when it was lossless."""
    diffs = []
    for old, new in TABLES.items():
        b, a = before.data.get(old), after.data.get(new)
        if b != a:
            diffs.append(f"data of ops.{new}: {b} before (as ops.{old}), {a} after")
    expected = {(kind, renamed(kind, name)): normalised(d) for (kind, name), d in before.objects.items()}
    for key in sorted(expected.keys() | after.objects.keys()):
        kind, name = key
        if key not in after.objects:
            diffs.append(f"{kind} {name}: missing after the rename")
        elif key not in expected:
            diffs.append(f"{kind} {name}: not there before the rename (a leftover or a recreated object)")
        elif expected[key] != after.objects[key]:
            diffs.append(f"{kind} {name}: definition changed\n  was: {expected[key]}\n  now: {after.objects[key]}")
    return diffs


def leftovers(t) -> list[tuple[str, str]]:
    with connect(t, None) as conn:
        return conn.execute(LEFTOVERS, (list(POLICIES),)).fetchall()


@pytest.fixture(scope="module")
def seeded_template(server, tmp_path_factory):
    """A database migrated up to the agent-tracking schema and seeded once; (db, migration folder, snapshot)."""
    folder = tmp_path_factory.mktemp("agent-tracking")
    shutil.copy(MIGRATIONS / CREATE, folder / CREATE)
    tmpl = server.create_database("odooops_seeded")
    try:
        baseline.ensure(tmpl)
        migrations.migrate(tmpl, directory=folder)
        with connect(tmpl) as conn, conn.transaction():
            for statement in SEED:
                conn.execute(statement)
        before = snapshot(tmpl, list(TABLES))
        assert before.data["runs"][0] == RUNS
        assert 2 * RUNS < before.data["run_events"][0] < 4 * RUNS
        kinds = {kind for kind, _ in before.objects}
        assert kinds == {"table", "index", "constraint", "sequence", "policy", "trigger"}
        yield tmpl, folder, before
    finally:
        server.drop_database(tmpl.dbname)


@pytest.fixture
def seeded(server, seeded_template, tmp_path):
    """A clone of the seeded database for one test; (db, its migration folder, the snapshot before the rename)."""
    tmpl, source, before = seeded_template
    clone = server.create_database("odooops_r", template=tmpl.dbname)
    folder = tmp_path / "migrations"
    shutil.copytree(source, folder)
    try:
        assert snapshot(clone, list(TABLES)) == before, "the snapshot is the same on a clone"
        yield clone, folder, before
    finally:
        server.drop_database(clone.dbname)


def apply_rename(t, folder: Path, text: str) -> None:
    (folder / RENAME).write_text(text)
    plan = migrations.migrate(t, directory=folder)
    assert [m.filename for m in plan.pending] == [RENAME]


def test_rename_is_lossless(seeded):
    db, folder, before = seeded
    apply_rename(db, folder, (MIGRATIONS / RENAME).read_text())
    after = snapshot(db, list(TABLES.values()))

    assert after.data["agent_runs"] == before.data["runs"]
    assert after.data["agent_run_events"] == before.data["run_events"]
    assert rename_differences(before, after) == []
    assert len(after.objects) == len(before.objects) == 23
    assert leftovers(db) == []

    with connect(db, None) as conn:
        assert conn.execute("select to_regclass('ops.runs'), to_regclass('ops.run_events')").fetchone() == (None, None)

    old_max_run, old_max_event = before.data["runs"][2], before.data["run_events"][2]
    with connect(db) as conn:
        # Identity values continue after the old ones.
        new_run = conn.execute(
            "insert into ops.agent_runs (external_id, agent_id, task) values ('after-rename', 'a', 't') returning id"
        ).fetchone()[0]
        assert new_run > old_max_run
        new_event = conn.execute(
            "insert into ops.agent_run_events (run_id, external_id, event_type) values (%s, 'ev-after', 'message') "
            "returning id",
            (new_run,),
        ).fetchone()[0]
        assert new_event > old_max_event
        with pytest.raises(psycopg.errors.GeneratedAlways):
            conn.execute("insert into ops.agent_runs (id, external_id, agent_id, task) values (1, 'x', 'a', 't')")

        # Foreign keys still enforce, to the renamed table and to auth.users.
        with pytest.raises(psycopg.errors.ForeignKeyViolation) as err:
            conn.execute(
                "insert into ops.agent_run_events (run_id, external_id, event_type) values (%s, 'orphan', 'x')",
                (old_max_run + 1_000_000,),
            )
        assert err.value.sqlstate == "23503"
        assert err.value.diag.constraint_name == "agent_run_events_run_id_fkey"
        with pytest.raises(psycopg.errors.ForeignKeyViolation) as err:
            conn.execute(
                "insert into ops.agent_runs (external_id, agent_id, task, created_by) "
                "values ('ghost', 'a', 't', '00000000-0000-0000-0000-000000000000')"
            )
        assert err.value.diag.constraint_name == "agent_runs_created_by_fkey"
        # Unique and check constraints too, under their new names.
        with pytest.raises(psycopg.errors.UniqueViolation) as err:
            conn.execute("insert into ops.agent_runs (external_id, agent_id, task) values ('run-1', 'a', 't')")
        assert err.value.diag.constraint_name == "agent_runs_external_id_key"
        with pytest.raises(psycopg.errors.CheckViolation) as err:
            conn.execute("insert into ops.agent_runs (external_id, agent_id, task, status) values ('s', 'a', 't', 'x')")
        assert err.value.diag.constraint_name == "agent_runs_status_is_known"

        # The cascade follows the rename, and the updated_at trigger still fires.
        events = conn.execute("select count(*) from ops.agent_run_events where run_id = 2").fetchone()[0]
        assert events >= 2
        conn.execute("delete from ops.agent_runs where id = 2")
        assert conn.execute("select count(*) from ops.agent_run_events where run_id = 2").fetchone()[0] == 0
        stamped = conn.execute(
            "update ops.agent_runs set task = 'changed' where id = 3 returning updated_at = now()"
        ).fetchone()[0]
        assert stamped is True

    # The old names are free for the run queue: new tables with default-named objects fit.
    with connect(db) as conn, conn.transaction():
        conn.execute("create table ops.runs (id bigint generated always as identity primary key, u text unique)")
        conn.execute("create index runs_agent_id_idx on ops.runs (u)")
        conn.execute(
            "create table ops.run_events (id bigint generated always as identity primary key, "
            "run_id bigint not null references ops.runs (id))"
        )
        conn.execute("create index run_events_run_id_idx on ops.run_events (run_id)")
        raise psycopg.Rollback()  # leave the database as the rename left it


# -- the comparison catches broken renames -----------------------------------------

CTAS_LOSES_METADATA = """
create table ops.agent_runs as
select id, external_id, agent_id, task, status, started_at, finished_at,
  '{}'::jsonb as metadata, created_by, created_at, updated_at
from ops.runs;
alter table ops.agent_runs add constraint agent_runs_pkey primary key (id);
alter table ops.run_events drop constraint run_events_run_id_fkey;
drop table ops.runs cascade;
alter table ops.run_events rename to agent_run_events;
alter sequence ops.run_events_id_seq rename to agent_run_events_id_seq;
alter table ops.agent_run_events rename constraint run_events_pkey to agent_run_events_pkey;
alter table ops.agent_run_events add constraint agent_run_events_run_id_fkey
foreign key (run_id) references ops.agent_runs (id) on delete cascade;
"""

LIKE_COPY_RESTARTS_IDENTITY = """
create table ops.agent_runs (like ops.runs including all);
insert into ops.agent_runs overriding system value select * from ops.runs;
alter table ops.run_events drop constraint run_events_run_id_fkey;
drop table ops.runs cascade;
alter table ops.run_events rename to agent_run_events;
"""


def real_rename_without(*fragments: str) -> str:
    text = (MIGRATIONS / RENAME).read_text()
    for fragment in fragments:
        assert fragment in text, f"the rename migration changed; update this test: {fragment!r}"
        text = text.replace(fragment, "")
    return text


FORGOTTEN_INDEX = "alter index ops.runs_created_by_idx rename to agent_runs_created_by_idx;\n"


def guard_block() -> str:
    text = (MIGRATIONS / RENAME).read_text()
    return text[text.index("-- Refuse to commit") :]


@pytest.mark.parametrize(
    ("text", "must_name"),
    [
        pytest.param(
            CTAS_LOSES_METADATA,
            ["data of ops.agent_runs", "sequence agent_runs_id_seq: missing", "table agent_runs: definition changed",
             "trigger agent_runs_set_updated_at: missing", "policy authenticated can select own agent runs: missing",
             "index agent_runs_external_id_key: missing"],
            id="ctas-loses-metadata-and-identity",
        ),
        pytest.param(
            LIKE_COPY_RESTARTS_IDENTITY,
            ["sequence agent_runs_id_seq: definition changed", "constraint runs_status_is_known: not there before",
             "constraint agent_runs_created_by_fkey: missing", "index agent_runs_agent_id_idx: missing"],
            id="like-copy-restarts-identity",
        ),
        pytest.param(
            None,
            ["index agent_runs_created_by_idx: missing", "index runs_created_by_idx: not there before"],
            id="forgets-an-index",
        ),
    ],
)
def test_comparison_detects_a_broken_rename(seeded, text, must_name):
    db, folder, before = seeded
    if text is None:
        text = real_rename_without(FORGOTTEN_INDEX, guard_block())
    apply_rename(db, folder, text)
    diffs = rename_differences(before, snapshot(db, list(TABLES.values())))
    report = "\n".join(diffs)
    for fragment in must_name:
        assert any(d.startswith(fragment) for d in diffs), f"{fragment!r} not reported in:\n{report}"


def test_like_copy_keeps_the_rows_but_not_the_identity(seeded):
    """The subtle case: every row survives, yet the next insert collides with an old id."""
    db, folder, before = seeded
    apply_rename(db, folder, LIKE_COPY_RESTARTS_IDENTITY)
    after = snapshot(db, list(TABLES.values()))
    assert after.data["agent_runs"] == before.data["runs"]
    with connect(db) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("insert into ops.agent_runs (external_id, agent_id, task) values ('next', 'a', 't')")


def test_leftovers_names_an_object_left_behind(seeded):
    db, folder, _ = seeded
    apply_rename(db, folder, real_rename_without(FORGOTTEN_INDEX, guard_block()))
    assert leftovers(db) == [("relation", "runs_created_by_idx")]


def test_the_migration_guard_refuses_a_forgotten_rename(seeded):
    """The rename's own final check rolls everything back when a dependent name was missed."""
    db, folder, before = seeded
    (folder / RENAME).write_text(real_rename_without(FORGOTTEN_INDEX))
    with pytest.raises(migrations.MigrationError) as err:
        migrations.migrate(db, directory=folder)
    assert "runs_created_by_idx" in str(err.value)
    assert "[SQLSTATE P0001]" in str(err.value)
    assert snapshot(db, list(TABLES)) == before
