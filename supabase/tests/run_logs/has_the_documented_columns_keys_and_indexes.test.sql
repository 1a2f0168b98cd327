-- ops.run_logs: structured log lines of runs. Its columns, types, keys, named
-- checks, indexes, grants, policies and row-level security.
begin;
select plan(27);

-- TEST: columns, types and nullability.
select has_table('ops', 'run_logs', 'ops.run_logs exists.');
select columns_are(
  'ops', 'run_logs',
  array['id', 'run_id', 'seq', 'timestamp', 'level', 'stream', 'message', 'metadata', 'project_id'],
  'ops.run_logs has exactly the documented columns.'
);
select col_type_is('ops', 'run_logs', c.name, c.type, format('run_logs.%s is %s.', c.name, c.type))
from (values
  ('id', 'bigint'), ('run_id', 'uuid'), ('seq', 'bigint'), ('timestamp', 'timestamp with time zone'),
  ('level', 'ops.log_level'), ('stream', 'text'), ('message', 'text'), ('metadata', 'jsonb'), ('project_id', 'uuid')
) as c (name, type);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.run_logs'::regclass and a.attnum > 0 and not a.attisdropped and not a.attnotnull
  ),
  array[]::text[],
  'No column of ops.run_logs is nullable.'
);
select enum_has_labels(
  'ops', 'log_level', array['debug', 'info', 'warning', 'error'], 'ops.log_level has the four levels, in order.'
);
select col_default_is('ops', 'run_logs', 'level', 'info', 'A log line is at level info by default.');
select col_default_is('ops', 'run_logs', 'stream', 'build', 'A log line comes from the build stream by default.');
select is(
  (select attidentity::text from pg_attribute where attrelid = 'ops.run_logs'::regclass and attname = 'id'),
  'a',
  'run_logs.id is generated always as identity.'
);

-- TEST: keys and named checks.
select col_is_pk('ops', 'run_logs', 'id', 'run_logs.id is the primary key.');
select col_is_unique(
  'ops', 'run_logs', array['run_id', 'seq'], 'A sequence number is stored once per run, so a retried batch lands once.'
);
select fk_ok(
  'ops', 'run_logs', array['run_id', 'project_id'], 'ops', 'runs', array['id', 'project_id'],
  'run_logs.(run_id, project_id) references ops.runs: a line''s project is its run''s.'
);
select set_eq(
  $$select conname::text, contype::text from pg_constraint where conrelid = 'ops.run_logs'::regclass$$,
  $$values
    ('run_logs_pkey', 'p'), ('run_logs_run_id_seq_key', 'u'), ('run_logs_run_id_project_id_fkey', 'f'),
    ('run_logs_seq_is_positive', 'c'), ('run_logs_stream_is_valid', 'c'), ('run_logs_message_is_bounded', 'c'),
    ('run_logs_metadata_is_object', 'c'), ('run_logs_metadata_is_bounded', 'c')$$,
  'ops.run_logs has exactly the documented constraints, named for their rule.'
);

-- TEST: indexes, row-level security, policies and grants.
select indexes_are(
  'ops', 'run_logs', array['run_logs_pkey', 'run_logs_run_id_seq_key'],
  'ops.run_logs has exactly the documented indexes.'
);
select has_index(
  'ops', 'run_logs', 'run_logs_run_id_seq_key', array['run_id', 'seq'],
  'The logs of a run are read in order, or the last lines backwards, from one index.'
);
select is(
  (select relrowsecurity from pg_class where oid = 'ops.run_logs'::regclass), true,
  'ops.run_logs has row-level security enabled.'
);
select policies_are(
  'ops', 'run_logs', array['authenticated can select run logs of member projects'],
  'ops.run_logs has a select policy only.'
);
select table_privs_are('ops', 'run_logs', 'anon', array[]::text[], 'anon has no privilege on ops.run_logs.');
select table_privs_are(
  'ops', 'run_logs', 'authenticated', array['SELECT'], 'authenticated may only select run logs.'
);
select table_privs_are(
  'ops', 'run_logs', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'service_role may select, insert, update and delete run logs.'
);

select * from finish();
rollback;
