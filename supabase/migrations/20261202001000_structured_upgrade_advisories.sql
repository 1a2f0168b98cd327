-- Structured upgrade advisories: an advisory says which engine reads the code
-- (regex line by line, or Python through ast, XML through lxml, the manifest
-- as data) and, for the structured engines, a small declarative pattern; plus
-- the advisories for the kinds of breaking change real ports made that no
-- advisory flagged (docs/odooops-sh/UPGRADE_SCAN.md).
--
-- * ops.upgrade_advisories.engine: regex (the default, every row so far),
--   python-ast, xml or manifest. detect_pattern (jsonb, {} for regex): one
--   {"kind": ..., ...} object or {"any": [1 to 8 of them]}; the kinds and
--   their keys per engine are those of odooops.steps.scan_engines. A regex
--   advisory has a detect_regex and detect_pattern {}; a structured one an
--   empty detect_regex and a valid pattern. The trigger
--   upgrade_advisories_010_check_pattern refuses anything else with 23514 and
--   a message naming the advisory, the field and the value;
--   the check upgrade_advisories_detect_pattern_is_valid says the same
--   (ops.upgrade_advisory_pattern_problem, null when the row is right).
-- * Existing rows moved to a structured engine, where a line regex missed
--   the construct: field-states-param (keywords one per line),
--   attrs-states-removed (start tags over several lines),
--   read-group-private-signature (every call, not only those with lazy= on
--   the line), private-env-shortcuts (on any record, not only self),
--   group-operator-aggregator (the keyword of a field, not a field named
--   group_operator).
-- * New rows: hook-signature-env, message-post-with-view, web-assets-common,
--   renamed-fields-17 (16.0 -> 17.0); name-get-removed (the second step of
--   name-get), tree-view-type-python, tree-xpath, chatter-div,
--   registry-import, unaccent-param, ustr-removed, renamed-fields-18
--   (17.0 -> 18.0); user-has-groups-removed (18.0 -> 19.0); and the removal
--   steps of deprecations: check-access-removed, read-group-removed,
--   osv-expression-removed (19.0 -> 20.0, removed in 19.1).
-- * ops.get_run_context returns engine and detect_pattern with each advisory.
-- Objects: columns engine, detect_pattern; checks
-- upgrade_advisories_engine_is_valid, upgrade_advisories_detect_pattern_is_valid;
-- functions ops.upgrade_advisory_pattern_problem(text, text, jsonb),
-- ops_private.upgrade_advisory_pattern_item_problem(text, jsonb),
-- ops_private.check_upgrade_advisory_pattern() and its trigger; rows of
-- ops.upgrade_advisories; ops.get_run_context(uuid, text) replaced.
-- Locks: ACCESS EXCLUSIVE on ops.upgrade_advisories (a few dozen rows) for
-- the new columns, checks and trigger.
-- Roll back: delete the new rows (codes above); restore the five updated rows
-- from 20260213000110_seed_upgrade_advisories.sql (engine regex, their
-- detect_regex, detect_pattern {}); drop trigger
-- upgrade_advisories_010_check_pattern, the two checks, columns engine and
-- detect_pattern, the three functions; re-create ops.get_run_context from
-- 20261202000500_create_get_run_context.sql.

alter table ops.upgrade_advisories
add column engine text not null default 'regex',
add column detect_pattern jsonb not null default '{}'::jsonb;

comment on column ops.upgrade_advisories.engine is
'What reads the code: regex (detect_regex line by line), python-ast, xml or manifest (detect_pattern).';
comment on column ops.upgrade_advisories.detect_pattern is
'For a structured engine, {"kind": ..., ...} or {"any": [...]} (odooops.steps.scan_engines); {} for regex.';
comment on column ops.upgrade_advisories.detect_regex is
'Line pattern of a regex advisory, in the subset shared by PostgreSQL and Python regexes (no \b: use '
'lookarounds); empty for the structured engines.';

-- One pattern object (not "any"): its kind, keys and values for the engine.
create or replace function ops_private.upgrade_advisory_pattern_item_problem(p_engine text, p_item jsonb)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  -- engine -> kind -> [required keys, optional keys]
  v_spec constant jsonb := '{
    "python-ast": {
      "field_keyword": [["keyword"], []], "method_def": [["name"], []],
      "call": [["name"], ["on", "skip_super"]], "import_from": [["module", "name"], []],
      "attribute": [["names"], ["not_on"]], "hook_signature": [["first_arg"], []], "view_type": [["value"], []]
    },
    "xml": {
      "element": [["tag"], ["class"]], "attribute": [["names"], ["tags"]], "xpath": [[], ["step", "contains"]],
      "attribute_value": [["value"], []]
    },
    "manifest": {"assets_bundle": [["bundle"], []], "key": [["key"], []]}
  }'::jsonb;
  v_ident constant text := '^[A-Za-z_][A-Za-z0-9_]{0,63}$';
  v_dotted constant text := '^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,7}$';
  v_text constant text := '^[A-Za-z0-9_.:/@ -]{1,100}$';
  v_kind text;
  v_keys text[];
  v_required text[];
  v_key text;
  v_value jsonb;
  v_rule text;
begin
  if jsonb_typeof(p_item) is distinct from 'object' then
    return format('detect_pattern must be a JSON object, got %s', left(coalesce(p_item::text, 'null'), 60));
  end if;
  v_kind := case when jsonb_typeof(p_item -> 'kind') = 'string' then p_item ->> 'kind' end;
  if v_kind is null or not (v_spec -> p_engine) ? v_kind then
    return format(
      'detect_pattern.kind must be one of %s for engine %s, got %s',
      (select string_agg(k.kind, ', ' order by k.kind) from jsonb_object_keys(v_spec -> p_engine) as k (kind)),
      p_engine, left(coalesce(p_item -> 'kind', 'null'::jsonb)::text, 60)
    );
  end if;
  v_required := array(select jsonb_array_elements_text(v_spec -> p_engine -> v_kind -> 0));
  v_keys := v_required || array(select jsonb_array_elements_text(v_spec -> p_engine -> v_kind -> 1));
  for v_key in select k.key from jsonb_object_keys(p_item) as k (key) order by 1 loop
    if v_key <> 'kind' and not v_key = any(v_keys) then
      return format(
        'detect_pattern.%s: not a key of a %s pattern (keys: %s)', left(v_key, 40), v_kind, array_to_string(v_keys, ', ')
      );
    end if;
  end loop;
  foreach v_key in array v_required loop
    if not p_item ? v_key then
      return format('detect_pattern.%s is required for a %s pattern', v_key, v_kind);
    end if;
  end loop;
  if v_kind = 'xpath' and (p_item ? 'step') = (p_item ? 'contains') then
    return 'detect_pattern: an xpath pattern has exactly one of step or contains';
  end if;
  for v_key, v_value in select e.key, e.value from jsonb_each(p_item) as e (key, value) order by 1 loop
    continue when v_key = 'kind';
    if v_key = 'skip_super' then
      if jsonb_typeof(v_value) <> 'boolean' then
        return format('detect_pattern.%s must be true or false, got %s', v_key, left(v_value::text, 60));
      end if;
    elsif v_key in ('names', 'tags') then
      if jsonb_typeof(v_value) <> 'array' or jsonb_array_length(v_value) not between 1 and 8 or exists (
        select 1 from jsonb_array_elements(v_value) as x (item)
        where jsonb_typeof(x.item) <> 'string' or (x.item #>> '{}') !~ v_ident
      ) then
        return format(
          'detect_pattern.%s must be a list of 1 to 8 identifiers, got %s', v_key, left(v_value::text, 60)
        );
      end if;
    else
      v_rule := case
        when v_key in ('module', 'bundle') then v_dotted
        when v_key in ('value', 'contains') then v_text
        else v_ident
      end;
      if jsonb_typeof(v_value) <> 'string' or (v_value #>> '{}') !~ v_rule then
        return format('detect_pattern.%s is not a valid %s, got %s', v_key, v_key, left(v_value::text, 60));
      end if;
    end if;
  end loop;
  return null;
end
$$;

comment on function ops_private.upgrade_advisory_pattern_item_problem(text, jsonb) is
'What is wrong with one structured pattern object for an engine (null when it is valid).';

revoke execute on function ops_private.upgrade_advisory_pattern_item_problem(text, jsonb) from public, anon;
grant execute on function ops_private.upgrade_advisory_pattern_item_problem(text, jsonb) to authenticated, service_role;

create or replace function ops.upgrade_advisory_pattern_problem(p_engine text, p_regex text, p_pattern jsonb)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  v_items jsonb;
  v_problem text;
begin
  if p_engine is null or p_engine not in ('regex', 'python-ast', 'xml', 'manifest') then
    return format(
      'engine must be one of regex, python-ast, xml, manifest, got %s', left(coalesce(quote_literal(p_engine), 'null'), 60)
    );
  end if;
  if p_engine = 'regex' then
    if coalesce(p_regex, '') = '' then
      return 'detect_regex must be a pattern for engine regex, got an empty string';
    end if;
    if p_pattern is distinct from '{}'::jsonb then
      return format('detect_pattern must be {} for engine regex, got %s', left(coalesce(p_pattern::text, 'null'), 60));
    end if;
    return null;
  end if;
  if coalesce(p_regex, '') <> '' then
    return format(
      'detect_regex must be empty for engine %s (its pattern is detect_pattern), got %s', p_engine,
      left(quote_literal(p_regex), 60)
    );
  end if;
  if jsonb_typeof(p_pattern) = 'object' and p_pattern ? 'any' then
    if (select count(*) from jsonb_object_keys(p_pattern)) <> 1 then
      return 'detect_pattern: an {"any": [...]} pattern has no other key';
    end if;
    v_items := p_pattern -> 'any';
    if jsonb_typeof(v_items) <> 'array' or jsonb_array_length(v_items) not between 1 and 8 then
      return format('detect_pattern.any must be a list of 1 to 8 patterns, got %s', left(v_items::text, 60));
    end if;
    for i in 0 .. jsonb_array_length(v_items) - 1 loop
      if jsonb_typeof(v_items -> i) = 'object' and (v_items -> i) ? 'any' then
        return format('detect_pattern.any[%s]: patterns do not nest', i);
      end if;
      v_problem := ops_private.upgrade_advisory_pattern_item_problem(p_engine, v_items -> i);
      if v_problem is not null then
        return regexp_replace(v_problem, '^detect_pattern', format('detect_pattern.any[%s]', i));
      end if;
    end loop;
    return null;
  end if;
  return ops_private.upgrade_advisory_pattern_item_problem(p_engine, p_pattern);
end
$$;

comment on function ops.upgrade_advisory_pattern_problem(text, text, jsonb) is
'What is wrong with an advisory''s engine, detect_regex and detect_pattern together (null when they are right): '
'regex takes a detect_regex and detect_pattern {}; python-ast, xml and manifest an empty detect_regex and a '
'pattern {"kind": ..., ...} or {"any": [1 to 8 of them]} (kinds and keys: odooops.steps.scan_engines).';

revoke execute on function ops.upgrade_advisory_pattern_problem(text, text, jsonb) from public, anon;
grant execute on function ops.upgrade_advisory_pattern_problem(text, text, jsonb) to authenticated, service_role;

create or replace function ops_private.check_upgrade_advisory_pattern()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_problem text := ops.upgrade_advisory_pattern_problem(new.engine, new.detect_regex, new.detect_pattern);
begin
  if v_problem is not null then
    raise exception 'upgrade advisory %: %', left(quote_literal(new.code), 70), v_problem
      using errcode = '23514', table = 'upgrade_advisories', schema = 'ops';
  end if;
  return new;
end
$$;

comment on function ops_private.check_upgrade_advisory_pattern() is
'Trigger: refuses an advisory whose engine, detect_regex and detect_pattern do not fit (23514, naming the field).';

revoke execute on function ops_private.check_upgrade_advisory_pattern() from public, anon;

create trigger upgrade_advisories_010_check_pattern
before insert or update of engine, detect_regex, detect_pattern on ops.upgrade_advisories
for each row execute function ops_private.check_upgrade_advisory_pattern();

alter table ops.upgrade_advisories
add constraint upgrade_advisories_engine_is_valid check (engine in ('regex', 'python-ast', 'xml', 'manifest')),
add constraint upgrade_advisories_detect_pattern_is_valid check (
  ops.upgrade_advisory_pattern_problem(engine, detect_regex, detect_pattern) is null
);

-- Rows a line regex read too narrowly, now read as code.
update ops.upgrade_advisories set
  engine = 'python-ast', detect_regex = '',
  detect_pattern = '{"kind": "field_keyword", "keyword": "states"}'
where code = 'field-states-param';

update ops.upgrade_advisories set
  engine = 'xml', detect_regex = '',
  detect_pattern = '{"kind": "attribute", "names": ["attrs", "states"]}'
where code = 'attrs-states-removed';

update ops.upgrade_advisories set
  engine = 'python-ast', detect_regex = '',
  detect_pattern = '{"kind": "call", "name": "_read_group", "skip_super": true}',
  description = 'In 17.0 _read_group takes groupby and aggregates specifications and returns tuples; every call '
  'written for 16.0 (domain, fields, groupby, lazy) passes its arguments in the wrong places.'
where code = 'read-group-private-signature';

update ops.upgrade_advisories set
  engine = 'python-ast', detect_regex = '',
  detect_pattern = '{"kind": "attribute", "names": ["_cr", "_context", "_uid"], "not_on": "env"}'
where code = 'private-env-shortcuts';

update ops.upgrade_advisories set
  engine = 'python-ast', detect_regex = '',
  detect_pattern = '{"kind": "field_keyword", "keyword": "group_operator"}'
where code = 'group-operator-aggregator';

-- The kinds of change real ports made that no advisory flagged.
insert into ops.upgrade_advisories (
  code, from_series, to_series, area, severity, title, description, engine, detect_regex, detect_pattern,
  detect_globs, remediation, reference_url
)
values
(
  'hook-signature-env', '16.0', '17.0', 'modules', 'breaking',
  'Install hooks receive env instead of cr and registry',
  'From 17.0 Odoo calls pre_init_hook, post_init_hook and uninstall_hook with an environment; a hook written as '
  'hook(cr, registry) or hook(cr) fails with a TypeError at install or uninstall.',
  'python-ast', '', '{"kind": "hook_signature", "first_arg": "cr"}',
  array['*.py'],
  'Declare the hook as hook(env) and use env (env.cr where a cursor is needed) instead of building one.',
  'https://github.com/OCA/maintainer-tools/wiki/Migration-to-version-17.0'
),
(
  'message-post-with-view', '16.0', '17.0', 'mail', 'breaking',
  'message_post_with_view replaced by message_post_with_source',
  'Odoo 17.0 removes message_post_with_view (and message_post_with_template); posting a rendered view goes '
  'through message_post_with_source.',
  'regex', '(?<![A-Za-z0-9_])message_post_with_view\s*\(', '{}',
  array['*.py'],
  'Call message_post_with_source(view_xmlid, render_values=..., subtype_xmlid=...) instead.',
  'https://github.com/OCA/odoo-module-migrator/blob/master/odoo_module_migrate/migration_scripts/migrate_160_170.py'
),
(
  'web-assets-common', '16.0', '17.0', 'web-assets', 'breaking',
  'web.assets_common bundle removed',
  'Odoo 17.0 has no web.assets_common bundle any more; files a manifest adds to it are never loaded.',
  'manifest', '', '{"kind": "assets_bundle", "bundle": "web.assets_common"}',
  array['__manifest__.py'],
  'Add the files to the bundle that needs them: web.assets_backend, web.assets_frontend or web._assets_core.',
  'https://github.com/OCA/odoo-module-migrator/blob/master/odoo_module_migrate/migration_scripts/migrate_160_170.py'
),
(
  'renamed-fields-17', '16.0', '17.0', 'fields', 'breaking',
  'hr.employee address_home_id replaced by work_contact_id',
  'Odoo 17.0 removes the private address field address_home_id of employees in favour of work_contact_id; views, '
  'domains and code that name it fail.',
  'regex', '(?<![A-Za-z0-9_])address_home_id(?![A-Za-z0-9_])', '{}',
  array['*.py', '*.xml'],
  'Use work_contact_id (the employee''s contact), or the private_* fields for the private address.',
  'https://github.com/odoo/odoo/commit/e8c48f824e078d643a3385fb910707d5525e927d'
),
(
  'renamed-fields-18', '17.0', '18.0', 'fields', 'breaking',
  'Accounting fields renamed: period_lock_date, reversal_move_id',
  'Odoo 18.0 splits res.company period_lock_date into sale_lock_date and purchase_lock_date and turns '
  'account.move reversal_move_id into reversal_move_ids; code and views that name the old fields fail.',
  'regex', '(?<![A-Za-z0-9_])(?:period_lock_date|reversal_move_id)(?![A-Za-z0-9_])', '{}',
  array['*.py', '*.xml'],
  'Write sale_lock_date and purchase_lock_date instead of period_lock_date, and reversal_move_ids (a one2many) '
  'instead of reversal_move_id.',
  'https://github.com/OCA/odoo-module-migrator/blob/master/odoo_module_migrate/migration_scripts/renamed_fields/migrate_170_180/account.yaml'
),
(
  'name-get-removed', '17.0', '18.0', 'orm', 'breaking',
  'name_get removed: record names come from display_name',
  'name_get(), deprecated in 17.0, is gone in 18.0: overrides are never called and calls fail with an '
  'AttributeError.',
  'python-ast', '',
  '{"any": [{"kind": "method_def", "name": "name_get"}, {"kind": "call", "name": "name_get"}]}',
  array['*.py'],
  'Override _compute_display_name (with the depends it needs) and read record.display_name instead of calling name_get().',
  'https://github.com/odoo/odoo/pull/122085'
),
(
  'tree-view-type-python', '17.0', '18.0', 'views', 'breaking',
  'tree view type in actions built in Python',
  'Odoo 18.0 knows no tree view type: actions returned by Python with view_mode "tree,form" or views '
  '[(view_id, "tree")] fail to open.',
  'python-ast', '', '{"kind": "view_type", "value": "tree"}',
  array['*.py'],
  'Write list instead of tree in view_mode, view_type and the views pairs of actions.',
  'https://github.com/odoo/odoo/pull/159909'
),
(
  'tree-xpath', '17.0', '18.0', 'views', 'breaking',
  'xpath expressions through a tree element',
  'Since <tree> is <list> in 18.0 views, an inherited view whose xpath walks through tree finds nothing and '
  'fails to apply.',
  'xml', '', '{"kind": "xpath", "step": "tree"}',
  array['*.xml'],
  'Write list instead of tree in the xpath expression (//field[@name=''line_ids'']/list/field...).',
  'https://github.com/OCA/odoo-module-migrator/blob/master/odoo_module_migrate/migration_scripts/migrate_170_180.py'
),
(
  'chatter-div', '17.0', '18.0', 'views', 'breaking',
  '<div class="oe_chatter"> replaced by <chatter/>',
  'Odoo 18.0 form views declare the chatter with a <chatter/> element; the oe_chatter block and xpaths into it '
  'are not how the form renders it any more.',
  'xml', '',
  '{"any": [{"kind": "element", "tag": "div", "class": "oe_chatter"}, {"kind": "xpath", "contains": "oe_chatter"}]}',
  array['*.xml'],
  'Replace the div and its message_follower_ids / activity_ids / message_ids fields with <chatter/>, and target '
  '//chatter in xpaths.',
  'https://github.com/OCA/odoo-module-migrator/blob/master/odoo_module_migrate/migration_scripts/migrate_170_180.py'
),
(
  'registry-import', '17.0', '18.0', 'python', 'breaking',
  'odoo.registry removed: use odoo.modules.registry.Registry',
  'Odoo 18.0 drops the odoo.registry() helper; from odoo import registry and odoo.registry(dbname) fail.',
  'python-ast', '',
  '{"any": [{"kind": "import_from", "module": "odoo", "name": "registry"}, {"kind": "call", "name": "registry", "on": "odoo"}]}',
  array['*.py'],
  'Import Registry from odoo.modules.registry and call Registry(dbname).',
  'https://github.com/OCA/odoo-module-migrator/blob/master/odoo_module_migrate/migration_scripts/migrate_170_180.py'
),
(
  'unaccent-param', '17.0', '18.0', 'fields', 'deprecation',
  'unaccent field parameter removed',
  'Odoo 18.0 no longer reads the unaccent parameter of fields; searches apply unaccent by the database setting '
  'alone.',
  'python-ast', '', '{"kind": "field_keyword", "keyword": "unaccent"}',
  array['*.py'],
  'Drop unaccent= from the field definition.',
  'https://github.com/OCA/odoo-module-migrator/blob/master/odoo_module_migrate/migration_scripts/migrate_170_180.py'
),
(
  'ustr-removed', '17.0', '18.0', 'python', 'breaking',
  'odoo.tools.ustr removed',
  'Odoo 18.0 removes ustr from odoo.tools; imports of it fail and calls have to become str().',
  'python-ast', '',
  '{"any": [{"kind": "import_from", "module": "odoo.tools", "name": "ustr"}, {"kind": "import_from", "module": "odoo.tools.misc", "name": "ustr"}, {"kind": "call", "name": "ustr"}]}',
  array['*.py'],
  'Call str() instead, and drop the import.',
  'https://github.com/OCA/odoo-module-migrator/blob/master/odoo_module_migrate/migration_scripts/migrate_170_180.py'
),
(
  'user-has-groups-removed', '18.0', '19.0', 'security', 'deprecation',
  'user_has_groups() no longer to be called on 19.0',
  'Odoo deprecated user_has_groups() in 18.0 (odoo/odoo#151597, titled as its removal); code moving to 19.0 '
  'should no longer call it.',
  'python-ast', '', '{"kind": "call", "name": "user_has_groups"}',
  array['*.py'],
  'Call self.env.user.has_group(''module.group_xml_id'') or has_groups() for a comma-separated list.',
  'https://github.com/odoo/odoo/pull/151597'
),
(
  'check-access-removed', '19.0', '20.0', 'security', 'breaking',
  'check_access_rights and check_access_rule removed',
  'check_access_rights() and check_access_rule(), deprecated in 18.0, are removed after 19.0; calls fail with an '
  'AttributeError.',
  'python-ast', '',
  '{"any": [{"kind": "call", "name": "check_access_rights"}, {"kind": "call", "name": "check_access_rule"}]}',
  array['*.py'],
  'Call record.check_access(''read'') to raise, has_access(''read'') to test, or _filtered_access(''read'') to filter.',
  'https://github.com/odoo/odoo/pull/226551'
),
(
  'read-group-removed', '19.0', '20.0', 'orm', 'breaking',
  'read_group removed: _read_group or formatted_read_group',
  'read_group(), deprecated in 19.0, is removed after it: calls fail and overrides are never called.',
  'python-ast', '',
  '{"any": [{"kind": "call", "name": "read_group"}, {"kind": "method_def", "name": "read_group"}]}',
  array['*.py'],
  'Use _read_group in server code and formatted_read_group where the web client''s dict format is needed; port '
  'read_group overrides likewise.',
  'https://github.com/odoo/odoo/pull/226523'
),
(
  'osv-expression-removed', '19.0', '20.0', 'domains', 'breaking',
  'odoo.osv.expression removed: use odoo.fields.Domain',
  'odoo.osv and its expression helpers, deprecated in 19.0, are removed after it: their imports fail.',
  'python-ast', '',
  '{"any": [{"kind": "import_from", "module": "odoo.osv", "name": "expression"}, '
  '{"kind": "import_from", "module": "odoo.osv.expression", "name": "AND"}, '
  '{"kind": "import_from", "module": "odoo.osv.expression", "name": "OR"}, '
  '{"kind": "import_from", "module": "odoo.osv.expression", "name": "normalize_domain"}, '
  '{"kind": "import_from", "module": "odoo.osv.expression", "name": "TRUE_DOMAIN"}, '
  '{"kind": "import_from", "module": "odoo.osv.expression", "name": "FALSE_DOMAIN"}]}',
  array['*.py'],
  'Build domains with odoo.fields.Domain: Domain.AND([...]), Domain.OR([...]), Domain(domain) and Domain.TRUE / '
  'Domain.FALSE.',
  'https://github.com/odoo/odoo/pull/226545'
)
on conflict (code) do nothing;

-- SECURITY INVOKER like every worker RPC: service_role reads these tables
-- already; the fence is the holder check below.
create or replace function ops.get_run_context(p_run_id uuid, p_worker_id text)
returns ops.run_context
language plpgsql
stable
set search_path = ''
as $$
declare
  v_run ops.runs;
  v_steps jsonb;
  v_context ops.run_context;
begin
  perform ops_private.check_worker_id(p_worker_id, true);
  if p_run_id is null then
    raise exception 'p_run_id must be a run id, got null' using errcode = '22023';
  end if;
  select r.* into v_run from ops.runs as r
  where r.id = p_run_id and r.worker_id = p_worker_id and r.status in ('claimed', 'running');
  if not found then
    perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'read its context');
  end if;
  if v_run.params ? 'secrets' and jsonb_typeof(v_run.params -> 'secrets') <> 'array' then
    raise exception 'run %: params.secrets must be an array of secret names, got a JSON %',
      p_run_id, jsonb_typeof(v_run.params -> 'secrets')
      using errcode = '22023';
  end if;

  select
    jsonb_build_object(
      'slug', p.slug, 'name', p.name, 'odoo_series', p.odoo_series, 'repository_url', p.repository_url
    ),
    jsonb_build_object(
      'name', w.name, 'steps', w.steps, 'default_timeout_seconds', w.default_timeout_seconds,
      'lease_seconds', w.lease_seconds
    ),
    w.steps
  into v_context.project, v_context.workflow, v_steps
  from ops.workflows as w
  inner join ops.projects as p on p.id = w.project_id
  where w.id = v_run.workflow_id;

  -- The tools the steps name, enabled or not: the worker says which is missing or disabled.
  v_context.tools := coalesce((
    select jsonb_agg(jsonb_build_object(
      'name', t.name, 'image', t.image, 'tag', t.tag, 'digest', t.digest, 'run_locally', t.run_locally,
      'enabled', t.enabled
    ) order by t.name)
    from ops.tools as t
    where t.name in (select s.step ->> 'tool' from jsonb_array_elements(v_steps) as s (step))
  ), '[]'::jsonb);

  v_context.secret_names := array(
    select distinct e.secret_name
    from jsonb_array_elements_text(coalesce(v_run.params -> 'secrets', '[]'::jsonb)) as e (secret_name)
    order by e.secret_name
  );

  -- A step asks for the advisories with "advisories": true; without the key,
  -- when its command runs the built-in upgrade-scan step.
  if exists (
    select 1 from jsonb_array_elements(v_steps) as s (step)
    where case
      when s.step ? 'advisories' then (s.step -> 'advisories') = 'true'::jsonb
      else (s.step ->> 'command') ~ '(^|[[:space:]])upgrade-scan([^[:alnum:]_.-]|$)'
    end
  ) then
    v_context.advisories := coalesce((
      select jsonb_agg(jsonb_build_object(
        'code', a.code, 'from_series', a.from_series, 'to_series', a.to_series, 'area', a.area,
        'severity', a.severity, 'title', a.title, 'engine', a.engine, 'detect_regex', a.detect_regex,
        'detect_pattern', a.detect_pattern, 'detect_globs', a.detect_globs, 'remediation', a.remediation,
        'reference_url', a.reference_url
      ) order by a.code)
      from ops.upgrade_advisories as a
    ), '[]'::jsonb);
  else
    v_context.advisories := '[]'::jsonb;
  end if;
  return v_context;
end
$$;

comment on function ops.get_run_context(uuid, text) is
'Worker RPC: what the worker holding a run (claimed or running) needs to run it, as an ops.run_context: '
'project {slug, name, odoo_series, repository_url}; workflow {name, steps, default_timeout_seconds, lease_seconds}; '
'tools [{name, image, tag, digest, run_locally, enabled}], those the steps name, by name; '
'secret_names, the distinct names in params.secrets (values: ops.get_run_secrets); '
'advisories [{code, from_series, to_series, area, severity, title, engine, detect_regex, detect_pattern, '
'detect_globs, remediation, reference_url}] by code, when a step asks for them, else []. A step asks with "advisories": true; a step '
'without the key asks when its command runs the built-in step, the word upgrade-scan after the start or a space '
'(python -m odooops.steps upgrade-scan); "advisories": false never asks. '
'SQLSTATEs: OP002 not the holder or the run has ended, P0002 unknown run, 22023 invalid parameter.';

revoke execute on function ops.get_run_context(uuid, text) from public, anon, authenticated;
grant execute on function ops.get_run_context(uuid, text) to service_role;
