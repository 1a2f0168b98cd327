"""Helpers of the end-to-end tests: real workers (subprocesses), the real
scripts (psql), a real git repository, on a fresh clone of the migrated
template database per test. Every wait has a deadline."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from odooops.dev import demo, demo_repo

from tests.conftest import ROOT, connect, wait_for

SCRIPTS = ROOT / "scripts" / "odooops"
CONSOLE = ROOT / "console"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class Ops:
    """One test's database, seen as the service role, with the demo project in it."""

    def __init__(self, db, tmp_path: Path) -> None:
        self.db = db
        self.tmp = tmp_path
        self.workers: list[subprocess.Popen] = []
        self.repo = tmp_path / "repo"
        self.commit = demo_repo.create(self.repo)
        self.repo_url = self.repo.as_uri()

    # -- database --------------------------------------------------------------
    def conn(self):
        return connect(self.db, "service_role")

    def one(self, query: str, params: tuple = ()):
        with self.conn() as c:
            return c.execute(query, params).fetchone()

    def all(self, query: str, params: tuple = ()):
        with self.conn() as c:
            return c.execute(query, params).fetchall()

    def project(self, slug: str = "demo", workflows: dict | None = None, series: str = "17.0") -> dict[str, str]:
        with self.conn() as c:
            return demo.create_project(c, slug, self.repo_url, series, workflows)

    def enqueue(self, workflow: str, project: str = "demo", commit: str | None = None, **kw) -> str:
        with self.conn() as c:
            return str(c.execute(
                "select (ops.enqueue_run(%s, %s, 'main', %s, %s::jsonb)).id",
                (project, workflow, commit or self.commit, json.dumps(kw.get("params", {}))),
            ).fetchone()[0])

    def run(self, run_id: str) -> dict:
        with self.conn() as c:
            c.row_factory = psycopg.rows.dict_row
            return c.execute("select * from ops.runs where id = %s", (run_id,)).fetchone()

    def status(self, run_id: str) -> str:
        return str(self.one("select status from ops.runs where id = %s", (run_id,))[0])

    def logs(self, run_id: str) -> list[tuple]:
        """(seq, level, stream, message, metadata) in timestamp order."""
        return self.all("select seq, level::text, stream, message, metadata from ops.run_logs"
                        " where run_id = %s order by timestamp", (run_id,))

    def events(self, run_id: str) -> list[tuple]:
        return self.all("select from_status::text, to_status::text, actor, reason from ops.run_events"
                        " where run_id = %s order by id", (run_id,))

    def wait_status(self, run_id: str, statuses: set[str], timeout: float) -> str:
        return wait_for(lambda: (s := self.status(run_id)) in statuses and s, timeout,
                        what=f"run {run_id} to be {'/'.join(sorted(statuses))}")

    def wait_log(self, run_id: str, needle: str, timeout: float) -> None:
        wait_for(lambda: any(needle in m for _, _, _, m, _ in self.logs(run_id)), timeout,
                 what=f"log line {needle!r} of run {run_id}")

    # -- processes ----------------------------------------------------------------
    def script_env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SUPABASE_DB_URL")}
        env.update({"DATABASE_URL": self.db.url("postgres"), "ODOOOPS_POLL_INTERVAL": "0.1", **extra})
        return env

    def script(self, name: str, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(SCRIPTS / name), *args], env=self.script_env(**env), capture_output=True,
                              text=True, timeout=timeout)

    def psql(self, query: str, timeout: float = 30) -> str:
        """One query through psql -c (unaligned, tuples only), as the service role."""
        return subprocess.run(
            ["psql", self.db.url("postgres"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-c", "set role service_role", "-c", query],
            capture_output=True, text=True, timeout=timeout, check=True,
        ).stdout

    def worker(self, *args: str, name: str = "w1", env: dict | None = None) -> subprocess.Popen:
        out = open(self.tmp / f"{name}.jsonl", "w")
        full_env = {k: v for k, v in os.environ.items()
                    if k not in ("DATABASE_URL", "SUPABASE_DB_URL") and not k.startswith("ODOOOPS_S3_")}
        # No Docker engine, whatever this machine has: tool steps take the documented fallback.
        full_env.update({"DOCKER_HOST": f"unix://{self.tmp}/no-docker.sock", **(env or {})})
        p = subprocess.Popen(
            [sys.executable, "-m", "odooops.cli", "worker", "--database-url", self.db.conninfo("service_role"),
             "--worker-id", name, "--json", "--poll-interval", "0.5", "--artifacts-dir", str(self.tmp / "artifacts"),
             "--work-dir", str(self.tmp / "work"), *args],
            stdout=out, stderr=subprocess.STDOUT, env=full_env, cwd=ROOT,
        )
        out.close()  # the worker has its own copy of the descriptor
        p.odooops_name = name  # type: ignore[attr-defined]
        self.workers.append(p)
        return p

    def worker_events(self, name: str) -> list[dict]:
        events = []
        for line in (self.tmp / f"{name}.jsonl").read_text().splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                events.append({"event": "output", "text": line})
        return events

    def stop_worker(self, p: subprocess.Popen, timeout: float = 20) -> int:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        return p.wait(timeout)

    def cleanup(self) -> None:
        for p in self.workers:
            if p.poll() is None:
                p.kill()
                p.wait(10)


@pytest.fixture
def ops(db, tmp_path):
    o = Ops(db, tmp_path)
    try:
        yield o
    finally:
        o.cleanup()


def step(name: str, command: str, **extra) -> dict:
    return {"name": name, "command": command, **extra}


# -- the console ---------------------------------------------------------------
def node_env(**extra: str) -> dict[str, str]:
    """The environment of `next build` and `next start`: none of the test's database settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SUPABASE_DB_URL", "NODE_ENV")}
    env.update({"NEXT_TELEMETRY_DISABLED": "1", **extra})
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def console_build():
    """`next build` of the console, once per session (make deps installs console/node_modules)."""
    if not (CONSOLE / "node_modules" / ".bin" / "next").exists():
        pytest.fail("console/node_modules is missing: run `make deps` (npm install --no-save in console/)")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium at {CHROMIUM}: run `make deps` (apt-get install chromium)")
    built = subprocess.run(["npm", "run", "--silent", "build"], cwd=CONSOLE, env=node_env(), capture_output=True,
                           text=True, timeout=600)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return CONSOLE


def console_session(secret: str, user_id: str, email: str | None = None) -> str:
    """A session cookie value as @supabase/ssr stores it (``base64-`` and the session JSON) whose access token is
    an HS256 JWT for ``user_id``, signed with the console's SUPABASE_JWT_SECRET, valid 10 minutes."""
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"sub": user_id, "role": "authenticated", "aud": "authenticated", "iat": now, "exp": now + 600}
    if email:
        claims["email"] = email
    head, body = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()), b64(json.dumps(claims).encode())
    sig = b64(hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest())
    return "base64-" + b64(json.dumps({"access_token": f"{head}.{body}.{sig}", "token_type": "bearer"}).encode())


# -- an S3-compatible store ------------------------------------------------------
S3_BUCKET = "odooops-artifacts"


@pytest.fixture
def s3():
    """moto's S3 server (PyPI ``moto``) on loopback with the bucket S3_BUCKET: (endpoint, boto3 client)."""
    boto3 = pytest.importorskip("boto3")
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
        client.create_bucket(Bucket=S3_BUCKET)
        yield endpoint, client
        client.close()
    finally:
        server.stop()
