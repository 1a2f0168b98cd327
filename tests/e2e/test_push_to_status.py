"""From a push on GitHub to the commit's status on GitHub, with every piece real but GitHub itself: a project
whose repository is ``https://github.com/acme/library-addons``, connected with ``odooops project connect github``,
its ``GITHUB_TOKEN`` secret set; GitHub's example push payload (``@octokit/webhooks-examples``) for that
repository and a real commit, signed with the secret connect printed and POSTed to the webhooks Edge Function
served by Deno; a second push to the same branch supersedes the first run while it is queued; a real
``odooops worker --once`` builds the newest commit, checking it out from a local git repository that stands in
for GitHub (git's ``url.<base>.insteadOf``, passed to the steps with ``--pass-env``: the project keeps its GitHub
URL); ``odooops notify --once`` sends the statuses to a local GitHub API (odooops/dev/fake_providers.py, every
request checked against GitHub's OpenAPI description), which records, in order, pending then error (canceled)
for the superseded commit and pending then success for the newest one."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from odooops.dev import demo, demo_repo, functions, webhooks
from odooops.dev.fake_providers import FakeProviders

from tests.concurrency.conftest import worker_conn
from tests.conftest import ROOT

REPOSITORY = "acme/library-addons"
GITHUB_URL = f"https://github.com/{REPOSITORY}"
BRANCH = "feature/loans"
CONSOLE = "https://console.test.invalid"
ZERO = "0" * 40


@pytest.fixture
def fake():
    f = FakeProviders()
    yield f
    f.close()


def odooops(ops, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "odooops.cli", *args], env=ops.script_env(), capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def notify_once(ops, fake) -> str:
    r = odooops(ops, "notify", "--once", "--database-url", ops.db.conninfo("service_role"), "--notifier-id",
                "n-e2e", "--github-api-url", fake.url, "--console-url", CONSOLE)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_a_signed_push_ends_as_commit_statuses_on_github(ops, fake):
    with ops.conn() as c:
        ids = demo.create_project(c, "acme", GITHUB_URL, workflows={"build": demo.WORKFLOWS["build"]})
    r = odooops(ops, "project", "connect", "github", "acme", "--url", "https://abc.supabase.co")
    assert r.returncode == 0, r.stderr
    secret = re.search(r"^  Secret:\s+([0-9a-f]{64})$", r.stdout, re.MULTILINE).group(1)
    with worker_conn(ops.db) as svc:
        svc.execute("select ops.set_project_secret('acme', 'GITHUB_TOKEN', 'ghp_e2e_token')")

    first = ops.commit
    second = demo_repo.commit(ops.repo, {"library/README.md": "Loans of books.\n"}, "Describe the library addon")

    with webhooks.serve(functions.database_url(ops.db)) as url:
        status, body = webhooks.post_github(url, "push", webhooks.github_push(REPOSITORY, BRANCH, ZERO, first),
                                            secret)
        assert status == 200, body
        assert body["branch"] == BRANCH and [r["commit_sha"] for r in body["runs"]] == [first]
        first_run = body["runs"][0]["id"]
        assert body["runs"][0]["workflow_id"] == ids["build"] and body["runs"][0]["status"] == "queued"
        notify_once(ops, fake)  # the first commit's pending reaches GitHub while its run is queued

        status, body = webhooks.post_github(url, "push", webhooks.github_push(REPOSITORY, BRANCH, first, second),
                                            secret)
        assert status == 200, body
        assert [r["commit_sha"] for r in body["runs"]] == [second]
        second_run = body["runs"][0]["id"]

        # A wrong signature changes nothing.
        forged = webhooks.github_push(REPOSITORY, BRANCH, second, "f" * 40)
        status, body = webhooks.post_github(url, "push", forged, "not-the-secret")
        assert status == 401, body

    assert ops.one("select status::text, cancel_reason from ops.runs where id = %s", (first_run,)) == (
        "canceled", f"superseded by {second_run}")
    assert ops.one("select head_commit, stage::text from ops.branches where name = %s", (BRANCH,)) == (
        second, "development"), "the forged push changed nothing"
    notify_once(ops, fake)

    # The project keeps its GitHub URL; the steps' git fetches it from the local repository.
    worker = ops.worker("--once", "--pass-env", "GIT_CONFIG_COUNT", "--pass-env", "GIT_CONFIG_KEY_0",
                        "--pass-env", "GIT_CONFIG_VALUE_0",
                        env={"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"url.{ops.repo_url}.insteadOf",
                             "GIT_CONFIG_VALUE_0": GITHUB_URL})
    assert worker.wait(60) == 0, ops.worker_events("w1")
    assert ops.status(second_run) == "succeeded", ops.logs(second_run)
    assert any(f"checkout {GITHUB_URL} at {second}" in m for *_, m, _ in ops.logs(second_run))
    notify_once(ops, fake)

    assert fake.violations == []
    sent = [(r.path.rsplit("/", 1)[1], r.body) for r in fake.requests]
    expected = {
        first: [("pending", "Queued", first_run), ("error", "Canceled", first_run)],
        second: [("pending", "Queued", second_run), ("success", "Succeeded", second_run)],
    }
    for sha, statuses in expected.items():
        assert [b for s, b in sent if s == sha] == [
            {"state": state, "description": text, "context": "odooops/build", "target_url": f"{CONSOLE}/runs/{run}"}
            for state, text, run in statuses
        ], sent
    assert len(sent) == 4 and sent[0][0] == first and sent[-1][0] == second, sent
    assert {r.path.rsplit("/", 1)[0] for r in fake.requests} == {f"/repos/{REPOSITORY}/statuses"}
    assert {r.headers["authorization"] for r in fake.requests} == {"Bearer ghp_e2e_token"}
