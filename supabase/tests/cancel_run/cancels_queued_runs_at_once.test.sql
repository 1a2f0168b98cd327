-- ops.cancel_run: a queued run ends canceled at once; an ended run is returned unchanged.
begin;
select plan(6);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);

create temporary table c on commit drop as select * from ops.cancel_run(tests.q_id('r'), 'pushed again');
select results_eq(
  $$select status::text, finished_at, cancel_requested_at, cancel_reason, attempt from c$$,
  $$values ('canceled', now(), now(), 'pushed again', 0)$$,
  'A queued run is canceled at once, with its reason.'
);
select is(tests.q_events(tests.q_id('r')), array['>queued', 'queued>canceled'], 'One event.');
select is(
  (select reason from ops.run_events where run_id = tests.q_id('r') order by id desc limit 1), 'pushed again',
  'The event carries the reason.'
);
select is_empty($$select * from ops.claim_next_run('worker-1')$$, 'A canceled run is never claimed.');

-- TEST: repeats and ended runs.
select results_eq(
  format('select * from ops.cancel_run(%L, %L)', tests.q_id('r'), 'again'), 'select * from c',
  'Canceling an ended run returns it unchanged.'
);
select is(tests.q_events(tests.q_id('r')), array['>queued', 'queued>canceled'], 'No second event.');

select * from finish();
rollback;
