"""Built-in workflow steps: ``python -m odooops.steps <name>`` (or ``odooops step <name>``).

A workflow stays a list of shell commands; these are the commands the demo
workflows use, each a small program that reads its run context from the
environment the worker sets (see ``odooops.worker``):

  ODOOOPS_RUN_ID, ODOOOPS_ATTEMPT, ODOOOPS_PROJECT, ODOOOPS_WORKFLOW, ODOOOPS_STEP
  ODOOOPS_BRANCH, ODOOOPS_COMMIT, ODOOOPS_REPOSITORY_URL, ODOOOPS_ODOO_SERIES
  ODOOOPS_WORKDIR        the run's fresh work directory (every step's cwd)
  ODOOOPS_SOURCE_DIR     where ``checkout`` puts the repository ($ODOOOPS_WORKDIR/src)
  ODOOOPS_ARTIFACTS_DIR  files written here are stored and recorded as artifacts after the step
  ODOOOPS_ADVISORIES_FILE  ops.upgrade_advisories as JSON (written by the worker)
  ODOOOPS_TARGET_SERIES  optional: upgrade-scan target (default: the next series)

Steps print one line per fact; a line starting with ``ERROR`` or ``WARNING``
is stored at that log level. Exit status 0 is success.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import py_compile
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from . import addons
from .storage import file_digest


class StepError(Exception):
    """A step failure with a message for the log; the step exits 1."""


def _env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None or value == "":
        raise StepError(f"{name} is not set: run this step through the worker, or export it")
    return value


def workdir() -> Path:
    return Path(os.environ.get("ODOOOPS_WORKDIR") or os.getcwd())


def source_dir() -> Path:
    return Path(os.environ.get("ODOOOPS_SOURCE_DIR") or workdir() / "src")


def artifacts_dir() -> Path:
    d = Path(os.environ.get("ODOOOPS_ARTIFACTS_DIR") or workdir() / "artifacts")
    d.mkdir(parents=True, exist_ok=True)
    return d


def _say(msg: str) -> None:
    print(msg, flush=True)


# -- checkout --------------------------------------------------------------------
def _git(args: list[str], cwd: Path, check: bool = True, echo: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    for line in (proc.stdout + proc.stderr).splitlines() if echo else ():
        if line.strip():
            _say(f"  git: {line}")
    if check and proc.returncode != 0:
        raise StepError(f"git {' '.join(args)} failed with exit code {proc.returncode}")
    return proc


def step_checkout(args) -> int:
    url = _env("ODOOOPS_REPOSITORY_URL")
    commit = _env("ODOOOPS_COMMIT")
    branch = os.environ.get("ODOOOPS_BRANCH", "")
    dest = source_dir()
    if dest.exists() and any(dest.iterdir()):
        raise StepError(f"{dest} is not empty: checkout expects a fresh work directory")
    dest.mkdir(parents=True, exist_ok=True)
    _say(f"checkout {url} at {commit}" + (f" (branch {branch})" if branch else ""))
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
    _say(f"checked out {sha} into {dest} ({files} files)")
    return 0


def _require_source() -> Path:
    src = source_dir()
    if not src.is_dir():
        raise StepError(f"no source in {src}: run the checkout step first")
    return src


# -- validate-manifests ------------------------------------------------------------
def step_validate_manifests(args) -> int:
    src = _require_source()
    series = _env("ODOOOPS_ODOO_SERIES")
    try:
        reports = addons.validate_tree(src, series)
    except addons.UnknownSeries as exc:
        raise StepError(str(exc)) from None
    if not reports:
        raise StepError(f"no addon found under {src} (no {addons.MANIFEST})")
    bad = 0
    for r in reports:
        if r.ok:
            m = r.manifest
            deps = ", ".join(m.get("depends") or []) or "nothing"
            _say(f"ok {r.addon} {m.get('version')} ({m.get('license')}; depends on {deps})")
        else:
            bad += 1
            for e in r.errors:
                _say(f"ERROR {r.path}: {e}")
    _say(f"{len(reports)} addon(s) checked against Odoo {series}: {len(reports) - bad} valid, {bad} invalid")
    return 1 if bad else 0


# -- compile ---------------------------------------------------------------------
def step_compile(args) -> int:
    src = _require_source()
    count, errors = 0, 0
    with tempfile.TemporaryDirectory(prefix="odooops-pyc-") as tmp:
        for path in addons.iter_files(src):
            if path.suffix != ".py":
                continue
            count += 1
            try:
                # Compile to a throwaway file: the checkout stays as it was committed.
                py_compile.compile(str(path), cfile=os.path.join(tmp, "x.pyc"), doraise=True)
            except py_compile.PyCompileError as exc:
                errors += 1
                err = exc.exc_value
                where = f"{path.relative_to(src)}:{getattr(err, 'lineno', '?')}"
                _say(f"ERROR {where}: {exc.exc_type_name}: {getattr(err, 'msg', err)}")
    _say(f"compiled {count} Python file(s) with Python {sys.version.split()[0]}: {errors} error(s)")
    return 1 if errors else 0


# -- package ---------------------------------------------------------------------
def _reset(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    name = Path(info.name)
    if any(p in ("__pycache__", ".git") for p in name.parts) or info.name.endswith((".pyc", ".pyo")):
        return None
    # Same commit, same bytes: no timestamps or owners from the checkout.
    info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
    info.mode = 0o755 if info.isdir() or info.mode & 0o111 else 0o644
    return info


def step_package(args) -> int:
    src = _require_source()
    found = addons.find_addons(src)
    if not found:
        raise StepError(f"no addon found under {src}")
    project = os.environ.get("ODOOOPS_PROJECT", "addons")
    commit = os.environ.get("ODOOOPS_COMMIT", "unknown")[:12]
    out = artifacts_dir() / f"{project}-addons-{commit}.tar.gz"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, folder in sorted(found.items()):
            for path in [folder, *addons.iter_files(folder)]:
                arcname = f"{name}/{path.relative_to(folder).as_posix()}" if path != folder else name
                tar.add(path, arcname=arcname, recursive=False, filter=_reset)
    import gzip

    with open(out, "wb") as f, gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as gz:
        gz.write(buf.getvalue())
    digest, size = file_digest(out)
    _say(f"packaged {len(found)} addon(s) ({', '.join(sorted(found))}) into {out.name}: {size} bytes, sha256 {digest}")
    return 0


# -- upgrade-scan ------------------------------------------------------------------
def load_advisories() -> list[dict]:
    path = os.environ.get("ODOOOPS_ADVISORIES_FILE")
    if not path:
        raise StepError("ODOOOPS_ADVISORIES_FILE is not set: the worker writes ops.upgrade_advisories there")
    return json.loads(Path(path).read_text())


def step_upgrade_scan(args) -> int:
    src = _require_source()
    series = _env("ODOOOPS_ODOO_SERIES")
    target = args.to or os.environ.get("ODOOOPS_TARGET_SERIES") or addons.next_series(series)
    every = load_advisories()
    chosen = addons.select_advisories(every, series, target)
    compiled, problems = addons.compile_advisories(chosen)
    for p in problems:
        _say(f"WARNING {p}")
    _say(f"scanning for the move {series} -> {target}: {len(chosen)} of {len(every)} advisories apply "
         f"({', '.join(a['code'] for a in chosen) or 'none'})")
    findings = addons.scan_tree(src, [a for a, _ in compiled])
    for f in findings:
        _say(f"WARNING {f.code} ({f.severity}) {f.file}:{f.line}: {f.text}")
    report = addons.findings_report(
        findings, chosen, series, target,
        project=os.environ.get("ODOOOPS_PROJECT"), commit=os.environ.get("ODOOOPS_COMMIT"),
        run_id=os.environ.get("ODOOOPS_RUN_ID"),
    )
    out = artifacts_dir() / "upgrade-findings.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    files = len({f.file for f in findings})
    by_code = ", ".join(f"{c} x{n}" for c, n in sorted(report["summary"].items())) or "none"
    _say(f"{len(findings)} finding(s) in {files} file(s) for {series} -> {target}: {by_code}; report in {out.name}")
    if args.fail_on_findings and findings:
        _say("ERROR findings present and --fail-on-findings given")
        return 1
    return 0


STEPS = {
    "checkout": (step_checkout, "clone the project's repository and check out the run's commit"),
    "validate-manifests": (step_validate_manifests, "check every __manifest__.py against the project's series"),
    "compile": (step_compile, "byte-compile every Python file of the checkout"),
    "package": (step_package, "tar.gz the addons into $ODOOOPS_ARTIFACTS_DIR (reproducible)"),
    "upgrade-scan": (step_upgrade_scan, "scan for upgrade advisories of the move to the next series"),
}


def build_parser(prog: str = "python -m odooops.steps") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description="Built-in OdooOps workflow steps.")
    add_arguments(p)
    return p


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="step", required=True, metavar="STEP")
    for name, (_, help_) in STEPS.items():
        sp = sub.add_parser(name, help=help_)
        if name == "upgrade-scan":
            sp.add_argument("--to", help="target series (default: $ODOOOPS_TARGET_SERIES, else the next one)")
            sp.add_argument("--fail-on-findings", action="store_true", help="exit 1 when anything is found")


def run(args) -> int:
    fn = STEPS[args.step][0]
    try:
        return fn(args)
    except StepError as exc:
        _say(f"ERROR {args.step}: {exc}")
        return 1


def main(argv: list[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
