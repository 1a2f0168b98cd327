"""Is a Docker engine reachable? One ``GET /_ping`` with the standard library.

``DOCKER_HOST`` names the engine (``unix:///path`` or ``tcp://host:port``);
without it the default socket ``/var/run/docker.sock`` is tried. The answer
comes within ``timeout`` seconds either way, so a missing engine never makes
a command hang.
"""

from __future__ import annotations

import http.client
import os
import socket
from urllib.parse import urlsplit

DEFAULT_HOST = "unix:///var/run/docker.sock"
PING_TIMEOUT = 2.0


class _UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a unix socket, the way the Docker CLI talks to its engine."""

    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


def _connection(host: str, timeout: float) -> http.client.HTTPConnection:
    parts = urlsplit(host)
    if parts.scheme == "unix":
        return _UnixHTTPConnection(parts.path, timeout)
    if parts.scheme in ("tcp", "http"):
        return http.client.HTTPConnection(parts.hostname or "localhost", parts.port or 2375, timeout=timeout)
    raise ValueError(f"unsupported DOCKER_HOST {host!r} (expected unix:// or tcp://)")


def docker_available(timeout: float = PING_TIMEOUT) -> tuple[bool, str]:
    """(True, where) when a Docker engine answers ``/_ping`` with OK, else (False, why)."""
    host = os.environ.get("DOCKER_HOST") or DEFAULT_HOST
    try:
        conn = _connection(host, timeout)
    except ValueError as exc:
        return False, str(exc)
    try:
        conn.request("GET", "/_ping")
        resp = conn.getresponse()
        body = resp.read(64).decode(errors="replace").strip()
    except (OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return False, f"{host}: {reason}"
    finally:
        conn.close()
    if resp.status != 200 or body != "OK":
        return False, f"{host}: /_ping answered {resp.status} {body!r}"
    return True, f"Docker engine at {host}"
