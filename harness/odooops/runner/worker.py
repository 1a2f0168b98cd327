"""``odooops worker``: takes runs from the queue and runs their steps.

Any number of workers, on any number of machines, share one database; the
queue RPCs decide who runs what (``ops.claim_next_run`` hands each run to one
worker under a lease). A worker:

- registers itself in ``ops.workers`` (id, labels, version, host) when it
  starts, so that operators see the fleet (``ops.list_workers()``);
- waits on ``LISTEN ops_runs_queued`` (polling every ``--poll-interval`` s as a
  fallback, which is also how it picks up runs whose lease expired);
- claims only runs whose workflow requires labels it offers (``--label``,
  ``ODOOOPS_WORKER_LABELS``); without labels, only runs that require none;
- claims and starts a run in one call (``claim_next_run`` with ``p_start``),
  and heartbeats it from a thread of its own
  (:mod:`.heartbeat`: the heartbeat renews the lease and is how a cancel
  request is noticed);
- runs each step in a fresh work directory per run (:mod:`.process`);
- ships stdout and stderr to ``ops.run_logs`` in batches (:mod:`.logs`);
- stores artifacts and records them with ``add_run_artifact`` (:mod:`.storage`), and the findings
  of a step's findings report with ``add_upgrade_findings`` (:mod:`.findings`);
- completes with the exit code of the step that failed, or 0.

Every database call goes through :class:`.queue.Queue`.

Signals: SIGTERM (or Ctrl-C) stops claiming; the current run is handed back
with ``requeue_run`` (``--on-sigterm requeue``, the default) or finished
(``--on-sigterm finish``); then the worker exits 0. A worker killed outright
loses its lease, and the run comes back to another worker through
``claim_next_run`` once the lease expires.

When the database goes away every call is retried with backoff on a new
connection; the steps keep running and their log lines wait in memory.

Params: ``{"env": {"NAME": "value"}}`` adds to every step's environment, and
``{"secrets": ["API_TOKEN"]}`` names project secrets (``ops.set_project_secret``):
once the run is started the worker reads their values with
``ops.get_run_secrets`` and sets them in every step's environment; each value
(and each line of a multi-line one) is replaced by ``***`` in every stored line.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

from . import findings as findings_mod
from . import storage as storage_mod
from .context import RunContext
from .heartbeat import Heartbeat
from .logs import LogShipper, Masker
from .process import EXIT_CANNOT_RUN, StepProcess, make_workdir, write_context_files
from .queue import SERVICE_ROLE, Health, Queue, RpcError, Run, Stopped
from .report import Reporter, default_worker_id, host_name, worker_version

MAX_ERROR = 8000  # ops.runs.error_message bound


class Worker:
    def __init__(self, conninfo: str, *, worker_id: str | None = None, role: str | None = SERVICE_ROLE,
                 lease_seconds: int | None = None, once: bool = False, drain: bool = False,
                 run_id: str | None = None, json_mode: bool = False, artifacts_dir: Path | None = None,
                 work_root: Path | None = None, keep_workdirs: bool = False, poll_interval: float = 5.0,
                 heartbeat_interval: float | None = None, kill_grace: float = 5.0,
                 on_sigterm: str = "requeue", pass_env: list[str] | None = None,
                 labels: list[str] | None = None, storage: Any = None, out=None) -> None:
        self.worker_id = worker_id or default_worker_id()
        self.labels = sorted(set(labels or []))
        self.lease_seconds = lease_seconds
        self.once, self.drain, self.adopt_run = once, drain, run_id
        self.report = Reporter(self.worker_id, json_mode, out)
        self.storage = storage or storage_mod.from_env(artifacts_dir)
        self.work_root = work_root
        self.keep_workdirs = keep_workdirs
        self.poll_interval = poll_interval
        self.heartbeat_interval = heartbeat_interval
        self.on_sigterm = on_sigterm
        self.steps = StepProcess(self.worker_id, pass_env, kill_grace)
        self.stopping = threading.Event()
        self.queue = Queue(conninfo, self.worker_id, role=role, health=Health(self.report), abort=self.stopping)
        self.listener = self.queue.listener()
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
        self.report("started", text=f"storage: {self.storage.describe()}", pid=os.getpid(),
                    labels=",".join(self.labels) or None)
        try:
            try:
                self.queue.register_worker(self.labels, worker_version(), host_name())
            except RpcError as exc:  # a bad label: nothing to claim with
                self.report("error", text=f"cannot register: {exc.message}")
                return 2
            self.queue.register_artifact_store(self.storage.root_url())
            if self.adopt_run:
                return self.adopt(self.adopt_run)
            while not self.stopping.is_set():
                run = self.queue.claim(self.lease_seconds, self.labels)
                if run is None:
                    if self.once or self.drain:
                        break
                    self.listener.wait(self.poll_interval, self.stopping)
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

    def adopt(self, run_id: str) -> int:
        """Run a run that this worker id already claimed (``--run``)."""
        run = self.queue.run(run_id)
        if run is None:
            self.report("error", run_id, text="no such run")
            return 1
        if run["status"] != "claimed" or run["worker_id"] != self.worker_id:
            self.report("error", run_id, text=f"run is {run['status']} (worker {run['worker_id']}),"
                        f" not claimed by {self.worker_id}")
            return 1
        self.report("adopted", str(run["id"]), attempt=run["attempt"])
        self.process(run)
        return 0

    def close(self) -> None:
        self.queue.close()
        self.listener.close()

    # -- one run -------------------------------------------------------------------------
    def load_context(self, run: Run) -> RunContext:
        d = self.queue.context(str(run["id"]))
        workdir = make_workdir(run, self.work_root)
        return RunContext(run=run, workflow=d.workflow, project=d.project, tools=d.tools, advisories=d.advisories,
                          secret_names=d.secret_names, workdir=workdir,
                          lease_seconds=self.lease_seconds or d.workflow["lease_seconds"],
                          shutdown=self.stopping if self.on_sigterm == "requeue" else threading.Event())

    def process(self, run: Run) -> None:
        run_id = str(run["id"])
        self.report("claimed", run_id, attempt=run["attempt"], branch=run["branch"], commit=run["commit_sha"][:12])
        started = run
        if run["status"] == "claimed":  # an adopted run (--run); a claim of the loop starts it already
            try:
                # A retry after a broken connection may repeat a start that committed:
                # the database answers the holder's repeat with the running run.
                started = self.queue.start(run_id)
            except RpcError as exc:
                self.report("lost", run_id, text=f"could not start: {exc}")
                return
        try:
            ctx = self.load_context(started)
        except (RpcError, KeyError, TypeError) as exc:
            if isinstance(exc, RpcError) and exc.sqlstate == "OP002":
                # No longer the holder (the lease expired meanwhile): nothing of this run is ours to end.
                self.report("lost", run_id, text=f"could not read the run's context: {exc}")
                return
            self.report("error", run_id, text=f"cannot load the run's workflow: {exc}")
            self.complete(run_id, EXIT_CANNOT_RUN, f"worker could not load the workflow: {exc}")
            return
        self.report("running", run_id, workflow=ctx.workflow["name"], project=ctx.project["slug"])
        shipper = LogShipper(self.queue, run_id, int(started.get("last_log_seq") or 0) + 1, Masker([]),
                             on_lost=lambda exc: ctx.mark_lost(f"log shipping refused: {exc}"))
        try:
            with Heartbeat(self.queue, ctx, self.report, interval=self.heartbeat_interval,
                           lease_seconds=self.lease_seconds):
                exit_code, error, outcome = self.execute(ctx, shipper)
                self.finish(ctx, shipper, exit_code, error, outcome)
        finally:
            shipper.close(1)
            if not self.keep_workdirs:
                shutil.rmtree(ctx.workdir, ignore_errors=True)
            self.processed += 1

    def finish(self, ctx: RunContext, shipper: LogShipper, exit_code: int, error: str | None, outcome: str) -> None:
        """Complete the run, hand it back (shutdown), or leave it (lost)."""
        run_id = ctx.run_id
        if outcome == "lost":
            shipper.close(2)
            self.report("lost", run_id, text=ctx.lost_reason or "lease lost; not completing")
            return
        if outcome == "shutdown":
            shipper.emit(f"worker {self.worker_id} is shutting down: run handed back to the queue", level="warning")
            shipper.close(10)
            try:
                self.queue.requeue(run_id, "worker received SIGTERM", deadline=time.monotonic() + 15)
                self.report("requeued", run_id, text="handed back (SIGTERM)")
            except (RpcError, Stopped) as exc:
                self.report("lost", run_id, text=f"could not hand back: {exc}")
            return
        status = "succeeded" if exit_code == 0 else ("canceled" if ctx.cancel.is_set() else "failed")
        shipper.emit(f"run {status}" + (f": {error}" if error else "") + f" (exit code {exit_code})",
                     level="info" if exit_code == 0 else "error")
        if not shipper.close(30):
            self.report("warning", run_id, text="some log lines could not be stored before completion")
        self.complete(run_id, exit_code, error)

    def complete(self, run_id: str, exit_code: int, error: str | None) -> None:
        try:
            # As for start: an identical repeat of a committed completion returns the stored run.
            row = self.queue.complete(run_id, exit_code, (error or None) and error[:MAX_ERROR])
        except RpcError as exc:
            self.report("lost", run_id, text=f"could not complete: {exc}")
            return
        self.report(str(row["status"]), run_id, exit_code=row["exit_code"],
                    text=row.get("error_message") if row["status"] != "succeeded" else None)

    # -- steps --------------------------------------------------------------------------
    def execute(self, ctx: RunContext, shipper: LogShipper) -> tuple[int, str | None, str]:
        """Run every step; (exit code, error message, outcome: done | lost | shutdown)."""
        steps = ctx.workflow["steps"]
        artifacts = ctx.workdir / "artifacts"
        artifacts.mkdir(parents=True, exist_ok=True)
        write_context_files(ctx)
        run = ctx.run
        shipper.emit(f"run {ctx.run_id} attempt {run['attempt']} on worker {self.worker_id}: "
                     f"{ctx.project['slug']}/{ctx.workflow['name']} {run['branch']}@{run['commit_sha']} "
                     f"(Odoo {ctx.project['odoo_series']}), {len(steps)} step(s) in {ctx.workdir}")
        try:
            ctx.secrets = self.queue.secrets(ctx.run_id) if ctx.secret_names else {}
        except RpcError as exc:
            if exc.sqlstate == "OP002":
                ctx.mark_lost(f"lease lost: {exc.message}")
                return EXIT_CANNOT_RUN, None, "lost"
            shipper.emit(f"ERROR cannot read the run's secrets: {exc.message}", level="error")
            return EXIT_CANNOT_RUN, f"cannot read the run's secrets: {exc.message}", "done"
        shipper.mask.add(ctx.secrets.values())
        if ctx.secrets:
            shipper.emit(f"secrets: {', '.join(sorted(ctx.secrets))} (values masked as ***)")
        if run.get("untrusted"):
            shipper.emit(f"untrusted: request {run.get('pull_request_number')} comes from a fork; "
                         "no project secrets are given to it")
        uploaded: set[str] = set()
        for index, step in enumerate(steps):
            outcome = ctx.interrupted()
            if outcome:
                return interrupted_result(outcome, 130, step["name"])
            name = step["name"]
            timeout = int(step.get("timeout_seconds") or ctx.workflow["default_timeout_seconds"])
            try:
                env = self.steps.step_env(ctx, step, index, artifacts)
            except ValueError as exc:
                shipper.emit(f"ERROR step {name}: {exc}", level="error")
                return EXIT_CANNOT_RUN, f"step '{name}': {exc}", "done"
            argv, where, refusal = self.steps.command_for(ctx, step, env)
            if refusal:
                shipper.emit(f"ERROR step {name}: {refusal}", level="error", step=name)
                self.report("step", ctx.run_id, step=name, exit_code=EXIT_CANNOT_RUN)
                return EXIT_CANNOT_RUN, f"step '{name}': {refusal}", "done"
            shipper.emit(f"==> step {index + 1}/{len(steps)} {name}: {step['command']} ({where}, timeout {timeout}s)",
                         step=name)
            self.report("step", ctx.run_id, text=f"{index + 1}/{len(steps)} {name}")
            t0 = time.monotonic()
            rc, why, last_error = self.steps.run(ctx, argv, env, timeout, shipper, name)
            took = time.monotonic() - t0
            outcome = ctx.interrupted()
            if outcome:
                return interrupted_result(outcome, rc, name)
            try:
                stored_now = storage_mod.collect_artifacts(self.storage, self.queue, ctx, step, artifacts,
                                                           uploaded, shipper)
                for key, stored in stored_now:
                    self.report("artifact", ctx.run_id, key=key, size=stored.size_bytes)
            except Exception as exc:  # storage trouble fails the run, clearly
                shipper.emit(f"ERROR step {name}: storing artifacts failed: {exc}", level="error", step=name)
                return 1, f"step '{name}': storing artifacts failed: {exc}", "done"
            try:
                for key, _ in stored_now:
                    new = findings_mod.upload(self.queue, ctx.run_id, key, artifacts / key)
                    if new is not None:
                        shipper.emit(f"findings of {key}: {new} new in ops.upgrade_findings", step=name)
            except RpcError as exc:
                if exc.sqlstate == "OP002":
                    ctx.mark_lost(f"lease lost: {exc.message}")
                    return rc, None, "lost"
                shipper.emit(f"ERROR step {name}: storing findings failed: {exc.message}", level="error", step=name)
                return 1, f"step '{name}': storing findings failed: {exc.message}", "done"
            except findings_mod.ReportError as exc:
                shipper.emit(f"ERROR step {name}: {exc}", level="error", step=name)
                return 1, f"step '{name}': {exc}", "done"
            if rc != 0:
                msg = why or f"step '{name}' failed with exit code {rc}"
                if last_error and not why:
                    msg += f": {last_error}"
                shipper.emit(f"<== step {name} failed after {took:.1f}s: {msg}", level="error", step=name)
                return rc, msg, "done"
            shipper.emit(f"<== step {name} ok in {took:.1f}s", step=name)
        return 0, None, "done"


def interrupted_result(outcome: str, rc: int, step: str) -> tuple[int, str | None, str]:
    if outcome == "canceled":
        return (rc or 130), f"canceled during step '{step}'", "done"
    return rc, None, outcome
