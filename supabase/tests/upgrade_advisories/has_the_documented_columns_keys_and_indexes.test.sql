-- ops.upgrade_advisories: breaking changes between Odoo series. Its columns,
-- types, keys, named checks, indexes, triggers, grants, policies and row-level security.
begin;
select plan(31);

-- TEST: columns, types and nullability.
select has_table('ops', 'upgrade_advisories', 'ops.upgrade_advisories exists.');
select columns_are(
  'ops', 'upgrade_advisories',
  array[
    'id', 'code', 'from_series', 'to_series', 'area', 'severity', 'title', 'description', 'detect_regex',
    'detect_globs', 'remediation', 'reference_url', 'created_at', 'updated_at', 'engine', 'detect_pattern'
  ],
  'ops.upgrade_advisories has exactly the documented columns.'
);
select col_type_is(
  'ops', 'upgrade_advisories', c.name, c.type, format('upgrade_advisories.%s is %s.', c.name, c.type)
)
from (values
  ('id', 'uuid'), ('code', 'text'), ('from_series', 'text'), ('to_series', 'text'), ('area', 'text'),
  ('severity', 'ops.advisory_severity'), ('title', 'text'), ('description', 'text'), ('detect_regex', 'text'),
  ('detect_globs', 'text[]'), ('remediation', 'text'), ('reference_url', 'text'),
  ('created_at', 'timestamp with time zone'), ('updated_at', 'timestamp with time zone'), ('engine', 'text'),
  ('detect_pattern', 'jsonb')
) as c (name, type);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.upgrade_advisories'::regclass and a.attnum > 0 and not a.attisdropped
      and not a.attnotnull
  ),
  array[]::text[],
  'No column of ops.upgrade_advisories is nullable.'
);
select enum_has_labels(
  'ops', 'advisory_severity', array['breaking', 'deprecation'], 'ops.advisory_severity is breaking or deprecation.'
);

-- TEST: keys and named checks.
select col_is_pk('ops', 'upgrade_advisories', 'id', 'upgrade_advisories.id is the primary key.');
select col_is_unique('ops', 'upgrade_advisories', array['code'], 'An advisory code is unique.');
select set_eq(
  $$select conname::text, contype::text from pg_constraint where conrelid = 'ops.upgrade_advisories'::regclass$$,
  $$values
    ('upgrade_advisories_pkey', 'p'), ('upgrade_advisories_code_key', 'u'), ('upgrade_advisories_code_is_valid', 'c'),
    ('upgrade_advisories_series_are_valid', 'c'), ('upgrade_advisories_area_is_valid', 'c'),
    ('upgrade_advisories_detect_regex_compiles', 'c'), ('upgrade_advisories_detect_globs_not_empty', 'c'),
    ('upgrade_advisories_reference_url_is_https', 'c'), ('upgrade_advisories_engine_is_valid', 'c'),
    ('upgrade_advisories_detect_pattern_is_valid', 'c')$$,
  'ops.upgrade_advisories has exactly the documented constraints, named for their rule.'
);

-- TEST: indexes, triggers, row-level security, policies and grants.
select indexes_are(
  'ops', 'upgrade_advisories',
  array['upgrade_advisories_pkey', 'upgrade_advisories_code_key', 'upgrade_advisories_series_idx'],
  'ops.upgrade_advisories has exactly the documented indexes.'
);
select has_index(
  'ops', 'upgrade_advisories', 'upgrade_advisories_series_idx', array['from_series', 'to_series'],
  'Advisories are found by series pair from an index.'
);
select triggers_are(
  'ops', 'upgrade_advisories', array['upgrade_advisories_set_updated_at', 'upgrade_advisories_010_check_pattern'],
  'ops.upgrade_advisories stamps updated_at and checks each pattern against its engine.'
);
select is(
  (select relrowsecurity from pg_class where oid = 'ops.upgrade_advisories'::regclass), true,
  'ops.upgrade_advisories has row-level security enabled.'
);
select policies_are(
  'ops', 'upgrade_advisories', array['authenticated can select upgrade advisories'],
  'ops.upgrade_advisories has a select policy only.'
);
select table_privs_are(
  'ops', 'upgrade_advisories', 'anon', array[]::text[], 'anon has no privilege on ops.upgrade_advisories.'
);
select table_privs_are(
  'ops', 'upgrade_advisories', 'authenticated', array['SELECT'], 'authenticated may only select advisories.'
);
select table_privs_are(
  'ops', 'upgrade_advisories', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'service_role may select, insert, update and delete advisories.'
);

select * from finish();
rollback;
