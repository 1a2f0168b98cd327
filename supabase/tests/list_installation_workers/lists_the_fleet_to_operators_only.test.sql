-- ops.list_installation_workers: the fleet for an operator calling as themselves, live workers first;
-- 42501 for a user who is no operator, even a project owner, and for anon.
begin;
select plan(6);

select tests.q_project('acme');
select tests.q_remember('run', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select tests.authenticate_as_service_role();
select ops.register_worker('b-live', '{docker}', '0.1.0', 'host-b');
select ops.register_worker('a-gone', '{arm64}', '0.2.0', 'host-a');
select ops.claim_next_run('b-live', null, '{docker}');
select tests.clear_authentication();
update ops.workers set last_seen_at = now() - interval '61 seconds' where id = 'a-gone';
select tests.create_supabase_user('op');
insert into ops.installation_operators (user_id) values (tests.get_supabase_uid('op'));
select tests.ops_member((select id from ops.projects where slug = 'acme'), 'owner', 'owner');

-- TEST
select tests.authenticate_as('op');
select results_eq(
  $$select worker_id, labels, version, host, gone, held_runs from ops.list_installation_workers()$$,
  $$values ('b-live', '{docker}'::text[], '0.1.0', 'host-b', false, 1),
           ('a-gone', '{arm64}'::text[], '0.2.0', 'host-a', true, 0)$$,
  'An operator sees every worker, live ones first, with labels, version, host, gone and the runs each holds.'
);
select is(
  (select last_seen_at from ops.list_installation_workers() where worker_id = 'a-gone'),
  now() - interval '61 seconds',
  'It shows when a gone worker was last seen.'
);
select throws_ok($$select * from ops.workers$$, '42501', null, 'The operator still cannot read the registry itself.');
select tests.clear_authentication();

select tests.authenticate_as('owner');
select throws_ok(
  $$select * from ops.list_installation_workers()$$, '42501', 'only installation operators may list the workers',
  'A project owner who is no operator is refused.'
);
select tests.clear_authentication();

select tests.authenticate_as_anon();
select throws_ok($$select * from ops.list_installation_workers()$$, '42501', null, 'anon is refused.');
select tests.clear_authentication();

select is(
  (select prosecdef from pg_proc where oid = 'ops.list_installation_workers()'::regprocedure), true,
  'It is security definer (it reads the registry for the operator).'
);

select * from finish();
rollback;
