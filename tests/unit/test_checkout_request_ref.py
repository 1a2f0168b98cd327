"""The checkout step against a real bare git repository: a pull request's run fetches the request's ref
(refs/pull/<n>/head, refs/merge-requests/<iid>/head), where its commit lives on no branch, and never a
branch of the base repository by the head's name."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from odooops.steps import checkout
from odooops.steps.context import StepError

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def commit(work: Path, name: str, text: str) -> str:
    (work / name).write_text(text)
    git(work, "add", name)
    git(work, "commit", "-q", "-m", name)
    return git(work, "rev-parse", "HEAD")


@pytest.fixture()
def origin(tmp_path: Path) -> dict:
    """A bare repository: main, and two requests whose commits are on no branch, the way GitHub and
    GitLab keep them (the head of #5 is a fork's main)."""
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    work = tmp_path / "work"
    git(tmp_path, "init", "-q", "-b", "main", str(work))
    main = commit(work, "README", "production\n")
    git(work, "push", "-q", str(bare), "main:refs/heads/main")
    first = commit(work, "fork.txt", "one\n")
    second = commit(work, "fork.txt", "two\n")
    git(work, "push", "-q", str(bare), f"{second}:refs/pull/5/head")
    git(work, "checkout", "-q", "main")
    mr = commit(work, "mr.txt", "gitlab\n")
    git(work, "push", "-q", str(bare), f"{mr}:refs/merge-requests/3/head")
    return {"url": str(bare), "main": main, "first": first, "second": second, "mr": mr}


def run_checkout(monkeypatch, tmp_path: Path, url: str, commit_sha: str, branch: str, source_ref: str) -> Path:
    src = tmp_path / "src"
    monkeypatch.setenv("ODOOOPS_REPOSITORY_URL", url)
    monkeypatch.setenv("ODOOOPS_COMMIT", commit_sha)
    monkeypatch.setenv("ODOOOPS_BRANCH", branch)
    monkeypatch.setenv("ODOOOPS_SOURCE_REF", source_ref)
    monkeypatch.setenv("ODOOOPS_SOURCE_DIR", str(src))
    assert checkout.run(None) == 0
    return src


def test_an_older_commit_of_a_pull_request_is_fetched_from_its_ref(origin, monkeypatch, tmp_path):
    """An abbreviated commit below the ref's tip: not on any branch, found by fetching refs/pull/5/head."""
    src = run_checkout(monkeypatch, tmp_path, origin["url"], origin["first"][:12], "refs/pull/5/head",
                       "refs/pull/5/head")
    assert git(src, "rev-parse", "HEAD") == origin["first"]
    assert (src / "fork.txt").read_text() == "one\n"


def test_a_merge_request_head_is_fetched_from_its_ref(origin, monkeypatch, tmp_path):
    src = run_checkout(monkeypatch, tmp_path, origin["url"], origin["mr"][:10], "refs/merge-requests/3/head",
                       "refs/merge-requests/3/head")
    assert git(src, "rev-parse", "HEAD") == origin["mr"]


def test_without_the_ref_a_request_commit_on_no_branch_is_not_found(origin, monkeypatch, tmp_path):
    """Fetching the branches (main included) does not find it: only the request's ref has it."""
    with pytest.raises(StepError, match="is not in"):
        run_checkout(monkeypatch, tmp_path, origin["url"], origin["first"][:12], "main", "")


def test_a_malformed_source_ref_is_refused(origin, monkeypatch, tmp_path):
    with pytest.raises(StepError, match="ODOOOPS_SOURCE_REF must be"):
        run_checkout(monkeypatch, tmp_path, origin["url"], origin["first"], "main", "refs/heads/main")
