"""`odooops db up/status/down`, stale-cluster cleanup and the Docker probe, through the real command."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest
from odooops.dev import cluster
from odooops.runner import docker

from tests.conftest import ROOT

ODOOOPS = Path(sys.executable).parent / "odooops"


def process_gone(pid: int | None) -> bool:
    """True when ``pid`` no longer runs (a zombie left for init to reap counts as gone)."""
    if not pid:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def refuses_connections(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2):
            return False
    except psycopg.OperationalError:
        return True


@pytest.fixture
def project(tmp_path):
    """A project root with a copy of supabase/ and an environment that points the CLI at it.

    Whatever cluster a test leaves up is stopped and removed afterwards.
    """
    root = tmp_path / "project"
    shutil.copytree(ROOT / "supabase", root / "supabase", ignore=shutil.ignore_patterns(".temp", ".branches"))
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "SUPABASE_DB_URL", "ODOOOPS_CLUSTER_DIR", "DOCKER_HOST")}
    env["ODOOOPS_ROOT"] = str(root)
    yield root, env
    state = root / ".odooops" / "cluster.json"
    if state.exists():
        cluster.stop_dir(Path(json.loads(state.read_text())["root"]))


def odooops(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(ODOOOPS), *args], env=env, capture_output=True, text=True, timeout=timeout)


def test_db_up_status_down(project):
    root, env = project
    up = odooops(env, "db", "up")
    assert up.returncode == 0, up.stderr
    url = up.stdout.strip().splitlines()[-1]
    assert url.startswith("postgresql://postgres@127.0.0.1:")
    with psycopg.connect(url, connect_timeout=5) as conn:
        assert conn.execute("select current_user, rolsuper from pg_roles where rolname = current_user").fetchone() == (
            "postgres", False)
        assert conn.execute("select to_regprocedure('auth.uid()') is not null").fetchone()[0], "baseline applied"

    state_file = root / ".odooops" / "cluster.json"
    assert state_file.exists(), "the state lives under ODOOOPS_ROOT"
    cluster_root = Path(json.loads(state_file.read_text())["root"])
    assert cluster_root.is_dir()
    postmaster = cluster._postmaster_pid(cluster_root / "data")
    assert not process_gone(postmaster)

    again = odooops(env, "db", "up")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == url, "a second `db up` reuses the running cluster"

    status = odooops(env, "db", "status")
    assert status.returncode == 0, status.stderr
    assert url in status.stdout
    assert str(cluster_root) in status.stdout

    down = odooops(env, "db", "down")
    assert down.returncode == 0, down.stderr
    assert not cluster_root.exists(), "every file of the cluster is removed"
    assert not state_file.exists()
    assert process_gone(postmaster)
    assert refuses_connections(url)

    status = odooops(env, "db", "status")
    assert status.returncode == 3
    assert "odooops db up" in status.stdout

    down = odooops(env, "db", "down")
    assert down.returncode == 0
    assert "no cluster is up" in down.stdout


def test_a_cluster_whose_owner_died_is_swept():
    owner = subprocess.Popen(["sleep", "300"])
    try:
        stale = cluster.Cluster.create(owner_pid=owner.pid)
    finally:
        owner.kill()
        owner.wait()
    try:
        postmaster = cluster._postmaster_pid(stale.datadir)
        assert stale.is_running() and not process_gone(postmaster)
        url = stale.url()
        removed = cluster.sweep_stale()
        # Every cluster start sweeps too: on a shared machine another process may have got there first.
        assert stale.root in removed or not stale.root.exists()
        assert not stale.root.exists()
        assert process_gone(postmaster)
        assert refuses_connections(url)
    finally:
        if stale.root.exists():
            stale.stop()


def test_a_cluster_whose_owner_lives_is_kept():
    alive = cluster.Cluster.create(owner_pid=os.getpid())
    try:
        assert alive.root not in cluster.sweep_stale()
        assert alive.is_running()
    finally:
        alive.stop()
    assert not alive.root.exists()


# -- Docker -----------------------------------------------------------------------


def test_db_up_docker_without_engine_falls_back_quickly(project):
    root, env = project
    env["DOCKER_HOST"] = "unix:///nonexistent.sock"
    start = time.monotonic()
    proc = subprocess.Popen([str(ODOOOPS), "db", "up", "--docker"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines: list[tuple[float, str]] = []  # (seconds after start, line) as each stderr line arrives
    out: list[str] = []

    def read_stderr():
        for line in proc.stderr:
            lines.append((time.monotonic() - start, line.rstrip("\n")))

    readers = [threading.Thread(target=read_stderr), threading.Thread(target=lambda: out.append(proc.stdout.read()))]
    for reader in readers:
        reader.start()
    try:
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for reader in readers:
            reader.join(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == 0, lines
    docker_lines = [(at, text) for at, text in lines if "docker" in text.lower()]
    assert len(docker_lines) == 1, lines
    at, text = docker_lines[0]
    assert at < 2.0, f"the Docker message came {at:.2f}s after start"
    assert "nonexistent.sock" in text
    assert re.search(r"\blocal\b.*\bcluster\b", text), text

    url = "".join(out).strip().splitlines()[-1]
    with psycopg.connect(url, connect_timeout=5) as conn:
        assert conn.execute("select current_user").fetchone()[0] == "postgres"
    down = odooops(env, "db", "down")
    assert down.returncode == 0
    assert refuses_connections(url)


class FakeEngine:
    """A unix socket that answers like the Docker engine, or accepts and never answers."""

    def __init__(self, answer: bytes | None):
        self.dir = tempfile.mkdtemp(prefix="odooops-dk-")  # short: unix socket paths are limited to 107 bytes
        self.path = os.path.join(self.dir, "docker.sock")
        self.answer = answer
        self.requests: list[bytes] = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(1)
        self.sock.settimeout(10)  # a probe that never connects must not hang the test
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            self.requests.append(data)
            if self.answer is not None:
                conn.sendall(self.answer)
            self.done.wait(10)

    def close(self):
        self.done.set()
        self.thread.join(timeout=10)
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def test_docker_probe_sees_an_engine_that_answers(monkeypatch):
    engine = FakeEngine(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK")
    try:
        monkeypatch.setenv("DOCKER_HOST", f"unix://{engine.path}")
        ok, where = docker.docker_available()
    finally:
        engine.close()
    assert ok, where
    assert engine.path in where
    assert engine.requests[0].startswith(b"GET /v1.41/_ping HTTP/1.1\r\n")


def test_docker_probe_gives_up_on_a_silent_engine(monkeypatch):
    engine = FakeEngine(None)
    try:
        monkeypatch.setenv("DOCKER_HOST", f"unix://{engine.path}")
        start = time.monotonic()
        ok, why = docker.docker_available(timeout=0.5)
        elapsed = time.monotonic() - start
    finally:
        engine.close()
    assert not ok
    assert "timed out" in why
    assert 0.4 < elapsed < 1.5


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("unix:///nonexistent.sock", "No such file or directory"),
        ("ssh://user@example.test", "Install paramiko package to enable ssh:// support"),
    ],
)
def test_docker_probe_reports_why_there_is_no_engine(monkeypatch, host, expected):
    monkeypatch.setenv("DOCKER_HOST", host)
    ok, why = docker.docker_available()
    assert not ok
    assert expected in why


def test_docker_probe_refused_tcp_port(monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: connections are refused
        monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{port}")
        ok, why = docker.docker_available()
    assert not ok
    assert "refused" in why.lower()


# -- the command line ---------------------------------------------------------------


def test_help_lists_the_commands(project):
    _, env = project
    proc = odooops(env, "--help")
    assert proc.returncode == 0
    for command in ("db", "lint", "check", "demo"):
        assert command in proc.stdout
    db_help = odooops(env, "db", "--help")
    assert db_help.returncode == 0
    for sub in ("up", "down", "status", "migrate", "test"):
        assert sub in db_help.stdout


def test_migrate_without_a_database_says_what_to_do(project):
    _, env = project
    proc = odooops(env, "db", "migrate")
    assert proc.returncode != 0
    assert "odooops db up" in proc.stderr
    assert "DATABASE_URL" in proc.stderr
    assert "Traceback" not in proc.stderr
