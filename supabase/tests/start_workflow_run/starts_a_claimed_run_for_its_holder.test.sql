-- ops.start_workflow_run: claimed -> running by the holder; a repeat by the holder changes nothing.
begin;
select plan(6);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');

-- TEST: the start.
create temporary table s on commit drop as select * from ops.start_workflow_run(tests.q_id('r'), 'worker-1');
select results_eq(
  $$select status::text, worker_id, started_at, attempt from s$$,
  $$values ('running', 'worker-1', now(), 1)$$,
  'The holder starts its claimed run.'
);
select results_eq('select * from s', $$select * from ops.runs where id = tests.q_id('r')$$, 'It returns the stored row.');
select is(tests.q_events(tests.q_id('r')), array['>queued', 'queued>claimed', 'claimed>running'], 'One event.');

-- TEST: the repeat.
update ops.runs set started_at = now() - interval '1 minute' where id = tests.q_id('r');
create temporary table s2 on commit drop as select * from ops.start_workflow_run(tests.q_id('r'), 'worker-1');
select results_eq('select * from s2', $$select * from ops.runs where id = tests.q_id('r')$$, 'A repeat returns the run.');
select is((select started_at from s2), now() - interval '1 minute', 'A repeat does not restart the run.');
select is(tests.q_events(tests.q_id('r')), array['>queued', 'queued>claimed', 'claimed>running'], 'A repeat records no event.');

select * from finish();
rollback;
