-- A claim (even one that finds nothing) and a heartbeat record the worker as seen: a claim adds a worker that
-- never registered, with the labels it offered; last_seen_at moves only when older than 5 seconds.
begin;
select plan(10);

select tests.q_project('acme');
select tests.q_remember('run', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select tests.authenticate_as_service_role();

-- TEST: a claim by an unregistered worker adds it.
select ops.claim_next_run('w-1', null, '{docker}');
select results_eq(
  $$select labels, version, host, started_at, last_seen_at from ops.workers where id = 'w-1'$$,
  $$values ('{docker}'::text[], null::text, null::text, now(), now())$$,
  'A claim adds an unregistered worker with the labels it offered, seen now.'
);
select ops.claim_next_run('w-2');
select is((select labels from ops.workers where id = 'w-2'), '{}'::text[], 'A claim that finds nothing counts.');

-- TEST: last_seen_at moves only when older than 5 seconds.
select tests.clear_authentication();
update ops.workers set last_seen_at = now() - interval '3 seconds' where id = 'w-2';
select tests.authenticate_as_service_role();
select ops.claim_next_run('w-2');
select is(
  (select now() - last_seen_at from ops.workers where id = 'w-2'), interval '3 seconds',
  'A claim within 5 seconds of the last sighting writes nothing.'
);
select tests.clear_authentication();
update ops.workers set last_seen_at = now() - interval '6 seconds' where id = 'w-2';
select tests.authenticate_as_service_role();
select ops.claim_next_run('w-2');
select is((select last_seen_at from ops.workers where id = 'w-2'), now(), 'An older sighting is renewed.');

-- TEST: a changed label set is recorded at once.
select ops.claim_next_run('w-2', null, '{gpu,arm64}');
select is(
  (select labels from ops.workers where id = 'w-2'), '{arm64,gpu}'::text[],
  'A claim with other labels records them, however recently the worker was seen.'
);

-- TEST: heartbeats.
select tests.clear_authentication();
update ops.workers set last_seen_at = now() - interval '10 seconds' where id = 'w-1';
select tests.authenticate_as_service_role();
select ops.start_workflow_run(tests.q_id('run'), 'w-1');
select ops.heartbeat_run(tests.q_id('run'), 'w-1');
select is((select last_seen_at from ops.workers where id = 'w-1'), now(), 'A heartbeat renews last_seen_at.');
select is(
  (select labels from ops.workers where id = 'w-1'), '{docker}'::text[], 'A heartbeat leaves the labels alone.'
);
select tests.clear_authentication();
delete from ops.workers where id = 'w-1';
select tests.authenticate_as_service_role();
select ops.heartbeat_run(tests.q_id('run'), 'w-1');
select is_empty(
  $$select 1 from ops.workers where id = 'w-1'$$, 'A heartbeat adds no worker: it does not know its labels.'
);

-- TEST: only through the functions.
select throws_ok(
  $$update ops.workers set last_seen_at = now() where id = 'w-2'$$, '42501', null,
  'service_role cannot update the registry directly.'
);
select throws_ok(
  $$insert into ops.workers (id) values ('w-9')$$, '42501', null,
  'service_role cannot insert into the registry directly.'
);

select * from finish();
rollback;
