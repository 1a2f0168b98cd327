-- ops.enqueue_run supersedes only when it queues a new run of another commit:
-- an idempotent repeat, a reused active run and a second run of the same
-- commit change nothing.
begin;
select plan(8);

-- SETUP
select tests.q_project('acme');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), 'ci', p_supersede => 'queued');

-- TEST: an idempotent repeat returns its run and cancels nothing.
select tests.q_remember('a', (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(1), p_idempotency_key => 'push-1')).id);
select tests.q_remember('b', (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(2), p_idempotency_key => 'push-2')).id);
select is(
  (select cancel_reason from ops.runs where id = tests.q_id('a')), 'superseded by ' || tests.q_id('b'),
  'The second push supersedes the first.'
);
select is(
  (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(1), p_idempotency_key => 'push-1')).id, tests.q_id('a'),
  'The first push repeated returns its run, canceled as it is.'
);
select is(
  (select status::text from ops.runs where id = tests.q_id('b')), 'queued',
  'The repeat does not supersede the newer run.'
);

-- TEST: a reused active run supersedes nothing.
select is((ops.claim_next_run('worker-1')).id, tests.q_id('b'), 'A worker takes main''s run.');
select tests.q_remember('d', (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(4), p_idempotency_key => 'push-4')).id);
select is(
  (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(2), p_reuse_active => true)).id, tests.q_id('b'),
  'p_reuse_active returns the claimed run of the older commit.'
);
select is(
  (select status::text from ops.runs where id = tests.q_id('d')), 'queued',
  'Reusing the older commit''s run does not supersede the newer queued one.'
);

-- TEST: queueing a commit again keeps its earlier run.
select tests.q_remember('c', (ops.enqueue_run('acme', 'ci', 'dev', tests.q_sha(3))).id);
select tests.q_remember('c2', (ops.enqueue_run('acme', 'ci', 'dev', tests.q_sha(3))).id);
select results_eq(
  $$select id, status::text from ops.runs where branch = 'dev' order by created_at, id$$,
  format(
    $$select * from (values (%L::uuid, 'queued'), (%L::uuid, 'queued')) as v order by 1$$,
    tests.q_id('c'), tests.q_id('c2')
  ),
  'Two runs of the same commit: neither cancels the other.'
);
select is(
  (select count(*)::integer from ops.run_events where to_status = 'canceled' and run_id = tests.q_id('c2')), 0,
  'The new run does not cancel itself.'
);

select * from finish();
rollback;
