-- ops.complete_workflow_run: running -> succeeded (exit 0), failed (non-zero), canceled (cancel requested).
begin;
select plan(8);

select tests.q_project('acme');
select tests.q_remember('ok', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1), p_priority => 3)).id);
select tests.q_remember('ko', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(2), p_priority => 2)).id);
select tests.q_remember('cx', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(3), p_priority => 1)).id);
select ops.claim_next_run('worker-' || n) from generate_series(1, 3) as n;
select ops.start_workflow_run(id, worker_id) from ops.runs;

-- TEST: exit code 0.
create temporary table c on commit drop as select * from ops.complete_workflow_run(tests.q_id('ok'), 0, null, 'worker-1');
select results_eq(
  $$select status::text, exit_code, error_message, finished_at, lease_expires_at, worker_id from c$$,
  $$values ('succeeded', 0, null::text, now(), null::timestamptz, 'worker-1')$$,
  'Exit code 0 succeeds; the lease is released and the worker kept as who ran it.'
);
select results_eq('select * from c', $$select * from ops.runs where id = tests.q_id('ok')$$, 'It returns the stored row.');
select is(
  tests.q_events(tests.q_id('ok')), array['>queued', 'queued>claimed', 'claimed>running', 'running>succeeded'],
  'One event.'
);

-- TEST: a non-zero exit code.
select results_eq(
  format(
    'select status::text, exit_code, error_message from ops.complete_workflow_run(%L, 3, %L, %L)', tests.q_id('ko'),
    'tests failed', 'worker-2'
  ),
  $$values ('failed', 3, 'tests failed')$$,
  'A non-zero exit code fails the run with its message.'
);
select is(
  (select payload ->> 'exit_code' from ops.run_events where run_id = tests.q_id('ko') order by id desc limit 1), '3',
  'The event carries the exit code.'
);

-- TEST: a cancel was requested.
select ops.cancel_run(tests.q_id('cx'), 'superseded');
select is(
  (ops.complete_workflow_run(tests.q_id('cx'), 143, 'terminated', 'worker-3')).status::text, 'canceled',
  'A run whose cancel was requested ends canceled, whatever the exit code.'
);

-- TEST: long messages are kept to 8000 characters.
select tests.q_remember('long', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(4))).id);
select ops.claim_next_run('worker-4');
select ops.start_workflow_run(tests.q_id('long'), 'worker-4');
select is(
  length((ops.complete_workflow_run(tests.q_id('long'), 1, repeat('x', 9000), 'worker-4')).error_message), 8000,
  'An error message longer than 8000 characters is cut to 8000.'
);
select is(
  (ops.complete_workflow_run(tests.q_id('long'), 1, repeat('x', 9000), 'worker-4')).status::text, 'failed',
  'The same long message again is an identical repeat.'
);

select * from finish();
rollback;
