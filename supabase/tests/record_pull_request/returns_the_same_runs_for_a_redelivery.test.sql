-- ops.record_pull_request is idempotent per (project, delivery id): a
-- redelivery returns the runs of the first delivery, in the same order, and
-- changes nothing, even with other values. A concurrent redelivery is
-- tests/concurrency/test_pull_request_redelivery_race.py.
begin;
select plan(4);

-- SETUP
select tests.q_project('acme');
update ops.projects set repository_url = 'https://github.com/acme/addons.git' where slug = 'acme';
insert into ops.workflows (project_id, name, steps, triggers)
select id, w.name, '[{"name": "b", "command": "true"}]'::jsonb, w.triggers::jsonb
from ops.projects
cross join (values ('test', null), ('scan', '{"pull_request": {"actions": ["opened"]}}')) as w (name, triggers);
select tests.q_remember('acme', (select id from ops.projects where slug = 'acme'));
select tests.authenticate_as_service_role();
create temporary table first on commit drop as
select * from ops.record_pull_request(
  tests.q_id('acme'), 'github', 3, 'opened', tests.q_sha(1), 'https://github.com/acme/addons', 'main', 'alice', 'd-1'
);
create temporary table counts on commit drop as
select (select count(*) from ops.runs) as runs, (select count(*) from ops.run_events) as events,
  (select count(*) from ops.webhook_deliveries) as deliveries, (select count(*) from ops.commit_status_outbox) as statuses,
  (select updated_at from ops.branches where name = 'refs/pull/3/head') as branch_updated_at;

-- TEST: the redelivery.
select is((select count(*)::integer from first), 2, 'The first delivery queues scan and test.');
select results_eq(
  $$select id from ops.record_pull_request(
      tests.q_id('acme'), 'github', 3, 'opened', tests.q_sha(1), 'https://github.com/acme/addons', 'main', 'alice',
      'd-1')$$,
  $$select id from first$$,
  'A redelivery returns the same runs, in the same order.'
);
select results_eq(
  $$select id from ops.record_pull_request(
      tests.q_id('acme'), 'github', 4, 'closed', tests.q_sha(9), null, 'main', 'mallory', 'd-1')$$,
  $$select id from first$$,
  'Whatever else it says: it cancels nothing.'
);
select results_eq(
  $$select (select count(*) from ops.runs), (select count(*) from ops.run_events),
    (select count(*) from ops.webhook_deliveries), (select count(*) from ops.commit_status_outbox),
    (select updated_at from ops.branches where name = 'refs/pull/3/head')$$,
  $$select runs, events, deliveries, statuses, branch_updated_at from counts$$,
  'It creates no run, event, delivery or status and does not touch the request''s row.'
);
select tests.clear_authentication();

select * from finish();
rollback;
