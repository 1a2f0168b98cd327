"""The heartbeat of a run: renews the lease and notices cancel requests.

It runs in a thread of its own, on a connection of its own, every quarter of
the lease (at most every 2 s) unless told otherwise. When the database says
the worker no longer holds the run (``OP001``, ``OP002``, ``P0002``) the run
is marked lost and the worker stops its step without completing it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from .context import RunContext
from .queue import Queue, RpcError, Stopped


class Heartbeat:
    def __init__(self, queue: Queue, ctx: RunContext, report: Callable[..., None], *,
                 interval: float | None = None, lease_seconds: int | None = None) -> None:
        self.ctx = ctx
        self.report = report
        self.interval = interval or max(0.2, min(ctx.lease_seconds / 4, 2.0))
        self.lease_seconds = lease_seconds
        self.stop_event = threading.Event()
        self.queue = queue.fork("odooops-heartbeat", abort=self.stop_event)
        self.thread = threading.Thread(target=self._loop, name=f"heartbeat-{ctx.run_id[:8]}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        self.thread.join(5)

    def _loop(self) -> None:
        ctx = self.ctx
        try:
            while not self.stop_event.wait(self.interval):
                try:
                    row = self.queue.heartbeat(ctx.run_id, self.lease_seconds)
                except Stopped:
                    return
                except RpcError as exc:
                    if exc.sqlstate in ("OP001", "OP002", "P0002"):
                        ctx.mark_lost(f"lease lost: {exc.message}")
                        return
                    continue
                if row and row["cancel_requested"] and not ctx.cancel.is_set():
                    ctx.cancel.set()
                    self.report("cancel", ctx.run_id, text="cancel requested: stopping the step")
        finally:
            self.queue.close()
