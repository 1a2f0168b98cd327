"""Shared fixtures: one PostgreSQL server per session, a template database
migrated once, and a fresh clone of it for every test that writes.

The server is DATABASE_URL (or SUPABASE_DB_URL) when set, else an embedded
throwaway cluster. Nothing here mocks the database.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from odooops import baseline, migrations, target

ROOT = Path(__file__).resolve().parents[1]
# Every test connection gives up instead of hanging when something regresses.
TEST_TIMEOUTS = "-c lock_timeout=10s -c statement_timeout=120s"


@pytest.fixture(scope="session")
def server():
    url = target.env_url()
    if url:
        t = target.Target(url)
        yield t
        for name in list(t.owned_databases):
            t.drop_database(name)
    else:
        t = target.embedded(owner_pid=os.getpid())
        try:
            yield t
        finally:
            t.cluster.stop()


@pytest.fixture(scope="session")
def template_db(server):
    """A database with the Supabase baseline and every migration, never connected to by tests."""
    db = server.create_database("odooops_tmpl")
    baseline.ensure(db)
    migrations.migrate(db, echo=lambda m: None)
    yield db
    server.drop_database(db.dbname)


@pytest.fixture
def db(server, template_db):
    """A fresh, fully migrated database of this test's own."""
    clone = server.create_database("odooops_t", template=template_db.dbname)
    yield clone
    server.drop_database(clone.dbname)


@pytest.fixture
def empty_db(server):
    """A database with only the Supabase baseline: no migration applied."""
    fresh = server.create_database("odooops_e")
    baseline.ensure(fresh)
    yield fresh
    server.drop_database(fresh.dbname)


@contextmanager
def connect(t: target.Target, role: str | None = "postgres", autocommit: bool = True, **kw):
    """A test connection as ``role`` (None: the admin URL) with lock and statement timeouts."""
    info = t.admin_url if role is None else t.conninfo(role)
    opts = (psycopg.conninfo.conninfo_to_dict(info).get("options", "") + " " + TEST_TIMEOUTS).strip()
    with psycopg.connect(info, autocommit=autocommit, options=opts, **kw) as conn:
        yield conn
