-- ops.claim_runs and the claim's private parts: worker functions, for service_role only.
begin;
select plan(14);

select tests.q_project('acme');
select ops.enqueue_run('acme', 'build', 'main', 'abcdef1');
select tests.create_supabase_user('owner');
insert into ops.project_memberships (project_id, user_id, role)
select id, tests.get_supabase_uid('owner'), 'owner' from ops.projects;

select ok(
  not has_function_privilege(r, 'ops.claim_runs(text, text[], integer, integer, boolean)', 'execute'),
  format('%s may not execute ops.claim_runs.', r)
)
from unnest(array['public', 'anon', 'authenticated']) as r;
select ok(
  not has_function_privilege(r, f, 'execute'), format('%s may not execute %s.', r, f)
)
from unnest(array['anon', 'authenticated']) as r,
  unnest(array[
    'ops_private.claim_batch(text, integer, text[], boolean, integer)',
    'ops_private.take_runs_of_project(uuid, text[], boolean, uuid[], integer)',
    'ops_private.record_run_events(uuid[], ops.run_status[], text, boolean)',
    'ops_private.recover_expired_leases()'
  ]) as f;
select is(
  (select prosecdef from pg_proc where oid = 'ops.claim_runs(text, text[], integer, integer, boolean)'::regprocedure),
  false, 'It is SECURITY INVOKER.'
);

select tests.authenticate_as('owner');
select throws_ok($$select ops.claim_runs('worker-1')$$, '42501', null, 'Even a project owner may not claim runs.');
select tests.authenticate_as_service_role();
select is((select count(*)::integer from ops.claim_runs('worker-1')), 1, 'service_role claims runs.');

select * from finish();
rollback;
