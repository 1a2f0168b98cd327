-- ops.list_queued_runs: service_role sees all; an authenticated user only projects where they are admin or owner.
begin;
select plan(8);

select tests.q_project('acme');
select tests.q_project('beta');
select tests.create_supabase_user('owner');
select tests.create_supabase_user('admin');
select tests.create_supabase_user('developer');
insert into ops.project_memberships (project_id, user_id, role)
select p.id, tests.get_supabase_uid(m.who), m.role::ops.member_role
from ops.projects as p
cross join (values ('owner', 'owner'), ('admin', 'admin'), ('developer', 'developer')) as m (who, role)
where p.slug = 'acme';
insert into ops.project_memberships (project_id, user_id, role)
select id, tests.get_supabase_uid('developer'), 'admin' from ops.projects where slug = 'beta';
select ops.enqueue_run('acme', 'build', 'main', tests.q_sha(n)) from generate_series(1, 2) as n;
select ops.enqueue_run('beta', 'build', 'main', tests.q_sha(n)) from generate_series(3, 5) as n;

select tests.authenticate_as_service_role();
select is((select count(*)::integer from ops.list_queued_runs()), 5, 'service_role sees the runs of every project.');
select tests.authenticate_as('owner');
select set_eq('select project_slug from ops.list_queued_runs()', array['acme'], 'An owner sees their project''s runs.');
select is((select count(*)::integer from ops.list_queued_runs()), 2, 'Both of them.');
select tests.authenticate_as('admin');
select is((select count(*)::integer from ops.list_queued_runs()), 2, 'An admin sees their project''s runs.');
select tests.authenticate_as('developer');
select set_eq(
  'select project_slug from ops.list_queued_runs()', array['beta'],
  'A developer of acme who administers beta sees only beta.'
);
select is(
  (select array_agg("position" order by "position") from ops.list_queued_runs()), array[1, 2, 3]::bigint[],
  'Positions count the runs the caller sees.'
);
select tests.authenticate_as_anon();
select throws_ok('select * from ops.list_queued_runs()', '42501', null, 'anon may not list the queue.');
select tests.clear_authentication();
select ok(not has_function_privilege('anon', 'ops.list_queued_runs()', 'execute'), 'anon has no EXECUTE on it.');

select * from finish();
rollback;
