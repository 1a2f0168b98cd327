-- ops.run_events: the append-only history of run status changes. Its columns,
-- types, keys, named checks, indexes, triggers, grants, policies and row-level security.
begin;
select plan(24);

-- TEST: columns, types and nullability.
select has_table('ops', 'run_events', 'ops.run_events exists.');
select columns_are(
  'ops', 'run_events',
  array['id', 'run_id', 'from_status', 'to_status', 'actor', 'reason', 'payload', 'created_at', 'project_id'],
  'ops.run_events has exactly the documented columns.'
);
select col_type_is('ops', 'run_events', c.name, c.type, format('run_events.%s is %s.', c.name, c.type))
from (values
  ('id', 'bigint'), ('run_id', 'uuid'), ('from_status', 'ops.run_status'), ('to_status', 'ops.run_status'),
  ('actor', 'text'), ('reason', 'text'), ('payload', 'jsonb'), ('created_at', 'timestamp with time zone'),
  ('project_id', 'uuid')
) as c (name, type);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.run_events'::regclass and a.attnum > 0 and not a.attisdropped and not a.attnotnull
    order by a.attnum
  ),
  array['from_status', 'reason'],
  'Only run_events.from_status (null for the insert of a run) and reason are nullable.'
);
select is(
  (select attidentity::text from pg_attribute where attrelid = 'ops.run_events'::regclass and attname = 'id'),
  'a',
  'run_events.id is generated always as identity.'
);

-- TEST: keys and named checks.
select col_is_pk('ops', 'run_events', 'id', 'run_events.id is the primary key.');
select fk_ok(
  'ops', 'run_events', array['run_id', 'project_id'], 'ops', 'runs', array['id', 'project_id'],
  'run_events.(run_id, project_id) references ops.runs: an event''s project is its run''s.'
);
select set_eq(
  $$select conname::text, contype::text from pg_constraint where conrelid = 'ops.run_events'::regclass$$,
  $$values
    ('run_events_pkey', 'p'), ('run_events_run_id_project_id_fkey', 'f'), ('run_events_payload_is_object', 'c'),
    ('run_events_status_changes', 'c')$$,
  'ops.run_events has exactly the documented constraints, named for their rule.'
);

-- TEST: indexes, triggers, row-level security, policies and grants.
select indexes_are(
  'ops', 'run_events', array['run_events_pkey', 'run_events_run_id_id_idx'],
  'ops.run_events has exactly the documented indexes.'
);
select has_index(
  'ops', 'run_events', 'run_events_run_id_id_idx', array['run_id', 'id'],
  'The events of a run are read in order from one index.'
);
select triggers_are(
  'ops', 'run_events',
  array['run_events_010_fill_project_id', 'run_events_refuse_update_delete', 'run_events_refuse_truncate'],
  'ops.run_events fills project_id when an insert leaves it out, and refuses updates, deletes and truncation by '
  'trigger.'
);
select is(
  (select relrowsecurity from pg_class where oid = 'ops.run_events'::regclass), true,
  'ops.run_events has row-level security enabled.'
);
select policies_are(
  'ops', 'run_events', array['authenticated can select run events of member projects'],
  'ops.run_events has a select policy only.'
);
select table_privs_are('ops', 'run_events', 'anon', array[]::text[], 'anon has no privilege on ops.run_events.');
select table_privs_are(
  'ops', 'run_events', 'authenticated', array['SELECT'], 'authenticated may only select run events.'
);
select table_privs_are(
  'ops', 'run_events', 'service_role', array['SELECT'],
  'service_role may only select run events: the trigger writes them.'
);

select * from finish();
rollback;
