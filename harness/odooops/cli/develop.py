"""Commands for working on this repository: ``db up|down|status|migrate``,
``demo``, ``functions types``, ``schema docs``, ``bench queue``, ``bench upgrade-scan``, ``bench rls``,
``bench console``."""

from __future__ import annotations

import json
from pathlib import Path

from .output import err, progress


# -- db -------------------------------------------------------------------------
def cmd_db_up(args) -> int:
    from ..dev import baseline, migrations, target

    existing = target.from_state()
    if existing is not None:
        print(existing.url("postgres"))
        return 0
    state = target.state_file()
    state.parent.mkdir(parents=True, exist_ok=True)
    if args.docker:
        from ..runner.docker import docker_available

        ok, why = docker_available()
        if ok:
            from ..dev import containers

            url, container_id = containers.start_supabase_postgres()
            state.write_text(json.dumps({"docker": container_id, "url": url}))
            t = target.Target(url)
            baseline.ensure(t)
            if args.migrate:
                migrations.migrate(t, echo=progress)
            print(t.url("postgres"))
            return 0
        progress(f"odooops: no Docker engine answers ({why}); using a local PostgreSQL cluster instead.")
    t = target.embedded(durable=args.durable)
    baseline.ensure(t)
    state.write_text(json.dumps({"root": str(t.cluster.root), "port": t.cluster.port}))
    if args.migrate:
        migrations.migrate(t, echo=progress)
    print(t.url("postgres"))
    return 0


def cmd_db_down(args) -> int:
    from ..dev import cluster, target

    state = target.state_file()
    if not state.exists():
        print("no cluster is up")
        return 0
    try:
        recorded = json.loads(state.read_text())
    except ValueError:
        recorded = {}
    if "docker" in recorded:
        from ..dev import containers

        containers.remove(recorded["docker"])
    elif "root" in recorded:
        cluster.stop_dir(Path(recorded["root"]))
    state.unlink(missing_ok=True)
    print("stopped and removed")
    return 0


def cmd_db_status(args) -> int:
    from ..dev import target

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
    from ..dev import baseline, migrations, target

    t = target.current()
    baseline.ensure(t)
    try:
        plan = migrations.migrate(t, dry_run=args.dry_run, echo=print)
    except migrations.MigrationError as exc:
        err(str(exc))
        return 1
    if not plan.pending:
        print(f"up to date: {len(plan.applied)} migrations applied, nothing to apply")
    elif not args.dry_run:
        print(f"applied {len(plan.pending)} migration(s)")
    return 0


# -- generated files --------------------------------------------------------------
def cmd_functions_types(args) -> int:
    """Regenerate supabase/functions/_shared/database.types.ts from a freshly migrated database."""
    from ..dev import functions, migrations, target
    from ..dev.databases import fresh_database, server

    try:
        with server() as parent, fresh_database(parent, "odooops_fn_types") as db:
            path = functions.write_types(db)
    except (functions.FunctionsError, migrations.MigrationError) as exc:
        err(str(exc))
        return 1
    print(f"wrote {path.relative_to(target.project_root())}")
    return 0


def cmd_schema_docs(args) -> int:
    from ..dev import catalog, prisma_schema, schema_docs, target
    from ..dev.databases import migrated_database

    root = target.project_root()
    with migrated_database(args.as_is) as db, db.connect("postgres") as conn:
        s = catalog.read(conn)
    changed = schema_docs.write(s, root)
    prisma_text = prisma_schema.render(s)
    dest = root / prisma_schema.SCHEMA_FILE
    if not dest.exists() or dest.read_text() != prisma_text:
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(prisma_text)
        changed.append(prisma_schema.SCHEMA_FILE)
    for rel in changed:
        print(f"wrote {rel}")
    outcome = f"{len(changed)} file(s) changed" if changed else "up to date"
    print(f"{len(s.tables)} tables, {len(s.enums)} enums; {outcome}")
    return 0


# -- demo and bench ------------------------------------------------------------------
def cmd_demo(args) -> int:
    from ..dev import demo

    return demo.main(args)


def cmd_bench_queue(args) -> int:
    from ..dev import bench

    return bench.main(args)


def cmd_bench_upgrade_scan(args) -> int:
    from ..dev import bench_upgrade_scan

    return bench_upgrade_scan.main(args)


def cmd_bench_rls(args) -> int:
    from ..dev import bench_rls

    return bench_rls.main(args)


def cmd_bench_console(args) -> int:
    from ..dev import bench_console

    return bench_console.main(args)


def as_is(p):
    p.add_argument("--as-is", action="store_true",
                   help="read the configured database (DATABASE_URL or `db up`) as it is, without migrating "
                        "a fresh one")
    return p


def register(sub, groups: dict) -> None:
    """``groups`` holds the parsers that develop and check commands share (db, functions, schema)."""
    dbsub = groups["db"]
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

    groups["functions"].add_parser(
        "types", help="regenerate supabase/functions/_shared/database.types.ts with `supabase gen types` from a "
        "freshly migrated database").set_defaults(func=cmd_functions_types)
    as_is(groups["schema"].add_parser(
        "docs", help="write schema/odooops.dbml, schema/erd.md, schema/odooops.svg and prisma/schema.prisma",
    )).set_defaults(func=cmd_schema_docs)

    demo = sub.add_parser("demo", help="the main job: build an Odoo addons repository through the queue on a "
                          "throwaway database")
    demo.add_argument("--keep", action="store_true",
                      help="leave the database up (as the `db up` cluster) and its files, to explore")
    demo.add_argument("--console", action="store_true",
                      help="then serve the web console (next dev) on the demo database until Ctrl-C, printing its URL "
                      "and the demo user's id to sign in with")
    demo.set_defaults(func=cmd_demo)

    bn = sub.add_parser("bench", help="benchmarks, against limits measured in the same run")
    bnsub = bn.add_subparsers(dest="bench_command", required=True, metavar="SUBCOMMAND")
    bq = bnsub.add_parser("queue", help="the queue RPCs: lifecycle throughput vs single-row UPDATE (pgbench), "
                          "claim latency with a long history, NOTIFY wake-up, log ingestion vs COPY")
    bq.add_argument("--smoke", action="store_true", help="tiny sizes: checks the benchmark runs, measures nothing")
    bq.add_argument("--json", metavar="PATH", help="where to write the results (default .odooops/bench/queue-*.json)")
    bq.set_defaults(func=cmd_bench_queue)
    bu = bnsub.add_parser("upgrade-scan", help="the upgrade scan on ports of published OCA addons (16.0 to 19.0): "
                          "precision of its findings, recall per kind of breaking change, files per second")
    bu.add_argument("--smoke", action="store_true", help="three small addons: checks the benchmark runs")
    bu.add_argument("--addon", action="append", metavar="NAME", help="only this addon of the corpus (repeatable)")
    bu.add_argument("--advisories", metavar="FILE", help="advisories from this JSON file (as the worker writes "
                    "them) instead of ops.upgrade_advisories in a freshly migrated database")
    bu.add_argument("--json", metavar="PATH",
                    help="where to write the results (default .odooops/bench/upgrade-scan-*.json)")
    bu.set_defaults(func=cmd_bench_upgrade_scan)
    br = bnsub.add_parser("rls", help="row-level security: a member's queries through the policies vs the same "
                          "queries without them (table owner) and as service_role, at 1x and with N times the runs "
                          "in other tenants' projects")
    br.add_argument("--smoke", action="store_true", help="tiny sizes: checks the benchmark runs, measures nothing")
    br.add_argument("--scale", type=int, metavar="N",
                    help="also time the member's queries with N times the runs in other tenants' projects "
                         "(default 10; 2 with --smoke; 1 skips it)")
    br.add_argument("--designs", action="store_true",
                    help="also time other policy shapes (the former ones, a definer helper per row, subqueries)")
    br.add_argument("--json", metavar="PATH", help="where to write the results (default .odooops/bench/rls-*.json)")
    br.set_defaults(func=cmd_bench_rls)
    bc = bnsub.add_parser("console", help="the console's main pages rendered whole by `next start`, as a member "
                          "under RLS, on a project with 1,000,000 runs and a run with a 100,000-line log: p95 "
                          "under 200 ms, and the plan of the slowest query")
    bc.add_argument("--smoke", action="store_true", help="tiny sizes: checks the benchmark runs, measures nothing")
    bc.add_argument("--no-build", action="store_true", help="serve the console as last built (skip `next build`)")
    bc.add_argument("--json", metavar="PATH",
                    help="where to write the results (default .odooops/bench/console-*.json)")
    bc.set_defaults(func=cmd_bench_console)
