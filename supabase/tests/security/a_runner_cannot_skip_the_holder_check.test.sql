-- Attack: a runner with the service key ends, logs to or adds artifacts to a
-- run that another runner holds, by leaving out p_worker_id or by naming
-- itself; or writes to a run that has ended. Every worker write names the
-- holder and only the holder, while it holds the run, gets through.
begin;
select plan(17);

-- SETUP
select tests.q_project('heist') as project_id \gset
select ops.register_artifact_store('s3://odooops-artifacts/');
-- Claimed first: the higher priority.
select tests.q_remember('held', (ops.enqueue_run('heist', 'build', 'main', tests.q_sha(1), p_priority => 1)).id);
select tests.q_remember('done', (ops.enqueue_run('heist', 'build', 'main', tests.q_sha(2))).id);
select ops.claim_next_run('honest-1');
select ops.start_workflow_run(tests.q_id('held'), 'honest-1');
select ops.claim_next_run('honest-2');
select ops.start_workflow_run(tests.q_id('done'), 'honest-2');
select ops.complete_workflow_run(tests.q_id('done'), 0, null, 'honest-2');
select tests.authenticate_as_service_role();

-- TEST: without a worker id, nothing gets through.
select throws_ok(
  format('select ops.complete_workflow_run(%L, 0)', tests.q_id('held')),
  '22023', 'p_worker_id is required: the id of the worker holding the run, got null',
  'Completing a held run without a worker id is refused.'
);
select throws_ok(
  format($q$select ops.append_run_log(%L, 'info', 'forged')$q$, tests.q_id('held')),
  '22023', 'p_worker_id is required: the id of the worker holding the run, got null',
  'Logging a line to a held run without a worker id is refused.'
);
select throws_ok(
  format($q$select ops.append_run_logs(%L, '[{"seq": 1, "message": "forged"}]')$q$, tests.q_id('held')),
  '22023', 'p_worker_id is required: the id of the worker holding the run, got null',
  'Logging a batch to a held run without a worker id is refused.'
);
select throws_ok(
  format(
    $q$select ops.add_run_artifact(%L, 'x.tgz', %L, repeat('a', 64), 1)$q$,
    tests.q_id('held'), tests.q_artifact_url(tests.q_id('held'), 'x.tgz')
  ),
  '22023', 'p_worker_id is required: the id of the worker holding the run, got null',
  'Adding an artifact to a held run without a worker id is refused.'
);

-- TEST: naming another worker gets OP002 from every write.
select throws_ok(
  format('select ops.complete_workflow_run(%L, 0, null, %L)', tests.q_id('held'), 'intruder'),
  'OP002', null, 'Completing somebody else''s run is refused.'
);
select throws_ok(
  format('select ops.start_workflow_run(%L, %L)', tests.q_id('held'), 'intruder'),
  'OP002', null, 'Starting somebody else''s run is refused.'
);
select throws_ok(
  format('select ops.heartbeat_run(%L, %L)', tests.q_id('held'), 'intruder'),
  'OP002', null, 'Heartbeating somebody else''s run is refused.'
);
select throws_ok(
  format('select ops.requeue_run(%L, %L)', tests.q_id('held'), 'intruder'),
  'OP002', null, 'Handing back somebody else''s run is refused.'
);
select throws_ok(
  format($q$select ops.append_run_logs(%L, '[{"seq": 1, "message": "forged"}]', 'intruder')$q$, tests.q_id('held')),
  'OP002', null, 'Logging to somebody else''s run is refused.'
);
select throws_ok(
  format($q$select ops.append_run_logs(%L, '[]', 'intruder')$q$, tests.q_id('held')),
  'OP002', null, 'Even an empty batch is answered only for the holder.'
);
select throws_ok(
  format(
    $q$select ops.add_run_artifact(%L, 'x.tgz', %L, repeat('a', 64), 1, p_worker_id => 'intruder')$q$,
    tests.q_id('held'), tests.q_artifact_url(tests.q_id('held'), 'x.tgz')
  ),
  'OP002', null, 'Adding an artifact to somebody else''s run is refused.'
);

-- TEST: a finished run takes nothing more, even from its own worker.
select throws_ok(
  format($q$select ops.append_run_log(%L, 'info', 'late', p_worker_id => 'honest-2')$q$, tests.q_id('done')),
  'OP002', format('run %s: worker honest-2 cannot log to it: the run has ended (succeeded)', tests.q_id('done')),
  'A line for a finished run is refused, saying the run has ended.'
);
select throws_ok(
  format($q$select ops.append_run_logs(%L, '[{"seq": 9, "message": "late"}]', 'honest-2')$q$, tests.q_id('done')),
  'OP002', format('run %s: worker honest-2 cannot log to it: the run has ended (succeeded)', tests.q_id('done')),
  'A batch for a finished run is refused.'
);
select throws_ok(
  format(
    $q$select ops.add_run_artifact(%L, 'late.tgz', %L, repeat('a', 64), 1, p_worker_id => 'honest-2')$q$,
    tests.q_id('done'), tests.q_artifact_url(tests.q_id('done'), 'late.tgz')
  ),
  'OP002',
  format('run %s: worker honest-2 cannot add an artifact to it: the run has ended (succeeded)', tests.q_id('done')),
  'An artifact for a finished run is refused.'
);
select throws_ok(
  format('select ops.complete_workflow_run(%L, 1, %L, %L)', tests.q_id('done'), 'rewritten', 'honest-2'),
  'OP003', null, 'A finished run cannot be completed again differently.'
);

-- TEST: nothing of it was written; the holder carries on.
select tests.clear_authentication();
select results_eq(
  format(
    $q$select (select count(*) from ops.run_logs where run_id in (%L, %L)),
      (select count(*) from ops.run_artifacts where run_id in (%L, %L)),
      (select status::text from ops.runs where id = %L)$q$,
    tests.q_id('held'), tests.q_id('done'), tests.q_id('held'), tests.q_id('done'), tests.q_id('held')
  ),
  $$values (0::bigint, 0::bigint, 'running')$$,
  'The refused writes left no line, no artifact, and the held run running.'
);
select tests.authenticate_as_service_role();
select is(
  (ops.complete_workflow_run(tests.q_id('held'), 0, null, 'honest-1')).status::text, 'succeeded',
  'The real holder completes its run.'
);

select * from finish();
rollback;
