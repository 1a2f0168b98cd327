"""The structured engines of the upgrade scan (python-ast, xml, manifest) on code shaped like the OCA
addons they were measured on: keywords one per line, start tags over several lines, view types in dicts
and tuples. Every structured advisory of ``ops.upgrade_advisories``, and every regex advisory added with
the engines, is read from a migrated database (so the test runs the table's own patterns) and has a
sample it must flag, on the lines marked ``hit`` (a comment, or a ``hit=""`` attribute where the line
is inside a start tag), and a counter-sample it must not flag at all."""

from __future__ import annotations

import json

import pytest
from odooops.steps import addons, scan_engines

from tests.conftest import connect

MANIFEST = ('{"name": "A", "version": "17.0.1.0.0", "license": "AGPL-3", "depends": ["base"],\n'
            ' "pre_init_hook": "_set_defaults"}\n')

# code -> (file, source it must flag on the lines marked "hit", source it must not flag)
SAMPLES: dict[str, tuple[str, str, str]] = {
    "field-states-param": ("models/asset.py", '''\
from odoo import fields, models


class AccountAsset(models.Model):
    _name = "account.asset"

    date_start = fields.Date(
        string="Asset Start Date",
        readonly=True,
        states={"draft": [("readonly", False)]},  # hit
    )
    name = fields.Char(states={"draft": [("readonly", False)]})  # hit
''', '''\
from odoo import fields, models


class AccountAsset(models.Model):
    _name = "account.asset"

    date_start = fields.Date(
        string="Asset Start Date",
        readonly=True,
    )
    states = {"draft": [("readonly", False)]}

    def _check(self):
        return self._compute_states(states={"draft": []})
'''),
    "attrs-states-removed": ("views/asset.xml", '''\
<odoo>
    <record id="view_asset_form" model="ir.ui.view">
        <field name="arch" type="xml">
            <form>
                <header>
                    <button
                        name="validate"
                        type="object"
                        states="draft" hit=""
                        string="Confirm"
                    />
                </header>
                <field
                    name="partner_id"
                    attrs="{'invisible': [('state', '=', 'draft')]}" hit=""
                />
                <field name="code" attrs="{'readonly': [('state', '!=', 'draft')]}"/><!-- hit -->
            </form>
        </field>
    </record>
</odoo>
''', '''\
<odoo>
    <record id="view_asset_form" model="ir.ui.view">
        <field name="arch" type="xml">
            <form>
                <header>
                    <button name="validate" type="object" invisible="state != 'draft'" string="Confirm"/>
                </header>
                <!-- <field name="partner_id" attrs="{'invisible': []}"/> -->
                <field name="partner_id" invisible="state == 'draft'" help="attrs= and states= are gone"/>
            </form>
        </field>
    </record>
</odoo>
'''),
    "read-group-private-signature": ("models/report.py", '''\
from odoo import models


class Report(models.AbstractModel):
    _name = "report.x"

    def _totals(self, domain):
        groups = self.env["account.move.line"]._read_group(  # hit
            domain,
            ["partner_id", "balance"],
            ["partner_id"],
            lazy=False,
        )
        return {g["partner_id"][0]: g["balance"] for g in groups}
''', '''\
from odoo import models


class Report(models.AbstractModel):
    _name = "report.x"

    def _read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        return super()._read_group(domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy)
'''),
    "private-env-shortcuts": ("models/move.py", '''\
from odoo import models


class Move(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        self._cr.execute("SELECT 1")  # hit
        ctx = dict(self.invoice_2._context)  # hit
        uid = (
            self_tech
            ._uid  # hit
        )
        return super()._post(soft)
''', '''\
from odoo import models


class Move(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        self.env.cr.execute("SELECT 1")  # self._cr is deprecated
        ctx = dict(self.env.context, key="self._context")
        return super()._post(soft)
'''),
    "hook-signature-env": ("hooks.py", '''\
from odoo import SUPERUSER_ID, api


def post_init_hook(cr, registry):  # hit
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.partner"].search([]).write({"active": True})


def _set_defaults(  # hit
    cr,
    registry,
):
    pass


def uninstall_hook(cr, registry):  # hit
    pass
''', '''\
def post_init_hook(env):
    env["res.partner"].search([]).write({"active": True})


def _set_defaults(env):
    pass


def compute_totals(cr, registry):
    pass
'''),
    "web-assets-common": ("__manifest__.py", '''\
{
    "name": "Web Ribbon",
    "version": "16.0.1.0.0",
    "license": "AGPL-3",
    "depends": ["web"],
    "assets": {
        "web.assets_common": [  # hit
            "web_environment_ribbon/static/src/css/ribbon.css",
        ],
        "web.assets_backend": ["web_environment_ribbon/static/src/js/ribbon.js"],
    },
}
''', '''\
{
    "name": "Web Ribbon",
    "version": "17.0.1.0.0",
    "license": "AGPL-3",
    "summary": "Was in web.assets_common before 17.0",
    "depends": ["web"],
    "assets": {
        "web.assets_backend": ["web_environment_ribbon/static/src/js/ribbon.js"],
    },
}
'''),
    "name-get-removed": ("models/partner.py", '''\
from odoo import api, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.depends("ref")
    def name_get(self):  # hit
        res = super().name_get()  # hit
        return res

    def _label(self):
        return (
            self.partner_id
            .name_get()[0][1]  # hit
        )
''', '''\
from odoo import api, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.depends("ref")
    def _compute_display_name(self):
        super()._compute_display_name()

    def _label(self):
        getattr(self, "name_get", None)
        return self.partner_id.display_name


def name_get(records):
    return [(r.id, r.name) for r in records]
'''),
    "tree-view-type-python": ("models/order.py", '''\
from odoo import models


class Order(models.Model):
    _inherit = "sale.order"

    def action_view_lines(self):
        action = {
            "type": "ir.actions.act_window",
            "res_model": "sale.order.line",
            "view_mode": "tree,form",  # hit
            "views": [
                (self.env.ref("sale.view_order_line_tree").id, "tree"),  # hit
                (False, "form"),
            ],
        }
        action["view_mode"] = "tree"  # hit
        return action

    def action_other(self):
        return self._action(view_mode="form,tree")  # hit
''', '''\
from odoo import models


class Order(models.Model):
    _inherit = "sale.order"

    def action_view_lines(self):
        action = {
            "type": "ir.actions.act_window",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "help": "tree",
        }
        tree = self.env["ir.ui.view"]._get_view()["arch"]
        return action, tree, ["tree", "list", "form"]
'''),
    "tree-xpath": ("views/inherit.xml", '''\
<odoo>
    <record id="view_move_form" model="ir.ui.view">
        <field name="inherit_id" ref="account.view_move_form"/>
        <field name="arch" type="xml">
            <xpath expr="//field[@name='line_ids']/tree/field[@name='name']" position="after"><!-- hit -->
                <field name="asset_id"/>
            </xpath>
            <xpath
                position="inside"
                expr="//notebook//tree" hit=""
            >
                <field name="asset_id"/>
            </xpath>
        </field>
    </record>
</odoo>
''', '''\
<odoo>
    <record id="view_move_form" model="ir.ui.view">
        <field name="inherit_id" ref="account.view_move_form"/>
        <field name="arch" type="xml">
            <xpath expr="//field[@name='line_ids']/list/field[@name='name']" position="after">
                <field name="asset_id"/>
            </xpath>
            <xpath expr="//field[@name='tree_id']" position="after">
                <field name="tree"/>
            </xpath>
        </field>
    </record>
</odoo>
'''),
    "chatter-div": ("views/asset.xml", '''\
<odoo>
    <record id="view_asset_form" model="ir.ui.view">
        <field name="arch" type="xml">
            <form>
                <sheet/>
                <div
                    class="oe_chatter" hit=""
                >
                    <field name="message_follower_ids"/>
                    <field name="message_ids"/>
                </div>
            </form>
        </field>
    </record>
    <record id="view_asset_form_inherit" model="ir.ui.view">
        <field name="arch" type="xml">
            <xpath expr="//div[hasclass('oe_chatter')]" position="before"><!-- hit -->
                <div/>
            </xpath>
        </field>
    </record>
</odoo>
''', '''\
<odoo>
    <record id="view_asset_form" model="ir.ui.view">
        <field name="arch" type="xml">
            <form>
                <sheet/>
                <chatter/>
                <div class="oe_chatter_like o_form_sheet"/>
                <field name="note" placeholder="the oe_chatter div is gone"/>
            </form>
        </field>
    </record>
</odoo>
'''),
    "registry-import": ("models/job.py", '''\
import odoo
from odoo import (
    api,
    registry,  # hit
)


def run(dbname):
    with odoo.registry(dbname).cursor() as cr:  # hit
        api.Environment(cr, 1, {})
''', '''\
from odoo import api
from odoo.modules.registry import Registry


def run(self, dbname):
    with Registry(dbname).cursor() as cr:
        api.Environment(cr, 1, {})
    return self.env.registry.models
'''),
    "unaccent-param": ("models/partner.py", '''\
from odoo import fields, models


class Partner(models.Model):
    _inherit = "res.partner"

    firstname = fields.Char(
        index=True,
        unaccent=False,  # hit
    )
''', '''\
from odoo import fields, models


class Partner(models.Model):
    _inherit = "res.partner"

    firstname = fields.Char(index=True)

    def _search(self, value):
        return self.env.registry.unaccent(value, unaccent=True)
'''),
    "ustr-removed": ("models/rate.py", '''\
from odoo import models, tools
from odoo.tools import float_round, ustr  # hit
from odoo.tools.misc import ustr as u  # hit


class Rate(models.Model):
    _inherit = "res.currency.rate"

    def _fail(self, e):
        return (
            ustr(e),  # hit
            tools.ustr(e),  # hit
            float_round(1.0, 2),
        )
''', '''\
from odoo import models
from odoo.tools import float_round


class Rate(models.Model):
    _inherit = "res.currency.rate"

    def _fail(self, e):
        return str(e), float_round(1.0, 2), self.ustr_label
'''),
    "group-operator-aggregator": ("models/bi_sql_view_field.py", '''\
from odoo import fields, models


class BiSQLViewField(models.Model):
    _name = "bi.sql.view.field"

    amount = fields.Float(
        digits=(16, 2),
        group_operator="avg",  # hit
    )
    count = fields.Integer(group_operator="sum")  # hit
''', '''\
from odoo import fields, models


class BiSQLViewField(models.Model):
    _name = "bi.sql.view.field"

    group_operator = fields.Selection(
        selection=[("sum", "Sum"), ("avg", "Average")],
        help="By default, Odoo will sum the values when grouping.",
    )
    amount = fields.Float(aggregator="avg")

    def _prepare(self):
        return {"group_operator": self.group_operator}
'''),
    "user-has-groups-removed": ("models/sale.py", '''\
from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _can_edit_type(self):
        return self.user_has_groups(  # hit
            "sales_team.group_sale_manager,base.group_system"
        )
''', '''\
from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _can_edit_type(self):
        return self.env.user.has_groups("sales_team.group_sale_manager,base.group_system")
'''),
    "check-access-removed": ("models/agreement.py", '''\
from odoo import models


class Agreement(models.Model):
    _name = "agreement"

    def action_sign(self):
        self.check_access_rights("write")  # hit
        self.check_access_rule(  # hit
            "write"
        )
''', '''\
from odoo import models


class Agreement(models.Model):
    _name = "agreement"

    def action_sign(self):
        self.check_access("write")
        return self.has_access("read") and self._filtered_access("read")
'''),
    "read-group-removed": ("models/mis_report.py", '''\
from odoo import models


class MisReport(models.Model):
    _name = "mis.report"

    def read_group(self, domain, fields, groupby, **kwargs):  # hit
        return super().read_group(domain, fields, groupby, **kwargs)  # hit

    def _fetch(self, model, domain, field_names):
        return model.read_group(  # hit
            domain, field_names, []
        )
''', '''\
from odoo import models


class MisReport(models.Model):
    _name = "mis.report"

    def _fetch(self, model, domain, field_names):
        return model._read_group(domain, [], field_names), model.formatted_read_group(domain, [], field_names)
'''),
    "osv-expression-removed": ("models/tier.py", '''\
from odoo import models
from odoo.osv import expression  # hit
from odoo.osv.expression import (
    AND,  # hit
    OR,  # hit
)


class Tier(models.Model):
    _name = "tier.definition"

    def _domain(self, a, b):
        return expression.normalize_domain(AND([a, OR([a, b])]))
''', '''\
from odoo import models
from odoo.fields import Domain


class Tier(models.Model):
    _name = "tier.definition"

    def _domain(self, a, b):
        return Domain.AND([a, Domain.OR([a, b])])
'''),
    # Regex advisories added with the engines: line-shaped, run by Python's re like the others.
    "message-post-with-view": ("models/asset.py", '''\
from odoo import models


class Asset(models.Model):
    _inherit = "account.asset"

    def _post_origin(self, origin):
        self.message_post_with_view(  # hit
            "mail.message_origin_link",
            values={"self": self, "origin": origin},
        )
''', '''\
from odoo import models


class Asset(models.Model):
    _inherit = "account.asset"

    def _post_origin(self, origin):
        self.message_post_with_source(
            "mail.message_origin_link",
            render_values={"self": self, "origin": origin},
        )
'''),
    "renamed-fields-17": ("models/hr_employee.py", '''\
from odoo import api, models


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    @api.onchange("firstname", "lastname")
    def _onchange_name(self):
        if self.address_home_id:  # hit
            self.address_home_id.name = self.name  # hit
''', '''\
from odoo import api, models


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    @api.onchange("firstname", "lastname")
    def _onchange_name(self):
        if self.work_contact_id:
            self.work_contact_id.name = self.name
'''),
    "renamed-fields-18": ("wizards/update_lock_date.xml", '''\
<odoo>
    <record id="account_update_lock_date_form" model="ir.ui.view">
        <field name="arch" type="xml">
            <form>
                <field name="period_lock_date"/><!-- hit -->
                <field name="fiscalyear_lock_date"/>
            </form>
        </field>
    </record>
</odoo>
''', '''\
<odoo>
    <record id="account_update_lock_date_form" model="ir.ui.view">
        <field name="arch" type="xml">
            <form>
                <field name="sale_lock_date"/>
                <field name="purchase_lock_date"/>
                <field name="fiscalyear_lock_date"/>
            </form>
        </field>
    </record>
</odoo>
'''),
}
NEW_REGEX = {"message-post-with-view", "renamed-fields-17", "renamed-fields-18"}


def _hits(source: str) -> list[int]:
    return [n for n, line in enumerate(source.splitlines(), 1)
            if "# hit" in line or "<!-- hit -->" in line or ' hit=""' in line]


def _write(root, rel: str, source: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(source)
    if rel != "__manifest__.py" and not (root / "__manifest__.py").exists():
        (root / "__manifest__.py").write_text(MANIFEST)


@pytest.fixture(scope="module")
def table_advisories(template_db) -> dict[str, dict]:
    from odooops.dev import bench_upgrade_scan

    with connect(template_db) as conn:
        cur = conn.execute(bench_upgrade_scan.ADVISORIES_SQL)
        cols = [c.name for c in cur.description]
        return {r[0]: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}


def test_every_structured_and_every_new_advisory_of_the_table_has_samples_here(table_advisories):
    structured = {c for c, a in table_advisories.items() if a["engine"] != "regex"}
    assert sorted(structured | NEW_REGEX) == sorted(SAMPLES)
    assert all(table_advisories[c]["engine"] == "regex" for c in NEW_REGEX)
    assert {a["engine"] for a in table_advisories.values()} == {"regex", "python-ast", "xml", "manifest"}


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_a_structured_advisory_flags_its_sample_and_not_its_counterpart(code, table_advisories, tmp_path):
    advisory = table_advisories[code]
    rel, matching, not_matching = SAMPLES[code]
    if advisory["engine"] != "regex":
        assert scan_engines.pattern_problem(advisory["engine"], advisory["detect_pattern"]) is None
    _write(tmp_path / "hit" / "addon", rel, matching)
    _write(tmp_path / "miss" / "addon", rel, not_matching)
    found = addons.scan_tree(tmp_path / "hit", [advisory])
    assert [(f.file, f.line) for f in found] == [(f"addon/{rel}", n) for n in _hits(matching)]
    assert all(f.code == code and f.engine == advisory["engine"] and f.column >= 1 and f.match for f in found)
    assert addons.scan_tree(tmp_path / "miss", [advisory]) == []


def test_columns_point_at_the_construct(tmp_path):
    """The column is where the part to change starts, in characters (ast gives bytes)."""
    (tmp_path / "m.py").write_text('x = "é"; y = fields.Char(unaccent=False)\nself.a._cr\n')
    (tmp_path / "v.xml").write_text('<odoo>\n  <div class="o x oe_chatter">é</div>\n  <xpath expr="//tree/field"/>\n'
                                    '</odoo>\n')
    advisories = [
        {"code": "u", "engine": "python-ast", "detect_globs": ["*.py"],
         "detect_pattern": {"kind": "field_keyword", "keyword": "unaccent"}},
        {"code": "c", "engine": "python-ast", "detect_globs": ["*.py"],
         "detect_pattern": {"kind": "attribute", "names": ["_cr"]}},
        {"code": "d", "engine": "xml", "detect_globs": ["*.xml"],
         "detect_pattern": {"kind": "element", "tag": "div", "class": "oe_chatter"}},
        {"code": "t", "engine": "xml", "detect_globs": ["*.xml"], "detect_pattern": {"kind": "xpath", "step": "tree"}},
    ]
    found = {f.code: (f.line, f.column, f.match) for f in addons.scan_tree(tmp_path, advisories)}
    assert found == {"u": (1, 26, "unaccent="), "c": (2, 7, "._cr"), "d": (2, 19, "oe_chatter"),
                     "t": (3, 18, "tree")}


def test_the_json_report_keeps_its_keys_and_says_which_engine(tmp_path):
    _write(tmp_path, "models/m.py", SAMPLES["unaccent-param"][1])
    advisories = [
        {"code": "unaccent-param", "engine": "python-ast", "detect_globs": ["*.py"], "severity": "deprecation",
         "title": "t", "detect_regex": "", "detect_pattern": {"kind": "field_keyword", "keyword": "unaccent"}},
        {"code": "idx", "detect_globs": ["*.py"], "severity": "breaking", "title": "t",
         "detect_regex": "index=True"},
    ]
    report = addons.findings_report(addons.scan_tree(tmp_path, advisories), advisories, "17.0", "18.0")
    findings = json.loads(json.dumps(report))["findings"]
    assert [(f["code"], f["engine"], f["file"], f["line"], f["column"], f["match"], f["text"]) for f in findings] == [
        ("idx", "regex", "models/m.py", 8, 9, "index=True", "index=True,"),
        ("unaccent-param", "python-ast", "models/m.py", 9, 9, "unaccent=", "unaccent=False,  # hit"),
    ]


def test_code_that_does_not_parse_is_skipped_and_regex_still_runs(tmp_path):
    (tmp_path / "broken.py").write_text("def name_get(self:\n    x = fields.Char(unaccent=False)\n")
    (tmp_path / "broken.xml").write_text("<odoo><tree></odoo>\n")
    advisories = [
        {"code": "a", "engine": "python-ast", "detect_globs": ["*.py"],
         "detect_pattern": {"kind": "field_keyword", "keyword": "unaccent"}},
        {"code": "b", "engine": "xml", "detect_globs": ["*.xml"], "detect_pattern": {"kind": "element", "tag": "tree"}},
        {"code": "c", "detect_globs": ["*.xml"], "detect_regex": "<tree"},
    ]
    assert [(f.code, f.file) for f in addons.scan_tree(tmp_path, advisories)] == [("c", "broken.xml")]


@pytest.mark.parametrize(("engine", "pattern", "problem"), [
    ("semgrep", {}, "engine must be one of regex, python-ast, xml, manifest, got 'semgrep'"),
    ("python-ast", [], "detect_pattern must be a JSON object, got []"),
    ("python-ast", {"kind": "element", "tag": "tree"}, "detect_pattern.kind must be one of attribute, call, "
     "field_keyword, hook_signature, import_from, method_def, view_type for engine python-ast, got 'element'"),
    ("xml", {"kind": "element", "tag": "tree", "regex": ".*"},
     "detect_pattern.regex: not a key of a element pattern (keys: tag, class)"),
    ("python-ast", {"kind": "import_from", "module": "odoo"}, "detect_pattern.name is required for a import_from "
     "pattern"),
    ("python-ast", {"kind": "method_def", "name": "name get()"},
     "detect_pattern.name is not a valid name, got 'name get()'"),
    ("python-ast", {"kind": "call", "name": "x", "skip_super": "yes"},
     "detect_pattern.skip_super must be true or false, got 'yes'"),
    ("python-ast", {"kind": "attribute", "names": []},
     "detect_pattern.names must be a list of 1 to 8 identifiers, got []"),
    ("xml", {"any": [{"any": []}]}, "detect_pattern.any[0]: patterns do not nest"),
    ("xml", {"any": [{"kind": "element", "tag": "tree"}] * 9},
     "detect_pattern.any must be a list of 1 to 8 patterns, got " + repr([{"kind": "element", "tag": "tree"}] * 9)[:57]
     + "..."),
    ("xml", {"any": [{"kind": "element", "tag": "tree"}, {"kind": "element"}]},
     "detect_pattern.any[1].tag is required for a element pattern"),
    ("xml", {"kind": "xpath", "step": "tree", "contains": "tree"},
     "detect_pattern: an xpath pattern has exactly one of step or contains"),
])
def test_a_pattern_the_table_would_refuse_is_refused_by_the_step_too(engine, pattern, problem):
    assert scan_engines.pattern_problem(engine, pattern) == problem
    compiled, problems = addons.compile_advisories([{"code": "bad", "engine": engine, "detect_pattern": pattern}])
    assert compiled == [] and problems == [f"bad: {problem}; skipped"]
