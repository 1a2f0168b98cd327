-- Every member lists the names of their project's secrets; nobody outside does;
-- no API role reads a value, nor writes the names directly.
begin;
select plan(19);

-- SETUP
select tests.ops_world();
select ops.set_project_secret('project-a', 'API_TOKEN', 'value-of-a');
select ops.set_project_secret('project-a', 'DEPLOY_KEY', 'value-of-a-prod', 'production');
select ops.set_project_secret('project-b', 'B_TOKEN', 'value-of-b');

-- TEST: members of project-a.
select tests.authenticate_as('a-viewer');
select results_eq(
  'select name, stage::text from ops.project_secrets order by name',
  $$values ('API_TOKEN'::text, null::text), ('DEPLOY_KEY', 'production')$$,
  'A viewer lists the names and stages of their project''s secrets, and no other project''s.'
);
select throws_ok(
  'select value from ops_private.project_secret_values', '42501', 'permission denied for table project_secret_values',
  'A viewer reads no value.'
);
select tests.authenticate_as('a-developer');
select results_eq(
  'select name from ops.project_secrets order by name', $$values ('API_TOKEN'::text), ('DEPLOY_KEY')$$,
  'A developer lists the names.'
);
select throws_ok(
  'select value from ops_private.project_secret_values', '42501', 'permission denied for table project_secret_values',
  'A developer reads no value.'
);
select tests.authenticate_as('a-admin');
select results_eq(
  'select name from ops.project_secrets order by name', $$values ('API_TOKEN'::text), ('DEPLOY_KEY')$$,
  'An admin lists the names.'
);
select throws_ok(
  'select value from ops_private.project_secret_values', '42501', 'permission denied for table project_secret_values',
  'An admin reads no value.'
);
select throws_ok(
  $$insert into ops.project_secrets (project_id, name) select id, 'NEW' from ops.projects where slug = 'project-a'$$,
  '42501', 'permission denied for table project_secrets', 'An admin inserts no name directly.'
);
select throws_ok(
  $$update ops.project_secrets set name = 'RENAMED'$$, '42501', 'permission denied for table project_secrets',
  'An admin updates no name directly.'
);
select throws_ok(
  $$delete from ops.project_secrets$$, '42501', 'permission denied for table project_secrets',
  'An admin deletes no name directly (ops.delete_project_secret does).'
);
select tests.authenticate_as('a-owner');
select results_eq(
  'select name from ops.project_secrets order by name', $$values ('API_TOKEN'::text), ('DEPLOY_KEY')$$,
  'An owner lists the names.'
);
select throws_ok(
  'select value from ops_private.project_secret_values', '42501', 'permission denied for table project_secret_values',
  'An owner reads no value.'
);

-- TEST: everyone else.
select tests.authenticate_as('outsider');
select is_empty('select name from ops.project_secrets', 'A user who is a member of nothing lists nothing.');
select throws_ok(
  'select value from ops_private.project_secret_values', '42501', 'permission denied for table project_secret_values',
  'Nor reads a value.'
);
select tests.authenticate_as_anon();
select throws_ok('select name from ops.project_secrets', '42501', 'permission denied for schema ops', 'anon lists nothing.');
select throws_ok(
  'select value from ops_private.project_secret_values', '42501', 'permission denied for schema ops_private',
  'anon reads no value.'
);
select tests.authenticate_as_service_role();
select results_eq(
  'select name from ops.project_secrets order by name', $$values ('API_TOKEN'::text), ('B_TOKEN'), ('DEPLOY_KEY')$$,
  'service_role lists every project''s names.'
);
select throws_ok(
  'select value from ops_private.project_secret_values', '42501', 'permission denied for table project_secret_values',
  'Even service_role reads no value directly: only ops.get_run_secrets hands them out, to the run''s worker.'
);
select throws_ok(
  $$insert into ops.project_secrets (project_id, name) select id, 'NEW' from ops.projects where slug = 'project-a'$$,
  '42501', 'permission denied for table project_secrets',
  'service_role inserts no name directly either: names and values change together through the RPCs.'
);
select tests.clear_authentication();
select is(
  (select count(*)::integer from ops_private.project_secret_values), 3, 'The three values are stored, for the table owner.'
);

select * from finish();
rollback;
