"""A worker whose connection breaks after the database committed its call, before the reply came.

A proxy between the worker and PostgreSQL lets one statement run and commit,
then cuts the connection before the reply reaches the worker. The worker
reconnects and sends the same call again; the database answers the holder's
repeat with the run as it is, so the run goes on as if nothing happened, with
one event per change.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading

import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tests.conftest import ROOT
from tests.e2e.conftest import step

READY_FOR_QUERY = b"Z\x00\x00\x00\x05"  # the server's ReadyForQuery message: the statement is over


class CutAfterCommit:
    """A TCP proxy to PostgreSQL that, once, drops the reply to the first statement containing ``needle``."""

    def __init__(self, host: str, port: int, needle: bytes) -> None:
        self.upstream = (host, port)
        self.needle = needle
        self.cut = threading.Event()
        self.lock = threading.Lock()
        self.armed: socket.socket | None = None  # the client connection whose next reply is dropped
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            threading.Thread(target=self._to_server, args=(client, server), daemon=True).start()
            threading.Thread(target=self._to_client, args=(server, client), daemon=True).start()

    def _to_server(self, client: socket.socket, server: socket.socket) -> None:
        tail = b""
        while data := self._recv(client):
            with self.lock:
                if not self.cut.is_set() and self.armed is None and self.needle in tail + data:
                    self.armed = client
            tail = data[-len(self.needle):]
            server.sendall(data)
        self._close(client, server)

    def _to_client(self, server: socket.socket, client: socket.socket) -> None:
        held = b""
        while data := self._recv(server):
            with self.lock:
                armed = self.armed is client
            if not armed:
                client.sendall(data)
                continue
            held += data
            if READY_FOR_QUERY in held:  # committed: the worker never hears of it
                self.cut.set()
                with self.lock:
                    self.armed = None
                break
        self._close(client, server)

    @staticmethod
    def _recv(sock: socket.socket) -> bytes:
        try:
            return sock.recv(65536)
        except OSError:
            return b""

    @staticmethod
    def _close(*socks: socket.socket) -> None:
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self) -> None:
        self._close(*self.sockets)


@pytest.mark.parametrize("call", ["ops.start_workflow_run", "ops.complete_workflow_run"])
def test_a_call_committed_before_the_connection_broke_is_repeated_and_answered(ops, call):
    """The worker's claim starts the run itself; ops.start_workflow_run is called for a run it adopts (--run)."""
    ops.project(workflows={"quick": {"steps": [step("hello", "echo hello")]}})
    run_id = ops.enqueue("quick")
    which = ["--once"]
    if call == "ops.start_workflow_run":
        assert ops.one("select id::text from ops.claim_next_run('w1')")[0] == run_id
        which = ["--run", run_id]
    info = conninfo_to_dict(ops.db.conninfo("service_role"))
    proxy = CutAfterCommit(info.get("host") or "127.0.0.1", int(info.get("port") or 5432), call.encode())
    try:
        url = make_conninfo(ops.db.conninfo("service_role"), host="127.0.0.1", port=str(proxy.port),
                            sslmode="disable")
        worker = subprocess.run(
            [sys.executable, "-m", "odooops.cli", "worker", "--database-url", url, "--worker-id", "w1", *which,
             "--json", "--artifacts-dir", str(ops.tmp / "artifacts"), "--work-dir", str(ops.tmp / "work")],
            capture_output=True, text=True, timeout=60, cwd=ROOT,
        )
    finally:
        proxy.close()
    assert worker.returncode == 0, worker.stdout + worker.stderr
    assert proxy.cut.is_set(), f"the proxy never saw {call}"
    events = [line for line in worker.stdout.splitlines() if '"event"' in line]
    assert any('"db-down"' in e for e in events) and any('"db-up"' in e for e in events), events
    assert not any('"lost"' in e for e in events), events
    assert ops.status(run_id) == "succeeded"
    assert [(f, t) for f, t, _, _ in ops.events(run_id)] == [
        (None, "queued"), ("queued", "claimed"), ("claimed", "running"), ("running", "succeeded")]
