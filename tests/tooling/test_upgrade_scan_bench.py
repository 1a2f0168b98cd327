"""`odooops bench upgrade-scan`: how findings and ports are compared (on small synthetic
trees), and a smoke run of the command on real wheels (skipped offline, except under CI)."""

from __future__ import annotations

import json
import os
import re
import textwrap

import pytest
from odooops.dev import bench_upgrade_scan, scan_eval, wheels
from odooops.dev.scan_eval import Tree
from odooops.steps import addons

from tests.conftest import connect

# Two advisories as the seed writes them, and one of a later move.
ADVISORIES = [
    {"code": "field-states-param", "from_series": "16.0", "to_series": "17.0", "severity": "breaking",
     "title": "states", "detect_globs": ["*.py"],
     "detect_regex": r"fields\.\w+\([^)]*(?<![A-Za-z0-9_])states\s*=\s*\{"},
    {"code": "attrs-states-removed", "from_series": "16.0", "to_series": "17.0", "severity": "breaking",
     "title": "attrs", "detect_globs": ["*.xml"],
     "detect_regex": r"(?<![A-Za-z0-9_])attrs\s*=\s*[\"']\s*\{"},
    {"code": "name-get", "from_series": "16.0", "to_series": "17.0", "severity": "deprecation",
     "title": "name_get", "detect_globs": ["*.py"],
     "detect_regex": r"(?<![A-Za-z0-9_])def\s+name_get\s*\(|\.name_get\s*\("},
    {"code": "later", "from_series": "17.0", "to_series": "18.0", "severity": "breaking", "title": "t",
     "detect_globs": ["*.py"], "detect_regex": "states"},
]

OLD_MODEL = '''\
from odoo import fields, models


class Thing(models.Model):
    _name = "thing"

    name = fields.Char(states={"done": [("readonly", True)]})
    code = fields.Char(
        required=True,
        states={"done": [("readonly", True)]},
    )
    note = fields.Text()

    def name_get(self):
        return [(r.id, r.name) for r in self]
'''

NEW_MODEL = '''\
from odoo import fields, models


class Thing(models.Model):
    _name = "thing"

    name = fields.Char()
    code = fields.Char(
        required=True,
    )
    note = fields.Text()

    def name_get(self):
        return [(r.id, r.name) for r in self]
'''

OLD_VIEW = '''\
<odoo>
  <record id="thing_form" model="ir.ui.view">
    <field name="model">thing</field>
    <field name="arch" type="xml">
      <form>
        <field name="name" attrs="{'invisible': [('state', '=', 'done')]}"/>
        <button name="go"
                type="object"
                states="draft"/>
      </form>
    </field>
  </record>
</odoo>
'''

NEW_VIEW = '''\
<odoo>
  <record id="thing_form" model="ir.ui.view">
    <field name="model">thing</field>
    <field name="arch" type="xml">
      <form>
        <field name="name" invisible="state == 'done'"/>
        <button name="go"
                type="object"
                invisible="state != 'draft'"/>
      </form>
    </field>
  </record>
</odoo>
'''


def _tree(root, files: dict[str, str]) -> Tree:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text))
    return Tree.read(root)


@pytest.fixture
def port(tmp_path):
    old = _tree(tmp_path / "old", {"models/thing.py": OLD_MODEL, "views/thing.xml": OLD_VIEW})
    new = _tree(tmp_path / "new", {"models/thing.py": NEW_MODEL, "views/thing.xml": NEW_VIEW})
    findings = addons.scan_tree(old.root, addons.select_advisories(ADVISORIES, "16.0"))
    return old, new, findings


def test_a_finding_whose_construct_the_port_removed_is_a_true_positive_one_left_in_place_is_not(port):
    old, new, findings = port
    assert [(f.code, f.file, f.line) for f in findings] == [
        ("field-states-param", "models/thing.py", 7),
        ("name-get", "models/thing.py", 14),
        ("attrs-states-removed", "views/thing.xml", 6),
    ]
    verdicts = {f.code: scan_eval.judge(f, old, new) for f in findings}
    assert verdicts["field-states-param"].true_positive
    assert verdicts["field-states-param"].why == "line rewritten without it"
    assert verdicts["attrs-states-removed"].true_positive
    assert not verdicts["name-get"].true_positive  # deprecated, kept by the port
    assert verdicts["name-get"].why == "line kept as it is"


def test_a_line_rewritten_with_the_matched_text_kept_is_not_a_true_positive(tmp_path):
    old = _tree(tmp_path / "old", {"m.py": "x = fields.Char(states={'a': 1})\n"})
    new = _tree(tmp_path / "new", {"m.py": "x = fields.Char(string='X', states={'a': 1})\n"})
    [finding] = addons.scan_tree(old.root, ADVISORIES[:1])
    assert scan_eval.judge(finding, old, new).true_positive  # the matched text alone is gone...
    verdict = scan_eval.judge(finding, old, new, pattern=re.compile(ADVISORIES[0]["detect_regex"]))
    assert not verdict.true_positive and verdict.why == "line rewritten, matched text kept"  # ...not the construct


def test_a_renamed_file_is_compared_with_the_new_file_most_like_it(tmp_path):
    body = "".join(f"line_{n} = {n}\n" for n in range(20))
    old = _tree(tmp_path / "old", {"models/a.py": body + "y = fields.Char(states={'a': 1})\n"})
    new = _tree(tmp_path / "new", {"models/b.py": body + "y = fields.Char()\n", "other.py": "z = 1\n"})
    assert scan_eval.counterpart("models/a.py", old, new) == "models/b.py"
    [finding] = addons.scan_tree(old.root, ADVISORIES[:1])
    assert scan_eval.judge(finding, old, new).true_positive
    gone = _tree(tmp_path / "gone", {"other.py": "z = 1\n"})
    assert scan_eval.judge(finding, old, gone).why == "file gone with the matched text"


def test_every_change_of_a_kind_is_an_occurrence_and_one_not_flagged_is_a_miss(port):
    old, new, findings = port
    result = scan_eval.evaluate("thing", "16.0", "17.0", old, new, findings)
    occ = {k: [(o.file, o.line, o.end_line, hit) for o, hit in v] for k, v in result.occurrences.items() if v}
    assert occ == {
        # one per line: flagged; keywords one per line: the regex cannot see it
        "field-states": [("models/thing.py", 7, 7, True), ("models/thing.py", 8, 11, False)],
        "view-attrs": [("views/thing.xml", 6, 6, True)],
        "view-states": [("views/thing.xml", 7, 9, False)],  # a start tag over three lines
    }
    assert "name-get" not in occ  # kept by the port: no change to find

    summary = scan_eval.summarise([result])
    assert (summary["findings"], summary["true_positives"]) == (3, 2)
    assert summary["precision"] == pytest.approx(2 / 3)
    kinds = summary["kinds"]
    assert (kinds["field-states"]["occurrences"], kinds["field-states"]["flagged"]) == (2, 1)
    assert kinds["field-states"]["missed_examples"] == ["thing 16.0: models/thing.py:8: code = fields.Char("]
    assert kinds["view-states"]["recall"] == 0 and kinds["view-attrs"]["recall"] == 1
    assert kinds["name-get"]["occurrences"] == 0 and kinds["name-get"]["recall"] is None
    assert kinds["tree-tag"]["ports_checked"] == 0  # a 17.0 -> 18.0 change: not looked for in this move
    assert summary["kinds_occurring"] == 3
    assert summary["recall_macro"] == pytest.approx((0.5 + 1 + 0) / 3)
    assert summary["recall_micro"] == pytest.approx(2 / 4)


def test_an_occurrence_is_flagged_only_by_an_advisory_of_its_kind(port):
    old, new, findings = port
    [occ] = [o for o in scan_eval.occurrences(old, new, scan_eval.KINDS_BY_CODE["view-attrs"])]
    assert scan_eval.flagged(occ, findings, ["attrs-states-removed"])
    assert not scan_eval.flagged(occ, findings, ["field-states-param"])


def test_python_view_modes_and_hooks_are_found_by_the_syntax_tree(tmp_path):
    old = _tree(tmp_path / "old", {
        "__manifest__.py": "{'name': 'T', 'post_init_hook': 'setup'}\n",
        "hooks.py": "def setup(cr, registry):\n    pass\n",
        "models/a.py": textwrap.dedent('''\
            def action(self):
                return {"view_mode": "tree,form", "views": [(False, "tree"), (False, "form")]}
            '''),
    })
    new = _tree(tmp_path / "new", {
        "__manifest__.py": "{'name': 'T', 'post_init_hook': 'setup'}\n",
        "hooks.py": "def setup(env):\n    pass\n",
        "models/a.py": textwrap.dedent('''\
            def action(self):
                return {"view_mode": "list,form", "views": [(False, "list"), (False, "form")]}
            '''),
    })
    mode = scan_eval.occurrences(old, new, scan_eval.KINDS_BY_CODE["tree-view-mode-python"])
    assert sorted((o.file, o.line, o.key[-1]) for o in mode) == [("models/a.py", 2, "tree"),
                                                                 ("models/a.py", 2, "tree,form")]
    [hook] = scan_eval.occurrences(old, new, scan_eval.KINDS_BY_CODE["hook-signature-env"])
    assert (hook.file, hook.line, hook.key) == ("hooks.py", 1, ("", "setup", ("cr", "registry")))


def test_every_kind_names_advisories_of_the_seed_and_a_move_of_the_corpus(template_db):
    """Each kind maps to rows of the migrated table, and every one of them applies to one of the kind's moves."""
    with connect(template_db) as conn:
        seeded = {code: to for code, to in conn.execute("select code, to_series from ops.upgrade_advisories")}
    for kind in scan_eval.KINDS:
        assert set(kind.advisories) <= set(seeded), kind.code
        assert set(kind.moves) <= {"16.0", "17.0", "18.0"} and (kind.python or kind.xml or kind.manifest)
        for code in kind.advisories:
            assert any(float(old) < float(seeded[code]) <= float(old) + 1 for old in kind.moves), (kind.code, code)
    assert len({k.code for k in scan_eval.KINDS}) == len(scan_eval.KINDS)


def test_the_corpus_pins_every_wheel_of_consecutive_series():
    corpus = bench_upgrade_scan.load_corpus()
    assert len(corpus["addons"]) >= 30
    for e in corpus["addons"]:
        assert e["distribution"] == "odoo-addon-" + e["name"].replace("_", "-")
        for series, pin in e["series"].items():
            assert pin["version"].startswith(series + ".") and len(pin["sha256"]) == 64
    todo = bench_upgrade_scan.moves(corpus["addons"])
    assert len(todo) >= 90 and {(old, new) for _, old, new in todo} == {
        ("16.0", "17.0"), ("17.0", "18.0"), ("18.0", "19.0")}
    assert set(bench_upgrade_scan.SMOKE_ADDONS) <= {e["name"] for e in corpus["addons"]}


def test_the_cli_offers_bench_upgrade_scan():
    from odooops.cli import build_parser

    args = build_parser().parse_args(["bench", "upgrade-scan", "--smoke", "--json", "x.json", "--addon", "a"])
    assert args.smoke and args.json == "x.json" and args.addon == ["a"]
    assert args.func.__name__ == "cmd_bench_upgrade_scan"


@pytest.mark.slow
def test_bench_upgrade_scan_smoke_on_published_wheels(template_db, tmp_path, capsys):
    """The command's own path on three addons: advisories from the real table, wheels from the
    registry (skipped when pip cannot reach it, except under CI)."""
    with connect(template_db) as conn:
        rows = conn.execute(bench_upgrade_scan.ADVISORIES_SQL).fetchall()
    cols = ["code", "from_series", "to_series", "area", "severity", "title", "engine", "detect_regex", "detect_pattern",
            "detect_globs"]
    advisories = [dict(zip(cols, r, strict=True)) for r in rows]
    assert len(advisories) >= 28
    try:
        doc = bench_upgrade_scan.bench(smoke=True, advisories=advisories, cache=tmp_path / "cache",
                                       json_path=tmp_path / "out.json", echo=print)
    except wheels.DownloadError as exc:
        why = f"pip could not download the corpus wheels: {exc}"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    data = json.loads((tmp_path / "out.json").read_text())
    assert data["mode"] == "smoke" and data["corpus"]["addons"] == len(bench_upgrade_scan.SMOKE_ADDONS)
    assert data["corpus"]["moves"] == 3 * len(bench_upgrade_scan.SMOKE_ADDONS)
    r = data["results"]
    assert r["findings"] > 0 and 0 < r["precision"] <= 1
    assert r["kinds_occurring"] > 0 and r["speed"]["files_per_second"] > 0
    assert "precision:" in doc["table"] and "[9/9]" in capsys.readouterr().out
