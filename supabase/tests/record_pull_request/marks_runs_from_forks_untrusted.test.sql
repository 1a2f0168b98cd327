-- A fork's request runs a stranger's code: it queues only the workflows whose
-- pull_request trigger says "forks": true, its runs are untrusted and
-- ops.get_run_secrets gives them nothing; only ops.record_pull_request sets
-- the flag (not enqueue_run, not a direct insert or update, whoever writes),
-- and a request's ref is never a branch anyone else may build or stage.
begin;
select plan(14);

-- SETUP: test (Odoo.sh's default: requests from the same repository only),
-- scan (requests from forks too).
select tests.q_project('acme');
update ops.projects set repository_url = 'https://github.com/acme/addons.git' where slug = 'acme';
insert into ops.workflows (project_id, name, steps, triggers)
select p.id, w.name, '[{"name": "b", "command": "true"}]'::jsonb, w.triggers::jsonb
from ops.projects as p
cross join (values
  ('test', null),
  ('scan', '{"pull_request": {"actions": ["opened", "updated"], "forks": true}}')
) as w (name, triggers);
select tests.q_remember('acme', (select id from ops.projects where slug = 'acme'));
select ops.set_project_secret('acme', 'API_TOKEN', 'the-token');
select tests.authenticate_as_service_role();

-- TEST: a fork's request.
create temporary table fork on commit drop as
select * from ops.record_pull_request(
  tests.q_id('acme'), 'github', 5, 'opened', tests.q_sha(1), 'https://github.com/mallory/addons.git', 'main',
  'mallory', 'pr-1'
);
select results_eq(
  $$select w.name, f.untrusted, f.branch from fork as f inner join ops.workflows as w on w.id = f.workflow_id$$,
  $$values ('scan', true, 'refs/pull/5/head')$$,
  'A fork''s request queues only scan (forks: true), untrusted; test (the default) is not queued for it.'
);
select results_eq(
  $$select w.name, r.untrusted from ops.record_pull_request(
      tests.q_id('acme'), 'github', 6, 'opened', tests.q_sha(2), 'https://github.com/acme/addons.git', 'main',
      'alice', 'pr-2') as r inner join ops.workflows as w on w.id = r.workflow_id order by w.name$$,
  $$values ('scan', false), ('test', false)$$,
  'A request from the project''s own repository queues both, trusted.'
);
select is(
  (select bool_and(untrusted) from ops.record_pull_request(
    tests.q_id('acme'), 'github', 9, 'opened', tests.q_sha(3), null, 'main', null, 'pr-3')),
  true, 'A request whose head repository is gone (a deleted fork) is untrusted.'
);

-- TEST: no secrets for an untrusted run, the same names as a trusted one.
select tests.clear_authentication();
update ops.runs set params = '{"secrets": ["API_TOKEN"]}'
where branch in ('refs/pull/5/head', 'refs/pull/6/head') and status = 'queued';
update ops.runs set priority = case branch when 'refs/pull/5/head' then 10 when 'refs/pull/6/head' then 5 else -5 end
where branch like 'refs/pull/%';
select ops.claim_next_run('worker-1');
select ops.claim_next_run('worker-2');
select tests.authenticate_as_service_role();
select is(
  (select count(*)::integer from ops.get_run_secrets((select id from fork), 'worker-1')), 0,
  'ops.get_run_secrets gives the untrusted run nothing, though it names API_TOKEN.'
);
select results_eq(
  $$select s.name, s.value from ops.runs as r cross join lateral ops.get_run_secrets(r.id, 'worker-2') as s
    where r.worker_id = 'worker-2'$$,
  $$values ('API_TOKEN', 'the-token')$$,
  'The trusted run of the same names gets the value.'
);

-- TEST: nobody else sets the flag.
select throws_ok(
  $$update ops.runs set untrusted = false where id = (select id from fork)$$,
  '42501', 'runs.untrusted, pull_request_number and source_ref never change once a run is queued',
  'service_role may not clear the flag.'
);
select tests.clear_authentication();
select throws_ok(
  $$update ops.runs set untrusted = false where id = (select id from fork)$$,
  '42501', null, 'Nor the database owner by a direct update.'
);
select tests.authenticate_as_service_role();
select throws_ok(
  $$insert into ops.runs (project_id, workflow_id, stage, branch, commit_sha, untrusted)
    select p.id, w.id, 'development', 'feature/x', 'abcdef1', true
    from ops.projects as p inner join ops.workflows as w on w.project_id = p.id and w.name = 'test'$$,
  '42501', 'runs.untrusted, pull_request_number and source_ref are set only by ops.record_pull_request',
  'A direct insert may not set it.'
);
select set_config('ops.run_trigger', 'pull_request', true), set_config('ops.pull_request_untrusted', 'false', true),
  set_config('ops.pull_request_number', '5', true), set_config('ops.pull_request_ref', 'refs/pull/5/head', true);
select throws_ok(
  $$select ops.enqueue_run('acme', 'test', 'refs/pull/5/head', tests.q_sha(1))$$,
  '22023', null,
  'enqueue_run with the settings record_pull_request uses still may not queue a run of a request''s ref.'
);
select is(
  (ops.enqueue_run('acme', 'test', 'feature/x', tests.q_sha(1))).pull_request_number, null,
  'Nor set a request number on a run of a branch.'
);
select set_config('ops.run_trigger', '', true);
select throws_ok(
  $$select ops.record_push(tests.q_id('acme'), 'refs/pull/5/head', tests.q_sha(4), 'mallory', 'push-x')$$,
  '22023', 'p_branch ''refs/pull/5/head'': names under refs/ are pull and merge requests''',
  'A push may not take a request''s ref as a branch name.'
);
select tests.clear_authentication();
select throws_ok(
  $$select ops.set_branch_stage('acme', 'refs/pull/5/head', 'staging')$$,
  'OP012', 'branch ''refs/pull/5/head'' is a pull or merge request: it stays in development',
  'A request''s row never leaves development.'
);

-- TEST: the fork's main is not the project's main.
select is(
  (select count(*)::integer from ops.branches where name = 'main' and head_commit = tests.q_sha(1)), 0,
  'The fork''s head did not advance main.'
);
select is(
  (select count(*)::integer from ops.runs where branch = 'main'), 0, 'Nor did anything build main.'
);

select * from finish();
rollback;
