"""What the build and upgrade-scan steps know about Odoo addons.

Pure functions on a directory tree, no database: finding addons, checking
their ``__manifest__.py`` the way Odoo reads it (``ast.literal_eval``, never
``exec``), and scanning files against upgrade advisories line by line with
Python ``re``.

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
from pathlib import Path, PurePosixPath

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

# Addons shipped with Odoo Community 16.0-19.0 that custom addons commonly depend
# on (module technical names). A dependency is fine when it is here or in the
# repository itself; anything else would fail to install.
ODOO_STANDARD_MODULES = frozenset(
    """
    account account_check_printing account_debit_note account_edi account_edi_ubl_cii account_fleet
    account_payment account_payment_invoice_online_payment_patch account_qr_code_sepa account_tax_python
    analytic auth_ldap auth_oauth auth_password_policy auth_signup auth_totp auth_totp_mail
    auth_totp_portal barcodes barcodes_gs1_nomenclature base base_address_extended base_automation
    base_geolocalize base_iban base_import base_import_module base_install_request base_setup
    base_sparse_field base_vat board bus calendar calendar_sms contacts crm crm_iap_enrich
    crm_iap_mine crm_livechat crm_mail_plugin crm_sms data_recycle delivery digest event event_booth
    event_crm event_sale event_sms fleet gamification google_account google_calendar google_gmail
    google_recaptcha hr hr_attendance hr_contract hr_expense hr_fleet hr_holidays hr_homeworking
    hr_hourly_cost hr_maintenance hr_org_chart hr_presence hr_recruitment hr_skills hr_timesheet
    hr_work_entry hr_work_entry_contract http_routing iap iap_crm iap_mail im_livechat l10n_generic_coa
    link_tracker loyalty lunch mail mail_bot mail_plugin maintenance mass_mailing mass_mailing_crm
    mass_mailing_sale mass_mailing_sms membership microsoft_account microsoft_calendar
    microsoft_outlook mrp mrp_account mrp_landed_costs mrp_product_expiry mrp_repair mrp_subcontracting
    onboarding partner_autocomplete payment payment_custom payment_demo phone_validation point_of_sale
    portal portal_rating pos_restaurant pos_sale privacy_lookup product product_email_template
    product_expiry product_images product_margin project project_account project_hr_expense
    project_mrp project_purchase project_sale_expense project_timesheet_holidays purchase
    purchase_mrp purchase_product_matrix purchase_requisition purchase_stock rating repair
    resource sale sale_crm sale_expense sale_loyalty sale_management sale_margin sale_mrp
    sale_project sale_purchase sale_purchase_stock sale_stock sale_timesheet sales_team
    sms snailmail social_media spreadsheet spreadsheet_dashboard stock stock_account stock_delivery
    stock_dropshipping stock_landed_costs stock_picking_batch stock_sms survey uom utm web
    web_editor web_hierarchy web_tour web_unsplash website website_blog website_crm
    website_customer website_event website_event_sale website_forum website_hr_recruitment
    website_livechat website_mail website_partner website_payment website_profile website_sale
    website_sale_comparison website_sale_loyalty website_sale_stock website_sale_wishlist
    website_slides website_sms
    """.split()
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
    """The problems of one parsed manifest (empty when it is fine)."""
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
            known = set(known_addons)
            unknown = [d for d in depends if d not in known and d not in ODOO_STANDARD_MODULES]
            if unknown:
                errors.append(
                    f"depends on {', '.join(unknown)}: neither in this repository nor a standard Odoo module"
                )
            if addon in depends:
                errors.append("depends on itself")
    return errors


def validate_tree(root: Path, series: str) -> list[ManifestReport]:
    """Check every addon under ``root``; one report per addon, in name order."""
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


def _glob_matches(rel: PurePosixPath, globs: Iterable[str]) -> bool:
    # A glob without a slash matches the file name; with one, the end of the path
    # (PurePath.match semantics), so "controllers/*.py" finds any addon's controllers.
    return any(rel.match(g) for g in globs)


def compile_advisories(advisories: Iterable[dict]) -> tuple[list[tuple[dict, re.Pattern]], list[str]]:
    """(advisory, compiled pattern) pairs, and a message per pattern Python cannot compile."""
    compiled, problems = [], []
    for a in advisories:
        try:
            compiled.append((a, re.compile(a["detect_regex"])))
        except re.error as exc:
            problems.append(f"{a['code']}: detect_regex does not compile in Python ({exc}); skipped")
    return compiled, problems


def scan_tree(root: Path, advisories: Iterable[dict], max_text: int = 200) -> list[Finding]:
    """Findings of every advisory in every file matching its globs, one per matching line
    (the first match on the line), in file, line, code order."""
    compiled, _ = compile_advisories(advisories)
    findings: list[Finding] = []
    for path in iter_files(root):
        rel = PurePosixPath(path.relative_to(root).as_posix())
        relevant = [(a, rx) for a, rx in compiled if _glob_matches(rel, a.get("detect_globs") or [])]
        if not relevant:
            continue
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for lineno, line in enumerate(lines, 1):
            for a, rx in relevant:
                m = rx.search(line)
                if m:
                    findings.append(Finding(
                        code=a["code"], severity=str(a.get("severity", "")), title=a.get("title", ""),
                        file=str(rel), line=lineno, column=m.start() + 1, match=m.group(0)[:max_text],
                        text=line.strip()[:max_text],
                    ))
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
