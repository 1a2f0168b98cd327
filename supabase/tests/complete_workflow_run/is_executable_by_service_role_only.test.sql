-- ops.complete_workflow_run: a worker function, for service_role only.
begin;
select plan(5);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');
select ops.start_workflow_run(tests.q_id('r'), 'worker-1');
select tests.create_supabase_user('owner');
insert into ops.project_memberships (project_id, user_id, role)
select id, tests.get_supabase_uid('owner'), 'owner' from ops.projects;

select ok(not has_function_privilege('anon', 'ops.complete_workflow_run(uuid, integer, text, text)', 'execute'), 'anon may not execute it.');
select ok(not has_function_privilege('authenticated', 'ops.complete_workflow_run(uuid, integer, text, text)', 'execute'), 'authenticated may not execute it.');
select tests.authenticate_as('owner');
select throws_ok(format('select ops.complete_workflow_run(%L, 0, null, %L)', tests.q_id('r'), 'worker-1'), '42501', null, 'Even the owner may not complete runs.');
select tests.authenticate_as_anon();
select throws_ok(format('select ops.complete_workflow_run(%L, 0, null, %L)', tests.q_id('r'), 'worker-1'), '42501', null, 'anon may not complete runs.');
select tests.authenticate_as_service_role();
select is(
  (ops.complete_workflow_run(tests.q_id('r'), 0, null, 'worker-1')).status::text, 'succeeded', 'service_role completes runs.'
);

select * from finish();
rollback;
