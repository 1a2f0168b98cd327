-- ops.claim_next_run: runs whose holder stopped heartbeating go back to the queue, or fail when no attempt is left.
begin;
select plan(14);

-- SETUP: leases are moved into the past by hand.
select tests.q_project('acme');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), 'once', true, 1, 60);
-- Retried at once: the backoff has a test of its own (waits_a_backoff_before_retrying).
update ops.workflows set retry_backoff_seconds = 0;
select tests.q_remember('retry', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1), p_priority => 3)).id);
select tests.q_remember('last', (ops.enqueue_run('acme', 'once', 'main', tests.q_sha(2), p_priority => 2)).id);
select tests.q_remember('live', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(3), p_priority => 1)).id);
select ops.claim_next_run('dead-1');
select ops.start_workflow_run(tests.q_id('retry'), 'dead-1');
select ops.claim_next_run('dead-2');
select ops.claim_next_run('alive');
update ops.runs set lease_expires_at = now() - interval '1 second'
where id in (tests.q_id('retry'), tests.q_id('last'));

-- TEST: the next claim recovers both, then claims the recovered run.
create temporary table c on commit drop as select * from ops.claim_next_run('worker-9');
select is((select id from c), tests.q_id('retry'), 'The recovered run is claimed again (it keeps its priority and age).');
select is((select attempt from c), 2, 'Its second claim is attempt 2.');
select is(
  tests.q_events(tests.q_id('retry')),
  array['>queued', 'queued>claimed', 'claimed>running', 'running>queued', 'queued>claimed'],
  'Recovery and the new claim each record one event.'
);
select results_eq(
  $$select actor, reason, payload ->> 'worker_id' from ops.run_events
    where run_id = tests.q_id('retry') and to_status = 'queued' and from_status is not null$$,
  $$values ('worker:worker-9', 'lease expired', 'dead-1')$$,
  'The recovery event names the recovering worker, the reason and the worker that lost the run.'
);

-- TEST: no attempt left.
select results_eq(
  $$select status::text, worker_id, lease_expires_at, finished_at from ops.runs where id = tests.q_id('last')$$,
  $$values ('failed', 'dead-2', null::timestamptz, now())$$,
  'A run with no attempt left fails, keeping the worker that held it.'
);
select matches(
  (select error_message from ops.runs where id = tests.q_id('last')),
  '^lease expired: worker dead-2 stopped heartbeating \(lease ended .*\), attempt 1 of 1$',
  'Its error message names the lease expiry, the worker and the attempts.'
);
select is(tests.q_events(tests.q_id('last')), array['>queued', 'queued>claimed', 'claimed>failed'], 'One event.');

-- TEST: a live lease is left alone.
select results_eq(
  $$select status::text, worker_id from ops.runs where id = tests.q_id('live')$$,
  $$values ('claimed', 'alive')$$,
  'A run whose lease has not expired stays with its holder.'
);

-- TEST: the worker that lost its run is fenced out.
select throws_ok(
  format('select ops.heartbeat_run(%L, %L)', tests.q_id('retry'), 'dead-1'),
  'OP002', format('run %s: worker dead-1 cannot heartbeat it: the run is claimed and held by worker-9', tests.q_id('retry')),
  'The old holder can no longer heartbeat.'
);
select throws_ok(
  format('select ops.complete_workflow_run(%L, 0, null, %L)', tests.q_id('retry'), 'dead-1'),
  'OP002', format('run %s: worker dead-1 cannot complete it: the run is claimed and held by worker-9', tests.q_id('retry')),
  'The old holder cannot complete the run the new holder works on.'
);

-- TEST: a running run with a cancel requested ends canceled; a claimed one goes queued then canceled.
select tests.q_remember('c_run', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(4), p_priority => 9)).id);
select tests.q_remember('c_claim', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(5), p_priority => 8)).id);
select ops.claim_next_run('dead-3');
select ops.start_workflow_run(tests.q_id('c_run'), 'dead-3');
select ops.claim_next_run('dead-4');
select ops.cancel_run(tests.q_id('c_run'));
select ops.cancel_run(tests.q_id('c_claim'));
update ops.runs set lease_expires_at = now() - interval '1 second' where id in (tests.q_id('c_run'), tests.q_id('c_claim'));
select ops.claim_next_run('worker-10');
select is(
  tests.q_events(tests.q_id('c_run')), array['>queued', 'queued>claimed', 'claimed>running', 'running>canceled'],
  'A running run with a cancel requested ends canceled when its lease expires.'
);
select results_eq(
  $$select started_at, claimed_at, finished_at, worker_id from ops.runs where id = tests.q_id('c_run')$$,
  $$values (now(), now(), now(), 'dead-3')$$,
  'The canceled run keeps when it was claimed and started, and by whom.'
);
select is(
  tests.q_events(tests.q_id('c_claim')), array['>queued', 'queued>claimed', 'claimed>queued', 'queued>canceled'],
  'A claimed run with a cancel requested goes back and on to canceled, never claimed again.'
);
select is(
  (select count(*)::integer from ops.runs where status in ('claimed', 'running') and lease_expires_at < now()), 0,
  'No expired lease is left.'
);

select * from finish();
rollback;
