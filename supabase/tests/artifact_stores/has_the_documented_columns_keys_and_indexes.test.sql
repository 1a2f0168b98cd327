-- ops.artifact_stores: the roots under which run artifacts may be stored. Its
-- columns, types, keys, named checks, indexes, triggers, grants, policies and
-- row-level security.
begin;
select plan(20);

-- TEST: columns, types and nullability.
select has_table('ops', 'artifact_stores', 'ops.artifact_stores exists.');
select columns_are(
  'ops', 'artifact_stores', array['id', 'root_url', 'description', 'created_at'],
  'ops.artifact_stores has exactly the documented columns.'
);
select col_type_is('ops', 'artifact_stores', c.name, c.type, format('artifact_stores.%s is %s.', c.name, c.type))
from (values
  ('id', 'uuid'), ('root_url', 'text'), ('description', 'text'), ('created_at', 'timestamp with time zone')
) as c (name, type);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.artifact_stores'::regclass and a.attnum > 0 and not a.attisdropped and not a.attnotnull
    order by a.attname
  ),
  array['description'],
  'Only artifact_stores.description is nullable.'
);
select col_has_default('ops', 'artifact_stores', 'id', 'artifact_stores.id has a default (a random uuid).');
select col_default_is('ops', 'artifact_stores', 'created_at', 'now()', 'A store is created now by default.');

-- TEST: keys and named checks.
select col_is_pk('ops', 'artifact_stores', 'id', 'artifact_stores.id is the primary key.');
select col_is_unique('ops', 'artifact_stores', array['root_url'], 'A root URL is registered once.');
select set_eq(
  $$select conname::text, contype::text from pg_constraint where conrelid = 'ops.artifact_stores'::regclass$$,
  $$values
    ('artifact_stores_pkey', 'p'), ('artifact_stores_root_url_key', 'u'), ('artifact_stores_root_url_is_valid', 'c'),
    ('artifact_stores_description_is_bounded', 'c')$$,
  'ops.artifact_stores has exactly the documented constraints, named for their rule.'
);
select throws_ok(
  $$insert into ops.artifact_stores (root_url) values ('file:///')$$,
  '23514', 'new row for relation "artifact_stores" violates check constraint "artifact_stores_root_url_is_valid"',
  'The root of a file system is refused by the table itself, not only by register_artifact_store.'
);

-- TEST: indexes, triggers, row-level security, policies and grants.
select indexes_are(
  'ops', 'artifact_stores', array['artifact_stores_pkey', 'artifact_stores_root_url_key'],
  'ops.artifact_stores has exactly the documented indexes.'
);
select triggers_are('ops', 'artifact_stores', array[]::name[], 'ops.artifact_stores has no triggers.');
select is(
  (select relrowsecurity from pg_class where oid = 'ops.artifact_stores'::regclass), true,
  'ops.artifact_stores has row-level security enabled.'
);
select policies_are(
  'ops', 'artifact_stores', array[]::name[],
  'ops.artifact_stores has no policy: only service_role (which bypasses row-level security) uses it.'
);
select table_privs_are('ops', 'artifact_stores', 'anon', array[]::text[], 'anon has no privilege on ops.artifact_stores.');
select table_privs_are(
  'ops', 'artifact_stores', 'authenticated', array[]::text[], 'authenticated has no privilege on ops.artifact_stores.'
);
select table_privs_are(
  'ops', 'artifact_stores', 'service_role', array['SELECT', 'INSERT', 'DELETE'],
  'service_role may select, insert and delete stores, not update them.'
);

select * from finish();
rollback;
