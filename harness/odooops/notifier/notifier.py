"""The notifier's loop: lease the due rows of ``ops.commit_status_outbox``, set
each status on its provider, then mark it delivered (only after a 2xx) or hand
it back for later.

Nothing is lost or sent twice after success: a row is marked delivered in the
database only once the provider answered 2xx, and a delivered row is never
leased again. A notifier that dies between the answer and the mark leaves the
row leased; when the lease expires another pass sends the same status again,
which sets the same state on the same commit and context: harmless.

Retries: exponential backoff with full jitter (``base * 2**attempts``, capped,
times a random factor in [0.5, 1)), counted by the database, which gives up
after 20. Rate limits (403 or 429 with ``Retry-After``, or
``X-RateLimit-Remaining: 0`` and ``X-RateLimit-Reset``) pause every request to
that API (github.com, a GitHub Enterprise, a GitLab: each has its own limit)
until the reset, and hand the rows back without counting an attempt.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from ..runner.queue import SERVICE_ROLE, Connection, Health, RpcError
from . import providers

MAX_ERROR = 500  # ops.retry_commit_status's bound


class Notifier:
    def __init__(self, conninfo: str, *, notifier_id: str | None = None, role: str | None = SERVICE_ROLE,
                 github_api_url: str = providers.GITHUB_API_URL, gitlab_api_url: str = providers.GITLAB_API_URL,
                 console_url: str | None = None, batch: int = 10, lease_seconds: int = 60,
                 timeout: float = 10.0, backoff_base: float = 2.0, backoff_cap: float = 600.0,
                 poll_interval: float = 2.0, once: bool = False, json_mode: bool = False,
                 retain_days: int | None = 30, prune_batch: int = 1000, prune_every: float = 3600.0,
                 out: Callable[[str], None] | None = None) -> None:
        self.notifier_id = notifier_id or f"{socket.gethostname()}:{os.getpid()}"
        self.github_api_url = github_api_url
        self.gitlab_api_url = gitlab_api_url
        self.console_url = console_url
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.timeout = timeout
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.poll_interval = poll_interval
        self.once = once
        self.json_mode = json_mode
        self.retain_days = retain_days
        self.prune_batch = prune_batch
        self.prune_every = prune_every
        self.pruned_at: float | None = None  # time.monotonic() of the last prune
        self.out = out or (lambda line: print(line, flush=True))
        self.stop = threading.Event()
        self.blocked_until: dict[str, float] = {}  # API base URL -> time.time() of its rate limit reset
        self.db = Connection(conninfo, role, Health(self.report), f"odooops-notify {self.notifier_id}")

    # -- output ---------------------------------------------------------------------
    def report(self, event: str, **fields) -> None:
        if self.json_mode:
            self.out(json.dumps({"event": event, **fields}, default=str))
        else:
            self.out(" ".join([event] + [f"{k}={v}" for k, v in fields.items()]))

    def install_signal_handlers(self) -> None:
        def handler(signum, frame):
            self.stop.set()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    # -- the loop -------------------------------------------------------------------
    def serve(self) -> int:
        """Until stopped (or one pass with ``once``): lease, send, repeat; wait when nothing is due."""
        self.report("notifier-started", notifier=self.notifier_id)
        try:
            while not self.stop.is_set():
                sent = self.pass_once()
                if self.pruned_at is None or time.monotonic() - self.pruned_at >= self.prune_every:
                    self.prune()
                if self.once:
                    break
                if not sent:
                    self.stop.wait(self.poll_interval)
        finally:
            self.close()
        return 0

    def close(self) -> None:
        self.db.close()

    def pass_once(self) -> int:
        """Lease up to ``batch`` due rows and handle each; return how many were leased."""
        rows = self.db.call("select * from ops.lease_commit_statuses(%s, %s, %s)",
                            (self.notifier_id, self.batch, self.lease_seconds), rows=True)
        for row in rows:
            if self.stop.is_set():
                break  # the rest come back when their lease expires
            self.handle(row)
        return len(rows)

    def prune(self) -> int:
        """Delete rows delivered more than ``retain_days`` ago, ``prune_batch`` per transaction, until a batch
        comes back short; return how many."""
        self.pruned_at = time.monotonic()
        if self.retain_days is None:
            return 0
        total = 0
        while not self.stop.is_set():
            deleted = self.db.call("select ops.prune_commit_statuses(%s, %s) as deleted",
                                   (self.retain_days, self.prune_batch))["deleted"]
            total += deleted
            if deleted < self.prune_batch:
                break
        if total:
            self.report("pruned", rows=total, older_than_days=self.retain_days)
        return total

    def backoff(self, attempts: int) -> float:
        return min(self.backoff_cap, self.backoff_base * 2 ** attempts) * random.uniform(0.5, 1.0)

    def hand_back(self, row: dict, delay: float, error: str, *, http_status: int | None = None,
                  give_up: bool = False, count: bool = True) -> None:
        after = self.db.call(
            "select * from ops.retry_commit_status(%s, %s, %s, %s, %s, %s, %s)",
            (row["id"], self.notifier_id, min(max(delay, 0.0), 86400.0), error[:MAX_ERROR] or "failed",
             http_status, give_up, count))
        self.report("status-given-up" if after["gave_up_at"] else "status-retry", id=row["id"],
                    provider=row["provider"], state=row["state"], delay=round(delay, 3), error=error[:120])

    def handle(self, row: dict) -> None:
        provider = row["provider"]
        api = providers.api_base(row, github_api_url=self.github_api_url, gitlab_api_url=self.gitlab_api_url)
        wait = self.blocked_until.get(api, 0.0) - time.time()
        if wait > 0:
            self.hand_back(row, wait, f"{provider} rate limit of {api}: waiting for its reset", count=False)
            return
        try:
            token = self.db.call("select ops.get_commit_status_token(%s, %s) as token",
                                 (row["id"], self.notifier_id))["token"]
        except RpcError as exc:
            if exc.sqlstate == "OP002":
                self.report("status-lost", id=row["id"], error=exc.message)
                return
            self.hand_back(row, self.backoff(row["attempts"]), exc.message)
            return
        req = providers.build_request(row, token, github_api_url=self.github_api_url,
                                      gitlab_api_url=self.gitlab_api_url, console_url=self.console_url)
        status, headers, body, error = self.send(req)
        if status is None:
            self.hand_back(row, self.backoff(row["attempts"]), error)
            return
        verdict = providers.judge(status, headers, body)
        if verdict.delivered:
            try:
                self.db.call("select id from ops.complete_commit_status(%s, %s, %s)",
                             (row["id"], self.notifier_id, status))
            except RpcError as exc:
                # Our lease lapsed and another notifier took the row: it sends it too (harmless).
                self.report("status-lost", id=row["id"], error=exc.message)
                return
            self.report("status-delivered", id=row["id"], provider=provider, repository=row["repository"],
                        sha=row["commit_sha"][:12], context=row["context"], state=row["state"], http=status)
            return
        if verdict.rate_limited:
            self.blocked_until[api] = max(self.blocked_until.get(api, 0.0), time.time() + verdict.delay)
            self.hand_back(row, verdict.delay, verdict.error, http_status=status, count=False)
            return
        self.hand_back(row, 0.0 if verdict.give_up else self.backoff(row["attempts"]), verdict.error,
                       http_status=status, give_up=verdict.give_up)

    def send(self, req: providers.Request) -> tuple[int | None, object, bytes, str]:
        """(status, headers, body, error); status None when no answer came (timeout, refused)."""
        data, headers = providers.encode(req)
        request = urllib.request.Request(req.url, data=data, headers=headers, method=req.method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310 (configured URL)
                return resp.status, resp.headers, resp.read(4096), ""
        except urllib.error.HTTPError as exc:
            try:
                body = exc.read(4096)
            except OSError:
                body = b""
            return exc.code, exc.headers, body, ""
        except (OSError, ValueError) as exc:  # URLError, timeouts, resets
            reason = getattr(exc, "reason", exc)
            return None, {}, b"", f"no answer: {reason}"[:MAX_ERROR]

