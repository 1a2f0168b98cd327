"""``lint-odoo``: OCA's pylint-odoo on every addon of the checkout; its messages are findings.

Runs ``pylint --load-plugins=pylint_odoo`` (the ``upgrade`` extra) with pylint-odoo's
checks (``--enable``, default ``odoolint``: all of them) and the project's series as
``--valid-odoo-versions``, and writes ``$ODOOOPS_ARTIFACTS_DIR/lint-odoo.json``:
one finding per message (code: pylint's symbol, severity: its type), which the
worker stores in ``ops.upgrade_findings`` with source ``pylint-odoo``.

Which messages fail the build is the workflow's choice: ``--fail-on`` in the step's
command, or ``LINT_ODOO_FAIL_ON`` in the step's ``env`` (or a run's
``{"env": {...}}`` param), else ``fatal,error``: a comma-separated list of message symbols
(``manifest-required-author``), ids (``C8101``) or types (``fatal``, ``error``,
``warning``, ``convention``, ``refactor``, ``info``), or ``none``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from . import addons
from .context import StepError, artifacts_dir, env, require_source, say

REPORT_NAME = "lint-odoo.json"
TYPES = ("fatal", "error", "warning", "convention", "refactor", "info")
TOKEN = re.compile(r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*|[CRWEFI][0-9]{4})$")
MAX_TEXT = 200


def parse_fail_on(value: str) -> set[str]:
    """The tokens of ``--fail-on``; ``none`` (or empty) is the empty set."""
    tokens = {t.strip() for t in value.split(",") if t.strip()}
    if tokens <= {"none"}:
        return set()
    bad = sorted(t for t in tokens if t == "none" or not TOKEN.match(t))
    if bad:
        raise StepError(f"--fail-on: {', '.join(repr(b) for b in bad)} is not a pylint message symbol, id or type "
                        f"({', '.join(TYPES)}), or none")
    return tokens


def fails(message: dict, fail_on: set[str]) -> bool:
    return bool({message.get("type"), message.get("symbol"), message.get("message-id")} & fail_on)


def pylint(src: Path, folders: list[str], series: str, enable: str, disable: str | None) -> list[dict]:
    """pylint-odoo's messages on ``folders`` (relative to ``src``), as pylint's JSON gives them."""
    try:
        import pylint_odoo  # noqa: F401  (only to say clearly when it is missing)
    except ImportError as exc:
        raise StepError(f"pylint-odoo is not installed: pip install 'odooops[upgrade]' ({exc})") from exc
    argv = [sys.executable, "-m", "pylint", "--load-plugins=pylint_odoo", "--disable=all", f"--enable={enable}",
            f"--valid-odoo-versions={series}", "--output-format=json", "--score=n", "--persistent=n"]
    if disable:
        argv.append(f"--disable={disable}")
    proc = subprocess.run([*argv, *folders], cwd=src, capture_output=True, text=True)
    # pylint's exit status is a bit mask of the message types found; 32 is a usage error.
    if proc.returncode & 32 or not proc.stdout.strip():
        last = (proc.stderr.strip() or proc.stdout.strip() or f"exit status {proc.returncode}").splitlines()[-1]
        raise StepError(f"pylint could not run: {last}")
    try:
        messages = json.loads(proc.stdout)
    except ValueError as exc:
        raise StepError(f"pylint's output is not JSON: {exc}") from exc
    return messages


def findings(src: Path, messages: list[dict], fail_on: set[str]) -> list[dict]:
    """One finding per message, with the source line and whether it fails the build, in file and line order."""
    lines: dict[str, list[str]] = {}
    out = []
    for m in messages:
        rel = m["path"]
        if rel not in lines:
            try:
                lines[rel] = (src / rel).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                lines[rel] = []
        text = lines[rel][m["line"] - 1].strip() if 0 < m["line"] <= len(lines[rel]) else ""
        out.append({
            "code": m["symbol"], "message_id": m["message-id"], "severity": m["type"], "file": rel,
            "line": max(int(m["line"]), 1), "column": int(m.get("column") or 0) + 1,
            "message": m["message"][:2000], "text": text[:MAX_TEXT], "fails": fails(m, fail_on),
        })
    out.sort(key=lambda f: (f["file"], f["line"], f["column"], f["code"]))
    return out


def run(args) -> int:
    src = require_source()
    series = env("ODOOOPS_ODOO_SERIES")
    fail_on = parse_fail_on(args.fail_on if args.fail_on is not None
                            else os.environ.get("LINT_ODOO_FAIL_ON", "fatal,error"))
    found = addons.find_addons(src)
    if not found:
        raise StepError(f"no addon (a folder with {addons.MANIFEST}) in the checkout")
    folders = sorted(str(folder.relative_to(src)) for folder in found.values())
    say(f"pylint-odoo on {len(folders)} addon(s) for Odoo {series}, checks {args.enable}"
        + (f" but {args.disable}" if args.disable else "")
        + f"; failing on {', '.join(sorted(fail_on)) or 'nothing'}")
    messages = pylint(src, folders, series, args.enable, args.disable)
    report_findings = findings(src, messages, fail_on)
    failing = [f for f in report_findings if f["fails"]]
    for f in report_findings:
        level = "ERROR" if f["fails"] else "WARNING"
        say(f"{level} {f['code']} ({f['message_id']}, {f['severity']}) {f['file']}:{f['line']}: {f['message']}")
    summary: dict[str, int] = {}
    for f in report_findings:
        summary[f["code"]] = summary.get(f["code"], 0) + 1
    report = {
        "source": "pylint-odoo", "odoo_series": series, "enable": args.enable, "disable": args.disable,
        "fail_on": sorted(fail_on), "project": os.environ.get("ODOOOPS_PROJECT"),
        "commit": os.environ.get("ODOOOPS_COMMIT"), "run_id": os.environ.get("ODOOOPS_RUN_ID"),
        "summary": summary, "failing": len(failing), "findings": report_findings,
    }
    out = artifacts_dir() / REPORT_NAME
    out.write_text(json.dumps(report, indent=2) + "\n")
    by_code = ", ".join(f"{c} x{n}" for c, n in sorted(summary.items())) or "none"
    say(f"{len(report_findings)} message(s), {len(failing)} failing the build: {by_code}; report in {out.name}")
    return 1 if failing else 0
