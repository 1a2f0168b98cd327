-- ops.append_run_logs: fenced by p_worker_id (OP002), P0002 for unknown runs, service_role only.
begin;
select plan(7);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');

select throws_ok(
  format('select ops.append_run_logs(%L, %L, %L)', tests.q_id('r'), '[{"seq": 1, "message": "x"}]', 'worker-2'),
  'OP002', format('run %s: worker worker-2 cannot log to it: the run is claimed and held by worker-1', tests.q_id('r')),
  'A worker that does not hold the run may not log to it.'
);
select throws_ok(
  $$select ops.append_run_logs('00000000-0000-0000-0000-000000000000', '[{"seq": 1, "message": "x"}]', 'worker-1')$$,
  'P0002', 'run 00000000-0000-0000-0000-000000000000 not found', 'An unknown run is no_data_found naming the id.'
);
select throws_ok(
  $$select ops.append_run_logs('00000000-0000-0000-0000-000000000000', '[]', 'worker-1')$$,
  'P0002', 'run 00000000-0000-0000-0000-000000000000 not found', 'Even an empty batch names an unknown run.'
);
select ok(not has_function_privilege('authenticated', 'ops.append_run_logs(uuid, jsonb, text)', 'execute'), 'authenticated may not execute it.');
select ok(not has_function_privilege('anon', 'ops.append_run_logs(uuid, jsonb, text)', 'execute'), 'anon may not execute it.');
select tests.authenticate_as_service_role();
select is(
  ops.append_run_logs(tests.q_id('r'), '[{"seq": 1, "message": "x"}]', 'worker-1'), 1, 'service_role stores lines.'
);
select tests.clear_authentication();
select is((select count(*)::integer from ops.run_logs), 1, 'Only the allowed batch was stored.');

select * from finish();
rollback;
