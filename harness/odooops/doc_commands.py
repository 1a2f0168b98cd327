"""``odooops schema docs|check``, ``odooops prisma check``, ``odooops docs check``.

Each works on a database migrated from ``supabase/migrations`` at that moment:
a fresh database on the configured server (DATABASE_URL / SUPABASE_DB_URL or
the ``db up`` cluster), else on a throwaway cluster of its own, dropped
afterwards. ``--as-is`` reads the configured database itself, unmigrated
(for example a Supabase project), instead.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from pathlib import Path

from . import catalog, migrations, target


def _err(msg: str) -> None:
    print(f"odooops: {msg}", file=sys.stderr)


@contextmanager
def migrated_database(as_is: bool = False, directory: Path | None = None):
    """A Target whose database has every migration applied."""
    from .cli import fresh_database, server

    if as_is:
        yield target.current()
        return
    with server() as parent:
        db = fresh_database(parent, "odooops_docs")
        try:
            migrations.migrate(db, directory=directory, echo=lambda m: None)
            yield db
        finally:
            parent.drop_database(db.dbname)


def _report(what: str, problems: list[str], t0: float, fix: str) -> int:
    if problems:
        for p in problems:
            print(f"  {p}")
        _err(f"{what}: {len(problems)} problem(s) ({time.monotonic() - t0:.1f}s). {fix}")
        return 1
    print(f"{what}: ok ({time.monotonic() - t0:.1f}s)")
    return 0


def cmd_schema_docs(args) -> int:
    from . import prisma_schema, schema_docs

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
    print(f"{len(s.tables)} tables, {len(s.enums)} enums; " + ("up to date" if not changed else f"{len(changed)} file(s) changed"))
    return 0


def cmd_schema_check(args) -> int:
    from . import schema_docs

    t0 = time.monotonic()
    root = target.project_root()
    try:
        with migrated_database(args.as_is) as db, db.connect("postgres") as conn:
            problems = schema_docs.check(catalog.read(conn), root)
    except migrations.MigrationError as exc:
        problems = [f"migrations do not apply: {exc}"]
    except schema_docs.ToolError as exc:
        _err(str(exc))
        return 2
    return _report("schema check (DBML, ERD, SVG)", problems, t0,
                   "If the migrations changed on purpose, run `odooops schema docs` and commit the result.")


def cmd_prisma_check(args) -> int:
    from . import prisma_schema
    from .schema_docs import ToolError

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
        _err(str(exc))
        return 2
    return _report("prisma check (validate, format, generate, drift)", problems, t0,
                   "If the migrations changed on purpose, run `odooops schema docs` and commit prisma/schema.prisma.")


def cmd_docs_check(args) -> int:
    from . import docs_check
    from .schema_docs import ToolError

    t0 = time.monotonic()
    root = target.project_root()
    try:
        with migrated_database(args.as_is) as db, db.connect("postgres") as conn:
            problems = docs_check.check(conn, root)
    except migrations.MigrationError as exc:
        problems = [f"migrations do not apply: {exc}"]
    except ToolError as exc:
        _err(str(exc))
        return 2
    return _report("docs check", problems, t0,
                   "Bring docs/odooops-sh/ in line with the database (the database is the truth).")


def register(sub) -> None:
    """Add the `schema`, `prisma` and `docs` commands to the odooops parser."""
    def as_is(p):
        p.add_argument("--as-is", action="store_true",
                       help="read the configured database (DATABASE_URL or `db up`) as it is, without migrating "
                            "a fresh one")
        return p

    schema = sub.add_parser("schema", help="DBML, ERD, SVG and Prisma schema generated from the migrated database")
    ssub = schema.add_subparsers(dest="schema_command", required=True, metavar="SUBCOMMAND")
    as_is(ssub.add_parser(
        "docs", help="write schema/odooops.dbml, schema/erd.md, schema/odooops.svg and prisma/schema.prisma",
    )).set_defaults(func=cmd_schema_docs)
    as_is(ssub.add_parser(
        "check", help="fail when the committed DBML, ERD or SVG differ from what the database gives",
    )).set_defaults(func=cmd_schema_check)

    prisma = sub.add_parser("prisma", help="Prisma schema checks")
    psub = prisma.add_subparsers(dest="prisma_command", required=True, metavar="SUBCOMMAND")
    as_is(psub.add_parser(
        "check", help="prisma validate, format --check and generate; fail on drift from a live introspection",
    )).set_defaults(func=cmd_prisma_check)

    docs = sub.add_parser("docs", help="checks of docs/odooops-sh against the database")
    dsub = docs.add_subparsers(dest="docs_command", required=True, metavar="SUBCOMMAND")
    as_is(dsub.add_parser(
        "check", help="state diagram, policy and function tables, RPC names, Mermaid blocks, links and anchors",
    )).set_defaults(func=cmd_docs_check)


def check_steps() -> list[tuple[str, list[str]]]:
    """What `odooops check` (make test) runs after lint, pgTAP and pytest: the CI spec gates."""
    root = target.project_root()
    workflows = sorted(str(p) for p in (root / ".github" / "workflows").glob("*.y*ml"))
    odooops = [sys.executable, "-m", "odooops.cli"]
    steps = [
        ("spec kit", ["bash", str(root / "scripts" / "validate_spec_kit_odooops.sh")]),
        ("schema docs", [*odooops, "schema", "check"]),
        ("prisma", [*odooops, "prisma", "check"]),
        ("docs", [*odooops, "docs", "check"]),
    ]
    if workflows:
        steps.append(("workflow files", [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                                         "vendor.github-workflows", *workflows]))
    return steps
