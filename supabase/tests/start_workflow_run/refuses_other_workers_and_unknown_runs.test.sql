-- ops.start_workflow_run: OP002 for anyone but the holder, P0002 for an unknown run, 22023 for a bad worker id.
begin;
select plan(7);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select tests.q_remember('q', (ops.enqueue_run('acme', 'build', 'main', 'abcdef2', p_priority => -1)).id);
select ops.claim_next_run('worker-1');

select throws_ok(
  format('select ops.start_workflow_run(%L, %L)', tests.q_id('r'), 'worker-2'),
  'OP002', format('run %s: worker worker-2 cannot start it: the run is claimed and held by worker-1', tests.q_id('r')),
  'Another worker may not start a claimed run: the error names the run and both workers.'
);
select throws_ok(
  format('select ops.start_workflow_run(%L, %L)', tests.q_id('q'), 'worker-1'),
  'OP002', format('run %s: worker worker-1 cannot start it: the run is queued and held by no worker', tests.q_id('q')),
  'Nobody may start a run that was not claimed.'
);
select ops.start_workflow_run(tests.q_id('r'), 'worker-1');
select throws_ok(
  format('select ops.start_workflow_run(%L, %L)', tests.q_id('r'), 'worker-2'),
  'OP002', format('run %s: worker worker-2 cannot start it: the run is running and held by worker-1', tests.q_id('r')),
  'Another worker may not "repeat" the start either.'
);
select ops.complete_workflow_run(tests.q_id('r'), 0, null, 'worker-1');
select throws_ok(
  format('select ops.start_workflow_run(%L, %L)', tests.q_id('r'), 'worker-1'),
  'OP002', format('run %s: worker worker-1 cannot start it: the run has ended (succeeded)', tests.q_id('r')),
  'An ended run cannot be started again.'
);
select throws_ok(
  $$select ops.start_workflow_run('00000000-0000-0000-0000-000000000000', 'worker-1')$$,
  'P0002', 'run 00000000-0000-0000-0000-000000000000 not found', 'An unknown run is no_data_found naming the id.'
);
select throws_ok(
  format('select ops.start_workflow_run(%L, %L)', tests.q_id('r'), ''),
  '22023', 'p_worker_id must match ^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$, got ''''', 'An empty worker id is refused.'
);
select is(tests.q_events(tests.q_id('q')), array['>queued'], 'The refused calls changed nothing.');

select * from finish();
rollback;
