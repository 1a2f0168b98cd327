"""The ``odooops`` command: argument parsing only, grouped by audience.

- :mod:`.run`: what a build host runs: ``worker``, ``step``;
- :mod:`.notify`: what the control plane runs next to its database: ``notify``;
- :mod:`.control`: what a control plane's users run: ``project``, ``branch``, ``operator``,
  ``workflow``, ``run``;
- :mod:`.develop`: working on this repository: ``db up|down|status|migrate``,
  ``demo``, ``functions types``, ``schema docs``, ``bench queue``;
- :mod:`.check`: what ``make test`` runs: ``check``, ``lint``, ``db test``,
  ``functions test``, ``schema check``, ``prisma check``, ``docs check``.

Each command imports what it calls when it runs, so ``odooops worker`` on a
build host loads the runner and nothing of the development tooling.
"""

from __future__ import annotations

import argparse

from . import check, control, develop, notify, run
from .output import err


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="odooops",
        description=(
            "OdooOps: an Odoo.sh-style control plane for self-hosted Odoo on Supabase/PostgreSQL. "
            "Runs workers that build queued runs; for working on this repository it also starts throwaway "
            "PostgreSQL clusters, applies supabase/migrations like the Supabase CLI, and checks everything "
            "(pgTAP, lint, docs against the live database). Uses DATABASE_URL (or SUPABASE_DB_URL) when set, "
            "else the cluster from `odooops db up`. Start with `make demo`."
        ),
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run.register(sub)
    notify.register(sub)
    control.register(sub)

    # Parsers that develop and check commands share.
    db = sub.add_parser("db", help="ephemeral database, migrations and pgTAP tests")
    fn = sub.add_parser("functions", help="Edge Functions: deno fmt/lint/check/test, generated database types")
    schema = sub.add_parser("schema", help="DBML, ERD, SVG and Prisma schema generated from the migrated database")
    groups = {
        "db": db.add_subparsers(dest="db_command", required=True, metavar="SUBCOMMAND"),
        "functions": fn.add_subparsers(dest="functions_command", required=True, metavar="SUBCOMMAND"),
        "schema": schema.add_subparsers(dest="schema_command", required=True, metavar="SUBCOMMAND"),
    }
    develop.register(sub, groups)
    check.register(sub, groups)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from ..dev.cluster import ClusterError

    try:
        return args.func(args) or 0
    except ClusterError as exc:
        err(str(exc))
        return 1
    except KeyboardInterrupt:
        err("interrupted")
        return 130
