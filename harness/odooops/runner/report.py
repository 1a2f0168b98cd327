"""What a worker prints: one line per state change, or JSON lines with ``--json``."""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import threading
from datetime import UTC, datetime
from importlib import metadata
from typing import Any


def default_worker_id() -> str:
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname()) or "host"
    return f"{host}:{os.getpid()}"[:128]


def host_name() -> str | None:
    """The machine's name as ops.workers shows it (at most 255 characters, no spaces)."""
    host = re.sub(r"\s", "-", socket.gethostname())[:255]
    return host or None


def worker_version() -> str | None:
    """The installed odooops version, for ops.workers."""
    try:
        return metadata.version("odooops")[:100] or None
    except metadata.PackageNotFoundError:
        return None


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class Reporter:
    """One line per state change; JSON lines with --json."""

    def __init__(self, worker_id: str, json_mode: bool = False, out=None) -> None:
        self.worker_id = worker_id
        self.json_mode = json_mode
        self.out = out or sys.stdout
        self.lock = threading.Lock()

    def __call__(self, event: str, run_id: str | None = None, **fields: Any) -> None:
        if self.json_mode:
            doc = {"time": now_iso(), "worker": self.worker_id, "event": event}
            if run_id:
                doc["run_id"] = run_id
            doc.update({k: v for k, v in fields.items() if v is not None})
            line = json.dumps(doc, default=str)
        else:
            stamp = datetime.now().strftime("%H:%M:%S")
            details = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None and k != "text")
            text = fields.get("text")
            run = f" run {run_id[:8]}" if run_id else ""
            line = f"{stamp} {self.worker_id} {event}{run}" + (f": {text}" if text else "") + (
                f" ({details})" if details else "")
        with self.lock:
            print(line, file=self.out, flush=True)
