"""``upgrade-scan``: scan the checkout for the upgrade advisories of a move between series."""

from __future__ import annotations

import json
import os
from pathlib import Path

from . import addons
from .context import StepError, artifacts_dir, env, require_source, say


def load_advisories() -> list[dict]:
    path = os.environ.get("ODOOOPS_ADVISORIES_FILE")
    if not path:
        raise StepError("ODOOOPS_ADVISORIES_FILE is not set: the worker writes ops.upgrade_advisories there")
    advisories = json.loads(Path(path).read_text())
    if not advisories:
        say('WARNING no upgrade advisories to scan for: the worker writes them only for a workflow whose step '
            'asks ("advisories": true, or a command running upgrade-scan without "advisories": false)')
    return advisories


def run(args) -> int:
    src = require_source()
    series = env("ODOOOPS_ODOO_SERIES")
    target = args.to or os.environ.get("ODOOOPS_TARGET_SERIES") or addons.next_series(series)
    every = load_advisories()
    chosen = addons.select_advisories(every, series, target)
    compiled, problems = addons.compile_advisories(chosen)
    for p in problems:
        say(f"WARNING {p}")
    say(f"scanning for the move {series} -> {target}: {len(chosen)} of {len(every)} advisories apply "
         f"({', '.join(a['code'] for a in chosen) or 'none'})")
    findings = addons.scan_tree(src, [a for a, _ in compiled])
    for f in findings:
        say(f"WARNING {f.code} ({f.severity}) {f.file}:{f.line}: {f.text}")
    report = addons.findings_report(
        findings, chosen, series, target,
        project=os.environ.get("ODOOOPS_PROJECT"), commit=os.environ.get("ODOOOPS_COMMIT"),
        run_id=os.environ.get("ODOOOPS_RUN_ID"),
    )
    out = artifacts_dir() / "upgrade-findings.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    files = len({f.file for f in findings})
    by_code = ", ".join(f"{c} x{n}" for c, n in sorted(report["summary"].items())) or "none"
    say(f"{len(findings)} finding(s) in {files} file(s) for {series} -> {target}: {by_code}; report in {out.name}")
    if args.fail_on_findings and findings:
        say("ERROR findings present and --fail-on-findings given")
        return 1
    return 0
