-- ops.complete_workflow_runs is all or nothing: a run that ops.complete_workflow_run would refuse raises
-- that error, and no run of the batch ends.
begin;
select plan(6);

select tests.q_project('acme');
select tests.q_remember('r' || n, (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(n))).id)
from generate_series(1, 5) as n;
update ops.runs set priority = 10 - array_position(
  array[tests.q_id('r1'), tests.q_id('r2'), tests.q_id('r3'), tests.q_id('r4'), tests.q_id('r5')], id
);
select tests.authenticate_as_service_role();
select count(*) from ops.claim_runs('w1', null, 2, p_start => true);   -- r1, r2 running under w1
select count(*) from ops.claim_runs('w2', null, 1, p_start => true);   -- r3 running under w2
select count(*) from ops.claim_runs('w1', null, 1);                    -- r4 claimed by w1, not started
select ops.complete_workflow_run(tests.q_id('r2'), 0, null, 'w1');     -- r2 succeeded

select throws_ok(
  format('select ops.complete_workflow_runs(array[%L, %L]::uuid[], array[0, 0], %L)', tests.q_id('r1'),
    tests.q_id('r3'), 'w1'),
  'OP002', null, 'A run another worker holds: OP002...'
);
select throws_ok(
  format('select ops.complete_workflow_runs(array[%L, %L]::uuid[], array[0, 0], %L)', tests.q_id('r1'),
    tests.q_id('r4'), 'w1'),
  'OP001', null, 'a run not started yet: OP001...'
);
select throws_ok(
  format('select ops.complete_workflow_runs(array[%L, %L]::uuid[], array[0, 1], %L)', tests.q_id('r1'),
    tests.q_id('r2'), 'w1'),
  'OP003', null, 'a run that already ended otherwise: OP003...'
);
select throws_ok(
  format('select ops.complete_workflow_runs(array[%L, %L]::uuid[], array[0, 0], %L)', tests.q_id('r1'),
    gen_random_uuid(), 'w1'),
  'P0002', null, 'an unknown run: P0002...'
);
select is(
  (select status::text from ops.runs where id = tests.q_id('r1')), 'running', '...and the other run is still running,'
);
select is(
  array(select tests.q_events(tests.q_id('r1'))), array['{>queued,queued>claimed,claimed>running}'::text[]],
  'with no event of an end.'
);

select * from finish();
rollback;
