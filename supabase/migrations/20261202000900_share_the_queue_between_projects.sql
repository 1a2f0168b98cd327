-- The scheduler: projects take turns, and concurrency limits hold.
--
-- * Fair share. ops.claim_next_run no longer takes the globally oldest run
--   of the highest priority. It serves projects in turn: among the projects
--   with queued work, the least recently served first (never served before
--   any other, then by project id), and within the project the usual order
--   (priority desc, then oldest). A project that queues 10,000 runs gets one
--   claim in turn like a project that queues one.
--   Priority across projects: a run's priority orders it within its project.
--   Across projects only priorities above 0 act, and only service_role (the
--   installation's operators) may set those (trigger
--   runs_110_bound_member_priority, ops.enqueue_run): due runs above 0 are
--   claimed first, by priority then age, whatever their project; members'
--   priorities (-1000 to 0) never reach past their own project.
-- * ops.project_schedules: one row per project (created with the project by
--   trigger projects_800_create_schedule, back-filled here) with the state the
--   claim needs instead of a scan of the queue: has_queued (the project may
--   have queued runs), last_served_at (its last claim), and the setting
--   max_running_runs (null: no limit). Index project_schedules_turn_idx
--   (last_served_at nulls first, project_id) where has_queued is the turn
--   order; the claim reads it in order and probes each project's queue
--   (runs_project_queue_idx: project_id, required_labels, priority desc,
--   created_at, id where queued) until a run is taken.
--   has_queued is set by triggers runs_070_mark_project_queued (a run
--   inserted queued) and runs_071_mark_project_queued_again (a run back to
--   queued), which never wait: a row being written by another transaction is
--   skipped, and under repeatable read or serializable nothing is written (a
--   concurrent claim's write would fail the enqueue with 40001). A claim that
--   finds no queued run of a project clears it. A flag left false by a race
--   is repaired by a claim that found nothing and by one claim in 64: every
--   unflagged project with queued runs is flagged again (one probe each).
--   A stale true costs one probe and is cleared.
-- * Concurrency limits. ops.project_schedules.max_running_runs (1 to 1000,
--   set by service_role) bounds the held runs (claimed or running) of a
--   project; ops.workflows.concurrency_limit (1 to 100, set by the project's
--   admins like the rest of the workflow) bounds the held runs of one
--   (project, workflow, branch): 1 means a production deploy never runs twice
--   at once. The claim checks both while holding the project's schedule row
--   FOR NO KEY UPDATE (SKIP LOCKED: a claimer never waits, it moves to the
--   next project; another claimer is deciding this one) until it commits, so
--   two claimers never count the same slot. Held runs are counted with
--   runs_held_project_idx (project_id, workflow_id, branch where claimed or
--   running), a few rows per project. Projects without limits take no lock:
--   their claims run side by side as before.
-- * Retries with backoff. A run whose lease expired and that goes back to
--   the queue for another attempt is not claimable before run_after = now()
--   + ops_private.retry_backoff(workflows.retry_backoff_seconds, attempt):
--   base x 2^(attempt - 1) seconds, at most 600, times a jitter from 0.5 to 1
--   (so that runs a crashed worker held do not all come back at once).
--   ops.workflows.retry_backoff_seconds: 0 to 600, default 2; 0 retries at
--   once, as before. ops.requeue_run (a worker handing a run back, its
--   attempt given back) is not a failed attempt and is not delayed.
-- * ops.list_queued_runs(): position follows the claim order (runs above
--   priority 0 first, then the projects' turns), and wait_reason also says
--   'project limit N reached (M running)', 'limit of N for workflow W on
--   branch B reached (M running)' and 'retrying after T (attempt N of M)'.
-- Objects: table ops.project_schedules (policy, grants); columns
-- ops.workflows.concurrency_limit, ops.workflows.retry_backoff_seconds; indexes runs_project_queue_idx,
-- runs_held_project_idx, runs_urgent_idx, project_schedules_turn_idx;
-- triggers projects_800_create_schedule, runs_070_mark_project_queued,
-- runs_071_mark_project_queued_again; functions
-- ops.projects_create_schedule(), ops.runs_mark_project_queued(),
-- ops_private.take_run_of_project(uuid, text[], boolean),
-- ops_private.retry_backoff(integer, integer),
-- ops.claim_next_run(text, integer, text[]), ops.list_queued_runs().
-- Locks: ACCESS EXCLUSIVE on ops.workflows while its columns and constraints
-- are added (no rewrite: a null and a constant default; one scan to check
-- the constraints of a small table); SHARE on ops.runs while
-- the three partial indexes are built (one scan each); SHARE ROW EXCLUSIVE on
-- ops.projects and ops.runs for the triggers.
-- Roll back: drop the triggers, the functions created here, the table and the
--   three indexes on ops.runs, the columns ops.workflows.concurrency_limit
--   and retry_backoff_seconds;
--   create ops.claim_next_run and ops.list_queued_runs again from
--   20261202000710.
--
-- SQLSTATEs: 23514 a limit out of bounds, written to the tables
-- (project_schedules_max_running_runs_is_bounded,
-- workflows_concurrency_limit_is_bounded,
-- workflows_retry_backoff_seconds_is_bounded); claim_next_run's are unchanged.

set local lock_timeout = '5s';

-- Per-project scheduling state -------------------------------------------------------

create table ops.project_schedules (
  project_id uuid not null,
  max_running_runs integer,
  has_queued boolean not null default false,
  last_served_at timestamptz,
  constraint project_schedules_pkey primary key (project_id),
  constraint project_schedules_project_id_fkey foreign key (project_id) references ops.projects (id)
  on delete cascade,
  constraint project_schedules_max_running_runs_is_bounded check (max_running_runs between 1 and 1000)
)
-- last_served_at changes at every claim and is only in a partial index whose
-- key it is; has_queued flips rarely. Room on each page keeps most updates HOT.
with (fillfactor = 50);

comment on table ops.project_schedules is
'The scheduler''s state for each project, so that a claim never scans the queue: whether it may have queued '
'runs, when a claim last served it, and its limit of held runs. One row per project, created with it.';
comment on column ops.project_schedules.max_running_runs is
'At most this many runs of the project are held (claimed or running) at once; null for no limit (1 to 1000). '
'Set by service_role.';
comment on column ops.project_schedules.has_queued is
'True when the project may have queued runs: set when a run is queued, cleared by a claim that finds none.';
comment on column ops.project_schedules.last_served_at is
'When a claim last took a run of the project; projects take turns, least recently served first (never first).';

create index project_schedules_turn_idx on ops.project_schedules (last_served_at nulls first, project_id)
where has_queued;

alter table ops.project_schedules enable row level security;

create policy "authenticated can select project_schedules of member projects"
on ops.project_schedules
for select
to authenticated
using (project_id = any(array(select ops_private.member_project_ids('viewer'))));

revoke all on ops.project_schedules from anon, authenticated, service_role;
grant select on ops.project_schedules to authenticated;
-- service_role sets the limit; ops.claim_next_run, which it calls as itself,
-- locks the row and writes the turn and the flag.
grant select, update (max_running_runs, has_queued, last_served_at) on ops.project_schedules to service_role;

insert into ops.project_schedules (project_id, has_queued)
select
  p.id,
  p.id in (
    select r.project_id from ops.runs as r
    where r.status = 'queued'
  ) as has_queued
from ops.projects as p;

-- SECURITY DEFINER: no API role writes ops.project_schedules; the row comes
-- with the project, whoever creates it.
create or replace function ops.projects_create_schedule()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into ops.project_schedules (project_id) values (new.id) on conflict (project_id) do nothing;
  return null;
end
$$;

comment on function ops.projects_create_schedule() is
'Trigger function: a new project gets its ops.project_schedules row.';

revoke execute on function ops.projects_create_schedule() from public, anon, authenticated;

create trigger projects_800_create_schedule
after insert on ops.projects
for each row execute function ops.projects_create_schedule();

-- SECURITY DEFINER: members queue runs, and the flag must follow whoever
-- queues. It never waits: a row another transaction is writing (a claim
-- taking its turn, another enqueue setting the flag) is skipped, and so is
-- every write under repeatable read or serializable, where locking a row a
-- concurrent claim changed would fail the caller's transaction with 40001.
-- A flag left false that way is repaired by a claim (see ops.claim_next_run).
create or replace function ops.runs_mark_project_queued()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if current_setting('transaction_isolation') = 'read committed' then
    update ops.project_schedules as s set has_queued = true
    where s.project_id = (
      select x.project_id from ops.project_schedules as x
      where x.project_id = new.project_id and not x.has_queued
      for no key update skip locked
    );
  end if;
  return null;
end
$$;

comment on function ops.runs_mark_project_queued() is
'Trigger function: a run inserted queued, or back to queued, marks its project as having queued runs.';

revoke execute on function ops.runs_mark_project_queued() from public, anon, authenticated;

create trigger runs_070_mark_project_queued
after insert on ops.runs
for each row when (new.status = 'queued') execute function ops.runs_mark_project_queued();

create trigger runs_071_mark_project_queued_again
after update of status on ops.runs
for each row when (new.status = 'queued' and old.status <> 'queued')
execute function ops.runs_mark_project_queued();

-- Workflow limits --------------------------------------------------------------------

alter table ops.workflows
add column concurrency_limit integer,
add constraint workflows_concurrency_limit_is_bounded check (concurrency_limit between 1 and 100);

comment on column ops.workflows.concurrency_limit is
'At most this many runs of the workflow are held (claimed or running) at once on one branch of the project; '
'1 makes the branch exclusive (a production deploy never runs twice at once); null for no limit (1 to 100).';

alter table ops.workflows
add column retry_backoff_seconds integer not null default 2,
add constraint workflows_retry_backoff_seconds_is_bounded check (retry_backoff_seconds between 0 and 600);

comment on column ops.workflows.retry_backoff_seconds is
'A run whose lease expired waits base x 2^(attempt - 1) seconds (at most 600, times a jitter from 0.5 to 1) '
'before it may be claimed again; 0 retries at once (0 to 600, default 2).';

grant insert (concurrency_limit, retry_backoff_seconds), update (concurrency_limit, retry_backoff_seconds)
on ops.workflows to authenticated;

-- How long a failed attempt waits before the next: exponential, bounded, with
-- jitter. Volatile (random()).
create or replace function ops_private.retry_backoff(p_base_seconds integer, p_attempt integer)
returns interval
language sql
volatile
set search_path = ''
as $$
  select make_interval(secs => least(
    coalesce(p_base_seconds, 0) * power(2, least(greatest(coalesce(p_attempt, 1), 1) - 1, 20)), 600
  ) * (0.5 + random() / 2))
$$;

comment on function ops_private.retry_backoff(integer, integer) is
'The wait before attempt p_attempt + 1: p_base_seconds x 2^(p_attempt - 1) seconds, at most 600, times a random '
'factor from 0.5 to 1.';

revoke execute on function ops_private.retry_backoff(integer, integer) from public, anon, authenticated;
grant execute on function ops_private.retry_backoff(integer, integer) to service_role;

-- Indexes ------------------------------------------------------------------------------

-- A project's queue in claim order, by label set.
create index runs_project_queue_idx on ops.runs (project_id, required_labels, priority desc, created_at, id)
where status = 'queued';
-- Held runs of a project, of a workflow on a branch: what the limits count.
create index runs_held_project_idx on ops.runs (project_id, workflow_id, branch)
where status in ('claimed', 'running');
-- Queued runs above priority 0 (operators only), by label set: claimed first,
-- across projects.
create index runs_urgent_idx on ops.runs (required_labels, priority desc, created_at, id)
where status = 'queued' and priority > 0;

-- Taking a run of one project ------------------------------------------------------------

-- SECURITY INVOKER: called by ops.claim_next_run (service_role).
create or replace function ops_private.take_run_of_project(
  p_project_id uuid,
  p_labels text[],
  p_urgent_only boolean
)
returns uuid
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_max integer;
  v_limited boolean;
  v_sets refcursor;
  v_set text[];
  v_id uuid;
begin
  -- Limits are checked under the project's schedule row, held until commit:
  -- two claimers never count the same free slot. SKIP LOCKED: a claimer
  -- deciding this project right now has it; this one moves on.
  select s.max_running_runs into v_max from ops.project_schedules as s where s.project_id = p_project_id;
  v_limited := v_max is not null or exists (
    select 1 from ops.workflows as w where w.project_id = p_project_id and w.concurrency_limit is not null
  );
  if v_limited then
    perform 1 from ops.project_schedules as s where s.project_id = p_project_id
    for no key update skip locked;
    if not found then
      return null;
    end if;
    -- A new statement: it sees every claim committed before the lock was ours.
    if v_max is not null and (
      select count(*) from ops.runs as h
      where h.project_id = p_project_id and h.status in ('claimed', 'running')
    ) >= v_max then
      return null;
    end if;
  end if;

  -- The label sets of the project's queue the worker may take, best due run
  -- first: without labels only {}; with labels a loose scan of
  -- runs_project_queue_idx, one probe per set of the project.
  if cardinality(p_labels) = 0 then
    open v_sets for select '{}'::text[];
  else
    open v_sets for
    with recursive sets (labels) as (
      (
        select q.required_labels from ops.runs as q
        where q.project_id = p_project_id and q.status = 'queued'
        order by q.required_labels
        limit 1
      )
      union all
      select (
        select q.required_labels from ops.runs as q
        where q.project_id = p_project_id and q.status = 'queued' and q.required_labels > s.labels
        order by q.required_labels
        limit 1
      )
      from sets as s
      where s.labels is not null
    )
    select s.labels
    from sets as s
    cross join lateral (
      select q.priority, q.created_at, q.id from ops.runs as q
      where q.project_id = p_project_id and q.status = 'queued' and q.required_labels = s.labels
        and q.run_after <= now()
      order by q.priority desc, q.created_at, q.id
      limit 1
    ) as best
    where s.labels <@ p_labels
    order by best.priority desc, best.created_at, best.id;
  end if;
  loop
    fetch v_sets into v_set;
    exit when not found;
    -- The first due run of the set whose workflow has a free slot on its
    -- branch; skip locked passes over the rows concurrent claimers hold.
    select q.id into v_id
    from ops.runs as q
    where q.project_id = p_project_id and q.status = 'queued' and q.required_labels = v_set
      and q.run_after <= now()
      and (not p_urgent_only or q.priority > 0)
      and (
        not v_limited
        or (
          select
            w.concurrency_limit is null
            or (
              select count(*) from ops.runs as h
              where h.project_id = q.project_id and h.workflow_id = q.workflow_id and h.branch = q.branch
                and h.status in ('claimed', 'running')
            ) < w.concurrency_limit
          from ops.workflows as w where w.id = q.workflow_id
        )
      )
    order by q.priority desc, q.created_at, q.id
    limit 1
    for update of q skip locked;
    exit when v_id is not null;
  end loop;
  close v_sets;
  return v_id;
end
$$;

comment on function ops_private.take_run_of_project(uuid, text[], boolean) is
'For ops.claim_next_run: locks and returns the next due queued run of the project (priority desc, then oldest) '
'whose required_labels are all in p_labels and whose workflow has a free slot on its branch, only runs above '
'priority 0 when p_urgent_only; null when none, when the project is at its max_running_runs, or when another '
'claimer holds the project''s schedule row to check a limit.';

revoke execute on function ops_private.take_run_of_project(uuid, text[], boolean) from public, anon, authenticated;
grant execute on function ops_private.take_run_of_project(uuid, text[], boolean) to service_role;

-- claim_next_run ----------------------------------------------------------------------

create or replace function ops.claim_next_run(
  p_worker_id text,
  p_lease_seconds integer default null,
  p_labels text[] default null
)
returns setof ops.runs
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_cancel uuid[];
  v_expired uuid[];
  v_projects uuid[];
  v_repaired uuid[];
  v_labels text[];
  v_project uuid;
  v_id uuid;
begin
  perform ops_private.check_worker_id(p_worker_id, true);
  if p_lease_seconds is not null and p_lease_seconds not between 1 and 86400 then
    raise exception 'p_lease_seconds must be from 1 to 86400, got %', p_lease_seconds using errcode = '22023';
  end if;
  v_labels := ops_private.check_labels('p_labels', p_labels);
  perform set_config('ops.actor', 'worker:' || p_worker_id, true);
  perform ops_private.worker_seen(p_worker_id, v_labels);

  -- 1. Recover runs whose holder stopped heartbeating, as in 20261202000710;
  -- one that goes back to the queue waits its backoff (run_after).
  -- Their projects' schedule rows are locked first (SKIP LOCKED): the runs
  -- going back to queued mark their projects (runs_071_...), and a claim
  -- never waits for another. A run whose project row another claimer holds
  -- right now is left to the next claim.
  v_expired := array(
    select h.id from ops.runs as h
    where h.status in ('claimed', 'running') and h.lease_expires_at < now()
    for update skip locked
  );
  if cardinality(v_expired) > 0 then
    v_projects := array(
      select s.project_id from ops.project_schedules as s
      where s.project_id in (select r.project_id from ops.runs as r where r.id = any(v_expired))
      for no key update skip locked
    );
    v_expired := array(
      select r.id from ops.runs as r where r.id = any(v_expired) and r.project_id = any(v_projects)
    );
  end if;
  if cardinality(v_expired) > 0 then
    perform set_config('ops.reason', 'lease expired', true);
    with recovered as (
      update ops.runs as r
      set
        status = case
          when ops_private.cancel_is_due(r) then 'canceled'
          when r.attempt < r.max_attempts then 'queued'
          else 'failed'
        end::ops.run_status,
        error_message = case
          when ops_private.cancel_is_due(r) then r.error_message
          when r.attempt < r.max_attempts then r.error_message
          else format(
            'lease expired: worker %s stopped heartbeating (lease ended %s), attempt %s of %s',
            r.worker_id, r.lease_expires_at, r.attempt, r.max_attempts
          )
        end,
        worker_id = case
          when r.attempt < r.max_attempts and not ops_private.cancel_is_due(r) then null
          else r.worker_id
        end,
        lease_expires_at = null,
        finished_at = case
          when ops_private.cancel_is_due(r) or r.attempt >= r.max_attempts then now()
        end,
        claimed_at = case
          when r.attempt < r.max_attempts and not ops_private.cancel_is_due(r) then null
          else r.claimed_at
        end,
        started_at = case
          when r.attempt < r.max_attempts and not ops_private.cancel_is_due(r) then null
          else r.started_at
        end,
        -- Back to the queue for another attempt: not before its backoff.
        run_after = case
          when r.attempt < r.max_attempts and not ops_private.cancel_is_due(r)
            then now() + ops_private.retry_backoff(
              (select w.retry_backoff_seconds from ops.workflows as w where w.id = r.workflow_id), r.attempt
            )
          else r.run_after
        end
      where r.id = any(v_expired)
      returning r.id, ops_private.cancel_is_due(r) as cancel_is_due
    )
    select array_agg(c.id) into v_cancel from recovered as c
    where c.cancel_is_due;
    if v_cancel is not null then
      perform set_config('ops.reason', 'lease expired with a cancel requested', true);
      update ops.runs as r set status = 'canceled', finished_at = now() where r.id = any(v_cancel);
    end if;
  end if;
  perform set_config('ops.reason', '', true);

  -- 2. Runs above priority 0 (only operators set those) go first, across
  -- projects: the label sets of the queue the worker may take (a loose scan
  -- of runs_claimable_labels_idx, one probe per set), in each the first 16
  -- such due runs (runs_urgent_idx), their projects by the best run. Runs
  -- the worker cannot take are never read one by one.
  for v_project in
    with recursive sets (labels) as (
      (
        select q.required_labels from ops.runs as q
        where q.status = 'queued'
        order by q.required_labels
        limit 1
      )
      union all
      select (
        select q.required_labels from ops.runs as q
        where q.status = 'queued' and q.required_labels > s.labels
        order by q.required_labels
        limit 1
      )
      from sets as s
      where s.labels is not null
    )
    select c.project_id
    from sets as s
    cross join lateral (
      select u.project_id, u.priority, u.created_at, u.id from ops.runs as u
      where u.status = 'queued' and u.priority > 0 and u.required_labels = s.labels and u.run_after <= now()
      order by u.priority desc, u.created_at, u.id
      limit 16
    ) as c
    where s.labels <@ v_labels
    order by c.priority desc, c.created_at, c.id
  loop
    v_id := ops_private.take_run_of_project(v_project, v_labels, true);
    exit when v_id is not null;
  end loop;

  -- 3. Then the projects' turns: least recently served first
  -- (project_schedules_turn_idx), each project's queue probed until a run is
  -- taken. A project with no queued run left loses its flag (FOR UPDATE SKIP
  -- LOCKED, then checked again in a statement of its own).
  if v_id is null then
    for v_project in
      select s.project_id from ops.project_schedules as s
      where s.has_queued
      order by s.last_served_at nulls first, s.project_id
    loop
      v_id := ops_private.take_run_of_project(v_project, v_labels, false);
      exit when v_id is not null;
      if not exists (select 1 from ops.runs as q where q.project_id = v_project and q.status = 'queued') then
        perform 1 from ops.project_schedules as s where s.project_id = v_project for update skip locked;
        if found and not exists (
          select 1 from ops.runs as q where q.project_id = v_project and q.status = 'queued'
        ) then
          update ops.project_schedules as s set has_queued = false where s.project_id = v_project;
        end if;
      end if;
    end loop;
  end if;

  -- 4. Repair: the flag is written without waiting, so a race (an enqueue
  -- committing while a claim clears, an enqueue under repeatable read, a
  -- rolled back enqueue that had set it for another) can leave a project
  -- with queued runs unflagged. A claim that found nothing, and one claim in
  -- 64, flags every such project (one probe per unflagged project), then
  -- tries them.
  if v_id is null or random() < 1.0 / 64 then
    with repaired as (
      update ops.project_schedules as s set has_queued = true
      where s.project_id in (
        select x.project_id from ops.project_schedules as x
        where not x.has_queued
          and exists (select 1 from ops.runs as q where q.project_id = x.project_id and q.status = 'queued')
        for no key update skip locked
      )
      returning s.project_id, s.last_served_at
    )
    select array_agg(r.project_id order by r.last_served_at nulls first, r.project_id) into v_repaired
    from repaired as r;
    if v_id is null and v_repaired is not null then
      foreach v_project in array v_repaired loop
        v_id := ops_private.take_run_of_project(v_project, v_labels, false);
        exit when v_id is not null;
      end loop;
    end if;
  end if;

  if v_id is null then
    return;
  end if;

  return query
  update ops.runs as r
  set
    status = 'claimed',
    worker_id = p_worker_id,
    attempt = r.attempt + 1,
    claimed_at = now(),
    started_at = null,
    heartbeat_at = now(),
    lease_expires_at = now() + make_interval(secs => coalesce(
      p_lease_seconds,
      (select w.lease_seconds from ops.workflows as w where w.id = r.workflow_id),
      60
    ))
  where r.id = v_id
  returning r.*;

  -- The project was served now. Skip locked: a concurrent claim of the same
  -- project is writing the same moment; fairness loses nothing.
  update ops.project_schedules as s set last_served_at = clock_timestamp()
  where s.project_id = (
    select x.project_id from ops.project_schedules as x
    where x.project_id = (select r.project_id from ops.runs as r where r.id = v_id)
    for no key update skip locked
  );
end
$$;

comment on function ops.claim_next_run(text, integer, text[]) is
'Records p_worker_id as seen with the labels it offers (p_labels, null for none), recovers runs whose lease '
'expired (back to queued while attempts remain, claimable again after the workflow''s retry backoff; else failed '
'naming the expiry), then claims a due queued run '
'whose required_labels are all in p_labels, with a lease of p_lease_seconds (default: the workflow''s '
'lease_seconds, else 60 s). Order: runs above priority 0 (set by service_role only) first, by priority then age; '
'then projects in turn, least recently served first, and within a project priority desc then oldest. A run is '
'not claimed while its project holds max_running_runs runs or its workflow holds concurrency_limit runs on its '
'branch. Returns zero or one run; concurrent callers never get the same run and never wait on each other. '
'SQLSTATEs: 22023 invalid parameter (p_labels[i] for a bad label).';

revoke execute on function ops.claim_next_run(text, integer, text[]) from public, anon, authenticated;
grant execute on function ops.claim_next_run(text, integer, text[]) to service_role;

-- list_queued_runs --------------------------------------------------------------------

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
as $$
  -- Row-level security already limits authenticated callers to member
  -- projects; the queue view narrows that to projects they administer.
  with live as materialized (
    select l.labels from ops_private.live_worker_labels() as l (labels)
  ),
  queued as (
    select
      r.*,
      row_number() over (partition by r.project_id order by r.priority desc, r.created_at, r.id) as turn
    from ops.runs as r
    where r.status = 'queued'
      and (
        (select coalesce(bool_or(x.rolbypassrls or x.rolsuper), false)
          from pg_catalog.pg_roles as x where x.rolname = current_user)
        or r.project_id in (select ops_private.member_project_ids('admin'))
      )
  ),
  held as (
    select h.project_id, h.workflow_id, h.branch, count(*) as n
    from ops.runs as h
    where h.status in ('claimed', 'running') and h.project_id in (select q.project_id from queued as q)
    group by grouping sets ((h.project_id), (h.project_id, h.workflow_id, h.branch))
  )
  select
    -- The claim's order: runs above priority 0 by priority and age, then the
    -- projects' turns (each project's k-th run in the k-th round, projects by
    -- when they were last served).
    row_number() over (
      order by
        r.priority > 0 desc,
        case when r.priority > 0 then r.priority end desc,
        case when r.priority > 0 then r.created_at end,
        r.turn, s.last_served_at nulls first, r.project_id
    ) as "position",
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
  from queued as r
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
'projects; an authenticated user those where they are admin or owner. '
'SQLSTATEs: 42501 for roles without EXECUTE (anon).';

revoke execute on function ops.list_queued_runs() from public, anon, authenticated;
grant execute on function ops.list_queued_runs() to authenticated, service_role;
