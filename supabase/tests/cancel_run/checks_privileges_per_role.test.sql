-- ops.cancel_run: service_role and developers (and above) may cancel; viewers get 42501, strangers P0002, anon 42501.
begin;
select plan(13);

select tests.q_project('acme');
select tests.create_supabase_user('admin');
select tests.create_supabase_user('developer');
select tests.create_supabase_user('viewer');
select tests.create_supabase_user('stranger');
insert into ops.project_memberships (project_id, user_id, role)
select p.id, tests.get_supabase_uid(m.who), m.role::ops.member_role
from ops.projects as p
cross join (values ('admin', 'admin'), ('developer', 'developer'), ('viewer', 'viewer')) as m (who, role);
select tests.q_remember('a', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select tests.q_remember('b', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(2))).id);
select tests.q_remember('c', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(3))).id);

select ok(not has_function_privilege('anon', 'ops.cancel_run(uuid, text)', 'execute'), 'anon may not execute cancel_run.');
select ok(has_function_privilege('authenticated', 'ops.cancel_run(uuid, text)', 'execute'), 'authenticated may execute cancel_run.');
select ok(has_function_privilege('service_role', 'ops.cancel_run(uuid, text)', 'execute'), 'service_role may execute cancel_run.');
select is(
  (select prosecdef from pg_proc where oid = 'ops.cancel_run(uuid, text)'::regprocedure), false,
  'The API function ops.cancel_run is SECURITY INVOKER.'
);
select is(
  (select prosecdef and 'search_path=""' = any(proconfig) from pg_proc where oid = 'ops_private.cancel_run(uuid, text)'::regprocedure),
  true,
  'Its SECURITY DEFINER part lives in ops_private with an empty search_path.'
);

select tests.authenticate_as('viewer');
select throws_ok(
  format('select ops.cancel_run(%L)', tests.q_id('a')),
  '42501', 'cancel_run: canceling runs of this project needs the developer role or above', 'A viewer may not cancel.'
);
select tests.authenticate_as('stranger');
select throws_ok(
  format('select ops.cancel_run(%L)', tests.q_id('a')),
  'P0002', format('run %s not found', tests.q_id('a')), 'To a non-member the run does not exist.'
);
select tests.authenticate_as_anon();
select throws_ok(format('select ops.cancel_run(%L)', tests.q_id('a')), '42501', null, 'anon may not cancel.');

select tests.authenticate_as('developer');
select is((ops.cancel_run(tests.q_id('a'), 'mine')).status::text, 'canceled', 'A developer cancels a run.');
select is(
  (select actor from ops.run_events where run_id = tests.q_id('a') order by id desc limit 1),
  'user:' || tests.get_supabase_uid('developer'), 'The event names the developer.'
);
select tests.authenticate_as('admin');
select is((ops.cancel_run(tests.q_id('b'))).status::text, 'canceled', 'An admin cancels a run.');
select tests.authenticate_as_service_role();
select is((ops.cancel_run(tests.q_id('c'))).status::text, 'canceled', 'service_role cancels a run.');
select tests.clear_authentication();
select is(
  (select count(*)::integer from ops.runs where status = 'canceled'), 3, 'Exactly the three allowed calls canceled runs.'
);

select * from finish();
rollback;
