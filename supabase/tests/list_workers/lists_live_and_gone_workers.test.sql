-- ops.list_workers: the fleet for operators (service_role): live workers first, gone ones (not seen for 60
-- seconds) after, with the runs each holds.
begin;
select plan(5);

select tests.q_project('acme');
select tests.q_remember('run', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select tests.authenticate_as_service_role();
select ops.register_worker('b-live', '{docker}', '0.1.0', 'host-b');
select ops.register_worker('a-gone', '{arm64}', '0.1.0', 'host-a');
select ops.register_worker('c-edge', null, '0.1.0', 'host-c');
select ops.claim_next_run('b-live', null, '{docker}');
select tests.clear_authentication();
update ops.workers set last_seen_at = now() - interval '61 seconds' where id = 'a-gone';
update ops.workers set last_seen_at = now() - interval '60 seconds' where id = 'c-edge';

-- TEST
select tests.authenticate_as_service_role();
select results_eq(
  $$select worker_id, labels, version, host, status, held_runs from ops.list_workers()$$,
  $$values ('b-live', '{docker}'::text[], '0.1.0', 'host-b', 'live', 1),
           ('c-edge', '{}'::text[], '0.1.0', 'host-c', 'live', 0),
           ('a-gone', '{arm64}'::text[], '0.1.0', 'host-a', 'gone', 0)$$,
  'Live workers first, then gone ones; with labels, version, host and the runs each holds.'
);
select is(
  (select last_seen_at from ops.list_workers() where worker_id = 'a-gone'), now() - interval '61 seconds',
  'It shows when a gone worker was last seen.'
);
select is(
  (select provolatile::text from pg_proc where oid = 'ops.list_workers()'::regprocedure), 's', 'It is stable.'
);
select tests.clear_authentication();
select tests.ops_member((select id from ops.projects where slug = 'acme'), 'owner', 'owner');
select tests.authenticate_as('owner');
select throws_ok($$select * from ops.list_workers()$$, '42501', null, 'A project owner may not list the fleet.');
select throws_ok($$select * from ops.workers$$, '42501', null, 'Nor read the registry.');

select * from finish();
rollback;
