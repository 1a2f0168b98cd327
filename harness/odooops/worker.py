"""``odooops worker``: takes runs from the queue and runs their steps.

Any number of workers, on any number of machines, share one database; the
queue RPCs decide who runs what (``ops.claim_next_run`` hands each run to one
worker under a lease). A worker:

- waits on ``LISTEN ops_runs_queued`` (polling every ``--poll-interval`` s as a
  fallback, which is also how it picks up runs whose lease expired);
- claims, starts, and heartbeats from a thread of its own (the heartbeat renews
  the lease and is how a cancel request is noticed);
- runs each step as ``bash -c <command>`` in its own process group, with the
  step's timeout, in a fresh work directory per run, or in the step's tool
  image (``docker run``) when a Docker engine answers;
- ships stdout and stderr to ``ops.run_logs`` in batches (``append_run_logs``,
  at most every 100 ms or 500 lines); a batch is retried with the same
  sequence numbers, which the database stores once;
- stores artifacts (``storage.py``) and records them with ``add_run_artifact``;
- completes with the exit code of the step that failed, or 0.

Signals: SIGTERM (or Ctrl-C) stops claiming; the current run is handed back
with ``requeue_run`` (``--on-sigterm requeue``, the default) or finished
(``--on-sigterm finish``); then the worker exits 0. A worker killed outright
loses its lease, and the run comes back to another worker through
``claim_next_run`` once the lease expires.

When the database goes away every call is retried with backoff on a new
connection; the steps keep running and their log lines wait in memory.

Steps see their run through environment variables, listed in ``steps.py``.
Params: ``{"env": {"NAME": "value"}}`` adds to the environment, and
``{"secrets": ["API_TOKEN"]}`` names project secrets (``ops.set_project_secret``):
once the run is started the worker reads their values with
``ops.get_run_secrets`` and sets them in every step's environment; each value
(and each line of a multi-line one) is replaced by ``***`` in every stored line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from . import storage as storage_mod

CHANNEL = "ops_runs_queued"
SERVICE_ROLE = "service_role"
FLUSH_INTERVAL = 0.1  # seconds a line may wait before its batch is sent
BATCH_LINES = 500  # ... or this many lines, whichever comes first
MAX_MESSAGE = 16384  # ops.run_logs.message bound
MAX_ERROR = 8000  # ops.runs.error_message bound
EXIT_TIMEOUT = 124  # as timeout(1)
EXIT_CANNOT_RUN = 125  # as docker run: the step could not be started
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ARTIFACT_KEY_BAD = re.compile(r"[^A-Za-z0-9._/-]")
# Inherited from the worker's environment; everything else (database URLs,
# cloud credentials) stays out of the steps unless named with --pass-env.
BASE_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "USER", "LOGNAME", "SHELL", "TERM")
LEVEL_PREFIX = re.compile(r"^\s*(DEBUG|INFO|WARNING|WARN|ERROR|FATAL|CRITICAL|Traceback)\b", re.IGNORECASE)


def default_worker_id() -> str:
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname()) or "host"
    return f"{host}:{os.getpid()}"[:128]


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


# -- database access ----------------------------------------------------------------

def _close_quietly(conn: psycopg.Connection | None) -> None:
    """Close a connection that may already be broken; a failure to close changes nothing."""
    if conn is None:
        return
    try:
        conn.close()
    except psycopg.Error:
        pass

class RpcError(Exception):
    """An RPC refused: ``sqlstate`` is OP001 (illegal transition), OP002 (not the
    holder), OP003 (conflicting repeat), P0002 (unknown id), 22023 (bad parameter)."""

    def __init__(self, sqlstate: str | None, message: str) -> None:
        super().__init__(f"{message} [SQLSTATE {sqlstate}]")
        self.sqlstate = sqlstate
        self.message = message


class Stopped(Exception):
    """Raised by a retrying call when its abort event is set."""


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


class Db:
    """One connection acting as ``role``, reconnecting with backoff when it breaks."""

    def __init__(self, conninfo: str, role: str | None, health: Health, name: str = "odooops-worker") -> None:
        self.conninfo = conninfo
        self.role = role
        self.health = health
        self.name = name
        self.conn: psycopg.Connection | None = None
        self.lock = threading.Lock()
        self.retried = False  # did the last call go through a reconnect?

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
                _close_quietly(self.conn)
                self.conn = None

    def call(self, query: str, params: tuple | list = (), *, rows: bool = False,
             abort: threading.Event | None = None, deadline: float | None = None) -> Any:
        """Run one statement; return its first row (or all rows). Retries on connection
        trouble until it succeeds, ``abort`` is set or ``deadline`` (monotonic) passes."""
        delay = 0.1
        self.retried = False
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
                        _close_quietly(self.conn)
                    self.conn = None
            self.retried = True
            if deadline is not None and time.monotonic() + delay > deadline:
                raise Stopped("gave up: the database did not come back in time")
            if abort is not None:
                if abort.wait(delay):
                    raise Stopped("aborted while the database was away")
            else:
                time.sleep(delay)
            delay = min(delay * 2, 2.0) * random.uniform(0.8, 1.2)


# -- console ---------------------------------------------------------------------------
class Reporter:
    """One line per state change; JSON lines with --json."""

    def __init__(self, worker_id: str, json_mode: bool = False, out=None) -> None:
        self.worker_id = worker_id
        self.json_mode = json_mode
        self.out = out or sys.stdout
        self.lock = threading.Lock()

    def __call__(self, event: str, run_id: str | None = None, **fields: Any) -> None:
        if self.json_mode:
            doc = {"time": now_iso(), "worker": self.worker_id, "event": event}
            if run_id:
                doc["run_id"] = run_id
            doc.update({k: v for k, v in fields.items() if v is not None})
            line = json.dumps(doc, default=str)
        else:
            stamp = datetime.now().strftime("%H:%M:%S")
            details = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None and k != "text")
            text = fields.get("text")
            run = f" run {run_id[:8]}" if run_id else ""
            line = f"{stamp} {self.worker_id} {event}{run}" + (f": {text}" if text else "") + (
                f" ({details})" if details else "")
        with self.lock:
            print(line, file=self.out, flush=True)


# -- logs ------------------------------------------------------------------------------
class Masker:
    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Mask these values too. Logs are shipped line by line, so each line of a
        multi-line value (a key, a certificate) is masked on its own as well."""
        found = set(self.secrets)
        for s in secrets:
            if s:
                found.add(s)
                found.update(part.strip() for part in s.splitlines() if len(part.strip()) >= 4)
        self.secrets = sorted(found, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for s in self.secrets:
            text = text.replace(s, "***")
        return text


def level_of(line: str, default: str = "info") -> str:
    m = LEVEL_PREFIX.match(line)
    if not m:
        return default
    word = m.group(1).lower()
    if word in ("error", "fatal", "critical", "traceback"):
        return "error"
    if word in ("warning", "warn"):
        return "warning"
    return word


class LogShipper:
    """Numbers a run's lines and sends them in batches from a thread of its own.

    Each line gets the next ``seq`` and a timestamp strictly after the previous
    line's, so ``order by timestamp`` and ``order by seq`` agree. A batch stays
    at the head of the queue until the database took it: a retry after a broken
    connection sends the same seqs, which ``append_run_logs`` stores once.
    """

    def __init__(self, db: Db, run_id: str, worker_id: str, first_seq: int, masker: Masker,
                 on_lost: Callable[[RpcError], None], flush_interval: float = FLUSH_INTERVAL,
                 batch_lines: int = BATCH_LINES) -> None:
        self.db, self.run_id, self.worker_id = db, run_id, worker_id
        self.seq = first_seq - 1
        self.mask = masker
        self.on_lost = on_lost
        self.flush_interval, self.batch_lines = flush_interval, batch_lines
        self.pending: list[dict] = []
        self.first_pending_at = 0.0
        self.last_ts = datetime.now(UTC) - timedelta(seconds=1)
        self.cond = threading.Condition()
        self.flush_now = False
        self.closing = False
        self.abort = threading.Event()
        self.sending = False
        self.shipped = 0
        self.thread = threading.Thread(target=self._loop, name=f"logs-{run_id[:8]}", daemon=True)
        self.thread.start()

    def emit(self, message: str, level: str = "info", stream: str = "worker", **metadata: Any) -> None:
        message = self.mask(message)
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 40] + f" ...[{len(message) - MAX_MESSAGE + 40} chars cut]"
        with self.cond:
            ts = max(datetime.now(UTC), self.last_ts + timedelta(microseconds=1))
            self.last_ts = ts
            self.seq += 1
            first = not self.pending
            if first:
                self.first_pending_at = time.monotonic()
            self.pending.append({"seq": self.seq, "level": level, "stream": stream, "message": message,
                                 "metadata": metadata, "timestamp": ts.isoformat()})
            if first or len(self.pending) >= self.batch_lines:
                self.cond.notify_all()  # an idle shipper starts its 100 ms clock; a full batch goes now

    def _loop(self) -> None:
        while True:
            with self.cond:
                while True:
                    if self.pending:
                        due = self.first_pending_at + self.flush_interval - time.monotonic()
                        if due <= 0 or self.flush_now or self.closing or len(self.pending) >= self.batch_lines:
                            break
                        self.cond.wait(due)
                    elif self.closing:
                        return
                    else:
                        self.cond.wait(0.5)
                batch = self.pending[: self.batch_lines]
                self.sending = True
            try:
                self.db.call("select ops.append_run_logs(%s, %s, %s) as n",
                             (self.run_id, json.dumps(batch), self.worker_id), abort=self.abort)
            except Stopped:
                with self.cond:
                    self.sending = False
                    self.pending.clear()
                    self.cond.notify_all()
                return
            except RpcError as exc:
                # Not the holder any more (OP002) or the run is gone: these lines have
                # no run to go to. Drop them and say so once.
                with self.cond:
                    self.sending = False
                    self.pending.clear()
                    self.cond.notify_all()
                self.on_lost(exc)
                continue
            with self.cond:
                del self.pending[: len(batch)]
                self.shipped += len(batch)
                if self.pending:
                    self.first_pending_at = min(self.first_pending_at, time.monotonic())
                self.sending = False
                self.flush_now = bool(self.pending) and self.flush_now
                self.cond.notify_all()

    def flush(self, timeout: float) -> bool:
        """Send everything emitted so far; True when it all reached the database."""
        end = time.monotonic() + timeout
        with self.cond:
            self.flush_now = True
            self.cond.notify_all()
            while self.pending or self.sending:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.05))
            self.flush_now = False
        return True

    def close(self, timeout: float = 10.0) -> bool:
        ok = self.flush(timeout)
        with self.cond:
            self.closing = True
            self.cond.notify_all()
        self.abort.set()
        self.thread.join(2)
        return ok


# -- the run ------------------------------------------------------------------------------
@dataclass
class RunContext:
    run: dict
    workflow: dict
    project: dict
    tools: dict[str, dict]
    advisories: list[dict]
    workdir: Path
    lease_seconds: int
    cancel: threading.Event = field(default_factory=threading.Event)
    lost: threading.Event = field(default_factory=threading.Event)
    hb_stop: threading.Event = field(default_factory=threading.Event)
    lost_reason: str = ""
    secrets: dict[str, str] = field(default_factory=dict)  # name -> value, from ops.get_run_secrets

    @property
    def run_id(self) -> str:
        return str(self.run["id"])


# The step's shell dies with the worker (SIGKILL included) when util-linux's setpriv
# can set its parent-death signal; a preexec_fn would do the same but is unsafe
# in a process with threads. Background children of the step are not covered.
SETPRIV = shutil.which("setpriv") if sys.platform.startswith("linux") else None


def _with_parent_death_signal(argv: list[str]) -> list[str]:
    return [SETPRIV, "--pdeathsig", "KILL", "--", *argv] if SETPRIV else argv


def _exit_status(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode


class Worker:
    def __init__(self, conninfo: str, *, worker_id: str | None = None, role: str | None = SERVICE_ROLE,
                 lease_seconds: int | None = None, once: bool = False, drain: bool = False,
                 run_id: str | None = None, json_mode: bool = False, artifacts_dir: Path | None = None,
                 work_root: Path | None = None, keep_workdirs: bool = False, poll_interval: float = 5.0,
                 heartbeat_interval: float | None = None, kill_grace: float = 5.0,
                 on_sigterm: str = "requeue", pass_env: list[str] | None = None,
                 storage: Any = None, out=None) -> None:
        self.conninfo = conninfo
        self.worker_id = worker_id or default_worker_id()
        self.role = role
        self.lease_seconds = lease_seconds
        self.once, self.drain, self.adopt_run = once, drain, run_id
        self.report = Reporter(self.worker_id, json_mode, out)
        self.health = Health(self.report)
        self.storage = storage or storage_mod.from_env(artifacts_dir)
        self.work_root = work_root
        self.keep_workdirs = keep_workdirs
        self.poll_interval = poll_interval
        self.heartbeat_interval = heartbeat_interval
        self.kill_grace = kill_grace
        self.on_sigterm = on_sigterm
        self.pass_env = pass_env or []
        self.stopping = threading.Event()
        self.db = Db(conninfo, role, self.health, f"odooops-worker {self.worker_id}")
        self.listen_conn: psycopg.Connection | None = None
        self.processed = 0

    # -- lifecycle -----------------------------------------------------------------
    def install_signal_handlers(self) -> None:
        def handler(signum, frame):
            if not self.stopping.is_set():
                self.report("stopping", text=f"{signal.Signals(signum).name}: no new claims; "
                            + ("handing back" if self.on_sigterm == "requeue" else "finishing")
                            + " the current run, if any")
            self.stopping.set()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    def serve(self) -> int:
        self.report("started", text=f"storage: {self.storage.describe()}", pid=os.getpid())
        try:
            # add_run_artifact accepts only URLs under a registered store.
            self._call("select * from ops.register_artifact_store(%s, %s)",
                       (self.storage.root_url(), f"registered by worker {self.worker_id}"))
            if self.adopt_run:
                run = self._call("select * from ops.runs where id = %s", (self.adopt_run,))
                if run is None:
                    self.report("error", self.adopt_run, text="no such run")
                    return 1
                if run["status"] != "claimed" or run["worker_id"] != self.worker_id:
                    self.report("error", self.adopt_run, text=f"run is {run['status']} (worker {run['worker_id']}),"
                                f" not claimed by {self.worker_id}")
                    return 1
                self.report("adopted", str(run["id"]), attempt=run["attempt"])
                self.process(run)
                return 0
            while not self.stopping.is_set():
                run = self.claim()
                if run is None:
                    if self.once or self.drain:
                        break
                    self.wait_for_work()
                    continue
                self.process(run)
                if self.once:
                    break
        except Stopped:
            pass
        finally:
            self.close()
            self.report("stopped", runs=self.processed)
        return 0

    def close(self) -> None:
        self.db.close()
        if self.listen_conn is not None:
            _close_quietly(self.listen_conn)
            self.listen_conn = None

    def _call(self, query: str, params: tuple = (), *, no_abort: bool = False, **kw) -> Any:
        """A call on the main connection; a stop request interrupts its retries unless ``no_abort``."""
        return self.db.call(query, params, abort=None if no_abort else self.stopping, **kw)

    # -- waiting ----------------------------------------------------------------------
    def _listen(self) -> psycopg.Connection:
        conn = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5,
                               application_name=f"odooops-listen {self.worker_id}"[:63])
        conn.execute(sql.SQL("listen {}").format(sql.Identifier(CHANNEL)))
        return conn

    def wait_for_work(self) -> None:
        """Until a NOTIFY on ops_runs_queued, the poll interval, or a stop request."""
        end = time.monotonic() + self.poll_interval
        while not self.stopping.is_set():
            left = end - time.monotonic()
            if left <= 0:
                return
            try:
                if self.listen_conn is None or self.listen_conn.closed:
                    self.listen_conn = self._listen()
                    return  # (re)connected: notifications may have been missed, claim now
                for _ in self.listen_conn.notifies(timeout=min(left, 0.5), stop_after=1):
                    return
            except psycopg.Error as exc:
                self.health.failed(exc)
                if self.listen_conn is not None:
                    _close_quietly(self.listen_conn)
                self.listen_conn = None
                self.stopping.wait(min(left, 1.0))

    def claim(self) -> dict | None:
        return self._call("select * from ops.claim_next_run(%s, %s)", (self.worker_id, self.lease_seconds))

    # -- one run -------------------------------------------------------------------------
    def load_context(self, run: dict) -> RunContext:
        wf = self._call(
            "select w.name, w.steps, w.default_timeout_seconds, w.lease_seconds,"
            " p.slug, p.name as project_name, p.odoo_series, p.repository_url"
            " from ops.workflows as w join ops.projects as p on p.id = w.project_id where w.id = %s",
            (run["workflow_id"],),
        )
        names = sorted({s["tool"] for s in wf["steps"] if s.get("tool")})
        tools = {}
        if names:
            for t in self._call("select name, image, tag, digest, run_locally, enabled from ops.tools"
                                " where name = any(%s)", (names,), rows=True):
                tools[t["name"]] = t
        advisories = self._call(
            "select code, from_series, to_series, area, severity::text as severity, title, detect_regex,"
            " detect_globs, remediation, reference_url from ops.upgrade_advisories order by code",
            rows=True,
        )
        base = self.work_root
        if base is not None:
            base.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix=f"odooops-run-{str(run['id'])[:8]}-a{run['attempt']}-",
                                        dir=base)).resolve()
        return RunContext(
            run=run,
            workflow={k: wf[k] for k in ("name", "steps", "default_timeout_seconds", "lease_seconds")},
            project={"slug": wf["slug"], "name": wf["project_name"], "odoo_series": wf["odoo_series"],
                     "repository_url": wf["repository_url"]},
            tools=tools,
            advisories=advisories,
            workdir=workdir,
            lease_seconds=self.lease_seconds or wf["lease_seconds"],
        )

    def process(self, run: dict) -> None:
        run_id = str(run["id"])
        self.report("claimed", run_id, attempt=run["attempt"], branch=run["branch"], commit=run["commit_sha"][:12])
        try:
            started = self._call("select * from ops.start_workflow_run(%s, %s)", (run_id, self.worker_id))
        except RpcError as exc:
            started = None
            if exc.sqlstate == "OP001" and self.db.retried:
                # The first try committed before the connection broke: see whether it is ours.
                row = self._call("select * from ops.runs where id = %s", (run_id,))
                if row and row["status"] == "running" and row["worker_id"] == self.worker_id:
                    started = row
            if started is None:
                self.report("lost", run_id, text=f"could not start: {exc}")
                return
        try:
            ctx = self.load_context(started)
        except (RpcError, KeyError, TypeError) as exc:
            self.report("error", run_id, text=f"cannot load the run's workflow: {exc}")
            self._complete(run_id, EXIT_CANNOT_RUN, f"worker could not load the workflow: {exc}", None)
            return
        self.report("running", run_id, workflow=ctx.workflow["name"], project=ctx.project["slug"])
        shipper = LogShipper(Db(self.conninfo, self.role, self.health, f"odooops-logs {self.worker_id}"),
                             run_id, self.worker_id, int(started.get("last_log_seq") or 0) + 1, Masker([]),
                             on_lost=lambda exc: self._lost(ctx, f"log shipping refused: {exc}"))
        hb = threading.Thread(target=self._heartbeat, args=(ctx,), name=f"heartbeat-{run_id[:8]}", daemon=True)
        hb.start()
        try:
            exit_code, error, outcome = self.execute(ctx, shipper)
            if outcome == "lost":
                shipper.close(2)
                self.report("lost", run_id, text=ctx.lost_reason or "lease lost; not completing")
                return
            if outcome == "shutdown":
                shipper.emit(f"worker {self.worker_id} is shutting down: run handed back to the queue",
                             level="warning")
                shipper.close(10)
                try:
                    self._call("select * from ops.requeue_run(%s, %s, %s)",
                               (run_id, self.worker_id, "worker received SIGTERM"), no_abort=True,
                               deadline=time.monotonic() + 15)
                    self.report("requeued", run_id, text="handed back (SIGTERM)")
                except (RpcError, Stopped) as exc:
                    self.report("lost", run_id, text=f"could not hand back: {exc}")
                return
            status = "succeeded" if exit_code == 0 else ("canceled" if ctx.cancel.is_set() else "failed")
            shipper.emit(f"run {status}" + (f": {error}" if error else "") + f" (exit code {exit_code})",
                         level="info" if exit_code == 0 else "error")
            if not shipper.close(30):
                self.report("warning", run_id, text="some log lines could not be stored before completion")
            self._complete(run_id, exit_code, error, ctx)
        finally:
            ctx.hb_stop.set()
            hb.join(5)
            shipper.close(1)
            shipper.db.close()
            if not self.keep_workdirs:
                shutil.rmtree(ctx.workdir, ignore_errors=True)
            self.processed += 1

    def _complete(self, run_id: str, exit_code: int, error: str | None, ctx: RunContext | None) -> None:
        try:
            row = self._call("select * from ops.complete_workflow_run(%s, %s, %s, %s)",
                             (run_id, exit_code, (error or None) and error[:MAX_ERROR], self.worker_id),
                             no_abort=True)
        except RpcError as exc:
            if exc.sqlstate == "OP001" and self.db.retried:
                # The first try committed before the connection broke: read what it did.
                row = self._call("select * from ops.runs where id = %s", (run_id,), no_abort=True)
            else:
                self.report("lost", run_id, text=f"could not complete: {exc}")
                return
        self.report(str(row["status"]), run_id, exit_code=row["exit_code"],
                    text=row.get("error_message") if row["status"] != "succeeded" else None)

    def _lost(self, ctx: RunContext, reason: str) -> None:
        if not ctx.lost.is_set():
            ctx.lost_reason = reason
            ctx.lost.set()

    def _heartbeat(self, ctx: RunContext) -> None:
        interval = self.heartbeat_interval or max(0.2, min(ctx.lease_seconds / 4, 2.0))
        db = Db(self.conninfo, self.role, self.health, f"odooops-heartbeat {self.worker_id}")
        stop = ctx.hb_stop
        try:
            while not stop.wait(interval):
                try:
                    row = db.call("select * from ops.heartbeat_run(%s, %s, %s)",
                                  (ctx.run_id, self.worker_id, self.lease_seconds), abort=stop)
                except Stopped:
                    return
                except RpcError as exc:
                    if exc.sqlstate in ("OP001", "OP002", "P0002"):
                        self._lost(ctx, f"lease lost: {exc.message}")
                        return
                    continue
                if row and row["cancel_requested"] and not ctx.cancel.is_set():
                    ctx.cancel.set()
                    self.report("cancel", ctx.run_id, text="cancel requested: stopping the step")
        finally:
            db.close()

    # -- steps --------------------------------------------------------------------------
    def step_env(self, ctx: RunContext, step: dict, index: int, artifacts: Path) -> dict[str, str]:
        params = ctx.run.get("params") or {}
        env = {k: os.environ[k] for k in (*BASE_ENV, *self.pass_env) if k in os.environ}
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)])
        harness = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in [harness, os.environ.get("PYTHONPATH", "")] if p)
        for source, what in ((step.get("env") or {}, "step env"), (params.get("env") or {}, "params.env"),
                             (ctx.secrets, "project secrets")):
            if not isinstance(source, dict):
                raise ValueError(f"{what} must be an object of NAME: value pairs")
            for k, v in source.items():
                if not ENV_NAME.match(k) or k.startswith("ODOOOPS_"):
                    raise ValueError(f"{what}: {k!r} is not a usable variable name (ODOOOPS_* are reserved)")
                env[k] = v if isinstance(v, str) else json.dumps(v)
        run = ctx.run
        env.update({
            "ODOOOPS_RUN_ID": ctx.run_id,
            "ODOOOPS_ATTEMPT": str(run["attempt"]),
            "ODOOOPS_WORKER_ID": self.worker_id,
            "ODOOOPS_PROJECT": ctx.project["slug"],
            "ODOOOPS_WORKFLOW": ctx.workflow["name"],
            "ODOOOPS_STEP": step["name"],
            "ODOOOPS_STEP_INDEX": str(index),
            "ODOOOPS_STAGE": str(run.get("stage") or ""),
            "ODOOOPS_BRANCH": run["branch"],
            "ODOOOPS_COMMIT": run["commit_sha"],
            "ODOOOPS_REPOSITORY_URL": ctx.project["repository_url"],
            "ODOOOPS_ODOO_SERIES": ctx.project["odoo_series"],
            "ODOOOPS_WORKDIR": str(ctx.workdir),
            "ODOOOPS_SOURCE_DIR": str(ctx.workdir / "src"),
            "ODOOOPS_ARTIFACTS_DIR": str(artifacts),
            "ODOOOPS_CONTEXT_FILE": str(ctx.workdir / ".odooops" / "context.json"),
            "ODOOOPS_ADVISORIES_FILE": str(ctx.workdir / ".odooops" / "advisories.json"),
            "ODOOOPS_PARAMS": json.dumps(params),
        })
        if isinstance(params.get("target_series"), str):
            env["ODOOOPS_TARGET_SERIES"] = params["target_series"]
        return env

    def write_context(self, ctx: RunContext) -> None:
        d = ctx.workdir / ".odooops"
        d.mkdir(parents=True, exist_ok=True)
        run = {k: (str(v) if not isinstance(v, (int, float, bool, dict, list, type(None))) else v)
               for k, v in ctx.run.items() if k != "params"}
        (d / "context.json").write_text(json.dumps(
            {"run": run, "workflow": {"name": ctx.workflow["name"]}, "project": ctx.project}, indent=2, default=str))
        (d / "advisories.json").write_text(json.dumps(ctx.advisories, indent=2, default=str))

    def execute(self, ctx: RunContext, shipper: LogShipper) -> tuple[int, str | None, str]:
        """Run every step; (exit code, error message, outcome: done | lost | shutdown)."""
        steps = ctx.workflow["steps"]
        artifacts = ctx.workdir / "artifacts"
        artifacts.mkdir(parents=True, exist_ok=True)
        self.write_context(ctx)
        run = ctx.run
        shipper.emit(f"run {ctx.run_id} attempt {run['attempt']} on worker {self.worker_id}: "
                     f"{ctx.project['slug']}/{ctx.workflow['name']} {run['branch']}@{run['commit_sha']} "
                     f"(Odoo {ctx.project['odoo_series']}), {len(steps)} step(s) in {ctx.workdir}")
        try:
            rows = self._call("select name, value from ops.get_run_secrets(%s, %s)", (ctx.run_id, self.worker_id),
                              rows=True, no_abort=True)
        except RpcError as exc:
            if exc.sqlstate == "OP002":
                self._lost(ctx, f"lease lost: {exc.message}")
                return EXIT_CANNOT_RUN, None, "lost"
            shipper.emit(f"ERROR cannot read the run's secrets: {exc.message}", level="error")
            return EXIT_CANNOT_RUN, f"cannot read the run's secrets: {exc.message}", "done"
        ctx.secrets = {r["name"]: r["value"] for r in rows}
        shipper.mask.add(ctx.secrets.values())
        if ctx.secrets:
            shipper.emit(f"secrets: {', '.join(sorted(ctx.secrets))} (values masked as ***)")
        uploaded: set[str] = set()
        for index, step in enumerate(steps):
            outcome = self._interrupted(ctx)
            if outcome:
                return self._interrupted_result(ctx, outcome, 130, step["name"])
            name = step["name"]
            timeout = int(step.get("timeout_seconds") or ctx.workflow["default_timeout_seconds"])
            try:
                env = self.step_env(ctx, step, index, artifacts)
            except ValueError as exc:
                shipper.emit(f"ERROR step {name}: {exc}", level="error")
                return EXIT_CANNOT_RUN, f"step '{name}': {exc}", "done"
            argv, where, refusal = self.command_for(ctx, step, env)
            if refusal:
                shipper.emit(f"ERROR step {name}: {refusal}", level="error", step=name)
                self.report("step", ctx.run_id, step=name, exit_code=EXIT_CANNOT_RUN)
                return EXIT_CANNOT_RUN, f"step '{name}': {refusal}", "done"
            shipper.emit(f"==> step {index + 1}/{len(steps)} {name}: {step['command']} ({where}, timeout {timeout}s)",
                         step=name)
            self.report("step", ctx.run_id, text=f"{index + 1}/{len(steps)} {name}")
            t0 = time.monotonic()
            rc, why, last_error = self.run_process(ctx, argv, env, timeout, shipper, name)
            took = time.monotonic() - t0
            outcome = self._interrupted(ctx)
            if outcome:
                return self._interrupted_result(ctx, outcome, rc, name)
            try:
                self.collect_artifacts(ctx, step, artifacts, uploaded, shipper)
            except Exception as exc:  # storage trouble fails the run, clearly
                shipper.emit(f"ERROR step {name}: storing artifacts failed: {exc}", level="error", step=name)
                return 1, f"step '{name}': storing artifacts failed: {exc}", "done"
            if rc != 0:
                msg = why or f"step '{name}' failed with exit code {rc}"
                if last_error and not why:
                    msg += f": {last_error}"
                shipper.emit(f"<== step {name} failed after {took:.1f}s: {msg}", level="error", step=name)
                return rc, msg, "done"
            shipper.emit(f"<== step {name} ok in {took:.1f}s", step=name)
        return 0, None, "done"

    def _interrupted(self, ctx: RunContext) -> str | None:
        if ctx.lost.is_set():
            return "lost"
        if ctx.cancel.is_set():
            return "canceled"
        if self.stopping.is_set() and self.on_sigterm == "requeue":
            return "shutdown"
        return None

    def _interrupted_result(self, ctx, outcome: str, rc: int, step: str) -> tuple[int, str | None, str]:
        if outcome == "canceled":
            return (rc or 130), f"canceled during step '{step}'", "done"
        return rc, None, outcome

    def command_for(self, ctx: RunContext, step: dict, env: dict) -> tuple[list[str], str, str | None]:
        """(argv, where it runs, refusal message or None)."""
        local = ["bash", "-c", step["command"]]
        tool_name = step.get("tool")
        if not tool_name:
            return local, "on the worker host", None
        tool = ctx.tools.get(tool_name)
        if tool is None or not tool["enabled"]:
            return local, "", f"tool {tool_name!r} is not in ops.tools or is disabled"
        from .docker import docker_available

        ok, why = docker_available()
        image = f"{tool['image']}:{tool['tag']}" + (f"@{tool['digest']}" if tool.get("digest") else "")
        if ok:
            name = f"odooops-{ctx.run_id[:8]}-{step['name']}-{os.getpid()}"[:128]
            argv = ["docker", "run", "--rm", "--init", "--name", name, "-v", f"{ctx.workdir}:{ctx.workdir}",
                    "-w", str(ctx.workdir)]
            harness = str(Path(__file__).resolve().parents[1])
            argv += ["-v", f"{harness}:/opt/odooops-harness:ro"]
            for k in env:
                if k not in ("PATH", "HOME", "PYTHONPATH", "SHELL", "USER", "LOGNAME", "TMPDIR"):
                    argv += ["-e", k]  # value taken from our environment: never on a command line
            argv += ["-e", "PYTHONPATH=/opt/odooops-harness", image, "bash", "-c", step["command"]]
            env["ODOOOPS_CONTAINER"] = name
            return argv, f"in {image} (Docker)", None
        if tool["run_locally"]:
            return local, f"on the worker host: no Docker engine answers ({why}), tool {tool_name} allows it", None
        return local, "", (f"tool {tool_name} ({image}) needs a Docker engine and none answers ({why}); "
                           f"start Docker, or set ops.tools.run_locally for {tool_name} to run it on the worker host")

    def run_process(self, ctx: RunContext, argv: list[str], env: dict, timeout: int, shipper: LogShipper,
                    step: str) -> tuple[int, str | None, str | None]:
        """(exit status, why it was stopped or None, last error line seen)."""
        try:
            proc = subprocess.Popen(_with_parent_death_signal(argv), cwd=ctx.workdir, env=env,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    start_new_session=True)
        except OSError as exc:
            shipper.emit(f"ERROR cannot start {argv[0]}: {exc}", level="error", step=step)
            return EXIT_CANNOT_RUN, f"step '{step}' could not start: {exc}", None
        last_error: list[str] = []

        def pump(pipe, stream: str) -> None:
            for raw in iter(lambda: pipe.readline(65536), b""):
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                level = level_of(line)
                if level == "error":
                    last_error[:] = [shipper.mask(line.strip())[:500]]
                shipper.emit(line, level=level, stream=stream, step=step)
            pipe.close()

        readers = [threading.Thread(target=pump, args=(proc.stdout, "stdout"), daemon=True),
                   threading.Thread(target=pump, args=(proc.stderr, "stderr"), daemon=True)]
        for r in readers:
            r.start()
        deadline = time.monotonic() + timeout
        why = None
        while True:
            try:
                proc.wait(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() > deadline:
                why = f"step '{step}' timed out after {timeout}s"
                shipper.emit(f"ERROR {why}: stopping it", level="error", step=step)
                self.stop_process(proc, env, shipper, step)
                break
            reason = self._interrupted(ctx)
            if reason:
                text = {"canceled": "cancel requested", "lost": "lease lost",
                        "shutdown": "worker shutting down"}[reason]
                shipper.emit(f"{text}: stopping step {step}", level="warning", step=step)
                self.stop_process(proc, env, shipper, step)
                break
        for r in readers:
            r.join(0.5)
        if any(r.is_alive() for r in readers):
            # Something the step started in the background still holds its output open.
            shipper.emit(f"step {step} left background processes behind: stopping them", level="warning", step=step)
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                for r in readers:
                    r.join(self.kill_grace if sig == signal.SIGTERM else 2)
                if not any(r.is_alive() for r in readers):
                    break
        rc = _exit_status(proc.returncode)
        if why:
            rc = EXIT_TIMEOUT
        return rc, why, (last_error[0] if last_error else None)

    def stop_process(self, proc: subprocess.Popen, env: dict, shipper: LogShipper, step: str) -> None:
        """SIGTERM to the step's process group, SIGKILL after the grace period."""
        container = env.get("ODOOOPS_CONTAINER")
        if container:
            subprocess.run(["docker", "kill", "--signal", "TERM", container], capture_output=True, timeout=10)
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=self.kill_grace)
            return
        except subprocess.TimeoutExpired:
            pass
        shipper.emit(f"step {step} still running {self.kill_grace:g}s after SIGTERM: killing it", level="warning",
                     step=step)
        if container:
            subprocess.run(["docker", "kill", container], capture_output=True, timeout=10)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def collect_artifacts(self, ctx: RunContext, step: dict, outbox: Path, uploaded: set[str],
                          shipper: LogShipper) -> None:
        """Store new files of the artifacts directory and the step's ``artifacts`` globs."""
        found: list[tuple[str, Path]] = []
        for path in sorted(outbox.rglob("*")):
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(outbox).as_posix(), path))
        for pattern in step.get("artifacts") or []:
            pattern = pattern.lstrip("/") if not os.path.isabs(pattern) else os.path.relpath(pattern, ctx.workdir)
            if pattern.startswith(".."):
                shipper.emit(f"WARNING artifact {pattern!r} is outside the work directory: ignored", level="warning")
                continue
            matches = sorted(p for p in ctx.workdir.glob(pattern) if p.is_file())
            if not matches and not any(ch in pattern for ch in "*?["):
                shipper.emit(f"WARNING step {step['name']}: artifact {pattern} was not produced", level="warning",
                             step=step["name"])
            for p in matches:
                found.append((p.relative_to(ctx.workdir).as_posix(), p))
        for key, path in found:
            key = ARTIFACT_KEY_BAD.sub("_", key).lstrip("./_-") or "artifact"
            if key in uploaded:
                continue
            stored = self.storage.put(path, f"{ctx.project['slug']}/{ctx.run_id}/{key}")
            self._call(
                "select * from ops.add_run_artifact(%s, %s, %s, %s, %s, %s, %s, %s)",
                (ctx.run_id, key, stored.url, stored.sha256, stored.size_bytes, stored.content_type,
                 json.dumps({"step": step["name"], "file": path.name}), self.worker_id),
                no_abort=True,
            )
            uploaded.add(key)
            shipper.emit(f"artifact {key}: {stored.size_bytes} bytes, sha256 {stored.sha256}, {stored.url}",
                         step=step["name"])
            self.report("artifact", ctx.run_id, key=key, size=stored.size_bytes)


# -- command line -------------------------------------------------------------------------
def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database-url", help="default: DATABASE_URL or SUPABASE_DB_URL, else the `db up` cluster")
    p.add_argument("--role", default=os.environ.get("ODOOOPS_DB_ROLE", SERVICE_ROLE),
                   help="role the worker acts as (`set role` after login unless it logs in as it); "
                        "default service_role; '' keeps the login role")
    p.add_argument("--worker-id", help="default: <hostname>:<pid>")
    p.add_argument("--once", action="store_true", help="take at most one run, then exit")
    p.add_argument("--drain", action="store_true", help="exit when no run is claimable")
    p.add_argument("--run", dest="run_id", help="execute this run, already claimed under --worker-id, then exit")
    p.add_argument("--json", action="store_true", help="JSON lines on stdout instead of text")
    p.add_argument("--lease-seconds", type=int, help="lease per claim and heartbeat (default: the workflow's)")
    p.add_argument("--heartbeat-interval", type=float, help="seconds (default: a quarter of the lease, at most 2)")
    p.add_argument("--poll-interval", type=float, default=5.0, help="poll the queue this often without NOTIFY")
    p.add_argument("--kill-grace", type=float, default=5.0, help="seconds between SIGTERM and SIGKILL of a step")
    p.add_argument("--on-sigterm", choices=("requeue", "finish"), default="requeue",
                   help="what SIGTERM does to the current run")
    p.add_argument("--artifacts-dir", type=Path,
                   help="local artifact store (default $ODOOOPS_STORAGE_DIR or .odooops/artifacts); "
                        "ignored when ODOOOPS_S3_BUCKET is set")
    p.add_argument("--work-dir", type=Path, help="parent of the per-run work directories (default: the temp dir)")
    p.add_argument("--keep-workdirs", action="store_true", help="leave work directories behind (debugging)")
    p.add_argument("--pass-env", action="append", default=[], metavar="NAME",
                   help="also pass this variable of the worker's environment to steps")


def conninfo_from_args(args) -> str:
    if args.database_url:
        return args.database_url
    from . import target

    url = target.env_url()
    if url:
        return url
    return target.current().conninfo("postgres")


def main(args) -> int:
    worker = Worker(
        conninfo_from_args(args), worker_id=args.worker_id, role=args.role or None,
        lease_seconds=args.lease_seconds, once=args.once, drain=args.drain, run_id=args.run_id,
        json_mode=args.json, artifacts_dir=args.artifacts_dir, work_root=args.work_dir,
        keep_workdirs=args.keep_workdirs, poll_interval=args.poll_interval,
        heartbeat_interval=args.heartbeat_interval, kill_grace=args.kill_grace, on_sigterm=args.on_sigterm,
        pass_env=args.pass_env,
    )
    worker.install_signal_handlers()
    return worker.serve()


def cli(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="odooops worker", description=__doc__.split("\n\n")[0])
    add_arguments(p)
    return main(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(cli())
