-- ops.record_push: upserts the branch, then queues every enabled workflow
-- whose push trigger names the branch's stage and matches its name, for the
-- head commit, with the branch's stage; a newer push supersedes the older
-- queued builds of the branch; a force push is just a new head.
begin;
select plan(14);

-- SETUP: build (development, staging; supersedes queued), test (development,
-- feature/* only; supersedes none),
-- deploy (production), upgrade-scan (by hand), a disabled lint (development).
select tests.q_project('acme');
update ops.workflows set supersede = 'queued' where name = 'build';
insert into ops.workflows (project_id, name, steps, triggers, enabled)
select p.id, w.name, '[{"name": "b", "command": "true"}]'::jsonb, w.triggers::jsonb, w.enabled
from ops.projects as p
cross join (values
  ('test', '{"push": {"stages": ["development"], "branches": ["feature/*"]}}', true),
  ('deploy', null, true),
  ('upgrade-scan', null, true),
  ('lint', '{"push": {"stages": ["development"]}}', false)
) as w (name, triggers, enabled);
update ops.workflows set supersede = 'none' where name = 'test';
select tests.q_remember('acme', (select id from ops.projects where slug = 'acme'));
select tests.authenticate_as_service_role();

-- TEST: a new development branch matching feature/*.
create temporary table p1 on commit drop as
select * from ops.record_push(tests.q_id('acme'), 'feature/x', tests.q_sha(1), 'alice', 'd-1');
select results_eq(
  $$select w.name, p.branch, p.commit_sha, p.stage::text, p.status::text
    from p1 as p inner join ops.workflows as w on w.id = p.workflow_id$$,
  format($$values ('build', 'feature/x', %L, 'development', 'queued'), ('test', 'feature/x', %1$L, 'development', 'queued')$$,
    tests.q_sha(1)),
  'A push to a new branch queues build and test (matching feature/*), by workflow name; not deploy, the by-hand '
  'upgrade-scan or the disabled lint.'
);
select results_eq(
  $$select name, stage::text, head_commit, pushed_by, last_push_at = now(), deleted_at from ops.branches
    where name = 'feature/x'$$,
  format($$values ('feature/x', 'development', %L, 'alice', true, null::timestamptz)$$, tests.q_sha(1)),
  'The new branch is development, with the pushed head, who pushed and when.'
);
select is(
  (select count(distinct branch_id)::integer from p1 where branch_id = (select id from ops.branches where name = 'feature/x')),
  1, 'The runs belong to the branch.'
);
select is(
  (select count(*)::integer from ops.run_events as e inner join p1 on p1.id = e.run_id where e.to_status = 'queued'), 2,
  'Each run was queued once, with its event.'
);

-- TEST: another branch that test does not match.
select results_eq(
  $$select w.name from ops.record_push(tests.q_id('acme'), 'fix', tests.q_sha(2), 'bob', 'd-2') as r
    inner join ops.workflows as w on w.id = r.workflow_id$$,
  $$values ('build')$$,
  'A branch outside test''s patterns gets build only.'
);

-- TEST: a second push (a force push alike) supersedes the queued build of the first.
create temporary table p3 on commit drop as
select * from ops.record_push(tests.q_id('acme'), 'feature/x', tests.q_sha(3), 'carol', 'd-3');
select is(
  (select status::text || ' ' || cancel_reason from ops.runs where id = (
    select p1.id from p1 inner join ops.workflows as w on w.id = p1.workflow_id where w.name = 'build')),
  'canceled superseded by ' || (select p3.id from p3 inner join ops.workflows as w on w.id = p3.workflow_id
    where w.name = 'build')::text,
  'The older queued build of the branch is superseded by the new one.'
);
select is(
  (select status::text from ops.runs where id = (
    select p1.id from p1 inner join ops.workflows as w on w.id = p1.workflow_id where w.name = 'test')),
  'queued', 'test supersedes nothing (its workflow says none).'
);
select results_eq(
  $$select head_commit, pushed_by from ops.branches where name = 'feature/x'$$,
  format($$values (%L, 'carol')$$, tests.q_sha(3)),
  'The branch has the new head and pusher, whatever the old head was.'
);

-- TEST: stages decide: staging and production branches.
select tests.clear_authentication();
select ops.set_branch_stage('acme', 'fix', 'staging');
select tests.authenticate_as_service_role();
select results_eq(
  $$select w.name, r.stage::text from ops.record_push(tests.q_id('acme'), 'fix', tests.q_sha(4), null, 'd-4') as r
    inner join ops.workflows as w on w.id = r.workflow_id$$,
  $$values ('build', 'staging')$$,
  'A staging branch builds, its run in the staging stage.'
);
select results_eq(
  $$select w.name, r.stage::text from ops.record_push(tests.q_id('acme'), 'main', tests.q_sha(5), 'dave', 'd-5') as r
    inner join ops.workflows as w on w.id = r.workflow_id$$,
  $$values ('deploy', 'production')$$,
  'The production branch deploys.'
);

-- TEST: a push of a branch no workflow takes still records it.
update ops.workflows set enabled = false where name = 'build';
select is(
  (select count(*)::integer from ops.record_push(tests.q_id('acme'), 'quiet', tests.q_sha(6), 'erin', 'd-6')), 0,
  'No workflow, no run.'
);
select is(
  (select head_commit from ops.branches where name = 'quiet'), tests.q_sha(6), 'The branch is recorded all the same.'
);

-- TEST: a deleted branch pushed again exists again.
update ops.branches set deleted_at = now() where name = 'quiet';
select ops.record_push(tests.q_id('acme'), 'quiet', tests.q_sha(7), 'erin', 'd-7');
select is((select deleted_at from ops.branches where name = 'quiet'), null, 'A new push clears deleted_at.');
select is(
  (select array_agg(event || ':' || coalesce(head_commit, '-') order by delivery_id) from ops.webhook_deliveries
    where delivery_id in ('d-6', 'd-7')),
  array['push:' || tests.q_sha(6), 'push:' || tests.q_sha(7)],
  'Each delivery is recorded with its head commit.'
);
select tests.clear_authentication();

select * from finish();
rollback;
