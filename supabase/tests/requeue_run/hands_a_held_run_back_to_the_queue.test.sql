-- ops.requeue_run: the holder hands its run back (on shutdown); the attempt is given back.
begin;
select plan(10);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select ops.claim_next_run('worker-1');
select ops.start_workflow_run(tests.q_id('r'), 'worker-1');

create temporary table q on commit drop as select * from ops.requeue_run(tests.q_id('r'), 'worker-1', 'SIGTERM');
select results_eq(
  $$select status::text, attempt, worker_id, lease_expires_at, claimed_at, started_at, finished_at from q$$,
  $$values ('queued', 0, null::text, null::timestamptz, null::timestamptz, null::timestamptz, null::timestamptz)$$,
  'A running run goes back to queued, without worker or lease, and its attempt is given back.'
);
select results_eq(
  $$select actor, reason from ops.run_events where run_id = tests.q_id('r') order by id desc limit 1$$,
  $$values ('worker:worker-1', 'SIGTERM')$$,
  'The event names the worker and the reason.'
);

-- TEST: a repeat by the same worker returns the run unchanged.
select results_eq(
  format('select * from ops.requeue_run(%L, %L, %L)', tests.q_id('r'), 'worker-1', 'SIGTERM'),
  'select * from q',
  'A repeat returns the same row.'
);
select is(
  tests.q_events(tests.q_id('r')), array['>queued', 'queued>claimed', 'claimed>running', 'running>queued'],
  'A repeat records no second event.'
);

-- TEST: the run is claimed again, as attempt 1.
select is((ops.claim_next_run('worker-2')).attempt, 1, 'Another worker takes it again as attempt 1.');
select is((ops.requeue_run(tests.q_id('r'), 'worker-2')).status::text, 'queued', 'A claimed run can be handed back too.');
select is(
  (select reason from ops.run_events where run_id = tests.q_id('r') order by id desc limit 1),
  'handed back by the worker', 'Without p_reason, the event says the worker handed it back.'
);

-- TEST: with a cancel pending the run ends canceled instead.
select ops.claim_next_run('worker-3');
select ops.start_workflow_run(tests.q_id('r'), 'worker-3');
select ops.cancel_run(tests.q_id('r'));
select is((ops.requeue_run(tests.q_id('r'), 'worker-3')).status::text, 'canceled', 'A running run with a cancel pending ends canceled.');
select tests.q_remember('c', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(2))).id);
select ops.claim_next_run('worker-4');
select ops.cancel_run(tests.q_id('c'));
select ops.requeue_run(tests.q_id('c'), 'worker-4');
select is(
  tests.q_events(tests.q_id('c')), array['>queued', 'queued>claimed', 'claimed>queued', 'queued>canceled'],
  'A claimed run with a cancel pending goes back and on to canceled.'
);
select is(
  (ops.requeue_run(tests.q_id('c'), 'worker-4')).status::text, 'canceled',
  'A repeat of that hand-back returns the canceled run, without another event.'
);

select * from finish();
rollback;
