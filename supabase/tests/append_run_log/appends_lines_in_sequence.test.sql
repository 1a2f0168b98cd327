-- ops.append_run_log: one validated line with the run's next sequence number.
begin;
select plan(7);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');

select ok(
  ops.append_run_log(tests.q_id('r'), 'info', 'cloning', p_worker_id => 'worker-1')
  < ops.append_run_log(tests.q_id('r'), 'warning', 'slow mirror', '{"ms": 900}', 'install', 'worker-1'),
  'append_run_log returns the new line''s id, increasing.'
);
select ops.append_run_log(tests.q_id('r'), 'error', 'from ops-ingest', p_worker_id => 'worker-1');
select results_eq(
  $$select seq, level::text, stream, message, metadata from ops.run_logs where run_id = tests.q_id('r') order by seq$$,
  $$values (1::bigint, 'info', 'build', 'cloning', '{}'::jsonb),
           (2, 'warning', 'install', 'slow mirror', '{"ms": 900}'),
           (3, 'error', 'build', 'from ops-ingest', '{}')$$,
  'Lines get seq 1, 2, 3 with their level, stream, message and metadata.'
);
select is((select last_log_seq from ops.runs where id = tests.q_id('r')), 3::bigint, 'last_log_seq follows.');
select is(
  (select max(id) from ops.run_logs), (ops.append_run_log(tests.q_id('r'), 'debug', '', p_worker_id => 'worker-1')) - 1,
  'An empty message is a line; its id is the next one.'
);
select lives_ok(
  format('select ops.append_run_log(%L, %L, %L, p_worker_id => %L)', tests.q_id('r'), 'info', repeat('x', 16384), 'worker-1'),
  'A 16384-character message is accepted.'
);
select is(tests.q_events(tests.q_id('r')), array['>queued', 'queued>claimed'], 'Logging records no event.');

-- TEST: an ended run takes no more lines, not even from the worker that ran it.
select ops.start_workflow_run(tests.q_id('r'), 'worker-1');
select ops.complete_workflow_run(tests.q_id('r'), 0, p_worker_id => 'worker-1');
select throws_ok(
  format('select ops.append_run_log(%L, %L, %L, p_worker_id => %L)', tests.q_id('r'), 'info', 'late line', 'worker-1'),
  'OP002', format('run %s: worker worker-1 cannot log to it: the run has ended (succeeded)', tests.q_id('r')),
  'Lines of an ended run are refused, even from the worker that ran it.'
);

select * from finish();
rollback;
