"""The checks: ``check`` (everything `make test` runs), ``lint``, ``db test``,
``functions test``, ``schema check``, ``prisma check``, ``docs check``.

The database checks work on a database migrated from ``supabase/migrations``
at that moment (:mod:`odooops.dev.databases`); ``--as-is`` reads the
configured database itself, unmigrated (for example a Supabase project).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from .develop import as_is
from .output import err, progress


def _report(what: str, problems: list[str], t0: float, fix: str) -> int:
    if problems:
        for p in problems:
            print(f"  {p}")
        err(f"{what}: {len(problems)} problem(s) ({time.monotonic() - t0:.1f}s). {fix}")
        return 1
    print(f"{what}: ok ({time.monotonic() - t0:.1f}s)")
    return 0


def cmd_check(args) -> int:
    """The import contracts, ruff, lint, pgTAP, functions and the spec gates, side by side; then
    pytest alone. Report each, fail if any failed."""
    from ..dev import target

    root = target.project_root()
    odooops = [sys.executable, "-m", "odooops.cli"]
    bindir = Path(sys.executable).parent
    checks = [
        ("imports", [str(bindir / "lint-imports"), "--no-cache", str(root / "pyproject.toml")]),
        ("ruff", [str(bindir / "ruff"), "check", "--config", str(root / "pyproject.toml"),
                  str(root / "harness"), str(root / "tests")]),
        ("lint", [*odooops, "lint"]),
        ("pgTAP", [*odooops, "db", "test"]),
        ("functions", [*odooops, "functions", "test"]),
        *gate_steps(),
    ]
    failed = []
    with shared_server() as env:
        # Each check works on databases of its own, so they run side by side, their output
        # printed whole, in this order. pytest runs alone afterwards: some of its tests measure time.
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            running = [(name, pool.submit(_run_captured, cmd, env)) for name, cmd in checks]
            for name, future in running:
                rc, output, took = future.result()
                print(f"== {name}", flush=True)
                sys.stdout.write(output)
                _say_done(name, rc, took, failed)
        print("== pytest", flush=True)
        t0 = time.monotonic()
        rc = subprocess.run([sys.executable, "-m", "pytest", "-q", *args.pytest_args], env=env).returncode
        _say_done("pytest", rc, time.monotonic() - t0, failed)
    if failed:
        err(f"failed: {', '.join(failed)}")
    # One closing line for people and CI alike: how many of the checks above passed.
    print(f"check: {len(checks) + 1 - len(failed)} passed, {len(failed)} failed", flush=True)
    return 1 if failed else 0


def _run_captured(cmd: list[str], env: dict) -> tuple[int, str, float]:
    t0 = time.monotonic()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace")
    return proc.returncode, proc.stdout, time.monotonic() - t0


def _say_done(name: str, rc: int, took: float, failed: list[str]) -> None:
    print(f"== {name}: {'ok' if rc == 0 else f'FAILED (exit {rc})'} in {took:.1f}s", flush=True)
    if rc:
        failed.append(name)


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, got {value[:20]!r}")
    return int(value)


@contextmanager
def shared_server():
    """The environment of every check: the configured server, else one throwaway cluster for all of them."""
    from ..dev import target

    if target.env_url() or target.from_state():
        yield dict(os.environ)
        return
    progress("check: starting one throwaway PostgreSQL cluster for every check")
    own = target.embedded(owner_pid=os.getpid())
    try:
        yield {**os.environ, **target.shared(own.cluster)}
    finally:
        own.cluster.stop()


def gate_steps(root: Path | None = None) -> list[tuple[str, list[str]]]:
    """The CI spec gates, which `odooops check` runs beside the import contracts, ruff, lint, pgTAP
    and functions; ``root``: the repository they check (default: this one)."""
    from ..dev import target

    root = root or target.project_root()
    workflows = sorted(str(p) for p in (root / ".github" / "workflows").glob("*.y*ml"))
    actions = sorted(str(p) for p in (root / ".github" / "actions").glob("*/action.y*ml"))
    odooops = [sys.executable, "-m", "odooops.cli"]
    bindir = Path(sys.executable).parent
    steps = [
        ("spec kit", ["bash", str(root / "scripts" / "validate_spec_kit_odooops.sh")]),
        ("schema docs", [*odooops, "schema", "check"]),
        ("prisma", [*odooops, "prisma", "check"]),
        ("docs", [*odooops, "docs", "check"]),
    ]
    if workflows:
        steps.append(("workflow files", [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                                         "vendor.github-workflows", *workflows]))
    if actions:
        steps.append(("action files", [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                                       "vendor.github-actions", *actions]))
    if workflows:
        # Without shellcheck and pyflakes, which GitHub's runners have and other machines may not:
        # the same files pass or fail everywhere.
        steps.append(("actionlint", [str(bindir / "actionlint"), "-no-color", "-shellcheck=", "-pyflakes=",
                                     *workflows]))
    return steps


def cmd_lint(args) -> int:
    from ..dev import lint
    from ..dev.databases import fresh_database, server

    print("sqlfluff: supabase/migrations")
    rc = lint.sqlfluff()
    with server() as parent, fresh_database(parent, "odooops_lint") as db:
        problems = lint.plpgsql_check(db)
    print(f"plpgsql_check: {len(problems)} problem(s)")
    for fn, line, level, message, sqlstate in problems:
        print(f"  {fn}:{line}: {level}: {message} [{sqlstate}]")
    return 1 if (rc or problems) else 0


def cmd_db_test(args) -> int:
    from ..dev import migrations, pgtap
    from ..dev.databases import fresh_database, server

    with server() as parent:
        try:
            with fresh_database(parent, "odooops_pgtap") as db:
                files = [Path(f).resolve() for f in args.files] or None
                archive = Path(args.archive) if args.archive else None
                return pgtap.run(db, files, verbose=args.verbose, archive=archive)
        except migrations.MigrationError as exc:
            err(str(exc))
            return 1


def cmd_functions_test(args) -> int:
    """deno fmt/lint/check, then types drift and deno test on throwaway databases."""
    from ..dev import functions, migrations
    from ..dev.databases import server

    t0 = time.monotonic()
    try:
        steps = functions.static_steps()
        with server() as parent:
            steps += functions.database_steps(parent, args.filter)
    except (functions.FunctionsError, migrations.MigrationError) as exc:
        err(str(exc))
        return 1
    rc = functions.report(steps)
    print(f"functions: {'ok' if rc == 0 else 'FAILED'} in {time.monotonic() - t0:.1f}s")
    return rc


def cmd_schema_check(args) -> int:
    from ..dev import catalog, migrations, schema_docs, target
    from ..dev.databases import migrated_database

    t0 = time.monotonic()
    root = target.project_root()
    try:
        with migrated_database(args.as_is) as db, db.connect("postgres") as conn:
            problems = schema_docs.check(catalog.read(conn), root)
    except migrations.MigrationError as exc:
        problems = [f"migrations do not apply: {exc}"]
    except schema_docs.ToolError as exc:
        err(str(exc))
        return 2
    return _report("schema check (DBML, ERD, SVG)", problems, t0,
                   "If the migrations changed on purpose, run `odooops schema docs` and commit the result.")


def cmd_prisma_check(args) -> int:
    from ..dev import catalog, migrations, prisma_schema, target
    from ..dev.databases import migrated_database
    from ..dev.schema_docs import ToolError

    t0 = time.monotonic()
    root = target.project_root()
    try:
        with migrated_database(args.as_is) as db:
            with db.connect("postgres") as conn:
                s = catalog.read(conn)
            problems = prisma_schema.check(s, root, db.url("postgres"))
    except migrations.MigrationError as exc:
        problems = [f"migrations do not apply: {exc}"]
    except ToolError as exc:
        err(str(exc))
        return 2
    return _report("prisma check (validate, format, generate, drift)", problems, t0,
                   "If the migrations changed on purpose, run `odooops schema docs` and commit prisma/schema.prisma.")


def cmd_docs_check(args) -> int:
    from ..dev import docs_check, migrations, target
    from ..dev.databases import migrated_database
    from ..dev.schema_docs import ToolError

    t0 = time.monotonic()
    root = target.project_root()
    try:
        with migrated_database(args.as_is) as db, db.connect("postgres") as conn:
            problems = docs_check.check(conn, root)
    except migrations.MigrationError as exc:
        problems = [f"migrations do not apply: {exc}"]
    except ToolError as exc:
        err(str(exc))
        return 2
    return _report("docs check", problems, t0,
                   "Bring docs/odooops-sh/ in line with the database (the database is the truth).")


def register(sub, groups: dict) -> None:
    chk = sub.add_parser("check", help="everything `make test` runs: import contracts, ruff, lint, pgTAP, functions, "
                         "pytest, the spec gates")
    from ..dev.pgtap import jobs

    chk.add_argument("-j", "--jobs", type=_jobs, default=jobs(), metavar="N",
                     help="checks run side by side before pytest (default: one per CPU, at most 4; 1: one by one)")
    chk.add_argument("pytest_args", nargs="*", help="extra pytest arguments")
    chk.set_defaults(func=cmd_check)

    sub.add_parser("lint", help="sqlfluff on the migrations, plpgsql_check on every function").set_defaults(
        func=cmd_lint)

    tst = groups["db"].add_parser(
        "test", help="run supabase/tests/**/*.test.sql with pg_prove on a freshly migrated database")
    tst.add_argument("files", nargs="*", help="only these test files or folders (the setup files always run first)")
    tst.add_argument("-v", "--verbose", action="store_true", help="print every assertion")
    tst.add_argument("--archive", metavar="DIR", default=os.environ.get("ODOOOPS_PGTAP_ARCHIVE") or None,
                     help="also keep the TAP of every file in DIR (setup.tar.gz, tests.tar.gz); default: "
                     "$ODOOOPS_PGTAP_ARCHIVE, else none (CI sets it to upload the TAP)")
    tst.set_defaults(func=cmd_db_test)

    fnt = groups["functions"].add_parser(
        "test", help="deno fmt --check, lint, check, the types drift check and deno test against throwaway databases")
    fnt.add_argument("--filter", metavar="NAME", help="only the deno tests whose name contains NAME")
    fnt.set_defaults(func=cmd_functions_test)

    as_is(groups["schema"].add_parser(
        "check", help="fail when the committed DBML, ERD or SVG differ from what the database gives",
    )).set_defaults(func=cmd_schema_check)

    prisma = sub.add_parser("prisma", help="Prisma schema checks")
    psub = prisma.add_subparsers(dest="prisma_command", required=True, metavar="SUBCOMMAND")
    as_is(psub.add_parser(
        "check", help="prisma validate, format --check and generate; fail on any statement of the schema engine's "
        "diff to the migrated database",
    )).set_defaults(func=cmd_prisma_check)

    docs = sub.add_parser("docs", help="checks of docs/odooops-sh against the database")
    dsub = docs.add_subparsers(dest="docs_command", required=True, metavar="SUBCOMMAND")
    as_is(dsub.add_parser(
        "check", help="state diagram, policy and function tables, RPC names, Mermaid blocks, links and anchors",
    )).set_defaults(func=cmd_docs_check)
