"""What a worker knows about the run it holds, and what may interrupt it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from .queue import Run


@dataclass
class RunContext:
    run: Run
    workflow: dict
    project: dict
    tools: dict[str, dict]
    advisories: list[dict]  # empty unless a step asks for them (ops.get_run_context)
    workdir: Path
    lease_seconds: int
    secret_names: list[str] = field(default_factory=list)  # params.secrets, from ops.get_run_context
    secrets: dict[str, str] = field(default_factory=dict)  # name -> value, from ops.get_run_secrets
    cancel: threading.Event = field(default_factory=threading.Event)  # a cancel request was seen
    lost: threading.Event = field(default_factory=threading.Event)  # the worker no longer holds the run
    shutdown: threading.Event = field(default_factory=threading.Event)  # hand the run back (SIGTERM)
    lost_reason: str = ""

    @property
    def run_id(self) -> str:
        return str(self.run["id"])

    def mark_lost(self, reason: str) -> None:
        if not self.lost.is_set():
            self.lost_reason = reason
            self.lost.set()

    def interrupted(self) -> str | None:
        """Why the run must stop now, if it must: lost, canceled or shutdown."""
        if self.lost.is_set():
            return "lost"
        if self.cancel.is_set():
            return "canceled"
        if self.shutdown.is_set():
            return "shutdown"
        return None
