-- A long history without replaying it through the state machine: finished
-- and queued runs written directly, with the ops.runs triggers off
-- (session_replication_role = replica, superuser only). Parameters:
-- :finished, :queued and :projects (psql-style names replaced by the harness).
--
-- The backlog is spread over :projects projects (bench and the others, each
-- with the bench's four workflows; 1,000 for 100,000 queued runs, 100 runs
-- each), created first with the triggers on, so that each has its
-- ops.project_schedules row and its ops.project_queues rows.
insert into ops.projects (slug, name, odoo_series, repository_url)
select 'bench-' || g, 'Benchmark ' || g, '17.0', 'https://git.test.invalid/bench-' || g || '.git'
from generate_series(2, :projects) as g
on conflict (slug) do nothing;

insert into ops.workflows (project_id, name, steps, max_attempts, lease_seconds, required_labels, supersede)
select p.id, w.name, w.steps, w.max_attempts, w.lease_seconds, w.required_labels, w.supersede
from ops.projects as p
cross join ops.workflows as w
where p.slug like 'bench-%' and w.project_id = (select b.id from ops.projects as b where b.slug = 'bench')
on conflict (project_id, name) do nothing;

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
where w.name = 'noop' and w.project_id = (select p.id from ops.projects as p where p.slug = 'bench');

-- The backlog uses labels: a quarter each of noop (none), noop-docker,
-- noop-odoo17 and noop-arm64, whose labels no bench worker offers; those wait
-- at the head of the queue (priority 10), where a claim that read the queue in
-- order would have to pass every one of them. required_labels is copied by a
-- trigger, which is off here: it is written as that trigger would.
-- Run g belongs to project g % :projects of the bench's projects (in slug order).
with projects as (
  select array_agg(p.id order by p.slug) as ids from ops.projects as p where p.slug like 'bench%'
)
insert into ops.runs (
  project_id, workflow_id, branch, branch_id, commit_sha, priority, created_at, run_after, required_labels
)
select
  w.project_id, w.id, 'backlog',
  (select b.id from ops.branches as b where b.project_id = w.project_id and b.name = 'backlog'),
  lpad(to_hex(g.g), 40, 'b'),
  case when w.name = 'noop-arm64' then 10 else (g.g % 11) - 10 end,
  now() - interval '1 day' + g.g * interval '1 millisecond', now() - interval '1 day', w.required_labels
from projects as p
cross join generate_series(1, :queued) as g (g)
inner join ops.workflows as w
  on w.project_id = p.ids[1 + g.g % cardinality(p.ids)]
  and w.name = (array['noop', 'noop-docker', 'noop-odoo17', 'noop-arm64'])[1 + g.g % 4];

set session_replication_role = origin;

-- What trigger runs_070_mark_project_queued would have done.
update ops.project_queues as q set has_queued = true
where (q.project_id, q.required_labels) in (
  select r.project_id, r.required_labels from ops.runs as r
  where r.status = 'queued'
);
