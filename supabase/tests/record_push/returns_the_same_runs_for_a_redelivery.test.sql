-- ops.record_push is idempotent per (project, delivery id): a redelivery
-- returns the runs of the first delivery, in the same order, and changes
-- nothing (no run, no event, no branch update), even with other values.
begin;
select plan(7);

-- SETUP
select tests.q_project('acme');
select tests.q_project('beta');
insert into ops.workflows (project_id, name, steps)
select id, 'test', '[{"name": "b", "command": "true"}]'::jsonb from ops.projects where slug = 'acme';
select tests.q_remember('acme', (select id from ops.projects where slug = 'acme'));
select tests.q_remember('beta', (select id from ops.projects where slug = 'beta'));
select tests.authenticate_as_service_role();
create temporary table first on commit drop as
select * from ops.record_push(tests.q_id('acme'), 'feature/x', tests.q_sha(1), 'alice', 'delivery-1');
create temporary table counts on commit drop as
select (select count(*) from ops.runs) as runs, (select count(*) from ops.run_events) as events,
  (select count(*) from ops.webhook_deliveries) as deliveries,
  (select updated_at from ops.branches where name = 'feature/x') as branch_updated_at;

-- TEST: the redelivery.
select is((select count(*)::integer from first), 2, 'The first delivery queues build and test.');
select results_eq(
  $$select id from ops.record_push(tests.q_id('acme'), 'feature/x', tests.q_sha(1), 'alice', 'delivery-1')$$,
  $$select id from first$$,
  'A redelivery returns the same runs, in the same order.'
);
select results_eq(
  $$select id from ops.record_push(tests.q_id('acme'), 'feature/y', tests.q_sha(9), 'mallory', 'delivery-1')$$,
  $$select id from first$$,
  'Whatever else it says.'
);
select results_eq(
  $$select (select count(*) from ops.runs), (select count(*) from ops.run_events),
    (select count(*) from ops.webhook_deliveries), (select updated_at from ops.branches where name = 'feature/x')$$,
  $$select runs, events, deliveries, branch_updated_at from counts$$,
  'It creates no run, event or delivery and does not touch the branch.'
);
select is(
  (select count(*)::integer from ops.branches where name = 'feature/y'), 0, 'Nor a branch it names.'
);

-- TEST: delivery ids are per project.
select is(
  (select count(*)::integer from ops.record_push(tests.q_id('beta'), 'feature/x', tests.q_sha(1), 'alice', 'delivery-1')),
  1, 'The same delivery id in another project is another delivery.'
);
select is(
  (select run_ids from ops.webhook_deliveries where project_id = tests.q_id('acme')),
  (select array_agg(id) from first),
  'The delivery keeps the ids of its runs.'
);
select tests.clear_authentication();

select * from finish();
rollback;
