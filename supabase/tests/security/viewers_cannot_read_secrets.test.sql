-- Attack: "viewers read secrets". A viewer of project-a tries every way the API gives them to read the
-- value of a secret that a run of their project uses. Each fails or returns nothing but names.
begin;
select plan(13);

-- SETUP: an admin sets the secret, a developer queues a run naming it, a worker holds the run.
select tests.ops_world();
select tests.authenticate_as('a-admin');
select ops.set_project_secret('project-a', 'API_TOKEN', 'hunter2-project-a-value');
select tests.authenticate_as('a-developer');
select tests.q_remember('r', (ops.enqueue_run('project-a', 'build', 'main', 'abcdef1', '{"secrets": ["API_TOKEN"]}')).id);
select tests.authenticate_as_service_role();
-- Members cannot raise a priority; the operator does, so that this run is claimed next.
update ops.runs set priority = 1000 where id = tests.q_id('r');
select ops.claim_next_run('worker-1');
select ops.start_workflow_run(tests.q_id('r'), 'worker-1');
select ops.append_run_log(tests.q_id('r'), 'info', 'token=***', '{}', 'build', 'worker-1');
select tests.clear_authentication();

-- TEST: as the viewer.
select tests.authenticate_as('a-viewer');
select is(
  (select count(*)::integer from ops.runs where id = tests.q_id('r')), 1, 'The viewer sees the run (the attack''s premise).'
);
select is_empty(
  $$select params -> 'secret_env' from ops.runs where params -> 'secret_env' is not null$$,
  'select params -> ''secret_env'' from ops.runs returns nothing: no run carries one.'
);
select is(
  (select params from ops.runs where id = tests.q_id('r')), '{"secrets": ["API_TOKEN"]}'::jsonb,
  'The run''s params hold the secret''s name only.'
);
select is(
  (
    select count(*)::integer from (
      select to_jsonb(r)::text as t from ops.runs as r
      union all select to_jsonb(e)::text from ops.run_events as e
      union all select to_jsonb(l)::text from ops.run_logs as l
      union all select to_jsonb(a)::text from ops.run_artifacts as a
      union all select to_jsonb(s)::text from ops.project_secrets as s
      union all select to_jsonb(w)::text from ops.workflows as w
      union all select to_jsonb(p)::text from ops.projects as p
      union all select to_jsonb(m)::text from ops.project_memberships as m
    ) as visible
    where visible.t like '%hunter2%'
  ),
  0,
  'No row the viewer can read in ops holds the value.'
);
select results_eq(
  'select name, stage from ops.project_secrets',
  $$values ('API_TOKEN'::text, null::ops.run_stage)$$,
  'The viewer lists the secret''s name, which is all there is to list.'
);
select throws_ok(
  'select * from ops_private.project_secret_values', '42501', 'permission denied for table project_secret_values',
  'The values table refuses the viewer.'
);
select throws_ok(
  format('select * from ops.get_run_secrets(%L, %L)', tests.q_id('r'), 'worker-1'), '42501', null,
  'The worker RPC refuses the viewer, even naming the holder.'
);
select throws_ok(
  format('select * from ops_private.get_run_secrets(%L, %L)', tests.q_id('r'), 'worker-1'), '42501', null,
  'So does its implementation in ops_private.'
);
select throws_ok(
  $$select ops.set_project_secret('project-a', 'API_TOKEN', 'attacker-value')$$, '42501', null,
  'The viewer cannot overwrite the secret (to learn it from a run, or to plant one).'
);
select throws_ok(
  $$select ops.delete_project_secret('project-a', 'API_TOKEN')$$, '42501', null, 'Nor delete it.'
);
select throws_ok(
  $$select ops.enqueue_run('project-a', 'build', 'main', 'abcdef2', '{"secrets": ["API_TOKEN"]}')$$, '42501', null,
  'Nor queue a run of their own that names it.'
);
select throws_ok(
  $$update ops.runs set params = '{"secrets": ["API_TOKEN"]}'$$, '42501', null, 'Nor rewrite a run''s params.'
);
select tests.clear_authentication();
select is(
  (select value from ops_private.project_secret_values), 'hunter2-project-a-value',
  'The value is still there, unchanged, for the worker holding the run.'
);

select * from finish();
rollback;
