"""The ``--docker`` path: Supabase's own PostgreSQL image through testcontainers.

Used only when a Docker engine answers (``docker.docker_available``). The image
already has what the baseline creates on plain PostgreSQL (roles, ``auth``,
extensions), so the harness finds everything present and changes nothing.
The container outlives this process (``odooops db up`` returns), so the
testcontainers reaper is turned off and ``odooops db down`` removes it by id.
"""

from __future__ import annotations

import os
import secrets
import time

import psycopg

# The public image Supabase runs; 15.x matches supabase/config.toml's major_version.
SUPABASE_IMAGE = os.environ.get("ODOOOPS_SUPABASE_IMAGE", "supabase/postgres:15.8.1.085")
READY_TIMEOUT = 120


class ContainerError(RuntimeError):
    pass


def start_supabase_postgres() -> tuple[str, str]:
    """Start the image; return (admin URL as supabase_admin, container id)."""
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    try:
        from testcontainers.core.container import DockerContainer
    except ImportError as exc:  # pinned in requirements.lock; missing only in a bare install
        raise ContainerError("testcontainers is not installed: run `make deps`") from exc
    password = secrets.token_hex(16)
    container = (
        DockerContainer(SUPABASE_IMAGE)
        .with_env("POSTGRES_PASSWORD", password)
        .with_command("postgres -c config_file=/etc/postgresql/postgresql.conf")
        .with_exposed_ports(5432)
    )
    container.start()
    host = container.get_container_host_ip()
    port = container.get_exposed_port(5432)
    url = f"postgresql://supabase_admin:{password}@{host}:{port}/postgres"
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2) as conn:
                conn.execute("select 1")
            break
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                container.stop()
                raise ContainerError(f"{SUPABASE_IMAGE} did not accept connections in {READY_TIMEOUT}s: {exc}") from exc
            time.sleep(0.5)
    return url, container.get_wrapped_container().id


def remove(container_id: str) -> None:
    import docker

    try:
        docker.from_env(timeout=10).containers.get(container_id).remove(force=True, v=True)
    except docker.errors.NotFound:
        pass
