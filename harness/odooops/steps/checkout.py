"""``checkout``: clone the project's repository and check out the run's commit.

A run of a pull or merge request names the ref its commit lives on (``ODOOOPS_SOURCE_REF``:
``refs/pull/<n>/head`` on GitHub, ``refs/merge-requests/<iid>/head`` on GitLab); that ref is fetched,
never a branch of the base repository by the head's name (a fork's ``main`` is not ours).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from . import addons
from .context import StepError, env, say, source_dir

REQUEST_REF = re.compile(r"^refs/(pull|merge-requests)/[1-9][0-9]{0,9}/head$")


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
    source_ref = os.environ.get("ODOOOPS_SOURCE_REF", "")
    if source_ref and not REQUEST_REF.match(source_ref):
        raise StepError(f"ODOOOPS_SOURCE_REF must be refs/pull/<n>/head or refs/merge-requests/<iid>/head, "
                        f"got {source_ref[:100]!r}")
    dest = source_dir()
    if dest.exists() and any(dest.iterdir()):
        raise StepError(f"{dest} is not empty: checkout expects a fresh work directory")
    dest.mkdir(parents=True, exist_ok=True)
    where = f" (ref {source_ref})" if source_ref else (f" (branch {branch})" if branch else "")
    say(f"checkout {url} at {commit}{where}")
    _git(["init", "-q", "."], dest)
    _git(["remote", "add", "origin", url], dest)
    # A full commit id can be fetched alone (shallow, fast); an abbreviated one or a
    # server refusing unadvertised objects needs the request's ref or the branch, then
    # everything.
    fetched = False
    if len(commit) in (40, 64):
        fetched = _git(["fetch", "-q", "--depth", "1", "origin", commit], dest, check=False).returncode == 0
    if not fetched and (source_ref or branch):
        refspec = (f"+{source_ref}:refs/remotes/origin/request" if source_ref
                   else f"+refs/heads/{branch}:refs/remotes/origin/{branch}")
        fetched = _git(["fetch", "-q", "origin", refspec], dest, check=False).returncode == 0
        if fetched and _git(["cat-file", "-e", f"{commit}^{{commit}}"], dest, check=False, echo=False).returncode != 0:
            fetched = False
    if not fetched:
        refspecs = ["+refs/heads/*:refs/remotes/origin/*"]
        if source_ref:
            refspecs.append(f"+{source_ref}:refs/remotes/origin/request")
        _git(["fetch", "-q", "--tags", "origin", *refspecs], dest)
    resolved = _git(["rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"], dest, check=False, echo=False)
    if resolved.returncode != 0:
        raise StepError(f"commit {commit} is not in {url}{where}")
    sha = resolved.stdout.strip()
    _git(["-c", "advice.detachedHead=false", "checkout", "-q", "--detach", sha], dest)
    files = sum(1 for _ in addons.iter_files(dest))
    say(f"checked out {sha} into {dest} ({files} files)")
    return 0
