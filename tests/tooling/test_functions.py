"""The harness side of the Edge Functions check (``odooops functions test``).

The functions themselves are tested by ``deno test`` (supabase/functions/tests);
here: the URLs the harness hands to Deno and the Supabase CLI, the drift report,
and the declarations in supabase/config.toml that ``supabase functions deploy`` reads.
"""

from __future__ import annotations

import tomllib

import psycopg
from odooops.dev import functions, target

from tests.conftest import ROOT


def _whoami(url: str) -> tuple[str, str]:
    with psycopg.connect(url) as conn:
        return conn.execute("select current_user, current_database()").fetchone()


def test_database_url_acts_as_postgres_on_the_embedded_cluster(empty_db):
    url = functions.database_url(empty_db)
    assert url.startswith("postgresql://postgres@")
    assert _whoami(url) == ("postgres", empty_db.dbname)


def test_database_url_acts_as_postgres_through_an_admin_url(empty_db):
    # As with DATABASE_URL: the admin logs in, the session takes the role.
    as_admin = target.Target(empty_db.admin_url)
    url = functions.database_url(as_admin)
    assert "options=" in url
    assert _whoami(url) == ("postgres", empty_db.dbname)


def test_types_drift_is_empty_when_equal_and_names_both_sides_otherwise():
    same = "export type Json = string;\n"
    assert functions.types_drift(same, same) == []
    diff = functions.types_drift(same, "export type Json = number;\n")
    assert diff[0].endswith("(committed)") and diff[1].endswith("generated from supabase/migrations")
    assert "-export type Json = string;" in diff and "+export type Json = number;" in diff


def test_config_declares_both_functions_without_gateway_jwt_check():
    config = tomllib.loads((ROOT / "supabase" / "config.toml").read_text())
    for name in ("ops-ingest", "executor"):
        block = config["functions"][name]
        assert block["verify_jwt"] is False, f"{name}: runner tokens are not JWTs"
        assert (ROOT / "supabase" / block["entrypoint"]).is_file()
        assert (ROOT / "supabase" / block["import_map"]).is_file()
    assert (ROOT / "supabase" / "functions" / "_shared" / "database.types.ts").is_file()
