"""Findings as data: after a step, the worker stores the findings of the reports it wrote.

A step never talks to the database; the upgrade-scan step writes
``upgrade-findings.json`` (and lint-odoo ``lint-odoo.json``) into the
artifacts directory. Once that file is stored as an artifact, the worker reads
its ``findings`` and sends them to ``ops.add_upgrade_findings`` in batches of
at most 1000, fenced by its worker id. Only the finding keys are read (code,
file, line, column, and severity, engine, text, match, message when present),
so a scanner that adds keys changes nothing here. A retried batch stores
nothing twice (the database skips findings it has).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

# The report file of each source, in the artifacts directory.
REPORTS = {"upgrade-findings.json": "upgrade-scan", "lint-odoo.json": "pylint-odoo"}
BATCH = 1000  # ops.add_upgrade_findings' bound per call
ENGINE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


class ReportError(ValueError):
    """A report file that is not a findings report."""


def rows(source: str, report: Any) -> list[dict]:
    """The report's findings as ``ops.add_upgrade_findings`` takes them."""
    if not isinstance(report, dict) or not isinstance(report.get("findings"), list):
        raise ReportError("not a findings report: no findings list")
    out = []
    for i, f in enumerate(report["findings"]):
        if not isinstance(f, dict):
            raise ReportError(f"findings[{i}] is not an object")
        row: dict[str, Any] = {
            "source": source,
            "code": f.get("code"),
            "file": f.get("file"),
            "line": f.get("line"),
            # Columns are 1-based; a tool that knows none (0) points at the line's start.
            "column": max(int(f.get("column") or 1), 1),
            "excerpt": str(f.get("text") or "")[:500],
            "message": str(f.get("message") or f.get("match") or "")[:2000],
        }
        if source != "upgrade-scan" and f.get("severity"):
            row["severity"] = f["severity"]
        engine = f.get("engine")
        if isinstance(engine, str) and ENGINE.match(engine):
            row["engine"] = engine
        out.append(row)
    return out


def upload(queue, run_id: str, key: str, path: Path) -> int | None:
    """Store the findings of a stored artifact ``key`` when it is a findings report; the number of new
    rows, or None for any other artifact."""
    source = REPORTS.get(key)
    if source is None:
        return None
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"{key} cannot be read as JSON: {exc}") from exc
    found = rows(source, report)
    new = 0
    for start in range(0, len(found), BATCH):
        new += queue.add_upgrade_findings(run_id, found[start:start + BATCH])
    return new
