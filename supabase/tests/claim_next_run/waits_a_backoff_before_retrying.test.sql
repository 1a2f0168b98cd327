-- ops.claim_next_run: a run whose lease expired goes back to the queue with run_after = now() + its backoff
-- (retry_backoff_seconds x 2^(attempt - 1), at most 600 s, times a jitter from 0.5 to 1), and is not claimed
-- before; ops.list_queued_runs says it is retrying.
begin;
select plan(9);

-- SETUP: base 10 s; the run's first attempt is held by a worker that stopped heartbeating.
select tests.q_project('acme');
update ops.workflows set retry_backoff_seconds = 10;
select tests.q_remember('run', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select ops.claim_next_run('dead-1');
update ops.runs set lease_expires_at = now() - interval '1 second' where id = tests.q_id('run');

-- TEST: recovered, but not claimable yet.
select is_empty($$select * from ops.claim_next_run('worker-2')$$, 'The claim that recovers it does not take it.');
select results_eq(
  $$select status::text, attempt from ops.runs where id = tests.q_id('run')$$, $$values ('queued', 1)$$,
  'It is queued for its second attempt.'
);
select ok(
  (select run_after between now() + interval '5 seconds' and now() + interval '10 seconds'
    from ops.runs where id = tests.q_id('run')),
  'After attempt 1 it waits 5 to 10 seconds (base 10 s, jitter 0.5 to 1).'
);
select matches(
  (select wait_reason from ops.list_queued_runs() where run_id = tests.q_id('run')),
  '^retrying after \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(attempt 2 of 3\)$',
  'The queue view says it is retrying, when, and which attempt comes.'
);

-- TEST: once due, it is claimed; the next failure waits twice as long.
update ops.runs set run_after = now() - interval '1 second' where id = tests.q_id('run');
select is((ops.claim_next_run('worker-3')).id, tests.q_id('run'), 'Once its backoff has passed it is claimed.');
update ops.runs set lease_expires_at = now() - interval '1 second' where id = tests.q_id('run');
select ops.claim_next_run('worker-4');
select ok(
  (select run_after between now() + interval '10 seconds' and now() + interval '20 seconds'
    from ops.runs where id = tests.q_id('run')),
  'After attempt 2 it waits 10 to 20 seconds.'
);

-- TEST: the bounds.
select ok(
  (select bool_and(ops_private.retry_backoff(600, 20) between interval '300 seconds' and interval '600 seconds')
    from generate_series(1, 50)),
  'The wait never exceeds 600 seconds, whatever the base and the attempt.'
);
select is(ops_private.retry_backoff(0, 3), interval '0', 'A base of 0 retries at once.');
select throws_ok(
  $$update ops.workflows set retry_backoff_seconds = 601$$, '23514', null, 'retry_backoff_seconds is from 0 to 600.'
);

select * from finish();
rollback;
