"""Round trip with the real Supabase CLI: each tool sees the other's migrations as applied."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from odooops.dev import migrations

from tests.conftest import ROOT, connect

SUPABASE = ROOT / "node_modules" / ".bin" / "supabase"
REPO_MIGRATIONS = ROOT / "supabase" / "migrations"

pytestmark = pytest.mark.skipif(
    not SUPABASE.exists(), reason=f"Supabase CLI not installed at {SUPABASE} (run `npm ci`)"
)


def workdir(tmp_path: Path, source: Path = REPO_MIGRATIONS) -> Path:
    """A folder the CLI can run in: supabase/config.toml and a copy of the migrations."""
    work = tmp_path / "cli"
    (work / "supabase").mkdir(parents=True)
    shutil.copy(ROOT / "supabase" / "config.toml", work / "supabase" / "config.toml")
    shutil.copytree(source, work / "supabase" / "migrations", ignore=shutil.ignore_patterns(".*"))
    return work


def supabase(work: Path, t, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PGSSLMODE": "disable"}
    for var in ("DATABASE_URL", "SUPABASE_DB_URL", "SUPABASE_ACCESS_TOKEN", "SUPABASE_PROJECT_ID"):
        env.pop(var, None)
    proc = subprocess.run(
        [str(SUPABASE), *args, "--yes", "--remote", t.url("postgres"), "--workdir", str(work)],
        cwd=work, env=env, capture_output=True, text=True, timeout=120,
    )
    return proc


def local_versions(work: Path) -> list[str]:
    return [m.version for m in migrations.discover(work / "supabase" / "migrations")]


def recorded_statements(t) -> dict[str, tuple[str, list[str]]]:
    with connect(t, None) as conn:
        rows = conn.execute("select version, name, statements from supabase_migrations.schema_migrations").fetchall()
    return {v: (name, stmts) for v, name, stmts in rows}


def test_cli_sees_odooops_migrations_as_applied(empty_db, tmp_path):
    work = workdir(tmp_path)
    versions = local_versions(work)
    assert versions, "the repository has migrations"
    plan = migrations.migrate(empty_db, directory=work / "supabase" / "migrations")
    assert [m.version for m in plan.pending] == versions

    push = supabase(work, empty_db, "db", "push")
    assert push.returncode == 0, push.stderr
    assert "Remote database is up to date." in push.stdout, push.stdout + push.stderr
    assert "Applying migration" not in push.stdout + push.stderr

    listed = supabase(work, empty_db, "migration", "list", "--output-format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)["migrations"]
    assert [(r["local"], r["remote"]) for r in rows] == [(v, v) for v in versions]


def test_odooops_sees_cli_migrations_as_applied(empty_db, tmp_path):
    work = workdir(tmp_path)
    folder = work / "supabase" / "migrations"
    push = supabase(work, empty_db, "db", "push")
    assert push.returncode == 0, push.stdout + push.stderr
    for path in sorted(folder.glob("*.sql")):
        assert f"Applying migration {path.name}" in push.stderr

    plan = migrations.migrate(empty_db, directory=folder)
    assert plan.pending == []
    assert [m.version for m in plan.applied] == local_versions(work)

    history = recorded_statements(empty_db)
    assert sorted(history) == local_versions(work)
    for m in migrations.discover(folder):
        name, statements = history[m.version]
        assert name == m.name
        assert statements == [s for _, s in migrations.split_statements(m.path.read_text())], m.filename


TRICKY = r"""-- header; with a semicolon
create table public.tricky (a text default 'x;y', b text default E'it\'s; here', "c;d" int);
/* outer /* inner; */ still a comment; */
create function public.tricky_f() returns int language plpgsql as $$ begin return 1; end $$;
create function public.tricky_g() returns text language sql as $body$ select 'a;b' || $$;$$ $body$;;
select 'it''s;' as "col;x"; -- trailing; comment
comment on table public.tricky is 'a -- not a comment; /* nor this */';
select e'\\', 'back\' as slash;
select $q$ $$ ; $$ $q$ as a$x$;

-- a last comment; on its own
"""


def test_split_matches_the_cli_on_tricky_sql(empty_db, tmp_path):
    """The CLI's own split, recorded by `db push`, equals ours statement for statement."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "20260101000000_tricky.sql").write_text(TRICKY)
    work = workdir(tmp_path, source)
    push = supabase(work, empty_db, "db", "push")
    assert push.returncode == 0, push.stdout + push.stderr
    name, statements = recorded_statements(empty_db)["20260101000000"]
    ours = [s for _, s in migrations.split_statements(TRICKY)]
    assert len(ours) == 8
    assert statements == ours
    assert migrations.migrate(empty_db, directory=work / "supabase" / "migrations").pending == []
