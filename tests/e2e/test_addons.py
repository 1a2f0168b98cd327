"""The knowledge behind the build and upgrade-scan steps, on small trees
(pure functions: no database, no worker)."""

from __future__ import annotations

import os

import pytest
from manifestoo_core.core_addons import is_core_ce_addon, is_core_ee_addon
from manifestoo_core.odoo_series import OdooSeries
from odooops import steps
from odooops.dev import wheels
from odooops.steps import addons

ADVISORIES = [
    {"code": "old", "from_series": "15.0", "to_series": "16.0", "detect_regex": "x", "detect_globs": ["*.py"]},
    {"code": "now", "from_series": "17.0", "to_series": "18.0", "detect_regex": "group_operator\\s*=",
     "detect_globs": ["*.py"], "severity": "breaking", "title": "t"},
    {"code": "long", "from_series": "16.0", "to_series": "18.0", "detect_regex": "<tree(?![A-Za-z0-9_])",
     "detect_globs": ["*.xml"], "severity": "breaking", "title": "t"},
    {"code": "later", "from_series": "18.0", "to_series": "19.0", "detect_regex": "groups_id",
     "detect_globs": ["controllers/*.py"], "severity": "breaking", "title": "t"},
]


def test_a_move_crosses_the_advisories_that_first_bite_after_it():
    assert addons.next_series("17.0") == "18.0"
    assert [a["code"] for a in addons.select_advisories(ADVISORIES, "17.0")] == ["long", "now"]
    assert [a["code"] for a in addons.select_advisories(ADVISORIES, "17.0", "19.0")] == ["long", "now", "later"]
    assert [a["code"] for a in addons.select_advisories(ADVISORIES, "18.0")] == ["later"]
    with pytest.raises(ValueError):
        addons.select_advisories(ADVISORIES, "17.0", "16.0")
    with pytest.raises(ValueError):
        addons.next_series("17.5")


def test_scan_matches_line_by_line_within_globs(tmp_path):
    (tmp_path / "a" / "models").mkdir(parents=True)
    (tmp_path / "a" / "controllers").mkdir()
    (tmp_path / "a" / "models" / "m.py").write_text("x = 1\ny = fields.Float(group_operator = 'avg')\n")
    (tmp_path / "a" / "views.xml").write_text("<odoo>\n  <tree_view_ref/>\n  <tree>\n</odoo>\n")
    (tmp_path / "a" / "controllers" / "c.py").write_text("groups_id = 1\n")
    (tmp_path / "a" / "models" / "groups.py").write_text("groups_id = 1\n")  # not under controllers/
    found = addons.scan_tree(tmp_path, addons.select_advisories(ADVISORIES, "17.0", "19.0"))
    assert [(f.code, f.file, f.line, f.match) for f in found] == [
        ("later", "a/controllers/c.py", 1, "groups_id"),
        ("now", "a/models/m.py", 2, "group_operator ="),
        ("long", "a/views.xml", 3, "<tree"),
    ]
    report = addons.findings_report(found, ADVISORIES[1:], "17.0", "19.0", commit="abc")
    assert report["summary"] == {"later": 1, "now": 1, "long": 1} and report["commit"] == "abc"


def test_a_pattern_python_cannot_compile_is_reported_and_skipped():
    compiled, problems = addons.compile_advisories([{"code": "bad", "detect_regex": "(unclosed"}, ADVISORIES[0]])
    assert [a["code"] for a, _ in compiled] == ["old"]
    assert problems and problems[0].startswith("bad: detect_regex does not compile in Python")


def test_manifest_rules(tmp_path):
    good = {"name": "A", "version": "17.0.1.0.0", "license": "LGPL-3", "depends": ["base", "b"]}
    assert addons.validate_manifest("a", good, "17.0", {"a", "b"}) == []
    errors = addons.validate_manifest("a", {"name": "", "version": "1.0", "license": "MIT",
                                            "depends": ["nowhere", "a"]}, "17.0", {"a"})
    assert errors == [
        "name must be a non-empty string, got ''",
        "version must be 17.0.x.y.z (the project's series first), got '1.0'",
        errors[2],
        "depends on nowhere: neither in this repository nor a core Odoo 17.0 addon (Community or Enterprise)",
        "depends on itself",
    ]
    assert errors[2].startswith("license 'MIT' is not one Odoo accepts")
    assert addons.validate_manifest("a", {}, "17.0", set()) == [
        "missing required key(s): name, version, license, depends"]

    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "__manifest__.py").write_text("# comment\n{'name': __import__('os').getcwd()}\n")
    (tmp_path / "y").mkdir()
    (tmp_path / "y" / "__manifest__.py").write_text("['not', 'a', 'dict']")
    reports = {r.addon: r for r in addons.validate_tree(tmp_path, "17.0")}
    assert reports["x"].errors[0].startswith("not a Python dict literal (ValueError")  # never evaluated
    assert reports["y"].errors == ["must be a dict literal, got list"]


def test_dependencies_may_be_any_core_addon_of_the_series_community_or_enterprise():
    v17 = OdooSeries.from_str("17.0")
    assert is_core_ce_addon("l10n_fr", v17) and is_core_ee_addon("account_accountant", v17)
    manifest = {"name": "A", "version": "17.0.1.0.0", "license": "OEEL-1",
                "depends": ["base", "l10n_fr", "account_accountant", "b"]}
    assert addons.validate_manifest("a", manifest, "17.0", {"a", "b"}) == []

    # The series picks the list: website_sale_delivery was merged into website_sale in 17.0.
    old = {"name": "A", "version": "16.0.1.0.0", "license": "LGPL-3", "depends": ["website_sale_delivery"]}
    assert addons.validate_manifest("a", old, "16.0", {"a"}) == []
    assert addons.validate_manifest("a", {**old, "version": "17.0.1.0.0"}, "17.0", {"a"}) == [
        "depends on website_sale_delivery: neither in this repository nor a core Odoo 17.0 addon "
        "(Community or Enterprise)"]

    unknown = {**manifest, "depends": ["l10n_fr", "l10n_fr_nowhere", "account_accountant_nowhere"]}
    assert addons.validate_manifest("a", unknown, "17.0", {"a"}) == [
        "depends on l10n_fr_nowhere, account_accountant_nowhere: neither in this repository nor a core "
        "Odoo 17.0 addon (Community or Enterprise)"]


def test_a_series_without_a_core_addon_list_fails_the_step_naming_it(tmp_path, monkeypatch, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "__manifest__.py").write_text(
        "{'name': 'A', 'version': '99.0.1.0.0', 'license': 'LGPL-3', 'depends': ['base']}")
    with pytest.raises(addons.UnknownSeries, match=r"^Odoo 99\.0: manifestoo-core \S+ has no core addon list"):
        addons.validate_tree(tmp_path, "99.0")
    with pytest.raises(addons.UnknownSeries):
        addons.validate_manifest("a", {"depends": ["base"]}, "99.0", {"a"})

    monkeypatch.setenv("ODOOOPS_SOURCE_DIR", str(tmp_path))
    monkeypatch.setenv("ODOOOPS_ODOO_SERIES", "99.0")
    assert steps.main(["validate-manifests"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("ERROR validate-manifests: Odoo 99.0: manifestoo-core ")
    assert "install a manifestoo-core release that lists 99.0 and pin it in requirements.lock" in out[0]

    monkeypatch.setenv("ODOOOPS_ODOO_SERIES", "17.0")
    (tmp_path / "a" / "__manifest__.py").write_text(
        "{'name': 'A', 'version': '17.0.1.0.0', 'license': 'LGPL-3', 'depends': ['l10n_fr', 'account_accountant']}")
    assert steps.main(["validate-manifests"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "1 addon(s) checked against Odoo 17.0: 1 valid, 0 invalid")


# Addons OCA publishes as wheels, checked as published: l10n_fr_fec_oca depends on l10n_fr and
# account (core) and on date_range (OCA's server-ux). Pinned by hash: the bytes never change.
OCA_WHEELS = {
    "odoo-addon-l10n-fr-fec-oca==16.0.1.2.0":
        "7daffcdeecc37af67be746a9421b237fa335054c41fe56dc44d1565c7f7a00c6",
    "odoo-addon-date-range==16.0.1.0.9.13":
        "552e6ff135e014c3aea17980318b71d0789ca8ac38f11aa2f84080d5edb8581e",
}


@pytest.fixture(scope="module")
def oca_wheels(tmp_path_factory):
    """The OCA wheels above, fetched with pip (hash-checked); skipped offline, except under CI."""
    return fetch_wheels(OCA_WHEELS, tmp_path_factory.mktemp("oca") / "wheels")


def fetch_wheels(pins: dict[str, str], dest) -> dict[str, object]:
    """Normalised distribution name -> wheel, for pinned wheels (odooops.dev.wheels); a test that
    needs them is skipped when pip cannot reach the registry, and fails instead under CI."""
    try:
        got = wheels.download(pins, dest)
    except wheels.DownloadError as exc:
        why = f"pip could not download the OCA wheels: {exc}"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return {wheels.wheel_key(w)[0]: w for w in got.values()}


def _unpack_addons(wheel, dest):
    wheels.unpack_addons(wheel, dest)


def test_published_oca_addons_validate_against_the_core_addons(oca_wheels, tmp_path):
    _unpack_addons(oca_wheels["odoo_addon_l10n_fr_fec_oca"], tmp_path)
    reports = addons.validate_tree(tmp_path, "16.0")
    assert [(r.addon, r.manifest["depends"], r.errors) for r in reports] == [
        ("l10n_fr_fec_oca", ["l10n_fr", "account", "date_range"],
         ["depends on date_range: neither in this repository nor a core Odoo 16.0 addon (Community or Enterprise)"]),
    ]

    _unpack_addons(oca_wheels["odoo_addon_date_range"], tmp_path)
    reports = addons.validate_tree(tmp_path, "16.0")
    assert [(r.addon, r.manifest["version"], r.errors) for r in reports] == [
        ("date_range", "16.0.1.0.9", []),
        ("l10n_fr_fec_oca", "16.0.1.2.0", []),
    ]
    assert reports[0].path == "odoo/addons/date_range/__manifest__.py"


def test_a_tool_step_runs_in_its_image_when_docker_answers(monkeypatch, tmp_path):
    """The docker command line the worker builds: workdir mounted at the same path,
    variables passed by name only (values, secrets included, never on a command line)."""
    from odooops.runner import process
    from odooops.runner.context import RunContext

    monkeypatch.setattr(process, "docker_available", lambda timeout=2.0: (True, "Docker engine at test"))
    w = process.StepProcess(worker_id="w")
    ctx = RunContext(
        run={"id": "0d9c2a8e-0000-4000-8000-000000000000", "attempt": 1, "branch": "main", "commit_sha": "abc123",
             "params": {"secrets": ["TOKEN"]}},
        workflow={"name": "build", "steps": [], "default_timeout_seconds": 60, "lease_seconds": 30},
        project={"slug": "demo", "name": "Demo", "odoo_series": "17.0", "repository_url": "file:///r"},
        tools={"odoo-17.0": {"name": "odoo-17.0", "image": "odoo", "tag": "17.0", "digest": None,
                             "run_locally": False, "enabled": True}},
        advisories=[], workdir=tmp_path / "work", lease_seconds=30, secrets={"TOKEN": "s3cr3t"},
    )
    step = {"name": "odoo", "command": "odoo --version", "tool": "odoo-17.0"}
    env = w.step_env(ctx, step, 0, tmp_path / "work" / "artifacts")
    argv, where, refusal = w.command_for(ctx, step, env)
    assert refusal is None and where == "in odoo:17.0 (Docker)"
    assert argv[:3] == ["docker", "run", "--rm"]
    assert f"{ctx.workdir}:{ctx.workdir}" in argv and argv[-4:] == ["odoo:17.0", "bash", "-c", "odoo --version"]
    assert "TOKEN" in argv and not any("s3cr3t" in a for a in argv)
    assert env["TOKEN"] == "s3cr3t" and env["ODOOOPS_COMMIT"] == "abc123"
