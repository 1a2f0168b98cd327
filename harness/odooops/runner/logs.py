"""A run's log lines: masked, numbered, and shipped in batches.

Lines go to ``ops.run_logs`` through ``append_run_logs`` at most every 100 ms
or 500 lines, whichever comes first, from a thread of the shipper's own. Each
value of the run's secrets (and each line of a multi-line one) is replaced by
``***`` before a line is stored.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from .queue import Queue, RpcError, Stopped

FLUSH_INTERVAL = 0.1  # seconds a line may wait before its batch is sent
BATCH_LINES = 500  # ... or this many lines, whichever comes first
MAX_MESSAGE = 16384  # ops.run_logs.message bound
LEVEL_PREFIX = re.compile(r"^\s*(DEBUG|INFO|WARNING|WARN|ERROR|FATAL|CRITICAL|Traceback)\b", re.IGNORECASE)


class Masker:
    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Mask these values too. Logs are shipped line by line, so each line of a
        multi-line value (a key, a certificate) is masked on its own as well."""
        found = set(self.secrets)
        for s in secrets:
            if s:
                found.add(s)
                found.update(part.strip() for part in s.splitlines() if len(part.strip()) >= 4)
        self.secrets = sorted(found, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for s in self.secrets:
            text = text.replace(s, "***")
        return text


def level_of(line: str, default: str = "info") -> str:
    m = LEVEL_PREFIX.match(line)
    if not m:
        return default
    word = m.group(1).lower()
    if word in ("error", "fatal", "critical", "traceback"):
        return "error"
    if word in ("warning", "warn"):
        return "warning"
    return word


class LogShipper:
    """Numbers a run's lines and sends them in batches from a thread of its own.

    Each line gets the next ``seq`` and a timestamp strictly after the previous
    line's, so ``order by timestamp`` and ``order by seq`` agree. A batch stays
    at the head of the queue until the database took it: a retry after a broken
    connection sends the same seqs, which ``append_run_logs`` stores once.
    """

    def __init__(self, queue: Queue, run_id: str, first_seq: int, masker: Masker,
                 on_lost: Callable[[RpcError], None], flush_interval: float = FLUSH_INTERVAL,
                 batch_lines: int = BATCH_LINES) -> None:
        self.run_id = run_id
        self.seq = first_seq - 1
        self.mask = masker
        self.on_lost = on_lost
        self.flush_interval, self.batch_lines = flush_interval, batch_lines
        self.pending: list[dict] = []
        self.first_pending_at = 0.0
        self.last_ts = datetime.now(UTC) - timedelta(seconds=1)
        self.cond = threading.Condition()
        self.flush_now = False
        self.closing = False
        self.abort = threading.Event()
        self.queue = queue.fork("odooops-logs", abort=self.abort)
        self.sending = False
        self.shipped = 0
        self.thread = threading.Thread(target=self._loop, name=f"logs-{run_id[:8]}", daemon=True)
        self.thread.start()

    def emit(self, message: str, level: str = "info", stream: str = "worker", **metadata: Any) -> None:
        message = self.mask(message)
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 40] + f" ...[{len(message) - MAX_MESSAGE + 40} chars cut]"
        with self.cond:
            ts = max(datetime.now(UTC), self.last_ts + timedelta(microseconds=1))
            self.last_ts = ts
            self.seq += 1
            first = not self.pending
            if first:
                self.first_pending_at = time.monotonic()
            self.pending.append({"seq": self.seq, "level": level, "stream": stream, "message": message,
                                 "metadata": metadata, "timestamp": ts.isoformat()})
            if first or len(self.pending) >= self.batch_lines:
                self.cond.notify_all()  # an idle shipper starts its 100 ms clock; a full batch goes now

    def _loop(self) -> None:
        while True:
            with self.cond:
                while True:
                    if self.pending:
                        due = self.first_pending_at + self.flush_interval - time.monotonic()
                        if due <= 0 or self.flush_now or self.closing or len(self.pending) >= self.batch_lines:
                            break
                        self.cond.wait(due)
                    elif self.closing:
                        return
                    else:
                        self.cond.wait(0.5)
                batch = self.pending[: self.batch_lines]
                self.sending = True
            try:
                self.queue.append_logs(self.run_id, batch)
            except Stopped:
                with self.cond:
                    self.sending = False
                    self.pending.clear()
                    self.cond.notify_all()
                return
            except RpcError as exc:
                # Not the holder any more (OP002) or the run is gone: these lines have
                # no run to go to. Drop them and say so once.
                with self.cond:
                    self.sending = False
                    self.pending.clear()
                    self.cond.notify_all()
                self.on_lost(exc)
                continue
            with self.cond:
                del self.pending[: len(batch)]
                self.shipped += len(batch)
                if self.pending:
                    self.first_pending_at = min(self.first_pending_at, time.monotonic())
                self.sending = False
                self.flush_now = bool(self.pending) and self.flush_now
                self.cond.notify_all()

    def flush(self, timeout: float) -> bool:
        """Send everything emitted so far; True when it all reached the database."""
        end = time.monotonic() + timeout
        with self.cond:
            self.flush_now = True
            self.cond.notify_all()
            while self.pending or self.sending:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.05))
            self.flush_now = False
        return True

    def close(self, timeout: float = 10.0) -> bool:
        ok = self.flush(timeout)
        with self.cond:
            self.closing = True
            self.cond.notify_all()
        self.abort.set()
        self.thread.join(2)
        self.queue.close()
        return ok
