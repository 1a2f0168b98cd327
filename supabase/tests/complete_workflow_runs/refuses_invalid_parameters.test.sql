-- ops.complete_workflow_runs checks its lists before it touches a run: 22023 naming the parameter.
begin;
select plan(11);

select tests.q_project('acme');
select tests.q_remember('r1', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select tests.authenticate_as_service_role();
select count(*) from ops.claim_runs('w1', null, 1, p_start => true);

select throws_ok(
  $$select ops.complete_workflow_runs(null, array[0], 'w1')$$, '22023',
  'p_run_ids must be a list of 1 to 100 run ids, got null', 'No list of runs.'
);
select throws_ok(
  $$select ops.complete_workflow_runs('{}', '{}', 'w1')$$, '22023',
  'p_run_ids must be a list of 1 to 100 run ids, got 0 elements', 'An empty list.'
);
select throws_ok(
  $$select ops.complete_workflow_runs(array(select gen_random_uuid() from generate_series(1, 101)),
    array_fill(0, array[101]), 'w1')$$, '22023',
  'p_run_ids must be a list of 1 to 100 run ids, got 101 elements', 'Over 100 runs.'
);
select throws_ok(
  format('select ops.complete_workflow_runs(array[%L, null]::uuid[], array[0, 0], %L)', tests.q_id('r1'), 'w1'),
  '22023', 'p_run_ids[2] must be a run id, got null', 'A null run id, named by its SQL index.'
);
select throws_ok(
  format('select ops.complete_workflow_runs(array[%L, %L]::uuid[], array[0, 0], %L)', tests.q_id('r1'),
    tests.q_id('r1'), 'w1'),
  '22023', format('p_run_ids must not name a run twice, got %s twice', tests.q_id('r1')), 'A run named twice.'
);
select throws_ok(
  format('select ops.complete_workflow_runs(array[%L]::uuid[], array[0, 1], %L)', tests.q_id('r1'), 'w1'),
  '22023', 'p_exit_codes must hold one exit code per run (1 of them), got 2 elements', 'Exit codes of another length.'
);
select throws_ok(
  format('select ops.complete_workflow_runs(array[%L]::uuid[], null, %L)', tests.q_id('r1'), 'w1'),
  '22023', 'p_exit_codes must hold one exit code per run (1 of them), got null', 'No exit codes.'
);
select throws_ok(
  format('select ops.complete_workflow_runs(array[%L]::uuid[], array[null]::integer[], %L)', tests.q_id('r1'), 'w1'),
  '22023', 'p_exit_codes[1] must be an integer, got null', 'A null exit code.'
);
select throws_ok(
  format('select ops.complete_workflow_runs(array[%L]::uuid[], array[0], %L, array[%L, %L])', tests.q_id('r1'), 'w1',
    'a', 'b'),
  '22023', 'p_error_messages must be null or hold one message (or null) per run (1 of them), got 2 elements',
  'Messages of another length.'
);
select throws_ok(
  format('select ops.complete_workflow_runs(array[%L]::uuid[], array[0], %L)', tests.q_id('r1'), 'not a worker!'),
  '22023', null, 'A malformed worker id.'
);
select is((select status::text from ops.runs where id = tests.q_id('r1')), 'running', 'The run was not touched.');

select * from finish();
rollback;
