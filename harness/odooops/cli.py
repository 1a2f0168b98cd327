"""The ``odooops`` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from . import baseline, cluster, migrations, target


def _progress(msg: str) -> None:
    """Progress goes to stderr so that stdout carries only the result (a URL, an id)."""
    print(msg, file=sys.stderr, flush=True)


def _err(msg: str) -> None:
    print(f"odooops: {msg}", file=sys.stderr)


def prepare(t: target.Target) -> None:
    """Supabase baseline, then migrations: what every database the harness uses gets."""
    baseline.ensure(t)
    migrations.migrate(t, echo=lambda m: None)


@contextmanager
def server():
    """The configured server (DATABASE_URL or `db up`), else a cluster of our own for this command."""
    if target.env_url() or target.from_state():
        yield target.current()
        return
    own = target.embedded(owner_pid=os.getpid())
    try:
        yield own
    finally:
        own.cluster.stop()


def fresh_database(parent: target.Target, prefix: str) -> target.Target:
    """A new, empty database on the same server as ``parent``, with the baseline."""
    db = parent.create_database(prefix)
    baseline.ensure(db)
    return db


# -- db -------------------------------------------------------------------------
def cmd_db_up(args) -> int:
    existing = target.from_state()
    if existing is not None:
        print(existing.url("postgres"))
        return 0
    state = target.state_file()
    state.parent.mkdir(parents=True, exist_ok=True)
    if args.docker:
        from .docker import docker_available

        ok, why = docker_available()
        if ok:
            from . import containers

            url, container_id = containers.start_supabase_postgres()
            state.write_text(json.dumps({"docker": container_id, "url": url}))
            t = target.Target(url)
            baseline.ensure(t)
            if args.migrate:
                migrations.migrate(t, echo=_progress)
            print(t.url("postgres"))
            return 0
        print(f"odooops: no Docker engine answers ({why}); using a local PostgreSQL cluster instead.",
              file=sys.stderr, flush=True)
    t = target.embedded(durable=args.durable)
    baseline.ensure(t)
    state.write_text(json.dumps({"root": str(t.cluster.root), "port": t.cluster.port}))
    if args.migrate:
        migrations.migrate(t, echo=_progress)
    print(t.url("postgres"))
    return 0


def cmd_db_down(args) -> int:
    state = target.state_file()
    if not state.exists():
        print("no cluster is up")
        return 0
    try:
        recorded = json.loads(state.read_text())
    except ValueError:
        recorded = {}
    if "docker" in recorded:
        from . import containers

        containers.remove(recorded["docker"])
    elif "root" in recorded:
        cluster.stop_dir(Path(recorded["root"]))
    state.unlink(missing_ok=True)
    print("stopped and removed")
    return 0


def cmd_db_status(args) -> int:
    url = target.env_url()
    if url:
        print(f"using DATABASE_URL: {url.split('@')[-1]}")
        return 0
    t = target.from_state()
    if t is None:
        print("down (start one with `odooops db up`)")
        return 3
    where = f"files in {t.cluster.root}" if t.cluster else "Docker container"
    print(f"up: {t.url('postgres')}  ({where})")
    return 0


def cmd_db_migrate(args) -> int:
    t = target.current()
    baseline.ensure(t)
    try:
        plan = migrations.migrate(t, dry_run=args.dry_run)
    except migrations.MigrationError as exc:
        _err(str(exc))
        return 1
    if not plan.pending:
        print(f"up to date: {len(plan.applied)} migrations applied, nothing to apply")
    elif not args.dry_run:
        print(f"applied {len(plan.pending)} migration(s)")
    return 0


def cmd_db_test(args) -> int:
    from . import pgtap

    with server() as parent:
        db = fresh_database(parent, "odooops_pgtap")
        try:
            try:
                migrations.migrate(db, echo=lambda m: None)
            except migrations.MigrationError as exc:
                _err(str(exc))
                return 1
            files = [Path(f).resolve() for f in args.files] or None
            return pgtap.run(db, files, verbose=args.verbose)
        finally:
            parent.drop_database(db.dbname)


# -- lint -------------------------------------------------------------------------
def cmd_lint(args) -> int:
    from . import lint

    print("sqlfluff: supabase/migrations")
    rc = lint.sqlfluff()
    with server() as parent:
        db = fresh_database(parent, "odooops_lint")
        try:
            migrations.migrate(db, echo=lambda m: None)
            problems = lint.plpgsql_check(db)
        finally:
            parent.drop_database(db.dbname)
    print(f"plpgsql_check: {len(problems)} problem(s)")
    for fn, line, level, message, sqlstate in problems:
        print(f"  {fn}:{line}: {level}: {message} [{sqlstate}]")
    return 1 if (rc or problems) else 0


def cmd_check(args) -> int:
    """lint, pgTAP and pytest in a row; report each, fail if any failed."""
    import subprocess

    steps = [
        ("lint", [sys.executable, "-m", "odooops.cli", "lint"]),
        ("pgTAP", [sys.executable, "-m", "odooops.cli", "db", "test"]),
        ("functions", [sys.executable, "-m", "odooops.cli", "functions", "test"]),
        ("pytest", [sys.executable, "-m", "pytest", "-q", *args.pytest_args]),
    ]
    from .doc_commands import check_steps

    steps += check_steps()  # Spec Kit, schema docs, Prisma, docs, workflow files: the CI spec gates
    failed = []
    for name, cmd in steps:
        print(f"== {name}", flush=True)
        t0 = time.monotonic()
        rc = subprocess.run(cmd).returncode
        print(f"== {name}: {'ok' if rc == 0 else f'FAILED (exit {rc})'} in {time.monotonic() - t0:.1f}s", flush=True)
        if rc:
            failed.append(name)
    if failed:
        _err(f"failed: {', '.join(failed)}")
    # One closing line for people and CI alike: how many of the checks above passed.
    print(f"check: {len(steps) - len(failed)} passed, {len(failed)} failed", flush=True)
    return 1 if failed else 0


# -- functions ----------------------------------------------------------------------
def cmd_functions_test(args) -> int:
    """deno fmt/lint/check, then types drift and deno test on throwaway databases."""
    from . import functions

    t0 = time.monotonic()
    try:
        steps = functions.static_steps()
        with server() as parent:
            steps += functions.database_steps(parent, args.filter)
    except (functions.FunctionsError, migrations.MigrationError) as exc:
        _err(str(exc))
        return 1
    rc = functions.report(steps)
    print(f"functions: {'ok' if rc == 0 else 'FAILED'} in {time.monotonic() - t0:.1f}s")
    return rc


def cmd_functions_types(args) -> int:
    """Regenerate supabase/functions/_shared/database.types.ts from a freshly migrated database."""
    from . import functions

    with server() as parent:
        db = fresh_database(parent, "odooops_fn_types")
        try:
            migrations.migrate(db, echo=lambda m: None)
            path = functions.write_types(db)
        except (functions.FunctionsError, migrations.MigrationError) as exc:
            _err(str(exc))
            return 1
        finally:
            parent.drop_database(db.dbname)
    print(f"wrote {path.relative_to(target.project_root())}")
    return 0


# -- demo -------------------------------------------------------------------------
def cmd_demo(args) -> int:
    from . import demo

    return demo.main(args)


# -- worker and steps ---------------------------------------------------------------
def cmd_worker(args) -> int:
    from . import worker

    return worker.main(args)


def cmd_step(args) -> int:
    from . import steps

    return steps.run(args)


# -- bench ------------------------------------------------------------------------------
def cmd_bench_queue(args) -> int:
    from . import bench

    return bench.main(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="odooops",
        description=(
            "OdooOps: an Odoo.sh-style control plane for self-hosted Odoo on Supabase/PostgreSQL. "
            "Starts throwaway PostgreSQL clusters, applies supabase/migrations like the Supabase CLI, "
            "runs workers that build queued runs, and checks everything (pgTAP, lint, docs against the "
            "live database). Uses DATABASE_URL (or SUPABASE_DB_URL) when set, else the cluster from "
            "`odooops db up`. Start with `make demo`."
        ),
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = sub.add_parser("db", help="ephemeral database, migrations and pgTAP tests")
    dbsub = db.add_subparsers(dest="db_command", required=True, metavar="SUBCOMMAND")
    up = dbsub.add_parser("up", help="start a throwaway PostgreSQL cluster with the Supabase baseline; print its URL")
    up.add_argument("--durable", action="store_true", help="keep fsync and synchronous_commit on (for benchmarks)")
    up.add_argument("--migrate", action="store_true", help="also apply supabase/migrations")
    up.add_argument("--docker", action="store_true",
                    help="prefer the supabase/postgres image through Docker; falls back to a local cluster")
    up.set_defaults(func=cmd_db_up)
    dbsub.add_parser("down", help="stop the cluster and remove every file of it").set_defaults(func=cmd_db_down)
    dbsub.add_parser("status", help="say which database the harness uses").set_defaults(func=cmd_db_status)
    mig = dbsub.add_parser("migrate", help="apply pending supabase/migrations as the postgres role")
    mig.add_argument("--dry-run", action="store_true", help="list what would be applied, change nothing")
    mig.set_defaults(func=cmd_db_migrate)
    tst = dbsub.add_parser("test", help="run supabase/tests/**/*.test.sql with pg_prove on a freshly migrated database")
    tst.add_argument("files", nargs="*", help="only these test files")
    tst.add_argument("-v", "--verbose", action="store_true", help="print every assertion")
    tst.set_defaults(func=cmd_db_test)

    lint = sub.add_parser("lint", help="sqlfluff on the migrations, plpgsql_check on every function")
    lint.set_defaults(func=cmd_lint)

    fn = sub.add_parser("functions", help="Edge Functions: deno fmt/lint/check/test, generated database types")
    fnsub = fn.add_subparsers(dest="functions_command", required=True, metavar="SUBCOMMAND")
    fnt = fnsub.add_parser("test", help="deno fmt --check, lint, check, the types drift check and deno test "
                           "against throwaway databases")
    fnt.add_argument("--filter", metavar="NAME", help="only the deno tests whose name contains NAME")
    fnt.set_defaults(func=cmd_functions_test)
    fnsub.add_parser("types", help="regenerate supabase/functions/_shared/database.types.ts with `supabase gen "
                     "types` from a freshly migrated database").set_defaults(func=cmd_functions_types)

    chk = sub.add_parser("check", help="everything `make test` runs: lint, pgTAP, pytest, the spec gates")
    chk.add_argument("pytest_args", nargs="*", help="extra pytest arguments")
    chk.set_defaults(func=cmd_check)

    demo = sub.add_parser("demo", help="the main job: build an Odoo addons repository through the queue on a throwaway database")
    demo.add_argument("--keep", action="store_true",
                      help="leave the database up (as the `db up` cluster) and its files, to explore")
    demo.set_defaults(func=cmd_demo)

    from . import doc_commands

    doc_commands.register(sub)  # schema docs|check, prisma check, docs check

    from . import steps, worker

    wk = sub.add_parser("worker", help="take queued runs and run their steps (LISTEN ops_runs_queued)")
    worker.add_arguments(wk)
    wk.set_defaults(func=cmd_worker)
    st = sub.add_parser("step", help="a built-in workflow step (checkout, validate-manifests, ...)")
    steps.add_arguments(st)
    st.set_defaults(func=cmd_step)

    bn = sub.add_parser("bench", help="benchmarks, against limits measured in the same run")
    bnsub = bn.add_subparsers(dest="bench_command", required=True, metavar="SUBCOMMAND")
    bq = bnsub.add_parser("queue", help="the queue RPCs: lifecycle throughput vs single-row UPDATE (pgbench), "
                          "claim latency with a long history, NOTIFY wake-up, log ingestion vs COPY")
    bq.add_argument("--smoke", action="store_true", help="tiny sizes: checks the benchmark runs, measures nothing")
    bq.add_argument("--json", metavar="PATH", help="where to write the results (default .odooops/bench/queue-*.json)")
    bq.set_defaults(func=cmd_bench_queue)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except cluster.ClusterError as exc:
        _err(str(exc))
        return 1
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
