-- Seed: the upgrade advisories, breaking changes and deprecations between Odoo
-- series that an upgrade scan looks for, from ../shared/odoo/UPGRADE_ADVISORIES.md
-- (rows 1-28; row 29, OWL 3, has no pattern yet).
--
-- detect_regex is matched line by line by the worker (Python re) and by the
-- pgTAP suite (PostgreSQL ~), so it stays in the subset both read the same way:
-- no \b (a backspace in PostgreSQL) but (?<![A-Za-z0-9_]) / (?![A-Za-z0-9_]),
-- (?:...), \s, \w, bracket expressions. Every pattern has a matching and a
-- non-matching sample in supabase/tests/upgrade_advisories/.
-- Objects: rows of ops.upgrade_advisories. Locks: ROW EXCLUSIVE on it.
-- Re-runnable: a code that exists is left as it is (on conflict do nothing).
-- Roll back: delete from ops.upgrade_advisories where code in (the codes below).

insert into ops.upgrade_advisories (
  code, from_series, to_series, area, severity, title, description, detect_regex, detect_globs, remediation,
  reference_url
)
values
(
  'api-multi-one-removed', '12.0', '13.0', 'orm', 'breaking',
  '@api.multi and @api.one removed',
  'Odoo 13.0 removed the @api.multi and @api.one decorators: methods are multi-record by default, and a module that still uses them fails to import.',
  '@api\.(?:multi|one)(?![A-Za-z0-9_])',
  array['*.py'],
  'Delete @api.multi; rewrite @api.one methods to loop over self (for record in self:) and return what the callers expect.',
  'https://github.com/odoo/odoo/pull/34775'
),
(
  'mail-template-jinja', '14.0', '15.0', 'mail', 'breaking',
  'Jinja ${...} in mail templates replaced by QWeb and {{ }}',
  'From 15.0 mail templates render bodies with QWeb and fields such as subject with inline {{ }} expressions; Jinja ${...} placeholders are no longer evaluated.',
  '\$\{[^}]+\}',
  array['*.xml'],
  'Rewrite ${object.name} as {{ object.name }} in inline fields and as <t t-out="object.name"/> in body_html.',
  'https://github.com/OCA/maintainer-tools/wiki/Migration-to-version-15.0'
),
(
  'assets-in-manifest', '14.0', '15.0', 'web-assets', 'breaking',
  'Assets declared in the manifest ''assets'' key',
  'Odoo 15.0 declares asset bundles in the manifest''s ''assets'' key; templates that inherit web.assets_backend and its siblings no longer add files to them.',
  'inherit_id=["'']web\.assets_(?:backend|frontend|common|qweb)["'']',
  array['*.xml'],
  'Move each file into the ''assets'' dictionary of __manifest__.py under the bundle it extended, and delete the inheriting template.',
  'https://github.com/OCA/maintainer-tools/wiki/Migration-to-version-15.0'
),
(
  'translations-jsonb', '15.0', '16.0', 'i18n', 'breaking',
  'Translated fields stored as JSONB; ir.translation removed',
  'Since 16.0 translatable field values live in JSONB columns keyed by language and the ir.translation model and table are gone; code that reads or writes them fails.',
  '(?<![A-Za-z0-9_])ir_translation(?![A-Za-z0-9_])|[''"]ir\.translation[''"]',
  array['*.py', '*.sql'],
  'Read and write translations through the ORM with a lang in the context (with_context(lang=...)), and query the JSONB column directly in raw SQL.',
  'https://github.com/odoo/odoo/pull/97692'
),
(
  'flush-invalidate-api', '15.0', '16.0', 'orm', 'deprecation',
  'flush(), recompute(), refresh() and invalidate_cache() replaced',
  'Odoo 16.0 deprecates the argument-less cache helpers in favour of explicit model, recordset and environment variants.',
  '\.(?:flush|recompute|refresh|invalidate_cache)\s*\(\s*\)',
  array['*.py'],
  'Use flush_model()/flush_recordset()/env.flush_all() and invalidate_model()/invalidate_recordset()/env.invalidate_all() as the scope requires.',
  'https://github.com/odoo/odoo/pull/87527'
),
(
  'fields-view-get', '15.0', '16.0', 'views', 'breaking',
  'fields_view_get deprecated in 16.0 and removed in 17.0',
  'fields_view_get and _fields_view_get are deprecated from 16.0 and removed in 17.0, so overrides of them stop being called.',
  '(?<![A-Za-z0-9_])_?fields_view_get\s*\(',
  array['*.py'],
  'Override _get_view (arch and view) or get_views (client payload) instead, and call super() the same way.',
  'https://github.com/odoo/odoo/pull/87522'
),
(
  'owl2-legacy-js', '15.0', '16.0', 'web-client', 'breaking',
  'OWL 2; legacy odoo.define widgets and views removed by 17.0',
  'Odoo 16.0 moves the web client to OWL 2 and removes the legacy widget and view classes; modules written with odoo.define and web.Widget stop working by 17.0.',
  '(?<![A-Za-z0-9_])odoo\.define\s*\(|require\(\s*["'']web\.(?:Widget|AbstractField|FormController|ListController|AbstractAction)["'']\s*\)',
  array['*.js'],
  'Rewrite the code as ES modules (/** @odoo-module **/) with OWL components and register them in the matching registry.',
  'https://github.com/odoo/odoo/pull/85773'
),
(
  'attrs-states-removed', '16.0', '17.0', 'views', 'breaking',
  'attrs and states view attributes removed',
  'Since 17.0 views refuse the attrs and states attributes, and a module whose views still use them fails to install or update.',
  '(?<![A-Za-z0-9_])attrs\s*=\s*["'']\s*\{|<(?:field|button|group|page|div|label|span|header|footer)(?![A-Za-z0-9_])[^>]*\sstates\s*=\s*["'']',
  array['*.xml'],
  'Turn each attrs domain into invisible, readonly or required Python expressions (column_invisible in lists) and each states list into an invisible expression on state.',
  'https://github.com/odoo/odoo/pull/104741'
),
(
  'field-states-param', '16.0', '17.0', 'fields', 'breaking',
  'states={...} field parameter no longer supported',
  'Odoo 17.0 ignores the states parameter of field definitions, so fields it made readonly or required per state become editable everywhere.',
  'fields\.\w+\([^)]*(?<![A-Za-z0-9_])states\s*=\s*\{',
  array['*.py'],
  'Drop states= from the field and express the rule in the views with readonly= or required= expressions on state.',
  'https://github.com/ingadhoc/odoo-argentina-ce/pull/86'
),
(
  'name-get', '16.0', '17.0', 'orm', 'deprecation',
  'name_get deprecated in 17.0 and removed in 18.0',
  'name_get() is deprecated from 17.0 and removed in 18.0: record names come from the computed display_name field.',
  '(?<![A-Za-z0-9_])def\s+name_get\s*\(|\.name_get\s*\(',
  array['*.py'],
  'Override _compute_display_name (with the depends it needs) and read record.display_name instead of calling name_get().',
  'https://github.com/odoo/odoo/pull/122085'
),
(
  'read-group-private-signature', '16.0', '17.0', 'orm', 'breaking',
  '_read_group has a new signature',
  'In 17.0 _read_group takes groupby and aggregates specifications and returns tuples; the lazy argument and the list-of-dicts result are gone.',
  '(?<![A-Za-z0-9_])_read_group\s*\([^)]*(?<![A-Za-z0-9_])lazy\s*=',
  array['*.py'],
  'Call _read_group(domain, groupby, aggregates) and unpack the returned tuples, or use formatted_read_group where dicts are needed.',
  'https://github.com/odoo/odoo/pull/110737'
),
(
  'user-has-groups', '17.0', '18.0', 'security', 'deprecation',
  'user_has_groups() replaced by env.user.has_group()',
  'user_has_groups() is deprecated from 18.0 and due to disappear; it still works there but warns.',
  '\.user_has_groups\s*\(',
  array['*.py'],
  'Call self.env.user.has_group(''module.group_xml_id'') or has_groups() for a comma-separated list.',
  'https://github.com/odoo/odoo/pull/151597'
),
(
  'group-operator-aggregator', '17.0', '18.0', 'fields', 'breaking',
  'group_operator renamed aggregator',
  'Odoo 18.0 renames the group_operator field attribute to aggregator, the only name the ORM reads from then on.',
  '(?<![A-Za-z0-9_])group_operator\s*=',
  array['*.py'],
  'Rename group_operator= to aggregator= on every field definition.',
  'https://github.com/odoo/odoo/pull/127353'
),
(
  'tree-to-list', '17.0', '18.0', 'views', 'breaking',
  '<tree> renamed <list>; tree_view_ref renamed list_view_ref',
  'Odoo 18.0 renames the tree view type to list in view archs, view_mode and context keys; tree_view_ref is silently ignored.',
  '<tree(?![A-Za-z0-9_])|</tree>|(?<![A-Za-z0-9_])tree_view_ref(?![A-Za-z0-9_])|view_mode["''>\s][^<"]*(?<![A-Za-z0-9_])tree(?![A-Za-z0-9_])',
  array['*.xml', '*.py', '*.js'],
  'Replace <tree> with <list>, tree with list in view_mode, and tree_view_ref with list_view_ref.',
  'https://github.com/odoo/odoo/pull/159909'
),
(
  'inselect-removed', '17.0', '18.0', 'domains', 'breaking',
  'inselect domain operator removed',
  'The internal inselect domain operator is gone in 18.0 and a domain using it raises an error.',
  '["'']inselect["'']',
  array['*.py'],
  'Use the in operator with a Query object or an SQL() value instead of a raw subquery string.',
  'https://github.com/odoo/odoo/pull/171371'
),
(
  'cron-numbercall-doall', '17.0', '18.0', 'data', 'breaking',
  'ir.cron numbercall and doall removed',
  'Odoo 18.0 drops the numbercall and doall fields of ir.cron, and data files that still set them fail to load.',
  '(?<![A-Za-z0-9_])(?:numbercall|doall)(?![A-Za-z0-9_])',
  array['*.xml', '*.py'],
  'Remove the numbercall and doall fields from ir.cron records; a job that must run a limited number of times deactivates itself.',
  'https://github.com/OCA/server-tools/pull/3167'
),
(
  'name-search-display-name', '17.0', '18.0', 'orm', 'breaking',
  'Name search implemented by _search_display_name',
  'From 18.0 name search goes through _search_display_name, so overrides of _name_search or name_search are no longer reached everywhere.',
  '(?<![A-Za-z0-9_])def\s+_?name_search\s*\(',
  array['*.py'],
  'Move custom matching into _search_display_name(operator, value) returning a domain, and drop the name_search overrides.',
  'https://github.com/odoo/odoo/pull/174967'
),
(
  'check-access-api', '17.0', '18.0', 'security', 'deprecation',
  'check_access_rights and check_access_rule replaced by check_access',
  'Odoo 18.0 deprecates check_access_rights() and check_access_rule() in favour of one check_access() and its has_access() / _filtered_access() variants; they are removed later.',
  '\.check_access_(?:rights|rule)\s*\(',
  array['*.py'],
  'Call record.check_access(''read'') to raise, has_access(''read'') to test, or _filtered_access(''read'') to filter.',
  'https://github.com/odoo/odoo/pull/179148'
),
(
  'sql-constraints', '18.0', '19.0', 'models', 'breaking',
  '_sql_constraints ignored: use models.Constraint',
  'On 19.0 the _sql_constraints list only logs a warning and the constraints it declares are not created, so duplicates and invalid rows get in silently.',
  '^\s*_sql_constraints\s*=',
  array['*.py'],
  'Declare each constraint as a models.Constraint (or models.Index) class attribute named _<name>, with the same SQL and message.',
  'https://github.com/odoo/odoo/pull/175783'
),
(
  'read-group-deprecated', '18.0', '19.0', 'orm', 'deprecation',
  'read_group deprecated: use _read_group or formatted_read_group',
  'Odoo 19.0 deprecates the public read_group(); it warns on every call and is removed in the next major version.',
  '\.read_group\s*\(|(?<![A-Za-z0-9_])def\s+read_group\s*\(',
  array['*.py'],
  'Use _read_group in server code and formatted_read_group where the web client''s dict format is needed; port read_group overrides likewise.',
  'https://github.com/odoo/odoo/pull/163300'
),
(
  'route-json-to-jsonrpc', '18.0', '19.0', 'controllers', 'deprecation',
  'route type=''json'' renamed ''jsonrpc''',
  'In 19.0 HTTP routes declared with type=''json'' are deprecated in favour of type=''jsonrpc'', which names the protocol they speak.',
  '(?<![A-Za-z0-9_])type\s*=\s*["'']json["'']',
  array['*.py'],
  'Write type=''jsonrpc'' in @http.route declarations; the request and response format is unchanged.',
  'https://github.com/odoo/odoo/pull/183636'
),
(
  'groups-id-to-group-ids', '18.0', '19.0', 'security', 'breaking',
  'groups_id renamed group_ids',
  'Odoo 19.0 renames groups_id to group_ids on users, views, menus, actions and reports; data files that still write groups_id fail with an invalid field error.',
  '(?<![A-Za-z0-9_])groups_id(?![A-Za-z0-9_])',
  array['*.xml', '*.py', '*.js'],
  'Rename groups_id to group_ids in XML data, Python and JavaScript; res.groups users becomes user_ids.',
  'https://github.com/odoo/odoo/pull/179354'
),
(
  'odoo-osv-expression', '18.0', '19.0', 'domains', 'deprecation',
  'odoo.osv expression helpers deprecated: use odoo.fields.Domain',
  'Odoo 19.0 deprecates odoo.osv and its expression helpers (AND, OR, normalize_domain) in favour of the Domain class; they go in the next major version.',
  '(?<![A-Za-z0-9_])odoo\.osv(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])from\s+odoo\.osv\s+import(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])expression\.(?:AND|OR|normalize_domain|TRUE_DOMAIN|FALSE_DOMAIN)(?![A-Za-z0-9_])',
  array['*.py'],
  'Build domains with odoo.fields.Domain: Domain.AND([...]), Domain.OR([...]), Domain(domain) and Domain.TRUE / Domain.FALSE.',
  'https://github.com/odoo/odoo/pull/217708'
),
(
  'private-env-shortcuts', '18.0', '19.0', 'orm', 'deprecation',
  'record._cr, _context and _uid deprecated',
  'In 19.0 the private record shortcuts _cr, _context and _uid are deprecated and warn when used.',
  '(?<![A-Za-z0-9_])self\._(?:cr|context|uid)(?![A-Za-z0-9_])',
  array['*.py'],
  'Use self.env.cr, self.env.context and self.env.uid.',
  'https://github.com/odoo/odoo/pull/193636'
),
(
  'auto-join-renamed', '18.0', '19.0', 'fields', 'deprecation',
  'auto_join renamed bypass_search_access',
  'Odoo 19.0 renames the auto_join parameter of relational fields to bypass_search_access, which says what it does: skip access rules on the join.',
  '(?<![A-Za-z0-9_])auto_join\s*=\s*True',
  array['*.py'],
  'Replace auto_join=True with bypass_search_access=True and check that skipping access rules is still intended.',
  'https://github.com/odoo/odoo/pull/219627'
),
(
  'demo-data-opt-in', '18.0', '19.0', 'cli', 'breaking',
  'Demo data no longer loaded by default: use --with-demo',
  'From 19.0 new databases get no demo data unless asked for; builds and tests that relied on demo records silently lose them.',
  '--without-demo|(?<![A-Za-z0-9_])without_demo\s*=',
  array['*.sh', '*.conf', '*.cfg', '*.yml', '*.yaml'],
  'Pass --with-demo (or with_demo = True) in development and test builds, and review every --without-demo, whose meaning changed.',
  'https://github.com/odoo/odoo/pull/194585'
),
(
  'superuser-id-import', '18.0', '19.0', 'python', 'deprecation',
  'Import SUPERUSER_ID from odoo.api',
  'From 19.0 SUPERUSER_ID belongs in odoo.api, and Odoo''s own upgrade codemod rewrites imports of it from the odoo package, whose re-export is on its way out.',
  '(?<![A-Za-z0-9_])from\s+odoo\s+import\s+[^\n]*(?<![A-Za-z0-9_])SUPERUSER_ID(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])odoo\.SUPERUSER_ID(?![A-Za-z0-9_])',
  array['*.py'],
  'Write from odoo.api import SUPERUSER_ID (Odoo''s upgrade_code codemod does this rewrite).',
  'https://github.com/odoo/odoo/blob/master/odoo/upgrade_code/18.1-00-odoo-api-superuser-id.py'
),
(
  't-esc-to-t-out', '19.0', '20.0', 'qweb', 'deprecation',
  't-esc replaced by t-out',
  't-esc has been an alias of t-out since 15.0 and is rewritten to t-out in preparation for OWL 3, after 19.0.',
  '(?<![A-Za-z0-9_])t-esc\s*=',
  array['*.xml'],
  'Replace t-esc= with t-out=; values are escaped the same way.',
  'https://github.com/odoo/odoo/blob/master/odoo/upgrade_code/19.2-00-t-esc.py'
)
on conflict (code) do nothing;
