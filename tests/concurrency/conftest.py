"""Fixtures for the queue's concurrency tests: a migrated database with one
project and its workflows, and worker connections that act as service_role.

Workers reach the database as ``service_role`` (the role behind the service
key). On the embedded cluster that role cannot log in, so a worker logs in as
``postgres`` and takes the role with SET ROLE, as PostgREST does.
"""

from __future__ import annotations

import random
import threading
import time
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


# Sampled waits of claims on a lock that a stress tolerates (see Stress.check).
STRAY_WAITS = 3


class Stress:
    """What the stress tests share: their threads' bookkeeping (errors, stop, deadline), the pids of the worker
    backends, and three disturbers: a killer of worker backends, a canceler of runs and a watcher that records
    any claim which pg_blocking_pids says waits on a row or transaction lock. ``run`` starts them with the
    workers and joins them."""

    def __init__(self, db, workers: int, time_limit: float) -> None:
        self.db = db
        self.workers = workers
        self.deadline = time.monotonic() + time_limit
        self.errors: list[BaseException] = []
        self.kills: list[int] = []
        self.waits: list[tuple] = []
        self.pids: dict[int, int] = {}  # worker slot -> its current backend pid
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.elapsed = 0.0

    def going(self) -> bool:
        return time.monotonic() < self.deadline and not self.stop.is_set()

    def guarded(self, fn: Callable[..., None]) -> Callable[..., None]:
        """``fn``, ending the test at its first exception (reported by ``check``)."""
        def body(*args) -> None:
            try:
                fn(*args)
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                self.errors.append(exc)
                self.stop.set()

        return body

    def left(self) -> int:
        """Runs not ended yet."""
        with connect(self.db) as c:
            return c.execute(
                "select count(*) from ops.runs where status in ('queued', 'claimed', 'running')"
            ).fetchone()[0]

    def killer(self, kills: int, pause: tuple[float, float], seed: int = 7) -> None:
        krng = random.Random(seed)
        with connect(self.db, None) as admin:
            while len(self.kills) < kills and self.going():
                time.sleep(krng.uniform(*pause))
                with self.lock:
                    pid = self.pids.get(krng.randrange(self.workers))
                if pid and admin.execute("select pg_terminate_backend(%s)", (pid,)).fetchone()[0]:
                    self.kills.append(pid)

    def canceler(self, run_ids: list, cancels: int, pause: float, seed: int = 99) -> None:
        crng = random.Random(seed)
        with worker_conn(self.db) as conn:
            for run in crng.sample(run_ids, cancels):
                if self.stop.is_set():
                    return
                conn.execute("select ops.cancel_run(%s, 'stress cancel')", (run,))
                time.sleep(pause)

    def watcher(self) -> None:
        """Record every claim blocked on a row or transaction lock, with its blockers and the lock it waits for.
        A relation extension lock (a page added to a table, held for microseconds) is a wait of the storage,
        not on another worker: it does not count."""
        with connect(self.db, None) as mon:
            while self.going():
                self.waits.extend(mon.execute(
                    "select a.pid, a.wait_event_type, a.wait_event, a.query, ("
                    "select string_agg(b.query || ' [' || b.state || ']', ' | ') from pg_stat_activity as b "
                    "where b.pid = any(pg_blocking_pids(a.pid))), "
                    "(select string_agg(concat_ws(':', l.locktype, l.relation::regclass, l.page, l.tuple, "
                    "l.transactionid, l.mode), ', ') from pg_locks as l where l.pid = a.pid and not l.granted) "
                    "from pg_stat_activity as a "
                    "where a.datname = current_database() and a.query ~ 'claim_(next_run|runs)' "
                    "and a.pid <> pg_backend_pid() and cardinality(pg_blocking_pids(a.pid)) > 0 "
                    "and a.wait_event_type = 'Lock' and a.wait_event <> 'extend'"
                ).fetchall())
                time.sleep(0.02)

    def run(self, worker: Callable[[int], None], others: list[Callable[[], None]]) -> list[threading.Thread]:
        """Run ``worker(slot)`` for every slot with ``others`` and the watcher; join them; return the workers."""
        t0 = time.monotonic()
        threads = [threading.Thread(target=self.guarded(worker), args=(i,), daemon=True)
                   for i in range(self.workers)]
        rest = [threading.Thread(target=self.guarded(f), daemon=True) for f in others]
        watch = threading.Thread(target=self.guarded(self.watcher), daemon=True)
        for t in [*threads, *rest, watch]:
            t.start()
        for t in [*threads, *rest]:
            t.join(timeout=max(1.0, self.deadline - time.monotonic() + 5))
        self.stop.set()
        watch.join(timeout=5)
        self.elapsed = time.monotonic() - t0
        return threads

    def check(self, threads: list[threading.Thread], min_kills: int = 1) -> None:
        """No thread failed, every worker ended, enough kills happened, and claims did not wait on each other:
        at most ``STRAY_WAITS`` waits in the whole stress.

        Not none: PostgreSQL 15 can make a ``for update skip locked`` wait. When the row version a
        statement's snapshot saw was updated by a transaction that committed since, it follows the row's
        update chain, and waits there for whoever holds the newest version, whatever ``skip locked`` says
        (``heap_lock_updated_tuple``; the server log names it "while locking updated version"). Such a wait
        lasts as long as the other claim's transaction and was seen 0 to 2 times per stress of a few
        thousand claims. Claims that serialize on a lock (a blocking write of a row every claim writes)
        wait in a large share of thousands of claims, far above the bound."""
        assert not self.errors, f"{len(self.errors)} error(s), first: {self.errors[0]!r}"
        assert not any(t.is_alive() for t in threads), f"workers still running after {self.elapsed:.0f} s"
        assert len(self.kills) >= min_kills, f"only {len(self.kills)} kills happened"
        waits = {(w[0], w[5]) for w in self.waits}  # one wait may be sampled more than once
        assert len(waits) <= STRAY_WAITS, f"claims waited on locks {len(waits)} times: {self.waits[:3]}"
        if waits:
            print(f"\nclaims waited on locks {len(waits)} time(s) (at most {STRAY_WAITS}): {self.waits}")
