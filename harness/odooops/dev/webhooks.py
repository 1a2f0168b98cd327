"""The webhooks Edge Function served by Deno on a local port, and signed GitHub pushes to it.

Used by ``odooops demo``, tests/e2e/test_push_to_status.py and tests/e2e/test_pull_request_to_status.py:

* :func:`serve` runs ``supabase/functions/webhooks/index.ts``'s handler with
  ``Deno.serve`` on 127.0.0.1 and a free port (a two-line ``deno eval``: the
  module's own ``Deno.serve`` would take port 8000), with ``SUPABASE_DB_URL``
  set to the given database, as ``odooops functions test`` sets it;
* :func:`github_push` is a push payload of ``@octokit/webhooks-examples``
  (GitHub's own example) with only its repository, ``ref``, ``before`` and
  ``after`` changed; :func:`github_pull_request` is its ``pull_request`` example
  for a repository, request number, action, head commit and head repository (a
  fork when it is another); :func:`post_github` signs it (``X-Hub-Signature-256``,
  HMAC-SHA256 of the body with the project's webhook secret) and POSTs it;
* :func:`gitlab_push` is the "Push events" example of GitLab's webhook
  documentation (``supabase/functions/tests/fixtures/gitlab``) with its project
  URLs, ``ref``, ``before`` and ``after`` changed; :func:`post_gitlab` POSTs it
  with the project's secret token (``X-Gitlab-Token``).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import hmac
import json
import subprocess
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from functools import cache

from .functions import _tool, deno_env, functions_dir
from .target import project_root

EXAMPLES = ("node_modules", "@octokit", "webhooks-examples", "api.github.com", "index.json")
EXAMPLE_REPOSITORY = "Codertocat/Hello-World"
GITLAB_PUSH = ("supabase", "functions", "tests", "fixtures", "gitlab", "push_hook.json")
GITLAB_EXAMPLE_URL = "http://example.com/mike/diaspora"

SERVE = """
const { handler } = await import(Deno.args[0]);
Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(`listening ${port}`) }, handler);
"""


@contextlib.contextmanager
def serve(database_url: str, timeout: float = 60.0) -> Iterator[str]:
    """Serve the webhooks function against ``database_url`` (a postgresql:// URL); yield its base URL."""
    index = (functions_dir() / "webhooks" / "index.ts").as_uri()
    env = deno_env({"SUPABASE_DB_URL": database_url})
    proc = subprocess.Popen(
        [str(_tool("deno")), "eval", "--config", str(functions_dir() / "deno.json"), "--ext", "ts", SERVE, index],
        cwd=functions_dir(), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        port: list[str] = []
        output: list[str] = []

        def read() -> None:
            for line in iter(proc.stdout.readline, ""):
                output.append(line.rstrip())
                if line.startswith("listening ") and not port:
                    port.append(line.split()[1])
                    listening.set()
            listening.set()

        listening = threading.Event()
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        if not listening.wait(timeout) or not port:
            raise RuntimeError("deno did not serve the webhooks function: " + "\n".join(output[-20:]))
        yield f"http://127.0.0.1:{port[0]}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()


@cache
def _examples(event: str = "push") -> list[dict]:
    index = json.loads(project_root().joinpath(*EXAMPLES).read_text())
    return next(e["examples"] for e in index if e["name"] == event)


def github_push(repository: str, branch: str, before: str, after: str) -> dict:
    """GitHub's example push of a branch, for ``repository`` (``owner/name``), ``branch`` and ``after``."""
    example = next(p for p in _examples() if p["ref"] == "refs/heads/master")
    payload = copy.deepcopy(example)
    owner, name = repository.split("/", 1)
    repo = json.dumps(payload["repository"]).replace(EXAMPLE_REPOSITORY, repository)
    payload["repository"] = {**json.loads(repo), "name": name, "full_name": repository}
    payload["repository"]["owner"] = {**payload["repository"]["owner"], "login": owner, "name": owner}
    payload.update(ref=f"refs/heads/{branch}", before=before, after=after)
    return payload


def github_pull_request(repository: str, number: int, action: str, head: str,
                        head_repository: str | None = None) -> dict:
    """GitHub's example ``pull_request`` of ``action`` for ``repository`` (``owner/name``), request ``number``
    and head commit ``head``; ``head_repository`` (``owner/name``) another than ``repository`` makes it a
    fork's, whose head branch is ``main``."""
    example = next(p for p in _examples("pull_request") if p["action"] == action)
    payload = json.loads(json.dumps(example).replace(EXAMPLE_REPOSITORY, repository))
    payload["number"] = payload["pull_request"]["number"] = number
    payload["pull_request"]["head"]["sha"] = head
    if head_repository and head_repository != repository:
        head_repo = json.loads(json.dumps(payload["pull_request"]["head"]["repo"]).replace(repository, head_repository))
        payload["pull_request"]["head"].update(ref="main", repo={**head_repo, "id": head_repo["id"] + 1})
    return payload


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_github(url: str, event: str, payload: dict, secret: str, delivery: str | None = None,
                timeout: float = 30.0) -> tuple[int, dict]:
    """POST a signed GitHub delivery to ``url``; (HTTP status, JSON answer)."""
    body = json.dumps(payload).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/odooops-demo",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(secret, body),
    })
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def gitlab_push(repository_url: str, branch: str, before: str, after: str) -> dict:
    """GitLab's example push, for the project at ``repository_url`` (https://HOST/PATH), ``branch`` and ``after``."""
    payload = json.loads(project_root().joinpath(*GITLAB_PUSH).read_text())
    base = repository_url.removesuffix(".git")
    host, path = base.split("://", 1)[1].split("/", 1)
    text = json.dumps(payload).replace(GITLAB_EXAMPLE_URL, base).replace("git@example.com:mike/diaspora",
                                                                         f"git@{host}:{path}")
    payload = json.loads(text)
    payload["project"].update(path_with_namespace=path, name=path.rsplit("/", 1)[-1])
    payload.update(ref=f"refs/heads/{branch}", before=before, after=after, checkout_sha=after)
    return payload


def post_gitlab(url: str, payload: dict, token: str, delivery: str | None = None,
                timeout: float = 30.0) -> tuple[int, dict]:
    """POST a GitLab Push Hook delivery with its secret token to ``url``; (HTTP status, JSON answer)."""
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST", headers={
        "Content-Type": "application/json",
        "User-Agent": "GitLab/odooops-demo",
        "X-Gitlab-Event": "Push Hook",
        "X-Gitlab-Event-UUID": delivery or str(uuid.uuid4()),
        "X-Gitlab-Token": token,
    })
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")
