-- ops.append_run_log: 22023 naming the parameter, OP002 for a worker that does not hold the run, P0002, service_role only.
begin;
select plan(13);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');

select throws_ok(
  format('select ops.append_run_log(%L, %L, %L, p_worker_id => %L)', tests.q_id('r'), 'fatal', 'x', 'worker-1'),
  '22023', 'p_level must be one of debug, info, warning, error, got ''fatal''', 'An unknown level is refused.'
);
select throws_ok(
  format('select ops.append_run_log(%L, null, %L, p_worker_id => %L)', tests.q_id('r'), 'x', 'worker-1'),
  '22023', 'p_level must be one of debug, info, warning, error, got null', 'A null level is refused.'
);
select throws_ok(
  format('select ops.append_run_log(%L, %L, null, p_worker_id => %L)', tests.q_id('r'), 'info', 'worker-1'),
  '22023', 'p_message must be text of at most 16384 characters, got null', 'A null message is refused.'
);
select throws_ok(
  format('select ops.append_run_log(%L, %L, %L, p_worker_id => %L)', tests.q_id('r'), 'info', repeat('x', 16385), 'worker-1'),
  '22023', 'p_message must be text of at most 16384 characters, got 16385 characters', 'A too long message is refused.'
);
select throws_ok(
  format('select ops.append_run_log(%L, %L, %L, %L, p_worker_id => %L)', tests.q_id('r'), 'info', 'x', '[]', 'worker-1'),
  '22023', 'p_metadata must be a JSON object, got []', 'Metadata that is not an object is refused.'
);
select throws_ok(
  format('select ops.append_run_log(%L, %L, %L, %L, %L, %L)', tests.q_id('r'), 'info', 'x', '{}', 'Build', 'worker-1'),
  '22023', 'p_stream must match ^[a-z][a-z0-9_-]{0,31}$, got ''Build''', 'A stream name with capitals is refused.'
);
select throws_ok(
  format('select ops.append_run_log(%L, %L, %L, p_worker_id => %L)', tests.q_id('r'), 'info', 'x', 'worker-2'),
  'OP002', format('run %s: worker worker-2 cannot log to it: the run is claimed and held by worker-1', tests.q_id('r')),
  'A worker that does not hold the run may not log to it.'
);
select throws_ok(
  $$select ops.append_run_log('00000000-0000-0000-0000-000000000000', 'info', 'x', p_worker_id => 'worker-1')$$,
  'P0002', 'run 00000000-0000-0000-0000-000000000000 not found', 'An unknown run is no_data_found naming the id.'
);
select is((select count(*)::integer from ops.run_logs), 0, 'Refused lines are not stored.');
select is((select last_log_seq from ops.runs where id = tests.q_id('r')), 0::bigint, 'Refused lines use no sequence number.');

select ok(not has_function_privilege('authenticated', 'ops.append_run_log(uuid, text, text, jsonb, text, text)', 'execute'), 'authenticated may not execute it.');
select ok(not has_function_privilege('anon', 'ops.append_run_log(uuid, text, text, jsonb, text, text)', 'execute'), 'anon may not execute it.');
select tests.authenticate_as_service_role();
select lives_ok(
  format('select ops.append_run_log(%L, %L, %L, p_worker_id => %L)', tests.q_id('r'), 'info', 'x', 'worker-1'),
  'service_role logs.'
);

select * from finish();
rollback;
