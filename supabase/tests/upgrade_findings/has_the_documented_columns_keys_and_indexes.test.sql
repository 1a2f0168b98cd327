-- ops.upgrade_findings: what the upgrade scan and pylint-odoo found in a run. Its columns, types, keys,
-- named checks, indexes, grants, policies and row-level security.
begin;
select plan(16);

select has_table('ops', 'upgrade_findings', 'ops.upgrade_findings exists.');
select columns_are(
  'ops', 'upgrade_findings',
  array[
    'id', 'run_id', 'project_id', 'source', 'code', 'advisory_id', 'to_series', 'severity', 'engine', 'file', 'line',
    'col', 'excerpt', 'message', 'created_at'
  ],
  'ops.upgrade_findings has exactly the documented columns.'
);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.upgrade_findings'::regclass and a.attnum > 0 and not a.attisdropped and not a.attnotnull
    order by a.attnum
  ),
  array['advisory_id', 'to_series', 'engine'],
  'Only advisory_id, to_series and engine may be null.'
);
select col_is_pk('ops', 'upgrade_findings', 'id', 'upgrade_findings.id is the primary key.');
select col_is_unique(
  'ops', 'upgrade_findings', array['run_id', 'source', 'file', 'line', 'col', 'code'],
  'A finding is stored once per run, so a retried batch lands once.'
);
select fk_ok(
  'ops', 'upgrade_findings', array['run_id', 'project_id'], 'ops', 'runs', array['id', 'project_id'],
  'A finding''s project is its run''s (the foreign key (run_id, project_id)).'
);
select fk_ok(
  'ops', 'upgrade_findings', 'advisory_id', 'ops', 'upgrade_advisories', 'id', 'advisory_id names an advisory.'
);
select is(
  (select confdeltype::text from pg_constraint where conname = 'upgrade_findings_run_id_project_id_fkey'),
  'c', 'Deleting a run deletes its findings.'
);
select is(
  (select confdeltype::text from pg_constraint where conname = 'upgrade_findings_advisory_id_fkey'),
  'n', 'Deleting an advisory keeps its findings, without the reference.'
);
select is(
  array(
    select conname::text from pg_constraint
    where conrelid = 'ops.upgrade_findings'::regclass and contype = 'c' order by 1
  ),
  array[
    'upgrade_findings_code_is_valid', 'upgrade_findings_col_is_positive', 'upgrade_findings_engine_is_valid',
    'upgrade_findings_excerpt_is_bounded', 'upgrade_findings_file_is_relative', 'upgrade_findings_line_is_positive',
    'upgrade_findings_message_is_bounded', 'upgrade_findings_severity_is_valid', 'upgrade_findings_source_is_valid',
    'upgrade_findings_to_series_is_valid'
  ],
  'Every text and number column is checked and bounded.'
);
select has_index(
  'ops', 'upgrade_findings', 'upgrade_findings_project_id_run_id_idx', array['project_id', 'run_id'],
  'The policy column project_id leads an index.'
);
select ok(
  (select relrowsecurity from pg_class where oid = 'ops.upgrade_findings'::regclass),
  'Row-level security is on.'
);
select policies_are(
  'ops', 'upgrade_findings', array['authenticated can select upgrade findings of member projects'],
  'One policy: members read their projects'' findings.'
);
select table_privs_are('ops', 'upgrade_findings', 'authenticated', array['SELECT'], 'authenticated may only read.');
select table_privs_are(
  'ops', 'upgrade_findings', 'service_role', array['SELECT'],
  'service_role may only read: writes go through ops.add_upgrade_findings.'
);
select table_privs_are('ops', 'upgrade_findings', 'anon', array[]::text[], 'anon may do nothing.');

select * from finish();
rollback;
