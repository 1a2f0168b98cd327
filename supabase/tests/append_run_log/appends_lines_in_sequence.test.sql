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
select ops.append_run_log(tests.q_id('r'), 'error', 'from ops-ingest'); -- no worker: not fenced
select results_eq(
  $$select seq, level::text, stream, message, metadata from ops.run_logs where run_id = tests.q_id('r') order by seq$$,
  $$values (1::bigint, 'info', 'build', 'cloning', '{}'::jsonb),
           (2, 'warning', 'install', 'slow mirror', '{"ms": 900}'),
           (3, 'error', 'build', 'from ops-ingest', '{}')$$,
  'Lines get seq 1, 2, 3 with their level, stream, message and metadata.'
);
select is((select last_log_seq from ops.runs where id = tests.q_id('r')), 3::bigint, 'last_log_seq follows.');
select is(
  (select max(id) from ops.run_logs), (ops.append_run_log(tests.q_id('r'), 'debug', '')) - 1,
  'An empty message is a line; its id is the next one.'
);
select lives_ok(
  format('select ops.append_run_log(%L, %L, %L)', tests.q_id('r'), 'info', repeat('x', 16384)),
  'A 16384-character message is accepted.'
);
select is(tests.q_events(tests.q_id('r')), array['>queued', 'queued>claimed'], 'Logging records no event.');

-- TEST: logs of an ended run can still be ingested without a worker id.
select ops.start_workflow_run(tests.q_id('r'), 'worker-1');
select ops.complete_workflow_run(tests.q_id('r'), 0);
create temporary table late on commit drop as select ops.append_run_log(tests.q_id('r'), 'info', 'late line') as id;
select is(
  (select l.seq from ops.run_logs as l inner join late using (id)), 6::bigint,
  'Without p_worker_id (ops-ingest), lines of an ended run are stored.'
);

select * from finish();
rollback;
