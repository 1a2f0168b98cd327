-- ops.heartbeat_run: extends the holder's lease and tells it whether a cancel was requested.
begin;
select plan(8);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1', 5);

-- TEST: a heartbeat while claimed.
update ops.runs set heartbeat_at = now() - interval '4 seconds' where id = tests.q_id('r');
select results_eq(
  format('select * from ops.heartbeat_run(%L, %L)', tests.q_id('r'), 'worker-1'),
  $$values (now() + interval '60 seconds', false)$$,
  'A heartbeat sets the lease to the workflow''s lease_seconds from now; no cancel requested.'
);
select is((select heartbeat_at from ops.runs where id = tests.q_id('r')), now(), 'It stamps heartbeat_at.');
select results_eq(
  format('select * from ops.heartbeat_run(%L, %L, 120)', tests.q_id('r'), 'worker-1'),
  $$values (now() + interval '120 seconds', false)$$,
  'p_lease_seconds sets the lease length.'
);

-- TEST: while running, with a cancel requested.
select ops.start_workflow_run(tests.q_id('r'), 'worker-1');
select ops.cancel_run(tests.q_id('r'), 'not needed');
select results_eq(
  format('select * from ops.heartbeat_run(%L, %L)', tests.q_id('r'), 'worker-1'),
  $$values (now() + interval '60 seconds', true)$$,
  'The heartbeat reports the cancel request.'
);
select is((select status::text from ops.runs where id = tests.q_id('r')), 'running', 'A heartbeat never changes the status.');
select is(
  tests.q_events(tests.q_id('r')), array['>queued', 'queued>claimed', 'claimed>running'], 'Heartbeats record no event.'
);

-- TEST: it touches only unindexed columns (HOT-friendly).
select is_empty(
  $$select a.attname
    from pg_index as i
    cross join lateral unnest(i.indkey) as k (attnum)
    inner join pg_attribute as a on a.attrelid = i.indrelid and a.attnum = k.attnum
    where i.indrelid = 'ops.runs'::regclass and a.attname in ('lease_expires_at', 'heartbeat_at', 'updated_at')$$,
  'No index covers lease_expires_at, heartbeat_at or updated_at, so heartbeats can be HOT updates.'
);
select unalike(
  pg_get_functiondef('ops.heartbeat_run(uuid, text, integer)'::regprocedure),
  '%status =%',
  'heartbeat_run does not write the status.'
);

select * from finish();
rollback;
