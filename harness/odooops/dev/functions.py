"""Check the Edge Functions in ``supabase/functions`` the way ``make test`` does.

Static steps first (``deno fmt --check``, ``deno lint``, ``deno check``), then,
on throwaway databases of the harness's server: the generated database types
compared with the committed ones, and ``deno test`` against

* ``SUPABASE_DB_URL``: a database with every migration (what production runs),
* ``ODOOOPS_TEST_PRE_RENAME_DB_URL``: one migrated only up to the agent-tracking
  baseline (before the agent tables were renamed); the tests migrate it the rest of the way
  with ``ODOOOPS_TEST_MIGRATE_CMD`` (this harness's own runner),
* ``ODOOOPS_TEST_EMPTY_DB_URL``: one with the Supabase baseline and no migration,
  where every function must fail with a bare 500.

Deno and the Supabase CLI come from ``node_modules`` (``make deps``); Deno's cache
lives in ``.cache/deno``.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from psycopg.conninfo import conninfo_to_dict

from . import migrations
from .databases import fresh_database
from .target import Target, project_root

BASELINE_MIGRATION = "20260212000000_create_agent_tracking_schema.sql"
TYPES_RELATIVE = Path("_shared") / "database.types.ts"
TYPES_COMMAND = "odooops functions types"
# Secrets the tests authenticate with; never used outside these throwaway runs.
TEST_SECRETS = {
    "SUPABASE_SERVICE_ROLE_KEY": "test-service-role-key",
    "ODOOOPS_RUNNER_TOKEN": "test-runner-token,test-runner-token-next",
}


class FunctionsError(RuntimeError):
    """A tool is missing or failed in a way the user must fix first."""


def functions_dir() -> Path:
    return project_root() / "supabase" / "functions"


def config() -> Path:
    return functions_dir() / "deno.json"


def _tool(name: str) -> Path:
    local = project_root() / "node_modules" / ".bin" / name
    if local.exists():
        return local
    found = shutil.which(name)
    if found:
        return Path(found)
    raise FunctionsError(f"{name} not found in node_modules/.bin or on PATH; install it with `make deps`.")


def deno_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "DENO_DIR": str(project_root() / ".cache" / "deno"), "NO_COLOR": "1"}
    # The tests get the databases they are meant to use, and no other.
    for var in ("DATABASE_URL", "SUPABASE_DB_URL", "ODOOOPS_CLUSTER_DIR"):
        env.pop(var, None)
    env.update(extra or {})
    return env


def deno(*args: str, env: dict[str, str] | None = None, capture: bool = False, stdin: str | None = None,
         ) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(_tool("deno")), *args], cwd=functions_dir(), env=env or deno_env(), text=True,
        input=stdin, capture_output=capture,
    )


def database_url(t: Target, role: str = "postgres") -> str:
    """A postgresql:// URL acting as ``role``, for tools that only take URLs (postgres.js, the CLI).

    Built from ``t.conninfo(role)``, so it works for an embedded cluster (the role
    logs in) and for DATABASE_URL (the admin logs in, ``options=-c role=...``).
    """
    p = conninfo_to_dict(t.conninfo(role))
    auth = quote(p.get("user", role), safe="")
    if p.get("password"):
        auth += ":" + quote(p["password"], safe="")
    host = p.get("host", "127.0.0.1")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    query = {k: v for k, v in p.items() if k in ("options", "sslmode")}
    return (f"postgresql://{auth}@{host}:{p.get('port', 5432)}/{quote(p.get('dbname', 'postgres'), safe='')}"
            + (f"?{urlencode(query, quote_via=quote)}" if query else ""))


# -- database types --------------------------------------------------------------
def generate_types(t: Target) -> str:
    """``supabase gen types`` for schema ops of ``t``, formatted as ``deno fmt`` would."""
    env = {**os.environ, "PGSSLMODE": "disable"}
    for var in ("DATABASE_URL", "SUPABASE_DB_URL", "SUPABASE_ACCESS_TOKEN", "SUPABASE_PROJECT_ID"):
        env.pop(var, None)
    with tempfile.TemporaryDirectory(prefix="odooops-gen-types-") as work:
        gen = subprocess.run(
            [str(_tool("supabase")), "gen", "types", "--lang", "typescript", "--schema", "ops",
             "--remote", database_url(t), "--workdir", work],
            cwd=work, env=env, capture_output=True, text=True, timeout=180,
        )
    if gen.returncode != 0 or "export type Database" not in gen.stdout:
        raise FunctionsError(f"supabase gen types failed (exit {gen.returncode}): {gen.stderr.strip()[-2000:]}")
    fmt = deno("fmt", "--config", str(config()), "--ext", "ts", "-", stdin=gen.stdout, capture=True)
    if fmt.returncode != 0:
        raise FunctionsError(f"deno fmt of the generated types failed: {fmt.stderr.strip()[-2000:]}")
    return fmt.stdout


def types_drift(committed: str, generated: str, limit: int = 80) -> list[str]:
    """The unified diff from the committed types to the generated ones (empty when equal)."""
    diff = list(difflib.unified_diff(
        committed.splitlines(), generated.splitlines(),
        fromfile=f"supabase/functions/{TYPES_RELATIVE} (committed)",
        tofile="generated from supabase/migrations", lineterm="",
    ))
    if len(diff) > limit:
        diff = diff[:limit] + [f"... {len(diff) - limit} more diff lines"]
    return diff


def write_types(t: Target) -> Path:
    path = functions_dir() / TYPES_RELATIVE
    path.write_text(generate_types(t))
    return path


# -- the test run ------------------------------------------------------------------
@dataclass
class Step:
    name: str
    ok: bool
    seconds: float
    fix: str = ""


def migrate_to_baseline(t: Target) -> None:
    """Only the agent-tracking baseline: the database as it was before the agent tables were renamed."""
    source = project_root() / "supabase" / "migrations" / BASELINE_MIGRATION
    with tempfile.TemporaryDirectory(prefix="odooops-pre-rename-") as folder:
        shutil.copy(source, Path(folder) / source.name)
        migrations.migrate(t, directory=Path(folder))


def _timed(name: str, fix: str, fn) -> Step:
    print(f"-- {name}", flush=True)
    t0 = time.monotonic()
    try:
        ok = bool(fn())
    except FunctionsError as exc:
        print(f"   {exc}", flush=True)
        ok = False
    return Step(name, ok, time.monotonic() - t0, fix)


def static_steps() -> list[Step]:
    cfg = str(config())
    deno_cmd = "DENO_DIR=.cache/deno node_modules/.bin/deno"
    return [
        _timed("deno fmt --check", f"format with `{deno_cmd} fmt --config supabase/functions/deno.json`",
               lambda: deno("fmt", "--check", "--config", cfg).returncode == 0),
        _timed("deno lint", "fix the reported lines (rule names link to their docs)",
               lambda: deno("lint", "--config", cfg).returncode == 0),
        _timed("deno check", "fix the type errors; an RPC call that no longer matches its signature means "
               f"the migrations changed: regenerate the types with `{TYPES_COMMAND}`",
               lambda: deno("check", "--config", cfg, ".").returncode == 0),
    ]


def database_steps(parent: Target, name_filter: str | None = None) -> list[Step]:
    """Types drift and ``deno test`` on throwaway databases of ``parent``'s server."""
    with (fresh_database(parent, "odooops_fn") as full,
          fresh_database(parent, "odooops_fn_pre", migrated=False) as pre,
          fresh_database(parent, "odooops_fn_empty", migrated=False) as empty):
        migrate_to_baseline(pre)

        def drift() -> bool:
            path = functions_dir() / TYPES_RELATIVE
            committed = path.read_text() if path.exists() else ""
            diff = types_drift(committed, generate_types(full))
            for line in diff:
                print(f"   {line}")
            return not diff

        steps = [_timed(
            "database types (supabase gen types) match the migrations",
            f"regenerate with `{TYPES_COMMAND}` and commit supabase/functions/{TYPES_RELATIVE.as_posix()}",
            drift,
        )]
        env = deno_env({
            **TEST_SECRETS,
            "SUPABASE_DB_URL": database_url(full),
            "ODOOOPS_TEST_PRE_RENAME_DB_URL": database_url(pre),
            "ODOOOPS_TEST_EMPTY_DB_URL": database_url(empty),
            "ODOOOPS_TEST_MIGRATE_CMD": json.dumps([sys.executable, "-m", "odooops.cli", "db", "migrate"]),
            "ODOOOPS_ROOT": str(project_root()),
        })
        args = ["test", "--config", str(config()), "--allow-env", "--allow-net", "--allow-read", "--allow-run"]
        if name_filter:
            args += ["--filter", name_filter]
        steps.append(_timed(
            "deno test", "read the failing test above; run one with `odooops functions test --filter NAME`",
            lambda: deno(*args, env=env).returncode == 0,
        ))
        return steps


def report(steps: list[Step]) -> int:
    failed = [s for s in steps if not s.ok]
    for s in steps:
        print(f"   {'ok    ' if s.ok else 'FAILED'} {s.name} ({s.seconds:.1f}s)")
    for s in failed:
        print(f"odooops: {s.name} failed; fix: {s.fix}", file=sys.stderr)
    return 1 if failed else 0
