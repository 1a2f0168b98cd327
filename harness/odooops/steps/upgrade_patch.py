"""``upgrade-patch``: the mechanical changes of a move between series, as a unified diff.

The checkout is copied (without ``.git``), the rewrites of every series the
move crosses run on the copy, and the differences are written to
``$ODOOOPS_ARTIFACTS_DIR/upgrade-patch.diff``, which ``git apply`` applies to
the scanned commit. The checkout itself is never changed.

The rewrites are OCA's ``odoo-module-migrator`` (the ``upgrade`` extra) where it
covers the change, and a few exact rewrites of our own where it does not
(:data:`REWRITES` says which is which; docs/odooops-sh/UPGRADE_SCAN.md lists them).
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import io
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import addons
from .context import StepError, artifacts_dir, env, require_source, say

PATCH_NAME = "upgrade-patch.diff"
TEXT_SUFFIXES = (".py", ".xml", ".js", ".csv", ".scss", ".css", ".rst", ".md", ".txt", ".yml", ".yaml")


@dataclass(frozen=True)
class Rewrite:
    name: str
    to_series: str  # the series whose move needs it
    advisories: tuple[str, ...]  # the advisory codes whose findings it removes (fully or partly)
    tool: str  # odoo-module-migrator, or odooops (ours)
    run: Callable[[Path, str], None]  # (addon folder, addon name)


# -- OCA's odoo-module-migrator -------------------------------------------------------------
def _migrator(function: str) -> Callable[[Path, str], None]:
    def run(folder: Path, name: str) -> None:
        try:
            from odoo_module_migrate import tools
            from odoo_module_migrate.migration_scripts import migrate_170_180
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise StepError("odoo-module-migrator is not installed: pip install 'odooops[upgrade]' "
                            f"(or -c requirements.lock odoo-module-migrator) ({exc})") from exc
        fn = getattr(migrate_170_180, function)
        fn(_QUIET, folder, name, folder / addons.MANIFEST, [], tools)

    run.__name__ = function
    return run


_QUIET = logging.getLogger("odooops.upgrade_patch.migrator")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


# -- ours, where the migrator has no rule -------------------------------------------------
GROUP_OPERATOR = re.compile(r"(?<![A-Za-z0-9_])group_operator(\s*=)")


def _py_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if p.is_file())


def _group_operator_to_aggregator(folder: Path, name: str) -> None:
    """``group_operator=`` -> ``aggregator=`` (Odoo 18.0's name for the field attribute)."""
    for path in _py_files(folder):
        text = path.read_text(encoding="utf-8")
        new = GROUP_OPERATOR.sub(r"aggregator\1", text)
        if new != text:
            path.write_text(new, encoding="utf-8")


ODOO_DOT_SUPERUSER = re.compile(r"(?<![A-Za-z0-9_.])odoo\.SUPERUSER_ID(?![A-Za-z0-9_])")


def _superuser_id_from_odoo_api(folder: Path, name: str) -> None:
    """``from odoo import ..., SUPERUSER_ID`` -> the other names from odoo, and
    ``from odoo.api import SUPERUSER_ID``; ``odoo.SUPERUSER_ID`` -> ``odoo.api.SUPERUSER_ID``.
    Imports are found with ``ast``, so a parenthesised import over many lines is rewritten whole."""
    for path in _py_files(folder):
        text = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        lines = text.splitlines(keepends=True)
        edits = []
        for node in ast.walk(tree):
            if (isinstance(node, ast.ImportFrom) and node.module == "odoo" and node.level == 0
                    and any(a.name == "SUPERUSER_ID" for a in node.names)):
                first = lines[node.lineno - 1]
                indent = first[: len(first) - len(first.lstrip())]
                end = lines[node.end_lineno - 1]
                newline = "\r\n" if end.endswith("\r\n") else "\n"
                tail = end[node.end_col_offset:].rstrip("\r\n")  # a comment after the import stays
                su = next(a for a in node.names if a.name == "SUPERUSER_ID")
                rest = [a for a in node.names if a.name != "SUPERUSER_ID"]
                out = []
                if rest:
                    names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in rest)
                    out.append(f"{indent}from odoo import {names}{newline}")
                alias = f" as {su.asname}" if su.asname else ""
                out.append(f"{indent}from odoo.api import SUPERUSER_ID{alias}{tail}{newline}")
                edits.append((node.lineno - 1, node.end_lineno, out))
        for start, stop, out in sorted(edits, reverse=True):
            lines[start:stop] = out
        new = ODOO_DOT_SUPERUSER.sub("odoo.api.SUPERUSER_ID", "".join(lines))
        if new != text:
            path.write_text(new, encoding="utf-8")


REWRITES: tuple[Rewrite, ...] = (
    Rewrite("tree-to-list", "18.0", ("tree-to-list",), "odoo-module-migrator",
            _migrator("replace_tree_with_list_in_views")),
    Rewrite("chatter", "18.0", (), "odoo-module-migrator", _migrator("replace_chatter_blocks")),
    Rewrite("user-has-groups", "18.0", ("user-has-groups",), "odoo-module-migrator",
            _migrator("replace_user_has_groups")),
    Rewrite("unaccent", "18.0", (), "odoo-module-migrator", _migrator("replace_unaccent_parameter")),
    Rewrite("ustr", "18.0", (), "odoo-module-migrator", _migrator("replace_ustr")),
    Rewrite("group-operator-aggregator", "18.0", ("group-operator-aggregator",), "odooops",
            _group_operator_to_aggregator),
    Rewrite("superuser-id-import", "19.0", ("superuser-id-import",), "odooops", _superuser_id_from_odoo_api),
)


def rewrites_for(series: str, target: str) -> list[Rewrite]:
    lo, hi = float(series), float(target)
    return [r for r in REWRITES if lo < float(r.to_series) <= hi]


# -- the diff ----------------------------------------------------------------------------------
def _digest(path: Path) -> str:
    # Line ends do not count: the migrator writes every file it reads back with "\n".
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def _snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): _digest(p) for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink() and ".git" not in p.relative_to(root).parts}


def unified_diff(old: str, new: str, rel: str) -> str:
    """One file's change in git's format, with the marks for a last line without a newline."""
    out = io.StringIO()
    out.write(f"diff --git a/{rel} b/{rel}\n")
    for line in difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                     f"a/{rel}", f"b/{rel}", n=3):
        if line.startswith(("---", "+++")):
            out.write(line.rstrip("\n") + "\n")
            continue
        out.write(line)
        if not line.endswith("\n"):
            out.write("\n\\ No newline at end of file\n")
    return out.getvalue()


def make_patch(src: Path, series: str, target: str, log: Callable[[str], None] = say) -> tuple[str, dict]:
    """(the unified diff, a summary: files changed per rewrite) of the rewrites of the move on a copy of ``src``."""
    chosen = rewrites_for(series, target)
    summary: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="odooops-upgrade-patch-") as tmp:
        work = Path(tmp) / "tree"
        shutil.copytree(src, work, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        found = addons.find_addons(work)
        before = _snapshot(work)
        for rewrite in chosen:
            ahead = _snapshot(work)
            for name, folder in sorted(found.items()):
                try:
                    rewrite.run(folder, name)
                except StepError:
                    raise
                except (OSError, UnicodeDecodeError) as exc:
                    log(f"WARNING {rewrite.name}: {name}: {exc}; skipped")
            after = _snapshot(work)
            summary[rewrite.name] = sum(1 for k, v in after.items() if ahead.get(k) != v)
        after = _snapshot(work)
        parts = []
        for rel in sorted(after):
            if before.get(rel) == after[rel]:
                continue
            if rel not in before:
                log(f"WARNING a rewrite created {rel}; new files are not in the patch")
                continue
            try:
                old = (src / rel).read_text(encoding="utf-8")
                new = (work / rel).read_text(encoding="utf-8")
            except UnicodeDecodeError:
                log(f"WARNING {rel} is not UTF-8 text; left out of the patch")
                continue
            parts.append(unified_diff(old, new, rel))
    return "".join(parts), summary


def run(args) -> int:
    src = require_source()
    series = env("ODOOOPS_ODOO_SERIES")
    target = args.to or os.environ.get("ODOOOPS_TARGET_SERIES") or addons.next_series(series)
    if float(target) <= float(series):
        raise StepError(f"target series {target} must come after {series}")
    chosen = rewrites_for(series, target)
    say(f"proposing a patch for the move {series} -> {target}: "
        + (", ".join(f"{r.name} ({r.tool})" for r in chosen) or "no rewrite applies"))
    patch, summary = make_patch(src, series, target)
    out = artifacts_dir() / PATCH_NAME
    out.write_text(patch, encoding="utf-8")
    files = patch.count("\ndiff --git ") + patch.startswith("diff --git ")
    by = ", ".join(f"{k} {v} file(s)" for k, v in summary.items() if v) or "nothing to change"
    say(f"{files} file(s) changed: {by}; apply with: git apply {PATCH_NAME}")
    return 0
