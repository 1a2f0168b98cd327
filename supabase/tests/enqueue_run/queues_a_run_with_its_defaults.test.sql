-- ops.enqueue_run: the happy path, and the defaults it derives.
begin;
select plan(13);

-- SETUP
select tests.q_project('acme', 'main');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), 'slow', true, 7, 300);

-- TEST: a run on the production branch.
select tests.q_remember('prod', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select results_eq(
  $$select status::text, stage::text, attempt, max_attempts, priority, params, worker_id
    from ops.runs where id = tests.q_id('prod')$$,
  $$values ('queued', 'production', 0, 3, 0, '{}'::jsonb, null::text)$$,
  'A run on the production branch is queued in the production stage with the workflow''s max_attempts.'
);
select ok(
  (select run_after = now() and created_at = now() from ops.runs where id = tests.q_id('prod')),
  'A run without p_run_after is due at once.'
);
select is(tests.q_events(tests.q_id('prod')), array['>queued'], 'Queueing a run records one event.');

-- TEST: a run on another branch, with every parameter given.
select tests.q_remember('dev', (ops.enqueue_run(
  p_project_slug => 'acme', p_workflow_name => 'slow', p_branch => 'feature/x', p_commit_sha => tests.q_sha(1),
  p_params => '{"modules": "sale"}', p_priority => 5, p_run_after => now() + interval '1 hour'
)).id);
select results_eq(
  $$select stage::text, max_attempts, priority, params ->> 'modules', run_after - now(), branch, commit_sha
    from ops.runs where id = tests.q_id('dev')$$,
  $$values ('development', 7, 5, 'sale', interval '1 hour', 'feature/x', tests.q_sha(1))$$,
  'A run on another branch is in development and keeps its parameters, priority and run_after.'
);
select is(
  (select r.workflow_id from ops.runs as r where r.id = tests.q_id('dev')),
  (select w.id from ops.workflows as w where w.name = 'slow'),
  'The run belongs to the named workflow.'
);

-- TEST: an explicit stage wins over the branch rule.
select is(
  (ops.enqueue_run('acme', 'build', 'staging-1', 'abcdef2', p_stage => 'staging')).stage::text, 'staging',
  'p_stage is used when given.'
);
select is(
  (ops.enqueue_run('acme', 'build', 'main', 'abcdef3', p_stage => 'development')).stage::text, 'development',
  'p_stage also overrides the production branch rule.'
);

-- TEST: a SHA-256 commit and the priority bounds are accepted.
select lives_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', repeat('c', 64), p_priority => 1000)$$,
  'A 64-hex commit and priority 1000 are accepted.'
);
select lives_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'abcdef', p_priority => -1000)$$,
  'A 6-hex commit and priority -1000 are accepted.'
);

-- TEST: without a key, two calls make two runs.
select isnt(
  (ops.enqueue_run('acme', 'build', 'main', 'abcdef4')).id,
  (ops.enqueue_run('acme', 'build', 'main', 'abcdef4')).id,
  'Without an idempotency key or p_reuse_active, each call queues a new run.'
);

-- TEST: the run is claimable, and the returned row is the stored one.
select is(
  (select count(*)::integer from ops.runs where status = 'queued'), 8,
  'Every call above queued a run.'
);
create temporary table returned on commit drop as
select * from ops.enqueue_run('acme', 'build', 'main', 'abcdef5');
select results_eq(
  'select * from returned',
  $$select * from ops.runs where commit_sha = 'abcdef5'$$,
  'enqueue_run returns the stored row.'
);
select is(
  (select actor from ops.run_events where run_id = tests.q_id('prod')),
  'role:postgres',
  'The event names who queued the run.'
);

select * from finish();
rollback;
