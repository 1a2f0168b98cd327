"""The migration runner: refusals, rollback, dry run, the migration role and the statement split."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from odooops.dev import migrations
from odooops.dev.migrations import MigrationError, migrate, split_statements

from tests.conftest import ROOT, connect

REPO_MIGRATIONS = ROOT / "supabase" / "migrations"


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def recorded(t) -> list[tuple[str, str]]:
    with connect(t, None) as conn:
        if conn.execute("select to_regclass('supabase_migrations.schema_migrations')").fetchone()[0] is None:
            return []
        return conn.execute("select version, name from supabase_migrations.schema_migrations order by 1").fetchall()


def regclass(t, name: str) -> str | None:
    with connect(t, None) as conn:
        return conn.execute("select to_regclass(%s)::text", (name,)).fetchone()[0]


# -- refusals -------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["20260213_000001_x.sql", "add_extra.sql", "20260213000001_Upper.sql"])
def test_refuses_a_file_name_the_cli_would_misread(empty_db, tmp_path, bad):
    folder = write(tmp_path / "m", {"20260101000000_ok.sql": "create table public.ok_t (id int);", bad: "select 1;"})
    with pytest.raises(MigrationError) as err:
        migrate(empty_db, directory=folder)
    msg = str(err.value)
    assert msg.startswith(f"{bad}: file name must match")
    assert r"^\d{14}_[a-z0-9_]+\.sql$" in msg
    # Refused before anything ran: not even the good file.
    assert regclass(empty_db, "public.ok_t") is None
    assert recorded(empty_db) == []


def test_refuses_two_files_with_one_version(empty_db, tmp_path):
    folder = write(
        tmp_path / "m",
        {"20260101000000_first.sql": "select 1;", "20260101000000_second.sql": "select 2;"},
    )
    with pytest.raises(MigrationError) as err:
        migrate(empty_db, directory=folder)
    msg = str(err.value)
    assert msg.startswith("20260101000000_second.sql: version 20260101000000 is also used by 20260101000000_first.sql")
    assert "Renumber" in msg
    assert recorded(empty_db) == []


def test_refuses_when_an_applied_file_is_gone(empty_db, tmp_path):
    folder = write(
        tmp_path / "m",
        {"20260101000000_keep.sql": "create table public.keep_t (id int);",
         "20260101000001_lost.sql": "create table public.lost_t (id int);"},
    )
    migrate(empty_db, directory=folder)
    (folder / "20260101000001_lost.sql").unlink()
    write(folder, {"20260101000002_next.sql": "create table public.next_t (id int);"})
    with pytest.raises(MigrationError) as err:
        migrate(empty_db, directory=folder)
    msg = str(err.value)
    assert msg.startswith("20260101000001_lost.sql: recorded as applied in supabase_migrations.schema_migrations")
    assert "file is gone" in msg
    assert regclass(empty_db, "public.next_t") is None, "nothing may run after a refusal"


EDITABLE = "create table public.base_t (id int);\n\ncomment on table public.base_t is '{}';\n"


def test_refuses_an_applied_file_that_was_edited(empty_db, tmp_path):
    folder = write(
        tmp_path / "m",
        {"20260101000000_base.sql": EDITABLE.format("v1")},
    )
    migrate(empty_db, directory=folder)
    write(folder, {"20260101000000_base.sql": EDITABLE.format("v2")})
    with pytest.raises(MigrationError) as err:
        migrate(empty_db, directory=folder)
    msg = str(err.value)
    assert msg.startswith("20260101000000_base.sql: edited after it was applied (statement 2 differs")
    assert "new migration" in msg


def test_an_appended_statement_is_an_edit_too(empty_db, tmp_path):
    folder = write(tmp_path / "m", {"20260101000000_base.sql": "create table public.base_t (id int);\n"})
    migrate(empty_db, directory=folder)
    appended = "create table public.base_t (id int);\ncreate table public.more_t (id int);\n"
    write(folder, {"20260101000000_base.sql": appended})
    with pytest.raises(MigrationError, match=r"^20260101000000_base\.sql: edited after it was applied \(statement 2 "):
        migrate(empty_db, directory=folder)


def test_whitespace_between_statements_is_not_an_edit(empty_db, tmp_path):
    """The recorded statements are trimmed, as the CLI records them: reflowing blank lines is harmless."""
    folder = write(tmp_path / "m", {"20260101000000_base.sql": "create table public.base_t (id int);\nselect 1;\n"})
    migrate(empty_db, directory=folder)
    write(folder, {"20260101000000_base.sql": "\n\ncreate table public.base_t (id int);\n\n\n   select 1;\n\n"})
    plan = migrate(empty_db, directory=folder)
    assert plan.pending == []


# -- failure and rollback ---------------------------------------------------------


FAILING = """\
create table public.first_t (id int);

insert into public.first_t (id)
select id from public.missing_table;
"""  # the missing table is on line 4; its statement starts on line 3


def test_failing_migration_rolls_back_completely(empty_db, tmp_path):
    folder = write(tmp_path / "m", {"20260101000000_broken.sql": FAILING})
    with pytest.raises(MigrationError) as err:
        migrate(empty_db, directory=folder)
    msg = str(err.value)
    assert msg.startswith("20260101000000_broken.sql:4: ")
    assert 'relation "public.missing_table" does not exist' in msg
    assert "[SQLSTATE 42P01]" in msg
    assert "rolled back completely" in msg
    assert isinstance(err.value.__cause__, psycopg.errors.UndefinedTable)
    assert regclass(empty_db, "public.first_t") is None, "the first statement must be rolled back"
    assert recorded(empty_db) == []


def test_files_before_the_failing_one_stay_applied(empty_db, tmp_path):
    folder = write(
        tmp_path / "m",
        {"20260101000000_good.sql": "create table public.good_t (id int);",
         "20260101000001_broken.sql": FAILING,
         "20260101000002_later.sql": "create table public.later_t (id int);"},
    )
    seen: list[str] = []
    with pytest.raises(MigrationError, match=r"^20260101000001_broken\.sql:4: .*\[SQLSTATE 42P01\]"):
        migrate(empty_db, directory=folder, echo=seen.append)
    assert seen == ["applying 20260101000000_good.sql", "applying 20260101000001_broken.sql"]
    assert recorded(empty_db) == [("20260101000000", "good")]
    assert regclass(empty_db, "public.good_t") == "good_t"
    assert regclass(empty_db, "public.first_t") is None
    assert regclass(empty_db, "public.later_t") is None


def test_error_line_inside_a_later_statement(empty_db, tmp_path):
    text = "-- header\nselect 1;\n\nselect\n  1,\n  nonexistent_column\nfrom public.t_line;\n"
    folder = write(tmp_path / "m", {"20260101000000_lines.sql": "create table public.t_line (id int);\n" + text})
    with pytest.raises(MigrationError) as err:
        migrate(empty_db, directory=folder)
    # The file has 'create table' on line 1, so 'nonexistent_column' is on line 7.
    assert str(err.value).startswith("20260101000000_lines.sql:7: ")
    assert "[SQLSTATE 42703]" in str(err.value)


# -- dry run ---------------------------------------------------------------------------


def catalog_fingerprint(t) -> tuple:
    with connect(t, None) as conn:
        return conn.execute(
            "select (select count(*) from pg_class), (select count(*) from pg_namespace), "
            "(select count(*) from pg_proc), (select to_regnamespace('supabase_migrations')::text)"
        ).fetchone()


def test_dry_run_changes_nothing(empty_db, tmp_path):
    folder = write(
        tmp_path / "m",
        {"20260101000000_a.sql": "create table public.dry_a (id int);",
         "20260101000001_b.sql": "create table public.dry_b (id int);"},
    )
    before = catalog_fingerprint(empty_db)
    seen: list[str] = []
    plan = migrate(empty_db, directory=folder, dry_run=True, echo=seen.append)
    assert [m.filename for m in plan.pending] == ["20260101000000_a.sql", "20260101000001_b.sql"]
    assert seen == ["would apply 20260101000000_a.sql", "would apply 20260101000001_b.sql"]
    assert catalog_fingerprint(empty_db) == before
    assert before[3] is None, "not even the history table may be created"

    # With part of the history applied, a dry run lists only the rest and records nothing.
    (folder / "20260101000001_b.sql").rename(tmp_path / "b.sql")
    migrate(empty_db, directory=folder)
    (tmp_path / "b.sql").rename(folder / "20260101000001_b.sql")
    before = catalog_fingerprint(empty_db)
    plan = migrate(empty_db, directory=folder, dry_run=True)
    assert [m.filename for m in plan.pending] == ["20260101000001_b.sql"]
    assert [m.filename for m in plan.applied] == ["20260101000000_a.sql"]
    assert catalog_fingerprint(empty_db) == before
    assert recorded(empty_db) == [("20260101000000", "a")]
    assert regclass(empty_db, "public.dry_b") is None


def test_dry_run_still_refuses(empty_db, tmp_path):
    folder = write(tmp_path / "m", {"20260101000000_base.sql": "select 1;"})
    migrate(empty_db, directory=folder)
    write(folder, {"20260101000000_base.sql": "select 2;"})
    with pytest.raises(MigrationError, match="edited after it was applied"):
        migrate(empty_db, directory=folder, dry_run=True)


# -- the migration role ----------------------------------------------------------------


def test_migrations_run_as_postgres_and_postgres_owns_what_they_create(empty_db, tmp_path):
    folder = write(
        tmp_path / "m",
        {"20260101000000_owned.sql": (
            "create schema owned;\n"
            "create table owned.who as select current_user::text as cu, session_user::text as su;\n"
            "create function owned.f() returns int language sql as $$ select 1 $$;\n"
        )},
    )
    migrate(empty_db, directory=folder)
    with connect(empty_db, None) as conn:
        assert conn.execute("select cu, su from owned.who").fetchone() == ("postgres", "postgres")
        owners = conn.execute(
            "select pg_get_userbyid(nspowner) from pg_namespace where nspname = 'owned' "
            "union all select pg_get_userbyid(relowner) from pg_class where oid = 'owned.who'::regclass "
            "union all select pg_get_userbyid(proowner) from pg_proc where oid = 'owned.f()'::regprocedure "
            "union all select pg_get_userbyid(relowner) from pg_class "
            "where oid = 'supabase_migrations.schema_migrations'::regclass"
        ).fetchall()
    assert owners == [("postgres",)] * 4


def test_superuser_only_statements_fail_with_42501(empty_db, tmp_path):
    folder = write(tmp_path / "m", {"20260101000000_escalate.sql": "select 1;\ncreate role sneaky_x superuser;\n"})
    with pytest.raises(MigrationError) as err:
        migrate(empty_db, directory=folder)
    msg = str(err.value)
    assert msg.startswith("20260101000000_escalate.sql:2: ")
    assert "[SQLSTATE 42501]" in msg
    assert isinstance(err.value.__cause__, psycopg.errors.InsufficientPrivilege)
    with connect(empty_db, None) as conn:
        assert conn.execute("select count(*) from pg_roles where rolname = 'sneaky_x'").fetchone()[0] == 0
    assert recorded(empty_db) == []


def test_a_migrated_clone_belongs_to_postgres_like_its_template(db, template_db):
    """The `db` fixture clones the template; the clone must not fall to the role that created it."""
    with connect(db, None) as conn:
        owners = conn.execute(
            "select datname, pg_get_userbyid(datdba) from pg_database where datname in (%s, %s) order by 1",
            (db.dbname, template_db.dbname),
        ).fetchall()
    assert [owner for _, owner in owners] == ["postgres", "postgres"]
    with connect(db) as conn:
        conn.execute("create schema scratch")  # needs CREATE on the database, as in a migration


# -- statement split ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        pytest.param("select 1; select 2", [(1, "select 1"), (1, "select 2")], id="plain"),
        pytest.param("select ';' as a; select 2;", [(1, "select ';' as a"), (1, "select 2")], id="quote-semicolon"),
        pytest.param("select 'it''s; ok'; select 2", [(1, "select 'it''s; ok'"), (1, "select 2")], id="doubled-quote"),
        pytest.param('select 1 as "a;b""c"; select 2', [(1, 'select 1 as "a;b""c"'), (1, "select 2")], id="identifier"),
        pytest.param("select E'it\\'s; x'; select 2", [(1, "select E'it\\'s; x'"), (1, "select 2")], id="E-string"),
        pytest.param("select e'\\\\'; select 2", [(1, "select e'\\\\'"), (1, "select 2")], id="e-string-backslash"),
        pytest.param("select 'a\\'; select 2", [(1, "select 'a\\'"), (1, "select 2")], id="plain-string-backslash"),
        pytest.param(
            "create function f() returns int language plpgsql as $$ begin return 1; end $$; select 2",
            [(1, "create function f() returns int language plpgsql as $$ begin return 1; end $$"), (1, "select 2")],
            id="dollar-untagged",
        ),
        pytest.param(
            "do $fn$ begin perform $$;$$; end $fn$; select 2",
            [(1, "do $fn$ begin perform $$;$$; end $fn$"), (1, "select 2")],
            id="dollar-tagged-nested",
        ),
        pytest.param("select 1 as a$x$; select $1; select 2",
                     [(1, "select 1 as a$x$"), (1, "select $1"), (1, "select 2")], id="dollar-in-identifier"),
        pytest.param(
            "/* a /* b; */ c; */ select 1; select 2",
            [(1, "/* a /* b; */ c; */ select 1"), (1, "select 2")],
            id="nested-block-comment",
        ),
        pytest.param(
            "select 1 -- no; split here\n; select 2 -- it's; a comment\n",
            [(1, "select 1 -- no; split here"), (2, "select 2 -- it's; a comment")],
            id="line-comment",
        ),
        pytest.param("select 1;; ;\n;select 2;;", [(1, "select 1"), (2, "select 2")], id="empty-pieces-dropped"),
        pytest.param("select 1;\n-- the end\n", [(1, "select 1"), (2, "-- the end")], id="trailing-comment-kept"),
        pytest.param("select '-- not a comment; really' as x; select 2",
                     [(1, "select '-- not a comment; really' as x"), (1, "select 2")], id="dashes-in-string"),
        pytest.param("", [], id="empty"),
        pytest.param(" \n\t\n", [], id="whitespace-only"),
    ],
)
def test_split_statements(sql, expected):
    assert split_statements(sql) == expected


def test_split_statements_start_lines():
    text = (
        "\n"
        "-- header\n"  # 2
        "create table a (\n"  # 3
        "  id int\n"
        ");\n"
        "\n"
        "\n"
        "   insert into a\n"  # 8
        "   values (1);  select 1;\n"  # 9: the second statement starts on the same line
        "create function f() returns int language sql as $$\n"  # 10
        "  select 1;\n"
        "  select 2;\n"
        "$$;\n"
        "/* multi\n"  # 14
        "line */ select 3\n"
    )
    got = split_statements(text)
    assert [line for line, _ in got] == [2, 8, 9, 10, 14]
    assert got[0][1] == "-- header\ncreate table a (\n  id int\n)"
    assert got[1][1] == "insert into a\n   values (1)"
    assert got[4][1] == "/* multi\nline */ select 3"


def test_unterminated_quote_runs_to_the_end():
    assert split_statements("select 1; select 'oops; select 2") == [(1, "select 1"), (1, "select 'oops; select 2")]


# -- the repository's own migrations ------------------------------------------------------


def test_repository_migrations_apply_and_then_nothing_is_pending(empty_db):
    files = sorted(p.name for p in REPO_MIGRATIONS.glob("*.sql"))
    assert files, "the repository has migrations"
    first = migrate(empty_db, directory=REPO_MIGRATIONS)
    assert [m.filename for m in first.pending] == files
    assert first.applied == []
    second = migrate(empty_db, directory=REPO_MIGRATIONS)
    assert second.pending == []
    assert [m.filename for m in second.applied] == files
    assert [f"{v}_{n}.sql" for v, n in recorded(empty_db)] == files
    with connect(empty_db, None) as conn:
        rows = conn.execute("select version, statements from supabase_migrations.schema_migrations").fetchall()
    for version, statements in rows:
        (path,) = REPO_MIGRATIONS.glob(f"{version}_*.sql")
        assert statements == [s for _, s in migrations.split_statements(path.read_text())], path.name
