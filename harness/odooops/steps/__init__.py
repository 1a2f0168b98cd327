"""Built-in workflow steps: ``python -m odooops.steps <name>`` (or ``odooops step <name>``).

A workflow stays a list of shell commands; these are the commands the demo
workflows use, each a small program that reads its run context from the
environment the worker sets (see :mod:`odooops.runner.process`):

  ODOOOPS_RUN_ID, ODOOOPS_ATTEMPT, ODOOOPS_PROJECT, ODOOOPS_WORKFLOW, ODOOOPS_STEP
  ODOOOPS_BRANCH, ODOOOPS_COMMIT, ODOOOPS_REPOSITORY_URL, ODOOOPS_ODOO_SERIES
  ODOOOPS_WORKDIR        the run's fresh work directory (every step's cwd)
  ODOOOPS_SOURCE_DIR     where ``checkout`` puts the repository ($ODOOOPS_WORKDIR/src)
  ODOOOPS_ARTIFACTS_DIR  files written here are stored and recorded as artifacts after the step
  ODOOOPS_ADVISORIES_FILE  ops.upgrade_advisories as JSON (written by the worker); an empty
                           list unless a step asks for them ("advisories": true, or running
                           upgrade-scan without "advisories": false)
  ODOOOPS_SOURCE_REF     a pull or merge request's run only: the ref ``checkout`` fetches
                         (refs/pull/<n>/head, refs/merge-requests/<iid>/head)
  ODOOOPS_TARGET_SERIES  optional: upgrade-scan and upgrade-patch target (default: the next series)
  LINT_ODOO_FAIL_ON   optional: lint-odoo's --fail-on (default: fatal,error)

Steps print one line per fact; a line starting with ``ERROR`` or ``WARNING``
is stored at that log level. Exit status 0 is success.
"""

from __future__ import annotations

import argparse

from . import checkout, compile, lint_odoo, package, upgrade_patch, upgrade_scan, validate_manifests
from .context import StepError, say

STEPS = {
    "checkout": (checkout.run, "clone the project's repository and check out the run's commit"),
    "validate-manifests": (validate_manifests.run, "check every __manifest__.py against the project's series"),
    "compile": (compile.run, "byte-compile every Python file of the checkout"),
    "package": (package.run, "tar.gz the addons into $ODOOOPS_ARTIFACTS_DIR (reproducible)"),
    "upgrade-scan": (upgrade_scan.run, "scan for upgrade advisories of the move to the next series"),
    "upgrade-patch": (upgrade_patch.run, "propose the mechanical changes of the move as a patch (git apply)"),
    "lint-odoo": (lint_odoo.run, "OCA's pylint-odoo on every addon; its messages become findings"),
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
        if name == "upgrade-patch":
            sp.add_argument("--to", help="target series (default: $ODOOOPS_TARGET_SERIES, else the next one)")
        if name == "lint-odoo":
            sp.add_argument("--fail-on", metavar="CHECKS",
                            help="comma-separated pylint message symbols, ids or types (fatal, error, warning, "
                                 "convention, refactor, info) that fail the build, or none (default: "
                                 "$LINT_ODOO_FAIL_ON, else fatal,error)")
            sp.add_argument("--enable", default="odoolint", metavar="CHECKS",
                            help="the pylint checks to run (default: odoolint, all of pylint-odoo's)")
            sp.add_argument("--disable", metavar="CHECKS", help="checks not to run, after --enable")


def run(args) -> int:
    fn = STEPS[args.step][0]
    try:
        return fn(args)
    except StepError as exc:
        say(f"ERROR {args.step}: {exc}")
        return 1


def main(argv: list[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))
