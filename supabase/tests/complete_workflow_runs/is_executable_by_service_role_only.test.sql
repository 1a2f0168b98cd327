-- ops.complete_workflow_runs: a worker function, for service_role only.
begin;
select plan(5);

select tests.q_project('acme');
select tests.q_remember('r1', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select tests.create_supabase_user('owner');
insert into ops.project_memberships (project_id, user_id, role)
select id, tests.get_supabase_uid('owner'), 'owner' from ops.projects;
select ops.claim_next_run('w1', p_start => true);

select ok(
  not has_function_privilege(r, 'ops.complete_workflow_runs(uuid[], integer[], text, text[])', 'execute'),
  format('%s may not execute ops.complete_workflow_runs.', r)
)
from unnest(array['public', 'anon', 'authenticated']) as r;
select is(
  (select prosecdef from pg_proc where oid = 'ops.complete_workflow_runs(uuid[], integer[], text, text[])'::regprocedure),
  false, 'It is SECURITY INVOKER.'
);
select tests.authenticate_as('owner');
select throws_ok(
  format('select ops.complete_workflow_runs(array[%L]::uuid[], array[0], %L)', tests.q_id('r1'), 'w1'),
  '42501', null, 'Even a project owner may not complete runs.'
);

select * from finish();
rollback;
