"""Every database call a worker makes, behind one typed interface.

A :class:`Queue` is one connection acting as a role (``service_role`` by
default), bound to one worker id: every write it sends carries that id, so the
database can refuse a write from a worker that no longer holds the run
(``OP002``). Calls that fail on connection trouble are retried with backoff
on a new connection; refusals of the RPCs come back as :class:`RpcError`.

The worker, the log shipper and the heartbeat each use their own connection
(:meth:`Queue.fork`), so a slow log batch never delays a heartbeat.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

CHANNEL = "ops_runs_queued"
SERVICE_ROLE = "service_role"

Run = dict[str, Any]  # a row of ops.runs


@dataclass(frozen=True)
class RunDefinition:
    """A run's context as ``ops.get_run_context`` returns it."""

    project: dict  # slug, name, odoo_series, repository_url
    workflow: dict  # name, steps, default_timeout_seconds, lease_seconds
    tools: dict[str, dict]  # by name: the tools the steps name (image, tag, digest, run_locally, enabled)
    secret_names: list[str]  # what params.secrets asks for; the values come from secrets()
    advisories: list[dict]  # ops.upgrade_advisories when a step asks for them, else empty


class RpcError(Exception):
    """An RPC refused: ``sqlstate`` is OP001 (illegal transition), OP002 (not the
    holder), OP003 (conflicting repeat), P0002 (unknown id), 22023 (bad parameter)."""

    def __init__(self, sqlstate: str | None, message: str) -> None:
        super().__init__(f"{message} [SQLSTATE {sqlstate}]")
        self.sqlstate = sqlstate
        self.message = message


class Stopped(Exception):
    """Raised by a retrying call when its abort event is set or its deadline passed."""


def close_quietly(conn: psycopg.Connection | None) -> None:
    """Close a connection that may already be broken; a failure to close changes nothing."""
    if conn is None:
        return
    try:
        conn.close()
    except psycopg.Error:
        pass


def _transient(exc: psycopg.Error, conn: psycopg.Connection | None) -> bool:
    """Connection trouble worth a reconnect and a retry, as opposed to an RPC's refusal."""
    if conn is None or conn.closed or conn.broken:
        return True
    state = getattr(exc, "sqlstate", None)
    return state is None or state[:2] in ("08", "53", "57", "58")


class Health:
    """Reports the database going away and coming back once, however many connections notice."""

    def __init__(self, report: Callable[..., None]) -> None:
        self.report = report
        self.down = False
        self.lock = threading.Lock()

    def failed(self, exc: Exception) -> None:
        with self.lock:
            if not self.down:
                self.down = True
                text = str(exc).strip()
                self.report("db-down", error=text.splitlines()[0] if text else type(exc).__name__)

    def ok(self) -> None:
        if self.down:
            with self.lock:
                if self.down:
                    self.down = False
                    self.report("db-up")


class Connection:
    """One connection acting as ``role``, reconnecting with backoff when it breaks."""

    def __init__(self, conninfo: str, role: str | None, health: Health, name: str) -> None:
        self.conninfo = conninfo
        self.role = role
        self.health = health
        self.name = name
        self.conn: psycopg.Connection | None = None
        self.lock = threading.Lock()

    def connect(self) -> psycopg.Connection:
        conn = psycopg.connect(self.conninfo, autocommit=True, row_factory=dict_row, connect_timeout=5,
                               application_name=self.name[:63])
        if self.role:
            current = conn.execute("select current_user as u").fetchone()["u"]
            if current != self.role:
                conn.execute(sql.SQL("set role {}").format(sql.Identifier(self.role)))
        return conn

    def close(self) -> None:
        with self.lock:
            if self.conn is not None:
                close_quietly(self.conn)
                self.conn = None

    def call(self, query: str, params: tuple | list = (), *, rows: bool = False,
             abort: threading.Event | None = None, deadline: float | None = None) -> Any:
        """Run one statement; return its first row (or all rows). Retries on connection
        trouble until it succeeds, ``abort`` is set or ``deadline`` (monotonic) passes."""
        delay = 0.1
        while True:
            with self.lock:
                try:
                    if self.conn is None or self.conn.closed:
                        self.conn = self.connect()
                    cur = self.conn.execute(query, params)
                    result = cur.fetchall() if rows else cur.fetchone()
                    self.health.ok()
                    return result
                except psycopg.Error as exc:
                    if not _transient(exc, self.conn):
                        diag = getattr(exc, "diag", None)
                        msg = (diag.message_primary if diag is not None else None) or str(exc)
                        raise RpcError(getattr(exc, "sqlstate", None), msg) from exc
                    self.health.failed(exc)
                    if self.conn is not None:
                        close_quietly(self.conn)
                    self.conn = None
            if deadline is not None and time.monotonic() + delay > deadline:
                raise Stopped("gave up: the database did not come back in time")
            if abort is not None:
                if abort.wait(delay):
                    raise Stopped("aborted while the database was away")
            else:
                time.sleep(delay)
            delay = min(delay * 2, 2.0) * random.uniform(0.8, 1.2)


class Queue:
    """The queue RPCs as one worker (``worker_id``) sees them, on one connection.

    ``abort``, when given, interrupts the retries of calls made with
    ``interruptible=True`` (a stop request should not wait for the database).
    """

    def __init__(self, conninfo: str, worker_id: str, *, role: str | None = SERVICE_ROLE,
                 health: Health, name: str = "odooops-worker", abort: threading.Event | None = None) -> None:
        self.worker_id = worker_id
        self.db = Connection(conninfo, role, health, f"{name} {worker_id}")
        self.abort = abort

    def fork(self, name: str, abort: threading.Event | None = None) -> Queue:
        """The same worker on a connection of its own (log shipping, heartbeats)."""
        return Queue(self.db.conninfo, self.worker_id, role=self.db.role, health=self.db.health, name=name,
                     abort=abort)

    def close(self) -> None:
        self.db.close()

    def _call(self, query: str, params: tuple = (), *, interruptible: bool = True, **kw) -> Any:
        return self.db.call(query, params, abort=self.abort if interruptible else None, **kw)

    # -- the worker's own --------------------------------------------------------------
    def register_worker(self, labels: list[str], version: str | None, host: str | None) -> dict:
        """Announce this worker in ``ops.workers``; returns its row (labels as stored: sorted, no repeats)."""
        return self._call("select * from ops.register_worker(%s, %s, %s, %s)",
                          (self.worker_id, list(labels), version, host))

    def register_artifact_store(self, root_url: str) -> None:
        """add_run_artifact accepts only URLs under a registered store."""
        self._call("select * from ops.register_artifact_store(%s, %s)",
                   (root_url, f"registered by worker {self.worker_id}"))

    def listener(self) -> Listener:
        return Listener(self.db.conninfo, f"odooops-listen {self.worker_id}", self.db.health)

    # -- a run's life ----------------------------------------------------------------------
    def claim(self, lease_seconds: int | None, labels: list[str] | None = None, start: bool = True) -> Run | None:
        """The next run this worker has every required label of, or None; with ``start`` it comes back
        running (claimed and started in one transaction)."""
        return self._call("select * from ops.claim_next_run(%s, %s, %s::text[], %s)",
                          (self.worker_id, lease_seconds, list(labels or []), start))

    def run(self, run_id: str) -> Run | None:
        return self._call("select * from ops.runs where id = %s", (run_id,))

    def start(self, run_id: str) -> Run:
        return self._call("select * from ops.start_workflow_run(%s, %s)", (run_id, self.worker_id))

    def context(self, run_id: str) -> RunDefinition:
        """What the run is to do, from ``ops.get_run_context`` (fenced: only while this worker holds it)."""
        row = self._call("select project, workflow, tools, secret_names, advisories"
                         " from ops.get_run_context(%s, %s)", (run_id, self.worker_id))
        return RunDefinition(project=row["project"], workflow=row["workflow"],
                             tools={t["name"]: t for t in row["tools"]}, secret_names=list(row["secret_names"]),
                             advisories=row["advisories"])

    def secrets(self, run_id: str) -> dict[str, str]:
        """The values of the project secrets the run names in ``params.secrets``."""
        rows = self._call("select name, value from ops.get_run_secrets(%s, %s)", (run_id, self.worker_id),
                          rows=True, interruptible=False)
        return {r["name"]: r["value"] for r in rows}

    def heartbeat(self, run_id: str, lease_seconds: int | None) -> Run | None:
        return self._call("select * from ops.heartbeat_run(%s, %s, %s)", (run_id, self.worker_id, lease_seconds))

    def append_logs(self, run_id: str, lines: list[dict]) -> None:
        """One batch; a retry sends the same seqs, which the database stores once."""
        self._call("select ops.append_run_logs(%s, %s, %s) as n", (run_id, json.dumps(lines), self.worker_id))

    def add_artifact(self, run_id: str, key: str, url: str, sha256: str, size_bytes: int, content_type: str,
                     metadata: dict) -> None:
        self._call("select * from ops.add_run_artifact(%s, %s, %s, %s, %s, %s, %s, %s)",
                   (run_id, key, url, sha256, size_bytes, content_type, json.dumps(metadata), self.worker_id),
                   interruptible=False)

    def add_upgrade_findings(self, run_id: str, findings: list[dict]) -> int:
        """One batch of at most 1000 findings; a retry stores nothing twice. The number of new rows."""
        return self._call("select ops.add_upgrade_findings(%s, %s, %s) as n",
                          (run_id, json.dumps(findings), self.worker_id), interruptible=False)["n"]

    def requeue(self, run_id: str, reason: str, deadline: float) -> Run:
        return self._call("select * from ops.requeue_run(%s, %s, %s)", (run_id, self.worker_id, reason),
                          interruptible=False, deadline=deadline)

    def complete(self, run_id: str, exit_code: int, error: str | None) -> Run:
        return self._call("select * from ops.complete_workflow_run(%s, %s, %s, %s)",
                          (run_id, exit_code, error, self.worker_id), interruptible=False)


class Listener:
    """``LISTEN ops_runs_queued`` on a connection of its own, reconnecting when it breaks."""

    def __init__(self, conninfo: str, name: str, health: Health) -> None:
        self.conninfo, self.name, self.health = conninfo, name, health
        self.conn: psycopg.Connection | None = None

    def wait(self, seconds: float, stop: threading.Event) -> None:
        """Until a notification, ``seconds``, or ``stop``."""
        end = time.monotonic() + seconds
        while not stop.is_set():
            left = end - time.monotonic()
            if left <= 0:
                return
            try:
                if self.conn is None or self.conn.closed:
                    self.conn = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5,
                                                application_name=self.name[:63])
                    self.conn.execute(sql.SQL("listen {}").format(sql.Identifier(CHANNEL)))
                    return  # (re)connected: notifications may have been missed, claim now
                for _ in self.conn.notifies(timeout=min(left, 0.5), stop_after=1):
                    return
            except psycopg.Error as exc:
                self.health.failed(exc)
                close_quietly(self.conn)
                self.conn = None
                stop.wait(min(left, 1.0))

    def close(self) -> None:
        close_quietly(self.conn)
        self.conn = None
