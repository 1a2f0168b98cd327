"""Run the pgTAP suite in ``supabase/tests`` with pg_prove, as ``supabase test db`` does."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .target import MIGRATION_ROLE, Target, project_root


def test_files(directory: Path | None = None) -> list[Path]:
    """Every ``*.test.sql`` under the folder, setup files (``000-...``) first, then by path."""
    directory = directory or project_root() / "supabase" / "tests"
    return sorted(directory.rglob("*.test.sql"), key=lambda p: p.relative_to(directory).as_posix())


def select(paths: list[Path] | None = None) -> list[Path]:
    """The test files to run for the given files or folders (all when none), the setup files first.

    The files under ``000-setup/`` install the ``tests`` schema every other file uses, so they
    run before any selection, once.
    """
    if not paths:
        return test_files()
    setup = test_files(project_root() / "supabase" / "tests" / "000-setup")
    chosen: list[Path] = []
    for p in paths:
        chosen += test_files(p) if p.is_dir() else [p]
    return setup + [p for p in dict.fromkeys(chosen) if p.resolve() not in {s.resolve() for s in setup}]


def jobs() -> int:
    """How much to run side by side (pgTAP files, the checks of `odooops check`): one per CPU, at most four."""
    return max(1, min(os.cpu_count() or 1, 4))


def run(target: Target, files: list[Path] | None = None, verbose: bool = False,
        archive: Path | None = None) -> int:
    """pg_prove the files against ``target`` as the ``postgres`` role; return its exit code.

    The setup files run first, alone: they commit the ``tests`` schema and the
    fixtures. Every other file is one transaction that rolls back, so they run
    side by side (``pg_prove -j``), one per CPU, unless ``verbose``.

    With ``archive``, pg_prove also keeps the TAP of every file there
    (TAP::Harness::Archive): ``setup.tar.gz`` for the setup files, ``tests.tar.gz``
    for the others, each with one ``.tap`` per file and a ``meta.yml``.
    """
    pg_prove = shutil.which("pg_prove")
    if not pg_prove:
        raise SystemExit(
            "odooops: pg_prove not found. Install it with `make deps` "
            "(Debian: apt-get install libtap-parser-sourcehandler-pgtap-perl)."
        )
    files = select(files)
    if not files:
        raise SystemExit("odooops: no *.test.sql files under supabase/tests")
    env = {**os.environ, **target.libpq_env(MIGRATION_ROLE)}
    env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " --client-min-messages=warning").strip()
    cmd = [pg_prove, "--ext", ".sql"]
    if verbose:
        cmd.append("--verbose")
    root = project_root()
    names = [str(f.relative_to(root)) if f.is_relative_to(root) else str(f) for f in files]
    setup = [n for n in names if "/000-setup/" in f"/{n}"]
    rest = [n for n in names if n not in setup]
    if archive is not None:
        if subprocess.run(["perl", "-MTAP::Harness::Archive", "-e", "1"], capture_output=True).returncode:
            raise SystemExit(
                "odooops: pg_prove --archive needs TAP::Harness::Archive. Install it with `make deps` "
                "(Debian: apt-get install libtap-harness-archive-perl)."
            )
        archive = archive.resolve()
        archive.mkdir(parents=True, exist_ok=True)

    def keep(name: str) -> list[str]:
        return ["--archive", str(archive / f"{name}.tar.gz")] if archive is not None else []

    rc = subprocess.run([*cmd, *keep("setup"), *setup], env=env, cwd=root).returncode if setup else 0
    if rc or not rest:
        return rc
    parallel = ["-j", str(jobs())] if not verbose and len(rest) > 1 else []
    return subprocess.run([*cmd, *parallel, *keep("tests"), *rest], env=env, cwd=root).returncode
