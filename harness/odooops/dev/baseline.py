"""Give a plain PostgreSQL database what Supabase provides (roles, auth, extensions).

The SQL lives in ``sql/supabase_baseline.sql`` and creates each piece only
when it is missing. On a server where we are not superuser (a real Supabase
project) nothing is created; the harness only checks that what migrations
need is there and says what is missing.
"""

from __future__ import annotations

import tomllib
from importlib import resources

from .target import Target, project_root

REQUIRED = {
    "role anon": "select 1 from pg_roles where rolname = 'anon'",
    "role authenticated": "select 1 from pg_roles where rolname = 'authenticated'",
    "role service_role": "select 1 from pg_roles where rolname = 'service_role'",
    "role postgres": "select 1 from pg_roles where rolname = 'postgres'",
    "function auth.uid()": "select to_regprocedure('auth.uid()')",
    "table auth.users": "select to_regclass('auth.users')",
    "extension pgcrypto": "select 1 from pg_extension where extname = 'pgcrypto'",
    "extension pgtap": "select 1 from pg_extension where extname = 'pgtap'",
    "extension plpgsql_check": "select 1 from pg_extension where extname = 'plpgsql_check'",
}


def baseline_sql() -> str:
    return resources.files("odooops.dev").joinpath("sql/supabase_baseline.sql").read_text()


def api_schemas() -> list[str]:
    cfg = project_root() / "supabase" / "config.toml"
    try:
        data = tomllib.loads(cfg.read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return ["public", "graphql_public"]
    return list(data.get("api", {}).get("schemas", ["public", "graphql_public"]))


def missing(target: Target) -> list[str]:
    with target.connect() as conn:
        return [name for name, q in REQUIRED.items() if (conn.execute(q).fetchone() or [None])[0] is None]


def apply(target: Target) -> bool:
    """Apply the shim when we are superuser; return True when it was applied."""
    with target.connect() as conn:
        is_super = conn.execute("select rolsuper from pg_roles where rolname = current_user").fetchone()[0]
        if not is_super:
            return False
        conn.execute(baseline_sql())
        schemas = ", ".join(api_schemas())
        # What PostgREST exposes; splinter and `supabase db advisors` read it here.
        conn.execute(f"alter role authenticator set pgrst.db_schemas = '{schemas}'")
    return True


def ensure(target: Target) -> None:
    apply(target)
    gaps = missing(target)
    if gaps:
        raise SystemExit(
            "odooops: this database lacks what Supabase provides and the harness is not superuser "
            f"there, so it cannot add it: {', '.join(gaps)}. Connect as a superuser, or use a "
            "Supabase project."
        )
