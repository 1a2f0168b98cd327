"""Shared fixtures: one PostgreSQL server per session, a template database
migrated once, and a fresh clone of it for every test that writes.

The server is chosen by :mod:`odooops.dev.databases`: DATABASE_URL (or
SUPABASE_DB_URL) when set, else the `db up` cluster, else an embedded throwaway
cluster. Nothing here mocks the database.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from odooops.dev import databases, target

ROOT = Path(__file__).resolve().parents[1]
# Every test connection gives up instead of hanging when something regresses.
TEST_TIMEOUTS = "-c lock_timeout=10s -c statement_timeout=120s"


def wait_for(predicate, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Poll until predicate() is truthy, pausing ``interval`` seconds between tries; return its value,
    or fail after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


@pytest.fixture(scope="session")
def server():
    with databases.server() as t:
        yield t


@pytest.fixture(scope="session")
def template_db(server):
    """A database with the Supabase baseline and every migration, never connected to by tests."""
    with databases.fresh_database(server, "odooops_tmpl") as db:
        yield db


@pytest.fixture
def db(server, template_db):
    """A fresh, fully migrated database of this test's own."""
    with databases.fresh_database(server, "odooops_t", template=template_db.dbname) as clone:
        yield clone


@pytest.fixture
def empty_db(server):
    """A database with only the Supabase baseline: no migration applied."""
    with databases.fresh_database(server, "odooops_e", migrated=False) as fresh:
        yield fresh


@contextmanager
def connect(t: target.Target, role: str | None = "postgres", autocommit: bool = True, **kw):
    """A test connection as ``role`` (None: the admin URL) with lock and statement timeouts."""
    info = t.admin_url if role is None else t.conninfo(role)
    opts = (psycopg.conninfo.conninfo_to_dict(info).get("options", "") + " " + TEST_TIMEOUTS).strip()
    with psycopg.connect(info, autocommit=autocommit, options=opts, **kw) as conn:
        yield conn
