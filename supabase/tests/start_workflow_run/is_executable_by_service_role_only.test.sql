-- ops.start_workflow_run: a worker function, for service_role only.
begin;
select plan(5);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');
select tests.create_supabase_user('owner');
insert into ops.project_memberships (project_id, user_id, role)
select id, tests.get_supabase_uid('owner'), 'owner' from ops.projects;

select ok(not has_function_privilege('anon', 'ops.start_workflow_run(uuid, text)', 'execute'), 'anon may not execute it.');
select ok(not has_function_privilege('authenticated', 'ops.start_workflow_run(uuid, text)', 'execute'), 'authenticated may not execute it.');
select tests.authenticate_as('owner');
select throws_ok(
  format('select ops.start_workflow_run(%L, %L)', tests.q_id('r'), 'worker-1'), '42501', null,
  'Even the project owner may not start runs.'
);
select tests.authenticate_as_anon();
select throws_ok(
  format('select ops.start_workflow_run(%L, %L)', tests.q_id('r'), 'worker-1'), '42501', null, 'anon may not start runs.'
);
select tests.authenticate_as_service_role();
select is((ops.start_workflow_run(tests.q_id('r'), 'worker-1')).status::text, 'running', 'service_role starts runs.');

select * from finish();
rollback;
