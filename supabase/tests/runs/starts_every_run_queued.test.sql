-- A run is born queued, at attempt 0, with no worker and no outcome, and only
-- for an enabled workflow: the insert trigger refuses anything else (22023).
begin;
select plan(5);

-- SETUP
select tests.ops_project('born-queued') as project_id \gset
select tests.ops_workflow(:'project_id') as workflow_id \gset
select tests.ops_workflow(:'project_id', 'deploy') as disabled_id \gset
update ops.workflows set enabled = false where id = :'disabled_id';

-- TEST: a run cannot start anywhere but queued.
select throws_like(
  format(
    $q$insert into ops.runs (project_id, workflow_id, branch, commit_sha, status, worker_id, lease_expires_at)
       values (%L, %L, 'main', 'abc1234', 'running', 'worker-1', now())$q$,
    :'project_id', :'workflow_id'
  ),
  'runs.status must start as queued%',
  'A run cannot be inserted as running.'
);
select throws_ok(
  format(
    $q$insert into ops.runs (project_id, workflow_id, branch, commit_sha, attempt)
       values (%L, %L, 'main', 'abc1234', 1)$q$,
    :'project_id', :'workflow_id'
  ),
  '22023',
  'runs.status must start as queued with attempt 0 and no worker, got queued (attempt 1, worker null)',
  'A run cannot be inserted at attempt 1 (22023).'
);
select throws_ok(
  format(
    $q$insert into ops.runs (project_id, workflow_id, branch, commit_sha)
       values (%L, %L, 'main', 'abc1234')$q$,
    :'project_id', :'disabled_id'
  ),
  '22023',
  format('runs.workflow_id %s: workflow deploy is disabled', :'disabled_id'),
  'A run of a disabled workflow is refused, naming the workflow (22023).'
);
select throws_ok(
  format(
    $q$insert into ops.runs (project_id, workflow_id, branch, commit_sha)
       values (tests.ops_project('other-project'), %L, 'main', 'abc1234')$q$,
    :'workflow_id'
  ),
  '23503',
  null,
  'A run cannot use the workflow of another project.'
);

-- TEST: what the worker fills in later is cleared on insert.
insert into ops.runs (
  project_id, workflow_id, branch, commit_sha, created_at, claimed_at, started_at, exit_code, heartbeat_at
)
values (
  :'project_id', :'workflow_id', 'main', 'abc1234', '2000-01-01', now(), now(), 0, now()
)
returning id as run_id \gset
select results_eq(
  format(
    $q$select status::text, attempt, created_at = now(), claimed_at, started_at, finished_at, exit_code, heartbeat_at
       from ops.runs where id = %L$q$,
    :'run_id'
  ),
  $$values ('queued'::text, 0, true, null::timestamptz, null::timestamptz, null::timestamptz, null::integer,
    null::timestamptz)$$,
  'A new run is queued at attempt 0, created now, with no claim, start, finish, exit code or heartbeat.'
);

select * from finish();
rollback;
