-- The queue view without JIT compilation, and ranked on the queued runs' own columns.
--
-- On a history of 1,000,000 runs PostgreSQL estimated ops.list_queued_runs()
-- at about 1.1 million cost units: its filter on the caller's projects is a
-- set the planner cannot see into (about 180,000 queued runs estimated for
-- 100 queued). Far above jit_above_cost (100,000), so every call compiled
-- the query with LLVM, inlining and optimizing it: 1.57 s of a 1.6 s call
-- that runs in 6.5 ms without it; the console's queue page took 1.7 s
-- (p50). The function sets jit = off. Nothing else was compiled in a sweep
-- of the console's queries and of the worker's, the claim's and an admin's
-- RPCs on the same data (pg_stat_statements' jit_functions).
--
-- The ranking reads each queued run once, with the columns the view shows,
-- instead of sorting whole rows of ops.runs, and takes each project's turn
-- from ops.project_queues once per project instead of once per run: a
-- queue of 99,100 runs over 1,000 projects is listed in 0.77 s instead of
-- 1.77 s (without JIT either way; 2.66 s with it). Same rows, same order,
-- same reasons (pgTAP list_queued_runs/).
--
-- Measured: PERFORMANCE.md, "The queue view at scale".
--
-- Objects: function ops.list_queued_runs() (replaced, same signature and grants).
-- Locks: none beyond the function's catalog row.

-- Changed from 20261202002200: jit = off; the queued runs are ranked on their own columns.
create or replace function ops.list_queued_runs()
returns table (
  "position" bigint, -- noqa: RF06
  run_id uuid,
  project_slug text,
  workflow_name text,
  branch text,
  commit_sha text,
  priority integer,
  attempt integer,
  max_attempts integer,
  run_after timestamptz,
  age interval,
  wait_reason text
)
language sql
stable
set search_path = ''
set jit = off
as $$
  -- Row-level security already limits authenticated callers to member
  -- projects; the queue view narrows that to projects they administer.
  with live as materialized (
    select l.labels from ops_private.live_worker_labels() as l (labels)
  ),
  queued as materialized (
    select
      r.id, r.project_id, r.workflow_id, r.branch, r.commit_sha, r.priority, r.attempt, r.max_attempts,
      r.run_after, r.created_at, r.required_labels,
      row_number() over (partition by r.project_id order by r.priority desc, r.created_at, r.id) as turn
    from ops.runs as r
    where r.status = 'queued'
      and (
        (select coalesce(bool_or(x.rolbypassrls or x.rolsuper), false)
          from pg_catalog.pg_roles as x where x.rolname = current_user)
        or r.project_id in (select ops_private.member_project_ids('admin'))
      )
  ),
  turns as (
    select q.project_id, max(q.last_served_at) as last_served_at
    from ops.project_queues as q
    where q.project_id in (select u.project_id from queued as u)
    group by q.project_id
  ),
  ordered as (
    -- The claim's order: runs above priority 0 by priority and age, then the
    -- projects' turns (each project's k-th run in the k-th round, projects by
    -- when they were last served).
    select
      row_number() over (
        order by
          u.priority > 0 desc,
          case when u.priority > 0 then u.priority end desc,
          case when u.priority > 0 then u.created_at end,
          u.turn, coalesce(t.last_served_at, '-infinity'), u.project_id
      ) as "position",
      u.*
    from queued as u
    left join turns as t on t.project_id = u.project_id
  ),
  held as (
    select h.project_id, h.workflow_id, h.branch, count(*) as n
    from ops.runs as h
    where h.status in ('claimed', 'running') and h.project_id in (select u.project_id from queued as u)
    group by grouping sets ((h.project_id), (h.project_id, h.workflow_id, h.branch))
  )
  select
    r."position",
    r.id, p.slug, w.name, r.branch, r.commit_sha, r.priority, r.attempt, r.max_attempts, r.run_after,
    now() - r.created_at,
    case
      when r.attempt > 0 and r.run_after > now()
        then format(
          'retrying after %s (attempt %s of %s)', to_char(r.run_after at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"'),
          r.attempt + 1, r.max_attempts
        )
      when s.max_running_runs is not null and coalesce(hp.n, 0) >= s.max_running_runs
        then format('project limit %s reached (%s running)', s.max_running_runs, hp.n)
      when w.concurrency_limit is not null and coalesce(hb.n, 0) >= w.concurrency_limit
        then format(
          'limit of %s for workflow %s on branch %s reached (%s running)', w.concurrency_limit, w.name, r.branch, hb.n
        )
      when cardinality(r.required_labels) > 0
        and not exists (select 1 from live where live.labels @> r.required_labels)
        then 'waiting for a worker with labels ' || array_to_string(r.required_labels, ', ')
      when not exists (select 1 from live)
        then format(
          'waiting for a worker: none seen in the last %s seconds',
          extract(epoch from ops_private.worker_gone_after())::integer
        )
    end
  from ordered as r
  inner join ops.projects as p on p.id = r.project_id
  inner join ops.workflows as w on w.id = r.workflow_id
  left join ops.project_schedules as s on s.project_id = r.project_id
  left join held as hp on hp.project_id = r.project_id and hp.workflow_id is null
  left join held as hb
    on hb.project_id = r.project_id and hb.workflow_id = r.workflow_id and hb.branch = r.branch
  order by 1
$$;

comment on function ops.list_queued_runs() is
'The queue in claim order (position 1 is claimed next, by a worker with the labels it needs): runs above '
'priority 0 first, then the projects in turn (least recently served first), each by priority then age. Project, '
'workflow, branch, priority, attempt, age of every queued run, and wait_reason: ''retrying after T (attempt N '
'of M)'' for a run waiting its backoff, ''project limit N reached (M running)'', ''limit of N for workflow W on branch B reached (M running)'', ''waiting for a worker with labels a, '
'b'' when no live worker (seen in the last 60 seconds) offers them all, ''waiting for a worker: none seen in the '
'last 60 seconds'' for a run that needs no label when no worker is live, else null. service_role sees all '
'projects; an authenticated user those where they are admin or owner. Never JIT-compiled (jit = off). '
'SQLSTATEs: 42501 for roles without EXECUTE (anon).';
