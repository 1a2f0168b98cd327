-- ops.delete_project_secret: admins, owners and service_role delete one secret (project-wide or of a
-- stage) with its value; others are refused as by set_project_secret; an unknown secret is P0002.
begin;
select plan(14);

-- SETUP
select tests.ops_world();
select ops.set_project_secret('project-a', 'API_TOKEN', 'everywhere');
select ops.set_project_secret('project-a', 'API_TOKEN', 'in-production', 'production');
select ops.set_project_secret('project-a', 'OTHER_TOKEN', 'other');
select ops.set_project_secret('project-b', 'B_TOKEN', 'b');

select ok(
  not has_function_privilege('anon', 'ops.delete_project_secret(text, text, ops.run_stage)', 'execute'),
  'anon may not execute delete_project_secret.'
);
select ok(
  has_function_privilege('authenticated', 'ops.delete_project_secret(text, text, ops.run_stage)', 'execute')
  and has_function_privilege('service_role', 'ops.delete_project_secret(text, text, ops.run_stage)', 'execute'),
  'authenticated and service_role may execute it (the project role is checked inside).'
);

-- TEST: refused callers.
select tests.authenticate_as('a-viewer');
select throws_ok(
  $$select ops.delete_project_secret('project-a', 'API_TOKEN')$$,
  '42501', 'delete_project_secret: managing the secrets of project project-a needs the admin role or above',
  'A viewer may not delete a secret.'
);
select tests.authenticate_as('a-developer');
select throws_ok(
  $$select ops.delete_project_secret('project-a', 'API_TOKEN')$$,
  '42501', 'delete_project_secret: managing the secrets of project project-a needs the admin role or above',
  'A developer may not delete a secret.'
);
select tests.authenticate_as('outsider');
select throws_ok(
  $$select ops.delete_project_secret('project-a', 'API_TOKEN')$$,
  'P0002', 'project ''project-a'' not found', 'To a non-member the project does not exist.'
);
select tests.authenticate_as_anon();
select throws_ok(
  $$select ops.delete_project_secret('project-a', 'API_TOKEN')$$, '42501', null, 'anon may not delete a secret.'
);

-- TEST: allowed callers.
select tests.authenticate_as('a-admin');
select results_eq(
  $$select name, stage::text from ops.delete_project_secret('project-a', 'API_TOKEN')$$,
  $$values ('API_TOKEN'::text, null::text)$$,
  'An admin deletes the project-wide secret and gets its row back.'
);
select results_eq(
  'select name, stage::text from ops.project_secrets order by name',
  $$values ('API_TOKEN'::text, 'production'::text), ('OTHER_TOKEN', null)$$,
  'The production secret of the same name stays.'
);
select throws_ok(
  $$select ops.delete_project_secret('project-a', 'API_TOKEN')$$,
  'P0002', 'secret API_TOKEN not found in project project-a for every stage', 'Deleting it again: no_data_found.'
);
select throws_ok(
  $$select ops.delete_project_secret('project-a', 'API_TOKEN', 'staging')$$,
  'P0002', 'secret API_TOKEN not found in project project-a for stage staging', 'The stage is part of what is named.'
);
select throws_ok(
  $$select ops.delete_project_secret('project-a', 'api_token')$$,
  '22023',
  'p_name must be a secret name matching ^[A-Z_][A-Z0-9_]{0,127}$ and not starting with ODOOOPS_, got ''api_token''',
  'A bad name is refused naming p_name.'
);
select tests.authenticate_as('a-owner');
select is(
  (ops.delete_project_secret('project-a', 'API_TOKEN', 'production')).stage, 'production',
  'An owner deletes the production secret.'
);
select tests.authenticate_as_service_role();
select is(
  (ops.delete_project_secret('project-b', 'B_TOKEN')).name, 'B_TOKEN', 'service_role deletes a secret of any project.'
);
select tests.clear_authentication();
select results_eq(
  $$select s.name, v.value from ops.project_secrets as s
    join ops_private.project_secret_values as v on v.secret_id = s.id$$,
  $$values ('OTHER_TOKEN'::text, 'other'::text)$$,
  'The deleted secrets'' values went with them; the other secret and its value stay.'
);

select * from finish();
rollback;
