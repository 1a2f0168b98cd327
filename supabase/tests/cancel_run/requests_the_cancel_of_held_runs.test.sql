-- ops.cancel_run: a claimed or running run gets a cancel request; the worker sees it and completes as canceled.
begin;
select plan(7);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');
select ops.start_workflow_run(tests.q_id('r'), 'worker-1');

create temporary table c on commit drop as select * from ops.cancel_run(tests.q_id('r'), 'stop');
select results_eq(
  $$select status::text, cancel_requested_at, cancel_reason, worker_id, finished_at from c$$,
  $$values ('running', now(), 'stop', 'worker-1', null::timestamptz)$$,
  'A running run keeps running, with a cancel requested.'
);
select is(tests.q_events(tests.q_id('r')), array['>queued', 'queued>claimed', 'claimed>running'], 'A request records no event.');

-- TEST: a repeat keeps the first request.
update ops.runs set cancel_requested_at = now() - interval '1 minute' where id = tests.q_id('r');
select results_eq(
  format('select cancel_requested_at, cancel_reason from ops.cancel_run(%L, %L)', tests.q_id('r'), 'other'),
  $$values (now() - interval '1 minute', 'stop')$$,
  'A second request changes nothing.'
);

-- TEST: the worker's side.
select is((select cancel_requested from ops.heartbeat_run(tests.q_id('r'), 'worker-1')), true, 'The heartbeat reports it.');
select is((ops.complete_workflow_run(tests.q_id('r'), 0, null, 'worker-1')).status::text, 'canceled', 'The run ends canceled.');

-- TEST: a claimed run.
select tests.q_remember('c', (ops.enqueue_run('acme', 'build', 'main', 'abcdef2')).id);
select ops.claim_next_run('worker-2');
select is((ops.cancel_run(tests.q_id('c'))).status::text, 'claimed', 'A claimed run stays claimed with a cancel requested.');
select is(
  (select cancel_requested_at from ops.runs where id = tests.q_id('c')), now(), 'Its cancel request is recorded.'
);

select * from finish();
rollback;
