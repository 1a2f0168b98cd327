-- ops.project_secrets holds names only; the values live in ops_private, where no API role has any privilege.
begin;
select plan(16);

select columns_are(
  'ops', 'project_secrets',
  array['id', 'project_id', 'stage', 'name', 'created_by', 'created_at', 'updated_by', 'updated_at'],
  'ops.project_secrets has the documented columns, and no value column.'
);
select col_is_pk('ops', 'project_secrets', 'id', 'Its primary key is id.');
select col_is_fk('ops', 'project_secrets', 'project_id', 'project_id references a project.');
select columns_are(
  'ops_private', 'project_secret_values', array['secret_id', 'value'],
  'ops_private.project_secret_values holds one value per secret.'
);
select col_is_pk('ops_private', 'project_secret_values', 'secret_id', 'One value per secret.');
select ok(
  (select relrowsecurity from pg_class where oid = 'ops.project_secrets'::regclass),
  'Row-level security is enabled on ops.project_secrets.'
);
select ok(
  (select relrowsecurity from pg_class where oid = 'ops_private.project_secret_values'::regclass),
  'Row-level security is enabled on ops_private.project_secret_values.'
);
select table_privs_are('ops', 'project_secrets', 'authenticated', array['SELECT'], 'authenticated may only select names.');
select table_privs_are('ops', 'project_secrets', 'service_role', array['SELECT'], 'service_role may only select names.');
select table_privs_are('ops', 'project_secrets', 'anon', array[]::text[], 'anon has no privilege on the names.');
select table_privs_are(
  'ops_private', 'project_secret_values', 'authenticated', array[]::text[], 'authenticated has no privilege on the values.'
);
select table_privs_are(
  'ops_private', 'project_secret_values', 'service_role', array[]::text[], 'service_role has no privilege on the values.'
);
select table_privs_are(
  'ops_private', 'project_secret_values', 'anon', array[]::text[], 'anon has no privilege on the values.'
);

-- SETUP
select tests.q_project('acme');
select ops.set_project_secret('acme', 'API_TOKEN', 'v1');

-- TEST: keys and checks, as the table owner.
select throws_ok(
  $$insert into ops.project_secrets (project_id, name) select id, 'API_TOKEN' from ops.projects$$,
  '23505', null, 'A name is unique per project for every stage (null stages are not distinct).'
);
select throws_ok(
  $$insert into ops.project_secrets (project_id, name) select id, 'ODOOOPS_RUN_ID' from ops.projects$$,
  '23514', null, 'ODOOOPS_* names are the worker''s own.'
);
select throws_ok(
  $$insert into ops_private.project_secret_values (secret_id, value) select id, '' from ops.project_secrets$$,
  '23514', null, 'An empty value is refused by the table as well.'
);

select * from finish();
rollback;
