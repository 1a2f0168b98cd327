-- ops.record_pull_request: opened, updated and reopened queue the workflows
-- whose pull_request trigger names the action, for the request's own ref
-- (never a branch of the base repository by the head's name); a newer head
-- supersedes the request's older queued runs; closed cancels them; its runs
-- report commit statuses like push runs.
begin;
select plan(14);

-- SETUP: build (push only), test (Odoo.sh's default: pull requests opened
-- and updated; supersedes queued), lint (pull requests into main only).
select tests.q_project('acme');
update ops.projects set repository_url = 'https://github.com/acme/addons.git' where slug = 'acme';
insert into ops.workflows (project_id, name, steps, triggers, supersede)
select p.id, w.name, '[{"name": "b", "command": "true"}]'::jsonb, w.triggers::jsonb, 'queued'
from ops.projects as p
cross join (values
  ('test', null),
  ('lint', '{"pull_request": {"actions": ["opened"], "branches": ["main"]}}')
) as w (name, triggers);
select tests.q_remember('acme', (select id from ops.projects where slug = 'acme'));
select tests.authenticate_as_service_role();
select ops.record_push(tests.q_id('acme'), 'main', tests.q_sha(1), 'alice', 'push-1');

-- TEST: opened, from the same repository, into main, head branch named main too.
create temporary table o1 on commit drop as
select * from ops.record_pull_request(
  tests.q_id('acme'), 'github', 7, 'opened', tests.q_sha(2), 'https://github.com/acme/addons', 'main', 'bob', 'pr-1'
);
select results_eq(
  $$select w.name, o.branch, o.commit_sha, o.stage::text, o.status::text, o.pull_request_number, o.source_ref,
      o.untrusted
    from o1 as o inner join ops.workflows as w on w.id = o.workflow_id order by w.name$$,
  format($$values ('lint', 'refs/pull/7/head', %L, 'development', 'queued', 7, 'refs/pull/7/head', false),
    ('test', 'refs/pull/7/head', %1$L, 'development', 'queued', 7, 'refs/pull/7/head', false)$$, tests.q_sha(2)),
  'An opened request queues lint and test for its ref, in development, trusted; not build (push only).'
);
select results_eq(
  $$select head_commit, pushed_by, stage::text from ops.branches where name = 'main'$$,
  format($$values (%L, 'alice', 'production')$$, tests.q_sha(1)),
  'The production branch main is untouched by the request.'
);
select results_eq(
  $$select stage::text, head_commit, pushed_by, deleted_at from ops.branches where name = 'refs/pull/7/head'$$,
  format($$values ('development', %L, 'bob', null::timestamptz)$$, tests.q_sha(2)),
  'The request has its own development row, named by its ref.'
);
select results_eq(
  $$select o.push_delivery_id, c.state, c.context from o1 as o
    inner join ops.commit_status_outbox as c on c.run_id = o.id order by c.context$$,
  $$values ('pr-1', 'pending', 'odooops/lint'), ('pr-1', 'pending', 'odooops/test')$$,
  'Its runs report a pending commit status each, like push runs.'
);

-- TEST: a new head supersedes the older queued runs of the request only.
create temporary table u1 on commit drop as
select * from ops.record_pull_request(
  tests.q_id('acme'), 'github', 7, 'updated', tests.q_sha(3), 'https://github.com/acme/addons', 'main', 'bob', 'pr-2'
);
select results_eq(
  $$select w.name from u1 as u inner join ops.workflows as w on w.id = u.workflow_id$$,
  $$values ('test')$$,
  'updated queues test (lint asks for opened only).'
);
select is(
  (select status::text || ' ' || cancel_reason from ops.runs where id = (
    select o.id from o1 as o inner join ops.workflows as w on w.id = o.workflow_id where w.name = 'test')),
  'canceled superseded by ' || (select id from u1)::text,
  'The request''s older queued test is superseded.'
);
select is(
  (select count(*)::integer from ops.runs where branch = 'main' and status = 'queued'), 0,
  'No run of main is queued: the push to main queued nothing (deploy is not a workflow here) and the request none.'
);
create temporary table other on commit drop as
select * from ops.record_pull_request(
  tests.q_id('acme'), 'github', 8, 'opened', tests.q_sha(4), 'https://github.com/acme/addons', 'main', 'carol', 'pr-3'
);
select is(
  (select status::text from ops.runs where id = (select id from u1)), 'queued',
  'Another request supersedes nothing of request 7.'
);

-- TEST: closed cancels the request's queued runs and marks its row deleted.
select results_eq(
  $$select id, status::text, cancel_reason from ops.record_pull_request(
      tests.q_id('acme'), 'github', 7, 'closed', tests.q_sha(3), 'https://github.com/acme/addons', 'main', 'bob',
      'pr-4')$$,
  $$select r.id, 'canceled', 'pull request #7 closed' from ops.runs as r
    where r.id in (select u.id from u1 as u union select o.id from o1 as o where o.status = 'queued'
      and o.id not in (select r2.id from ops.runs as r2 where r2.cancel_reason like 'superseded%'))
    order by r.created_at, r.id$$,
  'closed cancels the request''s queued runs (the first lint, the second test) and returns them, oldest first.'
);
select isnt((select deleted_at from ops.branches where name = 'refs/pull/7/head'), null, 'The request''s row is deleted.');
select is(
  (select count(*)::integer from ops.runs where branch = 'refs/pull/8/head' and status = 'queued'), 2,
  'Request 8 keeps its runs.'
);

-- TEST: reopened counts as opened and brings the row back; GitLab's ref.
select is(
  (select count(*)::integer from ops.record_pull_request(
    tests.q_id('acme'), 'github', 7, 'reopened', tests.q_sha(3), 'https://github.com/acme/addons', 'main', 'bob',
    'pr-5')),
  2, 'reopened queues lint and test again.'
);
select is((select deleted_at from ops.branches where name = 'refs/pull/7/head'), null, 'The row exists again.');
select results_eq(
  $$select distinct branch, source_ref from ops.record_pull_request(
      tests.q_id('acme'), 'gitlab', 3, 'opened', tests.q_sha(6), 'git@github.com:acme/addons.git', 'main', 'dan',
      'mr-1')$$,
  $$values ('refs/merge-requests/3/head', 'refs/merge-requests/3/head')$$,
  'A GitLab merge request builds refs/merge-requests/<iid>/head (any URL form of the same repository is trusted).'
);
select tests.clear_authentication();

select * from finish();
rollback;
