"""``validate-manifests``: check every ``__manifest__.py`` against the project's series."""

from __future__ import annotations

from . import addons
from .context import StepError, env, require_source, say


def run(args) -> int:
    src = require_source()
    series = env("ODOOOPS_ODOO_SERIES")
    try:
        reports = addons.validate_tree(src, series)
    except addons.UnknownSeries as exc:
        raise StepError(str(exc)) from None
    if not reports:
        raise StepError(f"no addon found under {src} (no {addons.MANIFEST})")
    bad = 0
    for r in reports:
        if r.ok:
            m = r.manifest
            deps = ", ".join(m.get("depends") or []) or "nothing"
            say(f"ok {r.addon} {m.get('version')} ({m.get('license')}; depends on {deps})")
        else:
            bad += 1
            for e in r.errors:
                say(f"ERROR {r.path}: {e}")
    say(f"{len(reports)} addon(s) checked against Odoo {series}: {len(reports) - bad} valid, {bad} invalid")
    return 1 if bad else 0
