-- ops.requeue_run: fenced (OP002), P0002 for unknown runs, 22023, service_role only.
begin;
select plan(7);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');

select throws_ok(
  format('select ops.requeue_run(%L, %L)', tests.q_id('r'), 'worker-2'),
  'OP002', format('run %s: worker worker-2 cannot hand it back: the run is claimed and held by worker-1', tests.q_id('r')),
  'Another worker may not hand the run back.'
);
select ops.requeue_run(tests.q_id('r'), 'worker-1');
select throws_ok(
  format('select ops.requeue_run(%L, %L)', tests.q_id('r'), 'worker-2'),
  'OP002', format('run %s: worker worker-2 cannot hand it back: the run is queued and held by no worker', tests.q_id('r')),
  'Nor can it "repeat" the hand-back of another worker.'
);
select throws_ok(
  $$select ops.requeue_run('00000000-0000-0000-0000-000000000000', 'worker-1')$$,
  'P0002', 'run 00000000-0000-0000-0000-000000000000 not found', 'An unknown run is no_data_found naming the id.'
);
select throws_ok(
  format('select ops.requeue_run(%L, %L, %L)', tests.q_id('r'), 'worker-1', repeat('x', 1001)),
  '22023', 'p_reason must be at most 1000 characters, got 1001', 'A reason over 1000 characters is refused.'
);
select ok(not has_function_privilege('authenticated', 'ops.requeue_run(uuid, text, text)', 'execute'), 'authenticated may not execute it.');
select ok(not has_function_privilege('anon', 'ops.requeue_run(uuid, text, text)', 'execute'), 'anon may not execute it.');
select ok(has_function_privilege('service_role', 'ops.requeue_run(uuid, text, text)', 'execute'), 'service_role may execute it.');

select * from finish();
rollback;
