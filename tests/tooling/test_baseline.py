"""The Supabase baseline on plain PostgreSQL: roles, auth helpers, extensions."""

import psycopg
import pytest
from odooops.dev import baseline

from tests.conftest import connect


def test_roles_have_supabase_attributes(empty_db):
    with connect(empty_db, None) as conn:
        rows = dict(
            (r[0], r[1:])
            for r in conn.execute(
                "select rolname, rolsuper, rolbypassrls, rolcanlogin, rolinherit from pg_roles "
                "where rolname in ('postgres', 'anon', 'authenticated', 'service_role', 'authenticator')"
            )
        )
    assert rows["postgres"] == (False, True, True, True), "postgres must be a non-superuser with BYPASSRLS"
    assert rows["service_role"] == (False, True, False, True)
    assert rows["anon"] == (False, False, False, True)
    assert rows["authenticated"] == (False, False, False, True)
    assert rows["authenticator"] == (False, False, True, False)


def test_postgres_owns_database_and_reaches_extensions(empty_db):
    with connect(empty_db) as conn:
        assert conn.execute("select current_user").fetchone()[0] == "postgres"
        owner = conn.execute(
            "select pg_get_userbyid(datdba) from pg_database where datname = current_database()"
        ).fetchone()[0]
        assert owner == "postgres"
        assert conn.execute("select length(extensions.gen_random_uuid()::text)").fetchone()[0] == 36
        search_path = conn.execute("show search_path").fetchone()[0]
        assert search_path.replace('"', "").replace(" ", "") == "$user,public,extensions"


def test_auth_helpers_read_request_jwt_claims_like_gotrue(empty_db):
    sub = "8a3c5f0e-1111-4222-8333-944445555666"
    with connect(empty_db) as conn:
        with conn.transaction():
            assert conn.execute("select auth.uid(), auth.role(), auth.jwt()").fetchone() == (None, None, None)
            conn.execute(
                "select set_config('request.jwt.claims', %s, true)",
                (f'{{"sub": "{sub}", "role": "authenticated", "email": "a@b.c"}}',),
            )
            uid, role, email, jwt = conn.execute("select auth.uid(), auth.role(), auth.email(), auth.jwt()").fetchone()
            assert (str(uid), role, email) == (sub, "authenticated", "a@b.c")
            assert jwt["sub"] == sub
        with conn.transaction():
            conn.execute("select set_config('request.jwt.claim.sub', %s, true)", (sub,))
            assert str(conn.execute("select auth.uid()").fetchone()[0]) == sub


def test_migration_role_cannot_do_superuser_things(empty_db):
    with connect(empty_db) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("create role sneaky superuser")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("alter system set work_mem = '1GB'")


def test_applying_twice_changes_nothing(empty_db):
    def snapshot():
        with connect(empty_db, None) as conn:
            return conn.execute(
                "select (select count(*) from pg_roles), (select count(*) from pg_proc), "
                "(select count(*) from pg_class), (select count(*) from pg_extension)"
            ).fetchone()

    before = snapshot()
    assert baseline.apply(empty_db) is True
    assert snapshot() == before
    assert baseline.missing(empty_db) == []


def test_not_superuser_means_hands_off(empty_db):
    """As the non-superuser postgres role (as on a real Supabase project) nothing is created."""
    as_postgres = type(empty_db)(empty_db.conninfo("postgres"))
    assert baseline.apply(as_postgres) is False
    assert baseline.missing(as_postgres) == []
