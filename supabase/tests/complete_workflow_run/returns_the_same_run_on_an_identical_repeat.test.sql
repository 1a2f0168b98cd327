-- ops.complete_workflow_run: a repeat of the same completion returns the stored run, with no second event.
begin;
select plan(5);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');
select ops.start_workflow_run(tests.q_id('r'), 'worker-1');
create temporary table first on commit drop as
select * from ops.complete_workflow_run(tests.q_id('r'), 2, 'boom', 'worker-1');

create temporary table second on commit drop as
select * from ops.complete_workflow_run(tests.q_id('r'), 2, 'boom', 'worker-1');
select results_eq('select * from second', 'select * from first', 'The repeat returns the same row.');
select results_eq('select * from second', $$select * from ops.runs where id = tests.q_id('r')$$, 'Nothing changed.');
select is(
  tests.q_events(tests.q_id('r')), array['>queued', 'queued>claimed', 'claimed>running', 'running>failed'],
  'No second event.'
);
select throws_ok(
  format('select * from ops.complete_workflow_run(%L, 2, %L)', tests.q_id('r'), 'boom'),
  '22023', 'p_worker_id is required: the id of the worker holding the run, got null',
  'A repeat without p_worker_id is refused, not taken for the holder''s repeat.'
);
select is((select count(*)::integer from ops.run_events where run_id = tests.q_id('r')), 4, 'Still four events.');

select * from finish();
rollback;
