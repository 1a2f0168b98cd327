-- A long history without replaying it through the state machine: finished
-- and queued runs written directly, with the ops.runs triggers off
-- (session_replication_role = replica, superuser only). Parameters:
-- :finished and :queued (psql-style names replaced by the harness).
set session_replication_role = replica;

-- The two branches of the runs below, as the trigger that sets
-- runs.branch_id would create them.
insert into ops.branches (project_id, name)
select distinct w.project_id, b.name
from ops.workflows as w
cross join (values ('history'), ('backlog')) as b (name)
where w.name like 'noop%'
on conflict (project_id, name) do nothing;

insert into ops.runs (
  project_id, workflow_id, branch, branch_id, commit_sha, status, attempt, max_attempts, worker_id,
  exit_code, created_at, claimed_at, started_at, finished_at, updated_at
)
select
  w.project_id, w.id, 'history',
  (select b.id from ops.branches as b where b.project_id = w.project_id and b.name = 'history'),
  lpad(to_hex(g), 40, '0'), 'succeeded', 1, 3, 'bench-history',
  0, now() - interval '30 days' + g * interval '1 second', now() - interval '30 days' + g * interval '1 second',
  now() - interval '30 days' + g * interval '1 second', now() - interval '30 days' + g * interval '1 second', now()
from ops.workflows as w
cross join generate_series(1, :finished) as g
where w.name = 'noop';

-- The backlog uses labels: a quarter each of noop (none), noop-docker,
-- noop-odoo17 and noop-arm64, whose labels no bench worker offers; those wait
-- at the head of the queue (priority 10), where a claim that read the queue in
-- order would have to pass every one of them. required_labels is copied by a
-- trigger, which is off here: it is written as that trigger would.
insert into ops.runs (
  project_id, workflow_id, branch, branch_id, commit_sha, priority, created_at, run_after, required_labels
)
select
  w.project_id, w.id, 'backlog',
  (select b.id from ops.branches as b where b.project_id = w.project_id and b.name = 'backlog'),
  lpad(to_hex(g), 40, 'b'),
  case when w.name = 'noop-arm64' then 10 else (g % 11) - 5 end,
  now() - interval '1 day' + g * interval '1 millisecond', now() - interval '1 day', w.required_labels
from generate_series(1, :queued) as g
inner join ops.workflows as w
  on w.name = (array['noop', 'noop-docker', 'noop-odoo17', 'noop-arm64'])[1 + g % 4];

set session_replication_role = origin;
