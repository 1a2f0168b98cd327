-- Attack: a caller with only the public anon key tries every door this
-- suite covers: the worker RPCs, the new stores and archive RPCs, and the
-- tables behind them. anon has no USAGE on ops and EXECUTE on nothing.
begin;
select plan(6);

-- SETUP
select tests.ops_world();
select id as running_a from ops.runs where status = 'running' limit 1 \gset
select tests.authenticate_as_anon();

-- TEST
select throws_ok(
  format('select ops.complete_workflow_run(%L, 0, null, %L)', :'running_a', 'worker-1'),
  '42501', null, 'anon cannot complete a run, even naming its holder.'
);
select throws_ok(
  format($q$select ops.append_run_logs(%L, '[{"seq": 9, "message": "x"}]', 'worker-1')$q$, :'running_a'),
  '42501', null, 'anon cannot log to a run.'
);
select throws_ok(
  $$select ops.register_artifact_store('file:///tmp/anon/')$$,
  '42501', null, 'anon cannot register an artifact store.'
);
select throws_ok(
  $$select ops.archive_project('project-a')$$,
  '42501', null, 'anon cannot archive a project.'
);
select throws_ok(
  'select count(*) from ops.artifact_stores',
  '42501', null, 'anon cannot list artifact stores.'
);
select throws_ok(
  $$select ops.enqueue_run('project-a', 'build', 'main', 'abcdef1', p_priority => 1000)$$,
  '42501', null, 'anon cannot queue a run.'
);

select * from finish();
rollback;
