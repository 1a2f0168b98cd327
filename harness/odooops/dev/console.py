"""The web console (``console/``, Next.js) for a database of the harness:
``odooops demo --console`` leaves it up on the demo database.

It runs with ``next dev`` and the development sign-in (``ODOOOPS_CONSOLE_DEV_SIGNIN=1``,
which ``next build`` and ``next start`` refuse): a demo user of ``auth.users``, owner
of the demo project, signs in by id at ``/sign-in``. The console reads the database
as ``authenticator`` and takes the role ``authenticated`` for every query.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg

from . import target

DEMO_EMAIL = "demo@odooops.test"


@dataclass
class Console:
    process: subprocess.Popen
    url: str
    user_id: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def console_dir() -> Path:
    return target.project_root() / "console"


def add_demo_user(t: target.Target, project_slug: str) -> str:
    """A user in auth.users (the demo's), owner of ``project_slug``; its id."""
    user_id = str(uuid.uuid4())
    with psycopg.connect(t.conninfo("postgres"), autocommit=True) as conn, conn.transaction():
        conn.execute("insert into auth.users (id, aud, role, email) values (%s, 'authenticated', 'authenticated', %s)",
                     (user_id, DEMO_EMAIL))
        conn.execute("set local role service_role")
        conn.execute("insert into ops.project_memberships (project_id, user_id, role)"
                     " select id, %s, 'owner' from ops.projects where slug = %s", (user_id, project_slug))
    return user_id


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(t: target.Target, user_id: str, artifacts_dir: Path | None = None, port: int | None = None,
          log: Path | None = None, timeout: float = 120) -> Console:
    """``next dev`` on 127.0.0.1:``port`` against ``t``; returns once it answers /sign-in."""
    root = console_dir()
    nxt = root / "node_modules" / ".bin" / "next"
    if not nxt.exists():
        raise RuntimeError("console/node_modules is missing: run `make deps`")
    gen = subprocess.run(["node", "scripts/generate.mjs"], cwd=root, capture_output=True, text=True, timeout=120)
    if gen.returncode != 0:
        raise RuntimeError(f"prisma generate failed: {gen.stderr[-2000:]}")
    port = port or _free_port()
    db_url = t.url("authenticator") if t.cluster is not None else t.url("postgres")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SUPABASE_DB_URL", "NODE_ENV")}
    env.update({
        "NEXT_TELEMETRY_DISABLED": "1",
        "ODOOOPS_CONSOLE_DATABASE_URL": db_url,
        "SUPABASE_JWT_SECRET": secrets.token_urlsafe(32),
        "ODOOOPS_CONSOLE_DEV_SIGNIN": "1",
    })
    if artifacts_dir is not None:
        env["ODOOOPS_CONSOLE_ARTIFACT_ROOTS"] = artifacts_dir.resolve().as_uri() + "/"
    out = open(log, "w") if log else subprocess.DEVNULL
    proc = subprocess.Popen([str(nxt), "dev", "-p", str(port), "-H", "127.0.0.1"], cwd=root, env=env,
                            stdout=out, stderr=subprocess.STDOUT)
    if log:
        out.close()
    console = Console(proc, f"http://127.0.0.1:{port}", user_id)
    end = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(console.url + "/sign-in", timeout=30) as r:
                if r.status == 200:
                    return console
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > end:
            console.stop()
            raise RuntimeError(f"the console did not start (exit status {proc.poll()})")
        time.sleep(0.5)
