-- ops.set_branch_stage: admins, owners and service_role may move branches;
-- developers, viewers, strangers and anon may not.
begin;
select plan(9);

-- SETUP
select tests.q_project('acme');
select ops.enqueue_run('acme', 'build', 'dev', 'abcdef1');
select tests.create_supabase_user(w) from unnest(array['owner', 'admin', 'developer', 'viewer', 'stranger']) as w;
insert into ops.project_memberships (project_id, user_id, role)
select p.id, tests.get_supabase_uid(m.who), m.who::ops.member_role
from ops.projects as p cross join unnest(array['owner', 'admin', 'developer', 'viewer']) as m (who);

-- TEST: grants.
select ok(
  not has_function_privilege('anon', 'ops.set_branch_stage(text, text, ops.run_stage)', 'execute'),
  'anon may not execute set_branch_stage.'
);
select is(
  (select prosecdef from pg_proc where oid = 'ops.set_branch_stage(text, text, ops.run_stage)'::regprocedure),
  false, 'set_branch_stage is SECURITY INVOKER: row-level security applies to the caller.'
);

-- TEST: who may.
select tests.authenticate_as('admin');
select is((ops.set_branch_stage('acme', 'dev', 'staging')).stage::text, 'staging', 'An admin moves a branch.');
select tests.authenticate_as('owner');
select is((ops.set_branch_stage('acme', 'dev', 'development')).stage::text, 'development', 'An owner moves a branch.');
select tests.authenticate_as_service_role();
select is((ops.set_branch_stage('acme', 'dev', 'staging')).stage::text, 'staging', 'service_role moves a branch.');

-- TEST: who may not.
select tests.authenticate_as('developer');
select throws_ok(
  $$select ops.set_branch_stage('acme', 'dev', 'development')$$,
  '42501', 'set_branch_stage: changing the stage of branches of project acme needs the admin role or above',
  'A developer may not.'
);
select tests.authenticate_as('viewer');
select throws_ok(
  $$select ops.set_branch_stage('acme', 'dev', 'development')$$,
  '42501', null, 'A viewer may not.'
);
select tests.authenticate_as('stranger');
select throws_ok(
  $$select ops.set_branch_stage('acme', 'dev', 'development')$$,
  'P0002', 'project ''acme'' not found', 'To a stranger the project does not exist.'
);
select tests.clear_authentication();
select is((select stage::text from ops.branches where name = 'dev'), 'staging', 'The refused calls changed nothing.');

select * from finish();
rollback;
