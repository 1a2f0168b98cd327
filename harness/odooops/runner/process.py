"""Running one step: its environment, its command line, its timeout, its end.

A step runs as ``bash -c <command>`` in its own process group, in the run's
work directory, or in its tool's image (``docker run``) when the step names a
tool and a Docker engine answers. Its stdout and stderr go to the log shipper
line by line. At the timeout, on a cancel request, when the lease is lost or
the worker shuts down, the process group gets SIGTERM, then SIGKILL after the
grace period.

The environment is built from scratch: a few variables of the worker's own
(``BASE_ENV``, plus ``--pass-env`` names), the step's ``env``, the run's
``params.env``, the project secrets the run names, and the ``ODOOOPS_*``
variables the built-in steps read (listed in :mod:`odooops.steps`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .context import RunContext
from .docker import docker_available
from .logs import LogShipper, level_of

EXIT_TIMEOUT = 124  # as timeout(1)
EXIT_CANNOT_RUN = 125  # as docker run: the step could not be started
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Inherited from the worker's environment; everything else (database URLs,
# cloud credentials) stays out of the steps unless named with --pass-env.
BASE_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "USER", "LOGNAME", "SHELL", "TERM")
# Where the odooops package is imported from: steps run `python -m odooops.steps ...`
# with it on PYTHONPATH, and a tool image gets it mounted read-only.
PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])


# The step's shell dies with the worker (SIGKILL included) when util-linux's setpriv
# can set its parent-death signal; a preexec_fn would do the same but is unsafe
# in a process with threads. Background children of the step are not covered.
SETPRIV = shutil.which("setpriv") if sys.platform.startswith("linux") else None


def _with_parent_death_signal(argv: list[str]) -> list[str]:
    return [SETPRIV, "--pdeathsig", "KILL", "--", *argv] if SETPRIV else argv


def _exit_status(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode


def make_workdir(run: dict, base: Path | None) -> Path:
    """A fresh, empty work directory for one attempt of a run, under ``base`` (default: the temp dir)."""
    if base is not None:
        base.mkdir(parents=True, exist_ok=True)
    prefix = f"odooops-run-{str(run['id'])[:8]}-a{run['attempt']}-"
    return Path(tempfile.mkdtemp(prefix=prefix, dir=base)).resolve()


def write_context_files(ctx: RunContext) -> None:
    """``$ODOOOPS_CONTEXT_FILE`` (run, workflow name, project) and ``$ODOOOPS_ADVISORIES_FILE``."""
    d = ctx.workdir / ".odooops"
    d.mkdir(parents=True, exist_ok=True)
    run = {k: (str(v) if not isinstance(v, (int, float, bool, dict, list, type(None))) else v)
           for k, v in ctx.run.items() if k != "params"}
    (d / "context.json").write_text(json.dumps(
        {"run": run, "workflow": {"name": ctx.workflow["name"]}, "project": ctx.project}, indent=2, default=str))
    (d / "advisories.json").write_text(json.dumps(ctx.advisories, indent=2, default=str))


class StepProcess:
    """Runs the steps of one worker: ``worker_id`` and ``pass_env`` go into every
    step's environment, ``kill_grace`` is the time between SIGTERM and SIGKILL."""

    def __init__(self, worker_id: str, pass_env: list[str] | None = None, kill_grace: float = 5.0) -> None:
        self.worker_id = worker_id
        self.pass_env = pass_env or []
        self.kill_grace = kill_grace

    def step_env(self, ctx: RunContext, step: dict, index: int, artifacts: Path) -> dict[str, str]:
        params = ctx.run.get("params") or {}
        env = {k: os.environ[k] for k in (*BASE_ENV, *self.pass_env) if k in os.environ}
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)])
        env["PYTHONPATH"] = os.pathsep.join(p for p in [PACKAGE_PARENT, os.environ.get("PYTHONPATH", "")] if p)
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
        if run.get("source_ref"):
            env["ODOOOPS_SOURCE_REF"] = str(run["source_ref"])
        if isinstance(params.get("target_series"), str):
            env["ODOOOPS_TARGET_SERIES"] = params["target_series"]
        return env

    def command_for(self, ctx: RunContext, step: dict, env: dict) -> tuple[list[str], str, str | None]:
        """(argv, where it runs, refusal message or None)."""
        local = ["bash", "-c", step["command"]]
        tool_name = step.get("tool")
        if not tool_name:
            return local, "on the worker host", None
        tool = ctx.tools.get(tool_name)
        if tool is None or not tool["enabled"]:
            return local, "", f"tool {tool_name!r} is not in ops.tools or is disabled"
        ok, why = docker_available()
        image = f"{tool['image']}:{tool['tag']}" + (f"@{tool['digest']}" if tool.get("digest") else "")
        if ok:
            name = f"odooops-{ctx.run_id[:8]}-{step['name']}-{os.getpid()}"[:128]
            argv = ["docker", "run", "--rm", "--init", "--name", name, "-v", f"{ctx.workdir}:{ctx.workdir}",
                    "-w", str(ctx.workdir)]
            argv += ["-v", f"{PACKAGE_PARENT}:/opt/odooops-harness:ro"]
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

    def run(self, ctx: RunContext, argv: list[str], env: dict, timeout: int, shipper: LogShipper,
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
                self.stop(proc, env, shipper, step)
                break
            reason = ctx.interrupted()
            if reason:
                text = {"canceled": "cancel requested", "lost": "lease lost",
                        "shutdown": "worker shutting down"}[reason]
                shipper.emit(f"{text}: stopping step {step}", level="warning", step=step)
                self.stop(proc, env, shipper, step)
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

    def stop(self, proc: subprocess.Popen, env: dict, shipper: LogShipper, step: str) -> None:
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
