-- ops.workers: the fleet. Its columns, keys, named checks, indexes, triggers, grants, policies and
-- row-level security: service_role reads it and deletes from it; writes go through functions only.
begin;
select plan(20);

-- TEST: columns, types and nullability.
select has_table('ops', 'workers', 'ops.workers exists.');
select columns_are(
  'ops', 'workers', array['id', 'labels', 'version', 'host', 'started_at', 'last_seen_at'],
  'ops.workers has exactly the documented columns.'
);
select col_type_is('ops', 'workers', c.name, c.type, format('workers.%s is %s.', c.name, c.type))
from (values
  ('id', 'text'), ('labels', 'text[]'), ('version', 'text'), ('host', 'text'),
  ('started_at', 'timestamp with time zone'), ('last_seen_at', 'timestamp with time zone')
) as c (name, type);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.workers'::regclass and a.attnum > 0 and not a.attisdropped and not a.attnotnull
    order by a.attnum
  ),
  array['version', 'host'],
  'Only what a worker may not say (version, host) is nullable.'
);

-- TEST: keys and named checks.
select col_is_pk('ops', 'workers', 'id', 'workers.id, the worker id, is the primary key.');
select set_eq(
  $$select conname::text, contype::text from pg_constraint where conrelid = 'ops.workers'::regclass$$,
  $$values
    ('workers_pkey', 'p'), ('workers_id_is_valid', 'c'), ('workers_labels_is_valid', 'c'),
    ('workers_version_is_bounded', 'c'), ('workers_host_is_bounded', 'c')$$,
  'ops.workers has exactly the documented constraints, named for their rule.'
);
select throws_ok(
  $$insert into ops.workers (id, labels) values ('w-1', '{docker,arm64}')$$,
  '23514', 'new row for relation "workers" violates check constraint "workers_labels_is_valid"',
  'An unsorted label set is refused by the table itself.'
);

-- TEST: indexes, triggers, row-level security, policies and grants.
select indexes_are('ops', 'workers', array['workers_pkey'], 'ops.workers has exactly the documented indexes.');
select triggers_are('ops', 'workers', array[]::name[], 'ops.workers has no triggers.');
select is(
  (select reloptions from pg_class where oid = 'ops.workers'::regclass), array['fillfactor=50'],
  'ops.workers leaves room on each page so that last_seen_at updates stay HOT.'
);
select is(
  (select relrowsecurity from pg_class where oid = 'ops.workers'::regclass), true,
  'ops.workers has row-level security enabled.'
);
select policies_are(
  'ops', 'workers', array[]::name[],
  'ops.workers has no policy: only service_role (which bypasses row-level security) reads it.'
);
select table_privs_are('ops', 'workers', 'anon', array[]::text[], 'anon has no privilege on ops.workers.');
select table_privs_are(
  'ops', 'workers', 'authenticated', array[]::text[], 'authenticated has no privilege on ops.workers.'
);
select table_privs_are(
  'ops', 'workers', 'service_role', array['SELECT', 'DELETE'],
  'service_role may read workers and delete gone ones; it writes them through the worker RPCs only.'
);

select * from finish();
rollback;
