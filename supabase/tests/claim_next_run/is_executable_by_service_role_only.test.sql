-- ops.claim_next_run: a worker function, for service_role only.
begin;
select plan(7);

select tests.q_project('acme');
select ops.enqueue_run('acme', 'build', 'main', 'abcdef1');
select tests.create_supabase_user('owner');
insert into ops.project_memberships (project_id, user_id, role)
select id, tests.get_supabase_uid('owner'), 'owner' from ops.projects;

select ok(not has_function_privilege('public', 'ops.claim_next_run(text, integer, text[], boolean)', 'execute'), 'PUBLIC may not execute it.');
select ok(not has_function_privilege('anon', 'ops.claim_next_run(text, integer, text[], boolean)', 'execute'), 'anon may not execute it.');
select ok(not has_function_privilege('authenticated', 'ops.claim_next_run(text, integer, text[], boolean)', 'execute'), 'authenticated may not execute it.');
select is((select prosecdef from pg_proc where oid = 'ops.claim_next_run(text, integer, text[], boolean)'::regprocedure), false, 'It is SECURITY INVOKER.');

select tests.authenticate_as('owner');
select throws_ok($$select ops.claim_next_run('worker-1')$$, '42501', null, 'Even a project owner may not claim runs.');
select tests.authenticate_as_anon();
select throws_ok($$select ops.claim_next_run('worker-1')$$, '42501', null, 'anon may not claim runs.');
select tests.authenticate_as_service_role();
select is((ops.claim_next_run('worker-1')).status::text, 'claimed', 'service_role claims runs.');

select * from finish();
rollback;
