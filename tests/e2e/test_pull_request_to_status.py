"""A fork's pull request, from GitHub's webhook to the commit's status, with every piece real but GitHub itself:
a project of ``https://github.com/acme/library-addons`` whose build workflow opts in to forks, connected with
``odooops project connect github``, its ``GITHUB_TOKEN`` and ``API_TOKEN`` secrets set; the fork's commit lives
on ``refs/pull/7/head`` of a local git repository that stands in for GitHub, on no branch; GitHub's example
``pull_request`` payload (``@octokit/webhooks-examples``) for it, from the fork ``mallory/library-addons`` whose
head branch is ``main``, signed and POSTed to the webhooks Edge Function served by Deno; a real ``odooops worker
--once`` checks out the request's ref and runs the steps without any secret, though the run names one; the
project's ``main`` neither moves nor builds; ``odooops notify --once`` sends the newest status, success, of the
fork's commit to a local GitHub API checked against GitHub's OpenAPI description."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from odooops.dev import demo, demo_repo, functions, webhooks
from odooops.dev.fake_providers import FakeProviders

from tests.conftest import ROOT

REPOSITORY = "acme/library-addons"
GITHUB_URL = f"https://github.com/{REPOSITORY}"
CONSOLE = "https://console.test.invalid"
WORKFLOW = {
    "steps": [demo.step("checkout", timeout_seconds=120),
              {"name": "secret", "command": 'echo "API_TOKEN is ${API_TOKEN:-unset}"'}],
}


@pytest.fixture
def fake():
    f = FakeProviders()
    yield f
    f.close()


def odooops(ops, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "odooops.cli", *args], env=ops.script_env(), capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def test_a_forks_pull_request_builds_its_ref_without_secrets_and_reports_statuses(ops, fake):
    with ops.conn() as c:
        ids = demo.create_project(c, "acme", GITHUB_URL, workflows={"build": WORKFLOW})
        c.execute("update ops.workflows set triggers = %s where id = %s",
                  ('{"pull_request": {"actions": ["opened", "updated"], "forks": true}}', ids["build"]))
        c.execute("select ops.set_project_secret('acme', 'GITHUB_TOKEN', 'ghp_e2e_token')")
        c.execute("select ops.set_project_secret('acme', 'API_TOKEN', 'the-api-token')")
    r = odooops(ops, "project", "connect", "github", "acme", "--url", "https://abc.supabase.co")
    assert r.returncode == 0, r.stderr
    secret = re.search(r"^  Secret:\s+([0-9a-f]{64})$", r.stdout, re.MULTILINE).group(1)

    # The fork's commit is on refs/pull/7/head only, as GitHub keeps it in the base repository.
    main = ops.commit
    head = demo_repo.commit(ops.repo, {"library/README.md": "A fork's change.\n"}, "A fork's change")
    demo_repo._git(["update-ref", "refs/pull/7/head", head], ops.repo)
    demo_repo._git(["reset", "-q", "--hard", main], ops.repo)

    payload = webhooks.github_pull_request(REPOSITORY, 7, "opened", head, head_repository="mallory/library-addons")
    with webhooks.serve(functions.database_url(ops.db)) as url:
        status, body = webhooks.post_github(url, "pull_request", payload, secret)
    assert status == 200, body
    assert body["ref"] == "refs/pull/7/head" and body["number"] == 7
    assert [(r["commit_sha"], r["untrusted"]) for r in body["runs"]] == [(head, True)]
    run_id = body["runs"][0]["id"]
    with ops.conn() as c:  # the run names a secret, as any run may: it still gets none
        c.execute("""update ops.runs set params = '{"secrets": ["API_TOKEN"]}' where id = %s""", (run_id,))

    worker = ops.worker("--once", "--pass-env", "GIT_CONFIG_COUNT", "--pass-env", "GIT_CONFIG_KEY_0",
                        "--pass-env", "GIT_CONFIG_VALUE_0",
                        env={"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"url.{ops.repo_url}.insteadOf",
                             "GIT_CONFIG_VALUE_0": GITHUB_URL})
    assert worker.wait(60) == 0, ops.worker_events("w1")
    assert ops.status(run_id) == "succeeded", ops.logs(run_id)
    messages = [m for *_, m, _ in ops.logs(run_id)]
    assert any(f"checkout {GITHUB_URL} at {head} (ref refs/pull/7/head)" in m for m in messages), messages
    assert any(m.startswith("untrusted: request 7 comes from a fork") for m in messages), messages
    assert "API_TOKEN is unset" in messages, messages
    assert not any("the-api-token" in m for m in messages)

    assert ops.one("select head_commit, last_push_at from ops.branches where name = 'main'") == (None, None), \
        "the fork's main did not move the project's"
    assert ops.one("select count(*) from ops.runs where branch = 'main'") == (0,)

    r = odooops(ops, "notify", "--once", "--database-url", ops.db.conninfo("service_role"), "--notifier-id",
                "n-e2e", "--github-api-url", fake.url, "--console-url", CONSOLE)
    assert r.returncode == 0, r.stdout + r.stderr
    assert fake.violations == []
    sent = [(q.path, q.body["state"], q.body["context"]) for q in fake.requests]
    assert sent == [(f"/repos/{REPOSITORY}/statuses/{head}", "success", "odooops/build")], sent
