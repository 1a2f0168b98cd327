"""Throwaway PostgreSQL clusters built from the machine's own binaries.

A cluster lives in one temporary directory (data, socket, log, a small state
file). As root, initdb and pg_ctl refuse to run, so they run as the OS user
``postgres``; as anyone else they run directly. A cluster whose owning process
died is found and removed the next time any cluster starts, so an interrupted
run never blocks the next one.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PREFIX = "odooops-pg-"
SUPERUSER = "supabase_admin"
MIN_MAJOR = 15

# Fast settings for throwaway test clusters. A benchmark passes durable=True.
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
COMMON_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "max_connections": "200",
    "wal_level": "logical",
    "shared_buffers": "128MB",
    "log_min_messages": "warning",
}


class ClusterError(RuntimeError):
    """Raised when a cluster cannot be created, started or stopped."""


def find_bindir() -> Path:
    """Return the bin directory of the newest PostgreSQL >= 15 on this machine."""
    candidates: list[tuple[int, Path]] = []
    env = os.environ.get("ODOOOPS_PG_BINDIR")
    if env:
        return Path(env)
    root = Path("/usr/lib/postgresql")
    if root.is_dir():
        for child in root.iterdir():
            if child.name.isdigit() and (child / "bin" / "initdb").exists():
                candidates.append((int(child.name), child / "bin"))
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        ver = subprocess.run([pg_config, "--version"], capture_output=True, text=True)
        if out.returncode == 0 and ver.returncode == 0:
            major = int(ver.stdout.split()[1].split(".")[0])
            candidates.append((major, Path(out.stdout.strip())))
    candidates = [c for c in candidates if c[0] >= MIN_MAJOR and (c[1] / "initdb").exists()]
    if not candidates:
        raise ClusterError(
            f"no PostgreSQL >= {MIN_MAJOR} server binaries found (looked in /usr/lib/postgresql "
            "and pg_config). Install them with `make deps` (Debian: apt-get install postgresql-15), "
            "or set DATABASE_URL to use an existing server."
        )
    return max(candidates)[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        return [runuser, "-u", "postgres", "--", *cmd]
    return cmd


@dataclass
class Cluster:
    """One running throwaway cluster."""

    root: Path
    port: int
    bindir: Path
    durable: bool = False

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def socketdir(self) -> Path:
        return self.root / "sock"

    @property
    def logfile(self) -> Path:
        return self.root / "server.log"

    def url(self, user: str = SUPERUSER, dbname: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    # -- lifecycle ---------------------------------------------------------
    @classmethod
    def create(cls, *, durable: bool = False, owner_pid: int | None = None, settings: dict | None = None) -> Cluster:
        """initdb and start a new cluster on a free port.

        ``owner_pid`` is the process whose death makes the cluster garbage; a
        cluster made by ``odooops db up`` has none and lives until ``db down``.
        """
        sweep_stale()
        bindir = find_bindir()
        root = Path(tempfile.mkdtemp(prefix=PREFIX))
        try:
            os.chmod(root, 0o700)
            (root / "sock").mkdir()
            if os.geteuid() == 0:
                import pwd

                pw = pwd.getpwnam("postgres")
                for p in (root, root / "sock"):
                    os.chown(p, pw.pw_uid, pw.pw_gid)
            state = {"owner_pid": owner_pid, "created_at": time.time()}
            (root / "odooops.json").write_text(json.dumps(state))
            _run(
                _as_server_user(
                    [str(bindir / "initdb"), "-D", str(root / "data"), "-U", SUPERUSER, "-A", "trust",
                     "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"]
                ),
                "initdb",
            )
            last_error: Exception | None = None
            for _ in range(3):
                cluster = cls(root=root, port=free_port(), bindir=bindir, durable=durable)
                try:
                    cluster._start(settings or {})
                except ClusterError as exc:  # port taken between probe and bind: try another
                    last_error = exc
                    continue
                state["port"] = cluster.port
                (root / "odooops.json").write_text(json.dumps(state))
                return cluster
            raise last_error or ClusterError("could not start the cluster")
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise

    def _start(self, extra: dict) -> None:
        settings = {**COMMON_SETTINGS, **({} if self.durable else FAST_SETTINGS), **extra}
        opts = [f"-p {self.port}", f"-k {self.socketdir}"] + [f"-c {k}={v}" for k, v in settings.items()]
        proc = subprocess.run(
            _as_server_user(
                [str(self.bindir / "pg_ctl"), "-w", "-t", "30", "-D", str(self.datadir),
                 "-l", str(self.logfile), "-o", " ".join(opts), "start"]
            ),
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise ClusterError(f"pg_ctl start failed (port {self.port}):\n{proc.stderr}\n{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def restart(self) -> None:
        """Stop fast and start again on the same port (used to test reconnects)."""
        subprocess.run(
            _as_server_user([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"]),
            capture_output=True,
        )
        self._start({})

    def stop(self) -> None:
        """Stop the server at once and remove every file of the cluster."""
        stop_dir(self.root, self.bindir)

    @classmethod
    def attach(cls, root: Path) -> Cluster | None:
        """Re-open a cluster made by another process (``db up``) from its directory."""
        try:
            state = json.loads((root / "odooops.json").read_text())
        except (OSError, ValueError):
            return None
        if "port" not in state:
            return None
        return cls(root=root, port=int(state["port"]), bindir=find_bindir())

    def is_running(self) -> bool:
        return _pid_alive(_postmaster_pid(self.datadir))


def _postmaster_pid(datadir: Path) -> int | None:
    try:
        return int((datadir / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def stop_dir(root: Path, bindir: Path | None = None) -> None:
    pid = _postmaster_pid(root / "data")
    if _pid_alive(pid):
        bindir = bindir or find_bindir()
        proc = subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
        )
        if proc.returncode != 0 and _pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(root, ignore_errors=True)


def sweep_stale() -> list[Path]:
    """Remove clusters left behind by processes that died; return what was removed."""
    removed = []
    for root in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            state = json.loads((root / "odooops.json").read_text())
        except (OSError, ValueError):
            state = {}
        owner = state.get("owner_pid")
        server_alive = _pid_alive(_postmaster_pid(root / "data"))
        age = time.time() - float(state.get("created_at", 0) or 0)
        orphaned = owner is not None and not _pid_alive(owner)
        dead = not server_alive and age > 60  # younger ones may still be starting
        if orphaned or dead:
            stop_dir(root)
            removed.append(root)
    return removed


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ClusterError(f"{what} failed: {proc.stderr.strip() or proc.stdout.strip()}")
