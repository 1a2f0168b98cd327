"""A local HTTP server that plays GitHub's and GitLab's commit status APIs.

Every GitHub request is checked against GitHub's published OpenAPI
description (npm ``@octokit/openapi``, pinned in package.json): the path and
method must be those of the operation ``repos/create-commit-status``, the JSON
body must validate against its request body schema; the headers against
GitHub's documentation (Bearer token, ``Accept: application/vnd.github+json``,
``X-GitHub-Api-Version: 2022-11-28``), the description against its 140
characters. GitLab requests are checked against its documented
``POST /api/v4/projects/:id/statuses/:sha``. A request that fails a check is
answered 422 and kept in ``violations``.

Answers are scripted: each request takes the next of ``script`` (default 201):
an int status, ``(status, headers)``, or ``"hang"`` (no answer until the test
ends: the client's timeout). ``on_request`` runs before the answer.

It lives here, not under tests/, so ``odooops demo`` can show a push's
statuses too; tests/notifier and tests/e2e import it from here.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jsonschema

from .target import project_root

OPENAPI = ("node_modules", "@octokit", "openapi", "generated", "api.github.com.deref.json")
OPERATION = "repos/create-commit-status"
GITLAB_STATES = {"pending", "running", "success", "failed", "canceled"}


def _nullable(schema):
    """OpenAPI 3.0's ``nullable: true`` as JSON Schema: the type or null."""
    if isinstance(schema, dict):
        out = {k: _nullable(v) for k, v in schema.items() if k != "nullable"}
        if schema.get("nullable") and "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        return out
    if isinstance(schema, list):
        return [_nullable(x) for x in schema]
    return schema


@cache
def github_operation() -> tuple[str, str, re.Pattern, dict]:
    """(method, path template, path regex, request body JSON Schema) of repos/create-commit-status."""
    openapi = project_root().joinpath(*OPENAPI)
    spec = json.loads(openapi.read_text())
    assert spec["info"]["version"] == "23.0.2", spec["info"]["version"]
    for template, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get("operationId") == OPERATION:
                segments = []
                for part in re.split(r"(\{[^}]+\})", template):
                    if part.startswith("{"):
                        name = part[1:-1]
                        param = next(p for p in op["parameters"] if p["name"] == name and p["in"] == "path")
                        multi = param.get("x-multi-segment")
                        segments.append(f"(?P<{name}>{'.+' if multi else '[^/]+'})")
                    else:
                        segments.append(re.escape(part))
                schema = _nullable(op["requestBody"]["content"]["application/json"]["schema"])
                return method.upper(), template, re.compile("^" + "".join(segments) + "$"), schema
    raise AssertionError(f"{OPERATION} is not in {openapi}")


@dataclass
class Recorded:
    at: float
    provider: str
    method: str
    path: str
    headers: dict
    body: dict


@dataclass
class FakeProviders:
    script: list = field(default_factory=list)
    on_request: object = None
    requests: list = field(default_factory=list)
    violations: list = field(default_factory=list)

    def __post_init__(self):
        self.release = threading.Event()
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                fake.handle(self)

            do_GET = do_PUT = do_PATCH = do_DELETE = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    # -- checks --------------------------------------------------------------------
    def check_github(self, method, path, headers, raw) -> list[str]:
        op_method, template, pattern, schema = github_operation()
        problems = []
        if method != op_method:
            problems.append(f"method {method}, {OPERATION} is {op_method}")
        if not pattern.match(urllib.parse.urlsplit(path).path):
            problems.append(f"path {path} is not {template}")
        if not re.fullmatch(r"Bearer \S+", headers.get("authorization", "")):
            problems.append("Authorization is not a Bearer token")
        if headers.get("accept") != "application/vnd.github+json":
            problems.append(f"Accept is {headers.get('accept')!r}")
        if headers.get("x-github-api-version") != "2022-11-28":
            problems.append(f"X-GitHub-Api-Version is {headers.get('x-github-api-version')!r}")
        if not headers.get("content-type", "").startswith("application/json"):
            problems.append(f"Content-Type is {headers.get('content-type')!r}")
        try:
            body = json.loads(raw)
            jsonschema.validate(body, schema)
            if body.get("description") and len(body["description"]) > 140:
                problems.append("description longer than 140 characters")
        except (ValueError, jsonschema.ValidationError) as exc:
            problems.append(f"body: {str(exc).splitlines()[0]}")
        return problems

    def check_gitlab(self, method, path, headers, raw) -> list[str]:
        problems = []
        if method != "POST" or not re.fullmatch(r"/api/v4/projects/[^/]+/statuses/[0-9a-f]{6,64}",
                                                urllib.parse.urlsplit(path).path):
            problems.append(f"{method} {path} is not POST /api/v4/projects/:id/statuses/:sha")
        if not headers.get("private-token"):
            problems.append("no PRIVATE-TOKEN")
        try:
            body = json.loads(raw)
            if body.get("state") not in GITLAB_STATES:
                problems.append(f"state {body.get('state')!r}")
            if set(body) - {"state", "name", "target_url", "description", "ref", "context", "coverage",
                            "pipeline_id"}:
                problems.append(f"unknown fields {sorted(body)}")
        except ValueError as exc:
            problems.append(f"body: {exc}")
        return problems

    # -- one request -------------------------------------------------------------------
    def handle(self, h: BaseHTTPRequestHandler):
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in h.headers.items()}  # HTTP header names are case-insensitive
        provider = "gitlab" if h.path.startswith("/api/v4/") else "github"
        check = self.check_gitlab if provider == "gitlab" else self.check_github
        problems = check(h.command, h.path, headers, raw)
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        with self.lock:
            record = Recorded(time.time(), provider, h.command, h.path, headers, body)
            self.requests.append(record)
            action = self.script.pop(0) if self.script else 201
        if problems:
            self.violations.append((h.path, problems))
            return self.answer(h, 422, {}, {"message": "; ".join(problems)})
        if self.on_request is not None:
            try:
                self.on_request(record)
            except Exception as exc:  # noqa: BLE001 - shown to the test, answered 500
                self.violations.append((h.path, [f"on_request failed: {exc!r}"]))
                return self.answer(h, 500, {}, {"message": "on_request failed"})
        if action == "hang":
            self.release.wait(60)
            return None
        status, extra = action if isinstance(action, tuple) else (action, {})
        payload = {"id": len(self.requests), "state": body.get("state"), "context": body.get("context")}
        return self.answer(h, status, extra, payload if status < 300 else {"message": f"fake {status}"})

    @staticmethod
    def answer(h, status, headers, payload):
        data = json.dumps(payload).encode()
        try:
            h.send_response(status)
            for k, v in headers.items():
                h.send_header(k, str(v))
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except OSError:
            pass  # the client gave up (a timeout the test asked for)
