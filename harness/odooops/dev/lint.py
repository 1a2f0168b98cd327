"""Static and live checks of the SQL: sqlfluff on the files, plpgsql_check on every function."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .target import MIGRATION_ROLE, Target, project_root

PLPGSQL_CHECK = """
select p.oid::regprocedure::text as fn, c.lineno, c.level, c.message, c.sqlstate
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
join pg_language l on l.oid = p.prolang
cross join lateral extensions.plpgsql_check_function_tb(
  p.oid, coalesce(
    (select t.tgrelid from pg_trigger t where t.tgfoid = p.oid and not t.tgisinternal limit 1), 0
  ),
  fatal_errors := false, extra_warnings := false, performance_warnings := false
) c
where l.lanname = 'plpgsql'
  and n.nspname not in ('pg_catalog', 'information_schema', 'extensions', 'auth', 'storage', 'tests')
  and p.prorettype <> 'pg_catalog.event_trigger'::regtype
  and (p.prorettype <> 'pg_catalog.trigger'::regtype
       or exists (select 1 from pg_trigger t where t.tgfoid = p.oid and not t.tgisinternal))
order by 1, 2
"""


def sqlfluff(paths: list[Path] | None = None) -> int:
    root = project_root()
    paths = paths or [root / "supabase" / "migrations"]
    exe = shutil.which("sqlfluff") or str(Path(sys.executable).parent / "sqlfluff")
    # sqlfluff reads .sqlfluff from the cwd only for files under it; name it so every path gets the project's rules.
    config = ["--config", str(root / ".sqlfluff")] if (root / ".sqlfluff").exists() else []
    return subprocess.run([exe, "lint", "--disable-progress-bar", *config, *map(str, paths)], cwd=root).returncode


def plpgsql_check(target: Target) -> list[tuple]:
    """Problems plpgsql_check finds in the migrated functions (empty when clean)."""
    with target.connect(MIGRATION_ROLE) as conn:
        return conn.execute(PLPGSQL_CHECK).fetchall()
