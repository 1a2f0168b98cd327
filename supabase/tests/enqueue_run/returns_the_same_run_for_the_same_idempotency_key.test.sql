-- ops.enqueue_run: idempotent on (project, p_idempotency_key).
begin;
select plan(6);

-- SETUP
select tests.q_project('acme');
select tests.q_project('other');
select tests.q_remember('first', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1', p_idempotency_key => 'push-1')).id);

-- TEST: the same key returns the same run, even with other arguments.
select is(
  (ops.enqueue_run('acme', 'build', 'main', 'abcdef1', p_idempotency_key => 'push-1')).id, tests.q_id('first'),
  'The same key returns the existing run.'
);
select is(
  (ops.enqueue_run('acme', 'build', 'main', 'abcdef2', p_idempotency_key => 'push-1')).id, tests.q_id('first'),
  'The key decides: a repeat with another commit still returns the first run.'
);
select is((select count(*)::integer from ops.runs), 1, 'Repeats store no second run.');
select is(tests.q_events(tests.q_id('first')), array['>queued'], 'Repeats record no second event.');

-- TEST: keys are per project, and the run is returned whatever its status.
select isnt(
  (ops.enqueue_run('other', 'build', 'main', 'abcdef1', p_idempotency_key => 'push-1')).id, tests.q_id('first'),
  'The same key in another project is another run.'
);
select ops.cancel_run(tests.q_id('first'));
select is(
  (ops.enqueue_run('acme', 'build', 'main', 'abcdef1', p_idempotency_key => 'push-1')).status::text, 'canceled',
  'A repeat after the run ended returns the ended run, not a new one.'
);

select * from finish();
rollback;
