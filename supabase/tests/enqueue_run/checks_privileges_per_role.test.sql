-- ops.enqueue_run: service_role and developers (and above) may queue; viewers, strangers and anon may not.
begin;
select plan(12);

-- SETUP
select tests.q_project('acme');
select tests.create_supabase_user('owner');
select tests.create_supabase_user('developer');
select tests.create_supabase_user('viewer');
select tests.create_supabase_user('stranger');
insert into ops.project_memberships (project_id, user_id, role)
select p.id, tests.get_supabase_uid(m.who), m.role::ops.member_role
from ops.projects as p
cross join (values ('owner', 'owner'), ('developer', 'developer'), ('viewer', 'viewer')) as m (who, role);

-- TEST: grants.
select ok(
  not has_function_privilege('anon', 'ops.enqueue_run(text, text, text, text, jsonb, ops.run_stage, integer, timestamptz, text, boolean)', 'execute'),
  'anon may not execute enqueue_run.'
);
select ok(
  has_function_privilege('authenticated', 'ops.enqueue_run(text, text, text, text, jsonb, ops.run_stage, integer, timestamptz, text, boolean)', 'execute'),
  'authenticated may execute enqueue_run.'
);
select ok(
  has_function_privilege('service_role', 'ops.enqueue_run(text, text, text, text, jsonb, ops.run_stage, integer, timestamptz, text, boolean)', 'execute'),
  'service_role may execute enqueue_run.'
);
select is(
  (select prosecdef from pg_proc where oid = 'ops.enqueue_run(text, text, text, text, jsonb, ops.run_stage, integer, timestamptz, text, boolean)'::regprocedure),
  false,
  'enqueue_run is SECURITY INVOKER: row-level security applies to the caller.'
);

-- TEST: service_role.
select tests.authenticate_as_service_role();
select is((ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).status::text, 'queued', 'service_role queues a run.');

-- TEST: members.
select tests.authenticate_as('developer');
select is(
  (ops.enqueue_run('acme', 'build', 'main', 'abcdef2')).created_by, tests.get_supabase_uid('developer'),
  'A developer queues a run, recorded as its creator.'
);
select is(
  (select actor from ops.run_events where to_status = 'queued' order by id desc limit 1),
  'user:' || tests.get_supabase_uid('developer'),
  'The event names the developer.'
);
select tests.authenticate_as('owner');
select lives_ok($$select ops.enqueue_run('acme', 'build', 'main', 'abcdef3')$$, 'An owner queues a run.');
select tests.authenticate_as('viewer');
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'abcdef4')$$,
  '42501', 'enqueue_run: queueing runs of project acme needs the developer role or above',
  'A viewer may not queue runs.'
);
select tests.authenticate_as('stranger');
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'abcdef4')$$,
  'P0002', 'project ''acme'' not found',
  'To a non-member the project does not exist.'
);

-- TEST: anon.
select tests.authenticate_as_anon();
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'abcdef4')$$,
  '42501', null, 'anon may not queue runs.'
);

select tests.clear_authentication();
select is((select count(*)::integer from ops.runs), 3, 'Only the three allowed calls queued runs.');

select * from finish();
rollback;
