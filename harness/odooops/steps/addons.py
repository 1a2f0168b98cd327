"""What the build and upgrade-scan steps know about Odoo addons.

Pure functions on a directory tree, no database: finding addons, checking
their ``__manifest__.py`` the way Odoo reads it (``ast.literal_eval``, never
``exec``), with dependencies checked against the repository's addons and the
core addons of the project's series (manifestoo-core's lists, see
:func:`core_addons`), and scanning files against upgrade advisories: line by
line with Python ``re`` for ``regex`` advisories, through ``ast``, lxml or the
manifest's literal for the structured engines (:mod:`.scan_engines`).

Which advisories apply to a move (see :func:`select_advisories`): an advisory
``from_series -> to_series`` says code written for ``from_series`` breaks or
warns from ``to_series`` on (``to_series`` is the first series where it bites).
Moving a codebase from series S to series T (T is the next major by default)
crosses every advisory with ``S < to_series <= T``: those are changes that do
not affect the code on S yet and do on T. Advisories with ``to_series <= S``
already bite on S (the code would not load today), and ones with
``to_series > T`` belong to a later move.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib.metadata import version as _dist_version
from pathlib import Path, PurePosixPath

from manifestoo_core.core_addons import get_core_addons
from manifestoo_core.exceptions import UnsupportedOdooSeries
from manifestoo_core.odoo_series import OdooSeries

from . import scan_engines

MANIFEST = "__manifest__.py"
REQUIRED_KEYS = ("name", "version", "license", "depends")

# The values Odoo accepts for a manifest's "license" (odoo/modules/module.py,
# and the list shown by the apps store); anything else is refused at install.
ODOO_LICENSES = (
    "GPL-2",
    "GPL-2 or any later version",
    "GPL-3",
    "GPL-3 or any later version",
    "AGPL-3",
    "LGPL-3",
    "Other OSI approved licence",
    "OEEL-1",
    "OPL-1",
    "Other proprietary",
)

_SKIP_DIRS = {".git", "__pycache__", "node_modules", ".venv", ".tox"}


# -- finding addons --------------------------------------------------------------
def iter_files(root: Path) -> Iterator[Path]:
    """Every regular file under ``root`` in a stable order, skipping VCS and cache folders."""
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part in _SKIP_DIRS for part in rel.parts[:-1]) or rel.name in _SKIP_DIRS:
            continue
        if path.is_file() and not path.is_symlink():
            yield path


def find_addons(root: Path) -> dict[str, Path]:
    """Addon name -> directory, for every folder under ``root`` holding a ``__manifest__.py``."""
    found: dict[str, Path] = {}
    for manifest in sorted(root.rglob(MANIFEST)):
        rel = manifest.relative_to(root)
        if any(part in _SKIP_DIRS for part in rel.parts):
            continue
        found.setdefault(manifest.parent.name, manifest.parent)
    return found


# -- core addons -------------------------------------------------------------------
class UnknownSeries(ValueError):
    """manifestoo-core has no core addon list for this Odoo series."""


@lru_cache
def core_addons(series: str) -> frozenset[str]:
    """The addons Odoo ships for ``series`` (e.g. "17.0"), Community and Enterprise together,
    as listed by manifestoo-core (``manifestoo_core.core_addons``, generated from Odoo's own
    repositories for each series and edition).

    Enterprise addons count as available: an integrator's build may install them (the
    Enterprise code comes from the Odoo subscription, not from the project's repository),
    so a manifest depending on ``account_accountant`` is valid; whether the target has the
    Enterprise code is the deployment's business, not the manifest's.

    A series manifestoo-core does not know (one newer than its release) raises
    :class:`UnknownSeries` rather than falling back to another series' list: the lists differ
    between series (addons are added, merged and removed), so a fallback would pass
    dependencies that do not exist on the project's series and refuse ones that do.
    """
    try:
        odoo_series = OdooSeries.from_str(series)
    except UnsupportedOdooSeries:
        known = [s.value for s in OdooSeries]
        raise UnknownSeries(
            f"Odoo {series}: manifestoo-core {_dist_version('manifestoo-core')} has no core addon list for this "
            f"series (it knows {known[0]} to {known[-1]}); install a manifestoo-core release that lists {series} "
            f"and pin it in requirements.lock"
        ) from None
    return frozenset(get_core_addons(odoo_series))


# -- manifests ---------------------------------------------------------------------
@dataclass
class ManifestReport:
    addon: str
    path: str
    manifest: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_manifest(path: Path) -> dict:
    """Parse a manifest as Odoo does: one Python literal, evaluated safely. Raises ValueError."""
    try:
        value = ast.literal_eval(path.read_text(encoding="utf-8"))
    except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a Python dict literal ({type(exc).__name__}: {exc})") from None
    if not isinstance(value, dict):
        raise ValueError(f"must be a dict literal, got {type(value).__name__}")
    return value


def validate_manifest(addon: str, manifest: dict, series: str, known_addons: Iterable[str]) -> list[str]:
    """The problems of one parsed manifest (empty when it is fine). A dependency is fine when it
    is one of ``known_addons`` (the repository's) or a core addon of ``series`` (see
    :func:`core_addons`, which raises :class:`UnknownSeries` for a series it has no list for)."""
    errors: list[str] = []
    missing = [k for k in REQUIRED_KEYS if k not in manifest]
    if missing:
        errors.append(f"missing required key(s): {', '.join(missing)}")
    name = manifest.get("name")
    if "name" in manifest and (not isinstance(name, str) or not name.strip()):
        errors.append(f"name must be a non-empty string, got {name!r}")
    version = manifest.get("version")
    if "version" in manifest:
        pattern = rf"{re.escape(series)}\.\d+\.\d+\.\d+"
        if not isinstance(version, str) or not re.fullmatch(pattern, version):
            errors.append(f"version must be {series}.x.y.z (the project's series first), got {version!r}")
    lic = manifest.get("license")
    if "license" in manifest and lic not in ODOO_LICENSES:
        errors.append(f"license {lic!r} is not one Odoo accepts ({', '.join(ODOO_LICENSES)})")
    depends = manifest.get("depends")
    if "depends" in manifest:
        if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
            errors.append(f"depends must be a list of module names, got {depends!r}")
        else:
            known = set(known_addons) | core_addons(series)
            unknown = [d for d in depends if d not in known]
            if unknown:
                errors.append(
                    f"depends on {', '.join(unknown)}: neither in this repository "
                    f"nor a core Odoo {series} addon (Community or Enterprise)"
                )
            if addon in depends:
                errors.append("depends on itself")
    return errors


def validate_tree(root: Path, series: str) -> list[ManifestReport]:
    """Check every addon under ``root``; one report per addon, in name order.
    Raises :class:`UnknownSeries` up front when ``series`` has no core addon list."""
    core_addons(series)
    addons = find_addons(root)
    reports = []
    for name, folder in sorted(addons.items()):
        rel = str((folder / MANIFEST).relative_to(root))
        report = ManifestReport(addon=name, path=rel)
        try:
            report.manifest = read_manifest(folder / MANIFEST)
        except ValueError as exc:
            report.errors.append(str(exc))
        else:
            report.errors.extend(validate_manifest(name, report.manifest, series, addons))
        reports.append(report)
    return reports


# -- upgrade advisories -------------------------------------------------------------
def next_series(series: str) -> str:
    """The next Odoo major series: 17.0 -> 18.0."""
    major, _, minor = series.partition(".")
    if not major.isdigit() or minor != "0":
        raise ValueError(f"not an Odoo series: {series!r} (expected N.0, e.g. 17.0)")
    return f"{int(major) + 1}.0"


def _num(series: str) -> float:
    return float(series)


def select_advisories(advisories: Iterable[dict], series: str, target: str | None = None) -> list[dict]:
    """The advisories a move from ``series`` to ``target`` (default: the next series) crosses:
    ``series < to_series <= target``. Sorted by to_series, then code."""
    target = target or next_series(series)
    lo, hi = _num(series), _num(target)
    if hi <= lo:
        raise ValueError(f"target series {target} must come after {series}")
    chosen = [a for a in advisories if lo < _num(a["to_series"]) <= hi]
    return sorted(chosen, key=lambda a: (_num(a["to_series"]), a["code"]))


@dataclass
class Finding:
    code: str
    severity: str
    title: str
    file: str
    line: int
    column: int
    match: str
    text: str
    engine: str = "regex"


def _glob_matches(rel: PurePosixPath, globs: Iterable[str]) -> bool:
    # A glob without a slash matches the file name; with one, the end of the path
    # (PurePath.match semantics), so "controllers/*.py" finds any addon's controllers.
    return any(rel.match(g) for g in globs)


def advisory_engine(advisory: dict) -> str:
    """The engine of an advisory: ``regex`` unless it names another (rows written before engines)."""
    return advisory.get("engine") or "regex"


def compile_advisories(advisories: Iterable[dict]) -> tuple[list[tuple[dict, object]], list[str]]:
    """(advisory, compiled pattern) pairs, and a message per advisory that cannot be used: a regex
    Python cannot compile, a structured pattern :func:`scan_engines.pattern_problem` refuses. The
    compiled pattern is a :class:`re.Pattern` for ``regex`` advisories, the pattern dict otherwise."""
    compiled, problems = [], []
    for a in advisories:
        engine = advisory_engine(a)
        if engine == "regex":
            try:
                compiled.append((a, re.compile(a["detect_regex"])))
            except re.error as exc:
                problems.append(f"{a['code']}: detect_regex does not compile in Python ({exc}); skipped")
            continue
        pattern = a.get("detect_pattern")
        problem = scan_engines.pattern_problem(engine, pattern)
        if problem:
            problems.append(f"{a['code']}: {problem}; skipped")
        else:
            compiled.append((a, pattern))
    return compiled, problems


class _Source:
    """One file as the engines need it, read and parsed at most once."""

    def __init__(self, path: Path):
        self.path = path
        self.data = path.read_bytes()
        self.text = self.data.decode("utf-8", errors="replace")
        self._lines: list[str] | None = None
        self._parsed: dict[str, object] = {}

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines

    def parsed(self, engine: str):
        if engine not in self._parsed:
            value: object = None
            if engine == "python-ast":
                try:
                    value = ast.parse(self.data)
                except (SyntaxError, ValueError):
                    value = None
            elif engine == "xml":
                value = scan_engines.parse_xml(self.data)
            elif engine == "manifest":
                try:
                    literal = ast.literal_eval(self.text)
                except (SyntaxError, ValueError):
                    literal = None
                value = literal if isinstance(literal, dict) else None
            self._parsed[engine] = value
        return self._parsed[engine]


def _hooks_for(path: Path, root: Path, cache: dict[Path, frozenset[str]]) -> frozenset[str]:
    """The install hooks named by the manifest of the addon holding ``path`` (none outside an addon)."""
    folder = path.parent
    seen = []
    while True:
        if folder in cache:
            found = cache[folder]
            break
        seen.append(folder)
        manifest = folder / MANIFEST
        if manifest.is_file():
            found = scan_engines.manifest_hooks(scan_engines.read_manifest_literal(manifest))
            break
        if folder == root or folder.parent == folder:
            found = frozenset()
            break
        folder = folder.parent
    for f in seen:
        cache[f] = found
    return found


def _findings(hits, lines: list[str], rel: str, max_text: int) -> list[Finding]:
    out, seen = [], set()
    for a, engine, line, column, match in hits:
        if (a["code"], line) in seen:
            continue
        seen.add((a["code"], line))
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        out.append(Finding(
            code=a["code"], severity=str(a.get("severity", "")), title=a.get("title", ""), file=rel, line=line,
            column=column, match=match[:max_text], text=text.strip()[:max_text], engine=engine,
        ))
    return out


def scan_tree(root: Path, advisories: Iterable[dict], max_text: int = 200) -> list[Finding]:
    """Findings of every advisory in every file matching its globs, in file, line, code order.
    A ``regex`` advisory matches line by line (the first match on a line); a structured one
    (``python-ast``, ``xml``, ``manifest``: :mod:`odooops.steps.scan_engines`) parses the file once
    for all the advisories of its engine, and only when the file holds one of the pattern's needles.
    At most one finding per advisory and line."""
    compiled, _ = compile_advisories(advisories)
    prepared = [(a, advisory_engine(a), p, None if advisory_engine(a) == "regex"
                 else scan_engines.needles(advisory_engine(a), p)) for a, p in compiled]
    findings: list[Finding] = []
    hooks_cache: dict[Path, frozenset[str]] = {}
    for path in iter_files(root):
        rel = PurePosixPath(path.relative_to(root).as_posix())
        relevant = [x for x in prepared if _glob_matches(rel, x[0].get("detect_globs") or [])]
        if not relevant:
            continue
        try:
            src = _Source(path)
        except OSError:
            continue
        hits: list[tuple[dict, str, int, int, str]] = []
        regexes = [(a, rx) for a, engine, rx, _ in relevant if engine == "regex"]
        if regexes:
            for lineno, line in enumerate(src.lines, 1):
                for a, rx in regexes:
                    m = rx.search(line)
                    if m:
                        hits.append((a, "regex", lineno, m.start() + 1, m.group(0)))
        for a, engine, pattern, wanted in relevant:
            if engine == "regex" or not any(n in src.text for n in wanted):
                continue
            tree = src.parsed(engine)
            if tree is None:
                continue
            if engine == "python-ast":
                hooks = _hooks_for(path, root, hooks_cache)
                matches = scan_engines.python_matches(tree, src.lines, pattern, hooks)
            elif engine == "xml":
                matches = scan_engines.xml_matches(tree, src.lines, pattern)
            else:
                matches = scan_engines.manifest_matches(tree, src.lines, pattern)
            hits += [(a, engine, m.line, m.column, m.match) for m in sorted(matches, key=lambda m: (m.line, m.column))]
        findings += _findings(hits, src.lines, str(rel), max_text)
    findings.sort(key=lambda f: (f.file, f.line, f.code))
    return findings


def findings_report(findings: list[Finding], advisories: list[dict], series: str, target: str, **extra) -> dict:
    """The JSON document the upgrade-scan step stores as an artifact."""
    summary: dict[str, int] = {}
    for f in findings:
        summary[f.code] = summary.get(f.code, 0) + 1
    return {
        "from_series": series,
        "to_series": target,
        **extra,
        "advisories_checked": [a["code"] for a in advisories],
        "summary": summary,
        "findings": [asdict(f) for f in findings],
    }
