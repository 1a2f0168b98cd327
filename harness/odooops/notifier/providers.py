"""The two providers' commit status APIs: the request for an outbox row, and
what an answer means (delivered, retry later, rate limited, give up)."""

from __future__ import annotations

import json
import time
import urllib.parse
from dataclasses import dataclass

GITHUB_API_URL = "https://api.github.com"
GITLAB_API_URL = "https://gitlab.com"
USER_AGENT = "odooops-notify"
DESCRIPTION_MAX = 140  # GitHub's limit; the database bounds it too


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: dict[str, str]
    body: dict


def target_url(console_url: str | None, row: dict) -> str | None:
    """A link to the run in the console, when one is configured."""
    if not console_url:
        return None
    return f"{console_url.rstrip('/')}/runs/{row['run_id']}"


def api_base(row: dict, *, github_api_url: str, gitlab_api_url: str) -> str:
    """The API ``row`` goes to: its registered git host's (``ops.git_hosts``), else the default for its provider."""
    if row.get("api_url"):
        return row["api_url"].rstrip("/")
    return (github_api_url if row["provider"] == "github" else gitlab_api_url).rstrip("/")


def build_request(row: dict, token: str, *, github_api_url: str, gitlab_api_url: str,
                  console_url: str | None) -> Request:
    """The HTTP request that sets ``row``'s status on its provider."""
    link = target_url(console_url, row)
    base = api_base(row, github_api_url=github_api_url, gitlab_api_url=gitlab_api_url)
    description = row["description"][:DESCRIPTION_MAX]
    if row["provider"] == "github":
        owner, name = row["repository"].split("/", 1)
        path = "/repos/{}/{}/statuses/{}".format(
            urllib.parse.quote(owner, safe=""), urllib.parse.quote(name, safe=""), row["commit_sha"])
        body = {"state": row["state"], "description": description, "context": row["context"]}
        if link:
            body["target_url"] = link
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        return Request("POST", base + path, headers, body)
    if row["provider"] == "gitlab":
        project = urllib.parse.quote(row["repository"], safe="")
        path = f"/api/v4/projects/{project}/statuses/{row['commit_sha']}"
        body = {"state": row["state"], "name": row["context"], "description": description}
        if link:
            body["target_url"] = link
        return Request("POST", base + path, {"PRIVATE-TOKEN": token}, body)
    raise ValueError(f"unknown provider {row['provider']!r}")


def encode(req: Request) -> tuple[bytes, dict[str, str]]:
    headers = dict(req.headers, **{"Content-Type": "application/json", "User-Agent": USER_AGENT})
    return json.dumps(req.body).encode(), headers


@dataclass(frozen=True)
class Verdict:
    """What to do with a row after an answer: ``delivered``; else hand it back
    after ``delay`` seconds (``None``: the caller's backoff), counting an attempt
    unless ``rate_limited``; ``give_up`` when no retry can help."""

    delivered: bool = False
    delay: float | None = None
    rate_limited: bool = False
    give_up: bool = False
    error: str = ""


def rate_limit_delay(status: int, headers, now: float | None = None) -> float | None:
    """Seconds to wait when the answer is a rate limit, else None: ``Retry-After``
    (seconds), or ``X-RateLimit-Reset`` (epoch seconds, GitHub; GitLab's
    ``RateLimit-Reset``) with ``X-RateLimit-Remaining: 0``, on a 403 or 429."""
    if status not in (403, 429):
        return None
    now = time.time() if now is None else now
    retry_after = headers.get("Retry-After")
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            pass
    remaining = headers.get("X-RateLimit-Remaining", headers.get("RateLimit-Remaining"))
    reset = headers.get("X-RateLimit-Reset", headers.get("RateLimit-Reset"))
    if remaining is not None and remaining.strip() == "0" and reset is not None:
        try:
            return max(0.0, float(reset) - now)
        except ValueError:
            return 60.0
    if status == 429:
        return 60.0  # a rate limit that does not say until when
    return None


def judge(status: int, headers, body: bytes) -> Verdict:
    """What an HTTP answer means for the row."""
    if 200 <= status < 300:
        return Verdict(delivered=True)
    detail = body[:200].decode("utf-8", "replace").strip().replace("\n", " ")
    error = f"HTTP {status}: {detail}" if detail else f"HTTP {status}"
    wait = rate_limit_delay(status, headers)
    if wait is not None:
        return Verdict(delay=wait, rate_limited=True, error=error)
    if status in (400, 404, 410, 422):
        # A malformed request, an unknown repository or commit: resending the same cannot help.
        return Verdict(give_up=True, error=error)
    return Verdict(error=error)  # 401, another 403, 408, 5xx: retry with backoff
