-- ops.set_project_secret: admins and owners of the project and service_role set secrets;
-- developers and viewers get 42501, non-members P0002 (the project is unknown to them), anon 42501.
begin;
select plan(17);

-- SETUP
select tests.ops_world();

-- TEST: the function and its definer part.
select ok(
  not has_function_privilege('anon', 'ops.set_project_secret(text, text, text, ops.run_stage)', 'execute'),
  'anon may not execute set_project_secret.'
);
select ok(
  has_function_privilege('authenticated', 'ops.set_project_secret(text, text, text, ops.run_stage)', 'execute'),
  'authenticated may execute set_project_secret (the project role is checked inside).'
);
select ok(
  has_function_privilege('service_role', 'ops.set_project_secret(text, text, text, ops.run_stage)', 'execute'),
  'service_role may execute set_project_secret.'
);
select is(
  (select prosecdef from pg_proc where oid = 'ops.set_project_secret(text, text, text, ops.run_stage)'::regprocedure),
  false,
  'The API function ops.set_project_secret is SECURITY INVOKER.'
);
select is(
  (
    select prosecdef and 'search_path=""' = any(proconfig) from pg_proc
    where oid = 'ops_private.set_project_secret(text, text, text, ops.run_stage)'::regprocedure
  ),
  true,
  'Its SECURITY DEFINER part lives in ops_private with an empty search_path.'
);

-- TEST: refused callers.
select tests.authenticate_as('a-viewer');
select throws_ok(
  $$select ops.set_project_secret('project-a', 'API_TOKEN', 'from-viewer')$$,
  '42501', 'set_project_secret: managing the secrets of project project-a needs the admin role or above',
  'A viewer may not set a secret.'
);
select tests.authenticate_as('a-developer');
select throws_ok(
  $$select ops.set_project_secret('project-a', 'API_TOKEN', 'from-developer')$$,
  '42501', 'set_project_secret: managing the secrets of project project-a needs the admin role or above',
  'A developer may not set a secret.'
);
select tests.authenticate_as('outsider');
select throws_ok(
  $$select ops.set_project_secret('project-a', 'API_TOKEN', 'from-outsider')$$,
  'P0002', 'project ''project-a'' not found', 'To a non-member the project does not exist.'
);
select tests.authenticate_as('b-owner');
select throws_ok(
  $$select ops.set_project_secret('project-a', 'API_TOKEN', 'from-b-owner')$$,
  'P0002', 'project ''project-a'' not found', 'Owning another project gives no right here.'
);
select tests.authenticate_as_anon();
select throws_ok(
  $$select ops.set_project_secret('project-a', 'API_TOKEN', 'from-anon')$$, '42501', null, 'anon may not set a secret.'
);
select tests.clear_authentication();
select is((select count(*)::integer from ops.project_secrets), 0, 'The refused calls stored nothing.');

-- TEST: allowed callers.
select tests.authenticate_as('a-admin');
select is(
  (ops.set_project_secret('project-a', 'ADMIN_TOKEN', 'from-admin')).created_by,
  tests.get_supabase_uid('a-admin'),
  'An admin sets a secret, recorded as its creator.'
);
select tests.authenticate_as('a-owner');
select is(
  (ops.set_project_secret('project-a', 'OWNER_TOKEN', 'from-owner', 'staging')).updated_by,
  tests.get_supabase_uid('a-owner'),
  'An owner sets a stage secret, recorded as its last setter.'
);
select tests.authenticate_as_service_role();
select results_eq(
  $$select name, stage::text, created_by, updated_by
    from ops.set_project_secret('project-b', 'SERVICE_TOKEN', 'from-service', 'production')$$,
  $$values ('SERVICE_TOKEN'::text, 'production'::text, null::uuid, null::uuid)$$,
  'service_role sets a secret in any project; no user is recorded.'
);
select tests.clear_authentication();
select results_eq(
  $$select s.name, v.value from ops.project_secrets as s
    join ops_private.project_secret_values as v on v.secret_id = s.id order by s.name$$,
  $$values ('ADMIN_TOKEN'::text, 'from-admin'::text), ('OWNER_TOKEN', 'from-owner'), ('SERVICE_TOKEN', 'from-service')$$,
  'The three allowed calls stored their values.'
);
select is(
  (select stage from ops.project_secrets where name = 'ADMIN_TOKEN'), null, 'Without p_stage a secret is for every stage.'
);
select is(
  (select p.slug from ops.project_secrets as s join ops.projects as p on p.id = s.project_id where s.name = 'SERVICE_TOKEN'),
  'project-b', 'Each secret belongs to the project named.'
);

select * from finish();
rollback;
