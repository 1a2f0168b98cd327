"""Is a Docker engine reachable? docker-py's ``ping()``, bounded in time.

``DOCKER_HOST`` names the engine (``unix:///path`` or ``tcp://host:port``, as
for the Docker CLI that runs the steps); without it the default socket
``/var/run/docker.sock`` is tried. The answer comes within ``timeout`` seconds
either way, so a missing engine never makes a command hang.
"""

from __future__ import annotations

import os

DEFAULT_HOST = "unix:///var/run/docker.sock"
PING_TIMEOUT = 2.0
# Any engine of the last years speaks it; naming one spares a /version call before the ping.
API_VERSION = "1.41"


def docker_available(timeout: float = PING_TIMEOUT) -> tuple[bool, str]:
    """(True, where) when a Docker engine answers ``/_ping``, else (False, why)."""
    import docker  # only when a step names a tool: a worker starts without loading docker-py
    import requests
    from docker.errors import DockerException

    host = os.environ.get("DOCKER_HOST") or DEFAULT_HOST
    if host.startswith("unix://") and not os.path.exists(host[len("unix://"):]):
        # Said before docker-py tries: its unix transport leaves the socket of a failed connect open.
        return False, f"{host}: No such file or directory"
    try:
        client = docker.APIClient(base_url=host, version=API_VERSION, timeout=timeout)
    except DockerException as exc:
        return False, f"{host}: {exc}"
    try:
        client.ping()
    except (DockerException, requests.RequestException) as exc:
        return False, f"{host}: {_reason(exc)}"
    finally:
        client.close()
    return True, f"Docker engine at {host}"


def _reason(exc: Exception) -> str:
    """The innermost cause: 'No such file or directory', 'Connection refused', 'Read timed out'."""
    cause: BaseException = exc
    while True:
        nxt = cause.args[0] if len(cause.args) == 1 and isinstance(cause.args[0], BaseException) else None
        nxt = nxt or cause.__cause__ or cause.__context__
        if nxt is None or nxt is cause:
            break
        cause = nxt
    return getattr(cause, "strerror", None) or str(cause) or type(cause).__name__
