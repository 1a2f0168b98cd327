-- ops.complete_workflow_run: OP003 conflicting repeat, OP002 not the holder, OP001 not running, P0002 unknown run, 22023.
begin;
select plan(8);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1), p_priority => 2)).id);
select tests.q_remember('c', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(2), p_priority => 1)).id);
select tests.q_remember('q', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(3))).id);
select ops.claim_next_run('worker-1');
select ops.claim_next_run('worker-2');
select ops.start_workflow_run(tests.q_id('r'), 'worker-1');

select throws_ok(
  format('select ops.complete_workflow_run(%L, 0, null, %L)', tests.q_id('r'), 'worker-2'),
  'OP002', format('run %s: worker worker-2 cannot complete it: the run is running and held by worker-1', tests.q_id('r')),
  'Another worker may not complete the run.'
);
select throws_ok(
  format('select ops.complete_workflow_run(%L, 0, null, %L)', tests.q_id('c'), 'worker-2'),
  'OP001', format('run %s: illegal status transition claimed -> completed: the run is not running', tests.q_id('c')),
  'A claimed run must be started before it completes.'
);
select throws_ok(
  format('select ops.complete_workflow_run(%L, 0, null, %L)', tests.q_id('q'), 'worker-1'),
  'OP002', format('run %s: worker worker-1 cannot complete it: the run is queued and held by no worker', tests.q_id('q')),
  'A queued run cannot complete.'
);
select ops.complete_workflow_run(tests.q_id('r'), 0, null, 'worker-1');
select throws_ok(
  format('select ops.complete_workflow_run(%L, 1, null, %L)', tests.q_id('r'), 'worker-1'),
  'OP003', format('run %s already ended as succeeded with exit code 0; cannot complete it again with exit code 1', tests.q_id('r')),
  'A repeat with another exit code is a conflict.'
);
select throws_ok(
  format('select ops.complete_workflow_run(%L, 0, %L, %L)', tests.q_id('r'), 'other message', 'worker-1'),
  'OP003', format('run %s already ended as succeeded with exit code 0; cannot complete it again with exit code 0', tests.q_id('r')),
  'A repeat with another message is a conflict too.'
);
select throws_ok(
  $$select ops.complete_workflow_run('00000000-0000-0000-0000-000000000000', 0, null, 'worker-1')$$,
  'P0002', 'run 00000000-0000-0000-0000-000000000000 not found', 'An unknown run is no_data_found naming the id.'
);
select throws_ok(
  format('select ops.complete_workflow_run(%L, null, null, %L)', tests.q_id('r'), 'worker-1'),
  '22023', 'p_exit_code must be an integer, got null', 'A null exit code is refused.'
);
select is((select status::text from ops.runs where id = tests.q_id('r')), 'succeeded', 'The refused calls changed nothing.');

select * from finish();
rollback;
