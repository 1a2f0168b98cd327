-- Every seeded regex advisory's detect_regex is smoke-tested with PostgreSQL's ~
-- against a line it must match and a line it must not (the worker runs the
-- same patterns with Python's re, line by line: see the seed migration). A
-- regex advisory seeded without samples here makes this file fail. The
-- structured engines (python-ast, xml, manifest) run in Python only: their
-- samples are in tests/e2e/test_scan_engines.py.
begin;
select plan(56);

-- SETUP: one matching and one non-matching line per regex advisory code.
create temporary table samples (
  code text primary key,
  matching text not null,
  not_matching text not null
) on commit drop;

insert into samples (code, matching, not_matching) values
  (
    'api-multi-one-removed',
    '    @api.multi',
    '    @api.model'
  ),
  (
    'mail-template-jinja',
    '<field name="subject">${object.name} confirmed</field>',
    '<field name="subject">{{ object.name }} confirmed</field>'
  ),
  (
    'assets-in-manifest',
    '<template id="assets_backend" inherit_id="web.assets_backend">',
    '<template id="report_layout" inherit_id="web.external_layout">'
  ),
  (
    'translations-jsonb',
    'self.env.cr.execute("DELETE FROM ir_translation WHERE module = %s", [module])',
    'self.env.cr.execute("DELETE FROM ir_attachment WHERE res_model = %s", [model])'
  ),
  (
    'flush-invalidate-api',
    '        self.env[''sale.order''].flush()',
    '        self.env[''sale.order''].flush_model()'
  ),
  (
    'fields-view-get',
    '    def fields_view_get(self, view_id=None, view_type=''form'', toolbar=False, submenu=False):',
    '    def _get_view(self, view_id=None, view_type=''form'', **options):'
  ),
  (
    'owl2-legacy-js',
    'odoo.define(''my_module.widget'', function (require) {',
    '/** @odoo-module **/'
  ),
  (
    'name-get',
    '    def name_get(self):',
    '    def _compute_display_name(self):'
  ),
  (
    'message-post-with-view',
    '        self.message_post_with_view(''mail.message_origin_link'', values={''self'': self})',
    '        self.message_post_with_source(''mail.message_origin_link'', render_values={''self'': self})'
  ),
  (
    'renamed-fields-17',
    '        partner = self.employee_id.address_home_id',
    '        partner = self.employee_id.work_contact_id'
  ),
  (
    'renamed-fields-18',
    '        self.company_id.period_lock_date = self.period_lock_date',
    '        self.company_id.sale_lock_date = self.fiscalyear_lock_date'
  ),
  (
    'user-has-groups',
    '        if self.user_has_groups(''base.group_system''):',
    '        if self.env.user.has_group(''base.group_system''):'
  ),
  (
    'tree-to-list',
    '            <tree string="Orders">',
    '            <list string="Orders">'
  ),
  (
    'inselect-removed',
    '        domain = [(''id'', ''inselect'', (query, params))]',
    '        domain = [(''id'', ''in'', query)]'
  ),
  (
    'cron-numbercall-doall',
    '            <field name="numbercall">-1</field>',
    '            <field name="interval_number">1</field>'
  ),
  (
    'name-search-display-name',
    '    def _name_search(self, name, domain=None, operator=''ilike'', limit=None, order=None):',
    '    def _search_display_name(self, operator, value):'
  ),
  (
    'check-access-api',
    '        self.check_access_rights(''write'')',
    '        self.check_access(''write'')'
  ),
  (
    'sql-constraints',
    '    _sql_constraints = [(''code_uniq'', ''unique(code)'', ''The code must be unique.'')]',
    '    _code_uniq = models.Constraint(''unique(code)'', ''The code must be unique.'')'
  ),
  (
    'read-group-deprecated',
    '        data = self.env[''account.move''].read_group(domain, [''amount_total:sum''], [''partner_id''])',
    '        data = self.env[''account.move'']._read_group(domain, [''partner_id''], [''amount_total:sum''])'
  ),
  (
    'route-json-to-jsonrpc',
    '    @http.route(''/my/data'', type=''json'', auth=''user'')',
    '    @http.route(''/my/data'', type=''jsonrpc'', auth=''user'')'
  ),
  (
    'groups-id-to-group-ids',
    '            <field name="groups_id" eval="[(4, ref(''base.group_user''))]"/>',
    '            <field name="group_ids" eval="[(4, ref(''base.group_user''))]"/>'
  ),
  (
    'odoo-osv-expression',
    'from odoo.osv import expression',
    'from odoo.fields import Domain'
  ),
  (
    'auto-join-renamed',
    '    partner_id = fields.Many2one(''res.partner'', auto_join=True)',
    '    partner_id = fields.Many2one(''res.partner'', bypass_search_access=True)'
  ),
  (
    'demo-data-opt-in',
    'odoo-bin -d test_db -i my_module --without-demo=all --stop-after-init',
    'odoo-bin -d test_db -i my_module --with-demo --stop-after-init'
  ),
  (
    'superuser-id-import',
    'from odoo import api, fields, models, SUPERUSER_ID',
    'from odoo.api import SUPERUSER_ID'
  ),
  (
    't-esc-to-t-out',
    '<span t-esc="record.name"/>',
    '<span t-out="record.name"/>'
  );

-- TEST: the seed is there, and every advisory has its samples.
select ok((select count(*) from ops.upgrade_advisories) >= 15, 'At least 15 upgrade advisories are seeded.');
select is(
  array(select code from ops.upgrade_advisories where engine = 'regex' except select code from samples order by 1),
  array[]::text[],
  'Every seeded regex advisory has a matching and a non-matching sample in this file.'
);
select is(
  array(select code from samples except select code from ops.upgrade_advisories where engine = 'regex' order by 1),
  array[]::text[],
  'Every sample belongs to a seeded regex advisory.'
);

-- TEST: patterns stay in the subset PostgreSQL and Python read alike.
select is(
  array(
    select code from ops.upgrade_advisories
    where strpos(detect_regex, '\b') > 0 or strpos(detect_regex, '\B') > 0 or strpos(detect_regex, '(?P') > 0
    order by 1
  ),
  array[]::text[],
  'No detect_regex uses \b (backspace in PostgreSQL), \B (backslash in PostgreSQL) or Python''s (?P<name>...) groups.'
);

-- TEST: each pattern matches its sample line and not its counter-example.
select ok(
  s.matching ~ a.detect_regex,
  format('%s matches: %s', a.code, s.matching)
)
from ops.upgrade_advisories as a
join samples as s using (code)
order by a.code;
select ok(
  s.not_matching !~ a.detect_regex,
  format('%s does not match: %s', a.code, s.not_matching)
)
from ops.upgrade_advisories as a
join samples as s using (code)
order by a.code;

select * from finish();
rollback;
