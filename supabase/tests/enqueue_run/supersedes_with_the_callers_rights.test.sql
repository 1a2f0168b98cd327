-- The supersede of ops.enqueue_run: a developer's new run supersedes through
-- ops_private.supersede_older_runs (SECURITY DEFINER: authenticated may not
-- change a status), which checks the caller's role itself; privileges of
-- ops.enqueue_run are unchanged.
begin;
select plan(16);

-- SETUP
select tests.q_project('acme');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), 'ci', p_supersede => 'queued');
select tests.create_supabase_user('developer');
select tests.create_supabase_user('viewer');
select tests.create_supabase_user('stranger');
insert into ops.project_memberships (project_id, user_id, role)
select p.id, tests.get_supabase_uid(m.who), m.role::ops.member_role
from ops.projects as p
cross join (values ('developer', 'developer'), ('viewer', 'viewer')) as m (who, role);

-- TEST: grants and security of the helper; ops.enqueue_run unchanged.
select ok(
  not has_function_privilege('anon', 'ops_private.supersede_older_runs(uuid)', 'execute'),
  'anon may not execute supersede_older_runs.'
);
select ok(
  has_function_privilege('authenticated', 'ops_private.supersede_older_runs(uuid)', 'execute')
  and has_function_privilege('service_role', 'ops_private.supersede_older_runs(uuid)', 'execute'),
  'authenticated and service_role may execute it (ops.enqueue_run runs as the caller).'
);
select is(
  (select prosecdef and array_to_string(proconfig, ',') = 'search_path=""'
    from pg_proc where oid = 'ops_private.supersede_older_runs(uuid)'::regprocedure),
  true,
  'It is SECURITY DEFINER with an empty search_path.'
);
select results_eq(
  $$select prosecdef, has_function_privilege('anon', p.oid, 'execute'),
      has_function_privilege('authenticated', p.oid, 'execute'), has_function_privilege('service_role', p.oid, 'execute')
    from pg_proc as p
    where p.oid = 'ops.enqueue_run(text, text, text, text, jsonb, ops.run_stage, integer, timestamptz, text, boolean)'::regprocedure$$,
  $$values (false, false, true, true)$$,
  'ops.enqueue_run keeps its signature, SECURITY INVOKER and its grants.'
);

-- TEST: a developer's push supersedes, recorded as theirs.
select tests.authenticate_as('developer');
select tests.q_remember('a', (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(1))).id);
select tests.q_remember('b', (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(2))).id);
select tests.clear_authentication();
select results_eq(
  $$select status::text, cancel_reason from ops.runs where id = tests.q_id('a')$$,
  format($$values ('canceled', %L)$$, 'superseded by ' || tests.q_id('b')),
  'A developer''s new run supersedes the older one.'
);
select is(
  (select actor from ops.run_events where run_id = tests.q_id('a') order by id desc limit 1),
  'user:' || tests.get_supabase_uid('developer'),
  'The cancel event names the developer.'
);

-- TEST: called directly, the helper checks the caller.
select tests.authenticate_as('viewer');
select throws_ok(
  format('select ops_private.supersede_older_runs(%L)', tests.q_id('b')),
  '42501', 'supersede_older_runs: canceling runs of this project needs the developer role or above',
  'A viewer may not supersede runs.'
);
select tests.authenticate_as('stranger');
select throws_ok(
  format('select ops_private.supersede_older_runs(%L)', tests.q_id('b')),
  'P0002', format('run %s not found', tests.q_id('b')),
  'A run of a project the caller is not a member of is unknown.'
);
select tests.authenticate_as('developer');
select throws_ok(
  'select ops_private.supersede_older_runs(null)', '22023', 'p_run_id must be a run id, got null',
  'A null run id is refused, naming p_run_id.'
);
select throws_ok(
  format('select ops_private.supersede_older_runs(%L)', tests.q_id('a')),
  '22023', format('p_run_id %s: only a queued run supersedes others, got a canceled run', tests.q_id('a')),
  'An ended run supersedes nothing.'
);
select is(
  ops_private.supersede_older_runs(tests.q_id('b')), 0, 'The newest run has nothing left to supersede.'
);
select tests.authenticate_as_anon();
select throws_ok(
  format('select ops_private.supersede_older_runs(%L)', tests.q_id('b')), '42501', null,
  'anon may not call it.'
);
select tests.clear_authentication();

-- TEST: only the runs of the given run's workflow and branch are touched.
select tests.q_remember('dev', (ops.enqueue_run('acme', 'ci', 'dev', tests.q_sha(3))).id);
select tests.q_remember('build', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(4))).id);
select tests.authenticate_as('developer');
select is(ops_private.supersede_older_runs(tests.q_id('b')), 0, 'Nothing on another branch or workflow.');
select tests.clear_authentication();
select is(
  (select array_agg(status::text order by id) from ops.runs where id in (tests.q_id('dev'), tests.q_id('build'))),
  array['queued', 'queued'],
  'Both stay queued.'
);

-- TEST: a developer may not change a run's status by hand, supersede or not.
select tests.authenticate_as('developer');
select throws_ok(
  format($$update ops.runs set status = 'canceled' where id = %L$$, tests.q_id('b')), '42501', null,
  'authenticated still cannot write a status.'
);
select tests.clear_authentication();
select is(
  (select supersede from ops.workflows where name = 'ci'), 'queued', 'The workflow setting is as it was.'
);

select * from finish();
rollback;
