"""``checkout``: clone the project's repository and check out the run's commit."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from . import addons
from .context import StepError, env, say, source_dir


def _git(args: list[str], cwd: Path, check: bool = True, echo: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    for line in (proc.stdout + proc.stderr).splitlines() if echo else ():
        if line.strip():
            say(f"  git: {line}")
    if check and proc.returncode != 0:
        raise StepError(f"git {' '.join(args)} failed with exit code {proc.returncode}")
    return proc


def run(args) -> int:
    url = env("ODOOOPS_REPOSITORY_URL")
    commit = env("ODOOOPS_COMMIT")
    branch = os.environ.get("ODOOOPS_BRANCH", "")
    dest = source_dir()
    if dest.exists() and any(dest.iterdir()):
        raise StepError(f"{dest} is not empty: checkout expects a fresh work directory")
    dest.mkdir(parents=True, exist_ok=True)
    say(f"checkout {url} at {commit}" + (f" (branch {branch})" if branch else ""))
    _git(["init", "-q", "."], dest)
    _git(["remote", "add", "origin", url], dest)
    # A full commit id can be fetched alone (shallow, fast); an abbreviated one or a
    # server refusing unadvertised objects needs the branch, then everything.
    fetched = False
    if len(commit) in (40, 64):
        fetched = _git(["fetch", "-q", "--depth", "1", "origin", commit], dest, check=False).returncode == 0
    if not fetched and branch:
        fetched = _git(["fetch", "-q", "origin", f"+refs/heads/{branch}:refs/remotes/origin/{branch}"], dest,
                       check=False).returncode == 0
        if fetched and _git(["cat-file", "-e", f"{commit}^{{commit}}"], dest, check=False, echo=False).returncode != 0:
            fetched = False
    if not fetched:
        _git(["fetch", "-q", "--tags", "origin", "+refs/heads/*:refs/remotes/origin/*"], dest)
    resolved = _git(["rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"], dest, check=False, echo=False)
    if resolved.returncode != 0:
        raise StepError(f"commit {commit} is not in {url}" + (f" (branch {branch})" if branch else ""))
    sha = resolved.stdout.strip()
    _git(["-c", "advice.detachedHead=false", "checkout", "-q", "--detach", sha], dest)
    files = sum(1 for _ in addons.iter_files(dest))
    say(f"checked out {sha} into {dest} ({files} files)")
    return 0
