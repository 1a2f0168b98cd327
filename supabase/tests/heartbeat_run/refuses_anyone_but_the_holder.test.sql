-- ops.heartbeat_run: fenced (OP002), P0002 for unknown runs, 22023 for bad parameters.
begin;
select plan(6);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select tests.q_remember('q', (ops.enqueue_run('acme', 'build', 'main', 'abcdef2', p_priority => -1)).id);
select ops.claim_next_run('worker-1');

select throws_ok(
  format('select ops.heartbeat_run(%L, %L)', tests.q_id('r'), 'worker-2'),
  'OP002', format('run %s: worker worker-2 cannot heartbeat it: the run is claimed and held by worker-1', tests.q_id('r')),
  'Another worker may not extend the lease.'
);
select throws_ok(
  format('select ops.heartbeat_run(%L, %L)', tests.q_id('q'), 'worker-1'),
  'OP002', format('run %s: worker worker-1 cannot heartbeat it: the run is queued and held by no worker', tests.q_id('q')),
  'A queued run has no lease to extend.'
);
select throws_ok(
  $$select ops.heartbeat_run('00000000-0000-0000-0000-000000000000', 'worker-1')$$,
  'P0002', 'run 00000000-0000-0000-0000-000000000000 not found', 'An unknown run is no_data_found naming the id.'
);
select throws_ok(
  format('select ops.heartbeat_run(%L, %L, 0)', tests.q_id('r'), 'worker-1'),
  '22023', 'p_lease_seconds must be from 1 to 86400, got 0', 'A zero lease is refused.'
);
select throws_ok(
  format('select ops.heartbeat_run(%L, null)', tests.q_id('r')),
  '22023', 'p_worker_id is required: the id of the worker holding the run, got null', 'A null worker id is refused.'
);
select ok(
  not has_function_privilege('authenticated', 'ops.heartbeat_run(uuid, text, integer)', 'execute')
  and not has_function_privilege('anon', 'ops.heartbeat_run(uuid, text, integer)', 'execute')
  and has_function_privilege('service_role', 'ops.heartbeat_run(uuid, text, integer)', 'execute'),
  'Only service_role may execute heartbeat_run.'
);

select * from finish();
rollback;
