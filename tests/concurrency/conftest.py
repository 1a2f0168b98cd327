"""Fixtures for the queue's concurrency tests: a migrated database with one
project and its workflows, and worker connections that act as service_role.

Workers reach the database as ``service_role`` (the role behind the service
key). On the embedded cluster that role cannot log in, so a worker logs in as
``postgres`` and takes the role with SET ROLE, as PostgREST does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
import pytest

from tests.conftest import connect, wait_for

PROJECT = "acme"


@contextmanager
def worker_conn(db, autocommit: bool = True, role: str = "service_role") -> Iterator[psycopg.Connection]:
    """A connection acting as ``role`` with the suite's lock and statement timeouts."""
    with connect(db, "postgres", autocommit=autocommit) as conn:
        if autocommit:
            conn.execute(psycopg.sql.SQL("set role {}").format(psycopg.sql.Identifier(role)))
        else:
            with conn.transaction():
                conn.execute(psycopg.sql.SQL("set role {}").format(psycopg.sql.Identifier(role)))
        yield conn


@pytest.fixture
def queue_db(db):
    """The test's database with project 'acme' and workflows 'build' (lease 60 s, 3 attempts),
    'quick' (lease 5 s, the shortest a workflow allows, 3 attempts) and 'once' (lease 5 s, 1 attempt).
    Tests that need a shorter lease pass p_lease_seconds to the claim. The tests queue many commits
    of one branch, each a run of its own, so these workflows supersede nothing (supersede 'none');
    a test of the supersede sets it. A run whose lease expired is retried at once (retry_backoff_seconds
    0): the backoff has its pgTAP test (claim_next_run/waits_a_backoff_before_retrying)."""
    with connect(db, "postgres") as conn:
        conn.execute(
            "insert into ops.projects (slug, name, odoo_series, repository_url) "
            "values (%s, 'Acme', '17.0', 'https://git.test.invalid/acme.git')",
            (PROJECT,),
        )
        for name, lease, attempts in (("build", 60, 3), ("quick", 5, 3), ("once", 5, 1)):
            conn.execute(
                "insert into ops.workflows"
                " (project_id, name, steps, lease_seconds, max_attempts, supersede, retry_backoff_seconds) "
                "select id, %s, '[{\"name\": \"build\", \"command\": \"true\"}]', %s, %s, 'none', 0 "
                "from ops.projects",
                (name, lease, attempts),
            )
    return db


def enqueue(conn: psycopg.Connection, n: int = 1, workflow: str = "build", **kw) -> list:
    """Queue ``n`` runs through ops.enqueue_run; return their ids."""
    ids = []
    for i in range(n):
        row = conn.execute(
            "select id from ops.enqueue_run(%(slug)s, %(wf)s, 'main', %(sha)s, "
            "p_priority => %(prio)s, p_idempotency_key => %(key)s)",
            {"slug": PROJECT, "wf": workflow, "sha": f"{i:040x}", "prio": kw.get("priority", 0),
             "key": kw.get("key")},
        ).fetchone()
        ids.append(row[0])
    return ids


def expire_lease(db, run) -> None:
    """Make ``run``'s lease lapse now, as if its holder had stopped heartbeating long enough.

    The table owner ``postgres`` sets the column, as the pgTAP tests of lease recovery do; the
    next ops.claim_next_run then finds the lease expired without the test waiting for it.
    """
    with connect(db, "postgres") as owner:
        changed = owner.execute(
            "update ops.runs set lease_expires_at = now() - interval '1 second' "
            "where id = %s and lease_expires_at is not null",
            (run,),
        ).rowcount
    assert changed == 1, f"run {run} holds no lease"


def backend_pid(conn: psycopg.Connection) -> int:
    return conn.info.backend_pid


def run_in_thread(fn: Callable[[], object]) -> tuple[threading.Thread, dict]:
    """Start ``fn`` in a thread; the dict gets 'result' or 'error' when it ends."""
    out: dict = {}

    def target():
        try:
            out["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    return t, out


def wait_blocked_or_done(monitor: psycopg.Connection, pid: int, thread: threading.Thread,
                         timeout: float = 10.0) -> list[int]:
    """Return the pids blocking ``pid`` as soon as it waits on a lock, or [] once ``thread`` ended.

    Polls pg_blocking_pids: the answer comes from the server's lock table, not from a sleep; the
    short pause between polls only keeps the loop from hammering the server.
    """

    def blocked_or_done() -> tuple[list[int]] | None:
        if not thread.is_alive():
            return ([],)
        blockers = monitor.execute("select pg_blocking_pids(%s)", (pid,)).fetchone()[0]
        return (list(blockers),) if blockers else None

    return wait_for(blocked_or_done, timeout, interval=0.01, what=f"backend {pid} to block or finish")[0]
