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


def run(target: Target, files: list[Path] | None = None, verbose: bool = False) -> int:
    """pg_prove the files against ``target`` as the ``postgres`` role; return its exit code."""
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
    cmd += [str(f.relative_to(root)) if f.is_relative_to(root) else str(f) for f in files]
    return subprocess.run(cmd, env=env, cwd=root).returncode
