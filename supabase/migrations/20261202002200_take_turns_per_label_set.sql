-- Projects take turns per label set: a claim reads only the projects whose
-- queue holds runs it may take.
--
-- Measured (PERFORMANCE.md, "Turns per label set"): with 100,000 queued
-- runs over 1,000 projects, three quarters of them holding only runs that
-- need labels, a worker without labels probed about 135 projects per claim.
-- The turn order was one line of projects (ops.project_schedules, flagged
-- has_queued), and the projects whose runs a worker cannot take stayed at
-- its head, since no claim of that worker ever served them.
--
-- * ops.project_queues: one row per project and label set (the
--   required_labels of its workflows), created with the workflow (trigger
--   workflows_800_add_project_queue, also when its required_labels change).
--   has_queued says the project may have queued runs with exactly those
--   labels; last_served_at is the project's turn, the same on all its
--   flagged rows ('-infinity' for a project never served, so that the turn
--   order can be read by key ranges; written by the triggers, no default). project_queues_turn_idx orders the
--   flagged rows by (required_labels, last_served_at, project_id).
-- * The claim (ops_private.claim_batch) reads the turns of the label sets
--   the worker may take only: for a worker without labels one range of
--   project_queues_turn_idx; with labels, the sets within its labels merged
--   by turn, one probe per set and step. A probe that finds no run in a set
--   clears that set's flag (locked with SKIP LOCKED, then checked again in
--   a statement of its own); the repair looks for flags a race left false
--   per set. Serving a project moves all its flagged rows to the back.
-- * ops.runs_mark_project_queued sets the flag of the run's label set (and
--   gives it the project's turn), still without waiting; it creates the row
--   when a run's set has none.
-- * ops.project_schedules keeps the project's limit (max_running_runs) and
--   the row lock under which limits are counted; has_queued,
--   last_served_at and project_schedules_turn_idx move to ops.project_queues.
-- * ops.list_queued_runs orders projects by their turn in ops.project_queues.
--
-- Objects: table ops.project_queues (policy, grants, index
-- project_queues_turn_idx); function and trigger
-- ops.workflows_add_project_queue / workflows_800_add_project_queue (new);
-- functions ops.runs_mark_project_queued, ops_private.claim_batch,
-- ops.list_queued_runs (restated); columns ops.project_schedules.has_queued
-- and last_served_at and index project_schedules_turn_idx (dropped).
-- Locks: SHARE ROW EXCLUSIVE on ops.workflows for the trigger, ACCESS
-- EXCLUSIVE on ops.project_schedules for the dropped columns; lock_timeout 5s.
-- Roll back: add the two columns and the index back to
--   ops.project_schedules (from 20261202000900), set them from
--   ops.project_queues, restate runs_mark_project_queued and
--   list_queued_runs from 20261202000900 and claim_batch from
--   20261202002100, drop the trigger, its function and the table.
--
-- SQLSTATEs: unchanged.

set local lock_timeout = '5s';

-- The turns -------------------------------------------------------------------------------------

create table ops.project_queues (
  id bigint generated always as identity,
  project_id uuid not null,
  required_labels text[] not null,
  has_queued boolean not null default false,
  last_served_at timestamptz not null,
  constraint project_queues_pkey primary key (id),
  constraint project_queues_project_id_required_labels_key unique (project_id, required_labels),
  constraint project_queues_project_id_fkey foreign key (project_id) references ops.projects (id)
  on delete cascade,
  constraint project_queues_required_labels_is_valid check (
    cardinality(required_labels) = 0 or ops.is_label_set(required_labels)
  )
)
-- last_served_at changes at every claim and is only in a partial index whose
-- key it is; has_queued flips rarely. Room on each page keeps most updates HOT.
with (fillfactor = 50);

comment on table ops.project_queues is
'The turn order of the claim, one row per project and label set (the required_labels of its workflows), so that '
'a claim reads only the projects whose queue holds runs it may take. Written by the triggers and the claim.';
comment on column ops.project_queues.id is
'Row key (a label set is a list, which the console''s client cannot key on); (project_id, required_labels) is '
'unique.';
comment on column ops.project_queues.required_labels is
'The labels a worker must offer to take the runs this row stands for (sorted, as ops.runs.required_labels).';
comment on column ops.project_queues.has_queued is
'True when the project may have queued runs with exactly these labels: set when such a run is queued, cleared by '
'a claim that finds none.';
comment on column ops.project_queues.last_served_at is
'When a claim last took a run of the project, the same on all its flagged rows; projects take turns, least '
'recently served first (-infinity: never served).';

create index project_queues_turn_idx on ops.project_queues (required_labels, last_served_at, project_id)
where has_queued;

alter table ops.project_queues enable row level security;

create policy "authenticated can select project_queues of member projects"
on ops.project_queues
for select
to authenticated
using (project_id = any(array(select ops_private.member_project_ids('viewer'))));

revoke all on ops.project_queues from anon, authenticated, service_role;
grant select on ops.project_queues to authenticated;
-- The claim, which service_role calls as itself, locks rows and writes the
-- turn and the flag.
grant select, update (has_queued, last_served_at) on ops.project_queues to service_role;

-- Every label set of a workflow, and of a queued run (labels copied from a
-- workflow since changed), with the project's turn.
insert into ops.project_queues (project_id, required_labels, has_queued, last_served_at)
select
  k.project_id,
  k.required_labels,
  k.required_labels in (
    select r.required_labels from ops.runs as r
    where r.project_id = k.project_id and r.status = 'queued'
  ) as has_queued,
  coalesce(s.last_served_at, '-infinity') as last_served_at
from (
  select
    w.project_id,
    w.required_labels
  from ops.workflows as w
  union
  select
    r.project_id,
    r.required_labels
  from ops.runs as r
  where r.status = 'queued'
) as k
left join ops.project_schedules as s on k.project_id = s.project_id;

-- SECURITY DEFINER: admins create workflows, and no API role writes
-- ops.project_queues.
create function ops.workflows_add_project_queue()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into ops.project_queues (project_id, required_labels, last_served_at)
  values (
    new.project_id,
    new.required_labels,
    coalesce(
      (select max(q.last_served_at) from ops.project_queues as q where q.project_id = new.project_id), '-infinity'
    )
  )
  on conflict (project_id, required_labels) do nothing;
  return null;
end
$$;

comment on function ops.workflows_add_project_queue() is
'Trigger function: a workflow''s label set gets its ops.project_queues row, with the project''s turn.';

revoke execute on function ops.workflows_add_project_queue() from public, anon, authenticated;

create trigger workflows_800_add_project_queue
after insert or update of required_labels on ops.workflows
for each row execute function ops.workflows_add_project_queue();

-- Changed from 20261202000900: the flag of the run's label set, which takes
-- the project's turn; the row is created when missing (never for runs
-- queued through a workflow, whose trigger created it).
-- SECURITY DEFINER: members queue runs, and the flag must follow whoever
-- queues. It never waits on a row: a row another transaction is writing (a
-- claim taking its turn, another enqueue setting the flag) is skipped, and
-- so is every write under repeatable read or serializable, where locking a
-- row a concurrent claim changed would fail the caller's transaction with
-- 40001. A flag left false that way is repaired by a claim (see
-- ops_private.claim_batch).
create or replace function ops.runs_mark_project_queued()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row tid;
begin
  if current_setting('transaction_isolation') = 'read committed' then
    -- Locked first, then written by its ctid in a statement of its own: an
    -- UPDATE that filters on a locking subquery may still wait, when the row
    -- version its snapshot saw was updated since (it follows the update).
    select x.ctid into v_row from ops.project_queues as x
    where x.project_id = new.project_id and x.required_labels = new.required_labels and not x.has_queued
    for no key update skip locked;
    if v_row is not null then
      update ops.project_queues as q
      set
        has_queued = true,
        last_served_at = (select max(y.last_served_at) from ops.project_queues as y where y.project_id = q.project_id)
      where q.ctid = v_row;
    elsif not exists (
      select 1 from ops.project_queues as x
      where x.project_id = new.project_id and x.required_labels = new.required_labels
    ) then
      insert into ops.project_queues (project_id, required_labels, has_queued, last_served_at)
      values (
        new.project_id,
        new.required_labels,
        true,
        coalesce(
          (select max(y.last_served_at) from ops.project_queues as y where y.project_id = new.project_id), '-infinity'
        )
      )
      on conflict (project_id, required_labels) do nothing;
    end if;
  end if;
  return null;
end
$$;

comment on function ops.runs_mark_project_queued() is
'Trigger function: a run inserted queued, or back to queued, marks its project as having queued runs with its '
'label set (ops.project_queues).';

revoke execute on function ops.runs_mark_project_queued() from public, anon, authenticated;

-- Changed from 20261202002100: the turns are read per label set (ops.project_queues).
create or replace function ops_private.claim_batch(
  p_worker_id text, p_lease_seconds integer, p_labels text[], p_start boolean, p_limit integer
)
returns setof ops.runs
language plpgsql
volatile
set search_path = ''
-- Plans kept for the session: custom plans were made again on every call (see the header).
set plan_cache_mode = force_generic_plan
as $$
declare
  v_ids uuid[] := '{}'::uuid[];
  v_cycle uuid[] := '{}'::uuid[];   -- projects served by this batch, least recently first
  v_repaired uuid[];
  v_project uuid;
  v_got uuid[];
  v_turn timestamptz;
  v_next_project uuid;
  v_empty tid[];
  v_rows tid[];
  v_now timestamptz;
  v_rpc_events boolean;
begin
  -- The pick: what p_limit claims one after the other would take. The runs
  -- stay queued (locked) until the writes below, so every probe is told
  -- what the batch holds (p_taken) and the turn order is kept here.

  -- 1. Runs above priority 0 (only operators set those) go first, across
  -- projects, best run first: the label sets of the queue the worker may
  -- take (a loose scan of runs_claimable_labels_idx, one probe per set), in
  -- each the first 16 such due runs (runs_urgent_idx), their projects by
  -- the best run. Most queues hold none: one probe of runs_urgent_idx says so.
  if exists (select 1 from ops.runs as u where u.status = 'queued' and u.priority > 0) then
    loop
      exit when cardinality(v_ids) >= p_limit;
      v_got := '{}';
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
            and u.id <> all(v_ids)
          order by u.priority desc, u.created_at, u.id
          limit 16
        ) as c
        where s.labels <@ p_labels
        order by c.priority desc, c.created_at, c.id
      loop
        v_got := ops_private.take_runs_of_project(v_project, p_labels, true, v_ids, 1);
        exit when cardinality(v_got) > 0;
      end loop;
      exit when cardinality(v_got) = 0;
      v_ids := v_ids || v_got;
      v_cycle := array_remove(v_cycle, v_project) || v_project;
    end loop;
  end if;

  -- 2. Then the projects' turns, least recently served first, read only
  -- for the label sets the worker may take (project_queues_turn_idx): one
  -- run from each project not served yet, then round the projects this
  -- batch served, each going to the back once served again. Without labels
  -- the turns are one range of the index; with labels, the sets within the
  -- worker's labels are merged by turn (a loose scan finds the sets, one
  -- probe per set finds the next project after the last one tried). A set
  -- in which a probe found no queued run loses its flag (FOR UPDATE SKIP
  -- LOCKED, then checked again in a statement of its own).
  if cardinality(v_ids) < p_limit then
    v_turn := '-infinity';
    v_project := '00000000-0000-0000-0000-000000000000';
    loop
      if cardinality(p_labels) = 0 then
        select q.project_id, q.last_served_at into v_next_project, v_turn
        from ops.project_queues as q
        where q.required_labels = '{}' and q.has_queued
          and (q.last_served_at, q.project_id) > (v_turn, v_project)
          and q.project_id <> all(v_cycle)
        order by q.last_served_at, q.project_id
        limit 1;
      else
        with recursive sets (labels) as (
          (
            select q.required_labels from ops.project_queues as q
            where q.has_queued
            order by q.required_labels
            limit 1
          )
          union all
          select (
            select q.required_labels from ops.project_queues as q
            where q.has_queued and q.required_labels > s.labels
            order by q.required_labels
            limit 1
          )
          from sets as s
          where s.labels is not null
        )
        select h.project_id, h.last_served_at into v_next_project, v_turn
        from sets as s
        cross join lateral (
          select q.project_id, q.last_served_at from ops.project_queues as q
          where q.required_labels = s.labels and q.has_queued
            and (q.last_served_at, q.project_id) > (v_turn, v_project)
            and q.project_id <> all(v_cycle)
          order by q.last_served_at, q.project_id
          limit 1
        ) as h
        where s.labels <@ p_labels
        order by h.last_served_at, h.project_id
        limit 1;
      end if;
      exit when v_next_project is null;
      v_project := v_next_project;
      v_got := ops_private.take_runs_of_project(v_project, p_labels, false, v_ids, 1);
      if cardinality(v_got) > 0 then
        v_ids := v_ids || v_got;
        v_cycle := v_cycle || v_project;
        exit when cardinality(v_ids) >= p_limit;
      else
        v_empty := array(
          select x.ctid from ops.project_queues as x
          where x.project_id = v_project and x.has_queued and x.required_labels <@ p_labels
            and not exists (
              select 1 from ops.runs as q
              where q.project_id = x.project_id and q.required_labels = x.required_labels and q.status = 'queued'
            )
          for no key update skip locked
        );
        if cardinality(v_empty) > 0 then
          update ops.project_queues as x set has_queued = false
          where x.ctid = any(v_empty)
            and not exists (
              select 1 from ops.runs as q
              where q.project_id = x.project_id and q.required_labels = x.required_labels and q.status = 'queued'
            );
        end if;
      end if;
    end loop;
  end if;

  -- 3. Repair: the flag is written without waiting, so a race (an enqueue
  -- committing while a claim clears, an enqueue under repeatable read, a
  -- rolled back enqueue that had set it for another) can leave a label set
  -- of a project with queued runs unflagged. A claim that found nothing,
  -- and one claim in 64, flags every such row (one probe per unflagged
  -- row), giving it the project's turn, then tries the projects whose
  -- repaired sets the worker may take.
  if cardinality(v_ids) = 0 or random() < 1.0 / 64 then
    v_rows := array(
      select x.ctid from ops.project_queues as x
      where not x.has_queued
        and exists (
          select 1 from ops.runs as q
          where q.project_id = x.project_id and q.required_labels = x.required_labels and q.status = 'queued'
        )
      for no key update skip locked
    );
    with repaired as (
      update ops.project_queues as s
      set
        has_queued = true,
        last_served_at = (select max(y.last_served_at) from ops.project_queues as y where y.project_id = s.project_id)
      where s.ctid = any(v_rows)
      returning s.project_id, s.required_labels, s.last_served_at
    )
    select array_agg(r.project_id order by r.last_served_at, r.project_id) into v_repaired
    from (
      select distinct on (x.project_id) x.project_id, x.last_served_at
      from repaired as x
      where x.required_labels <@ p_labels
      order by x.project_id, x.last_served_at
    ) as r;
    if cardinality(v_ids) = 0 and v_repaired is not null then
      foreach v_project in array v_repaired loop
        v_got := ops_private.take_runs_of_project(v_project, p_labels, false, v_ids, 1);
        if cardinality(v_got) > 0 then
          v_ids := v_ids || v_got;
          v_cycle := v_cycle || v_project;
          exit when cardinality(v_ids) >= p_limit;
        end if;
      end loop;
    end if;
  end if;

  -- 4. Round the served projects until the batch is full or none has a run
  -- left for this worker. The last project left takes the rest at once
  -- where it can (ops_private.take_runs_of_project).
  while cardinality(v_ids) < p_limit and cardinality(v_cycle) > 0 loop
    v_project := v_cycle[1];
    v_cycle := v_cycle[2:];
    v_got := ops_private.take_runs_of_project(
      v_project, p_labels, false, v_ids, case when cardinality(v_cycle) = 0 then p_limit - cardinality(v_ids) else 1 end
    );
    if cardinality(v_got) > 0 then
      v_ids := v_ids || v_got;
      v_cycle := v_cycle || v_project;
    end if;
  end loop;

  if cardinality(v_ids) = 0 then
    return;
  end if;

  -- The writes, one statement each for the whole batch. As service_role the
  -- events are written by ops_private.record_run_events, all in one
  -- statement (see runs_901_record_status_event), and a claim that starts
  -- moves its runs from queued to running in one write, recorded as the two
  -- events claimed and running (see ops.runs_check_transition). Another role
  -- (the owner, in an admin's session) gets the trigger's events: claimed,
  -- then started by a second write.
  v_rpc_events := current_user = 'service_role';
  if v_rpc_events then
    perform set_config('ops.run_events', 'recorded', true);
  end if;
  update ops.runs as r
  set
    status = case when p_start and v_rpc_events then 'running' else 'claimed' end::ops.run_status,
    worker_id = p_worker_id,
    attempt = r.attempt + 1,
    claimed_at = now(),
    started_at = case when p_start and v_rpc_events then now() end,
    heartbeat_at = now(),
    lease_expires_at = now() + make_interval(secs => coalesce(
      p_lease_seconds,
      (select w.lease_seconds from ops.workflows as w where w.id = r.workflow_id),
      60
    ))
  where r.id = any(v_ids);
  if v_rpc_events then
    perform set_config('ops.run_events', '', true);
    perform ops_private.record_run_events(
      v_ids, case when p_start then '{queued,claimed}' else '{queued}' end::ops.run_status[],
      'worker:' || p_worker_id, false
    );
  elsif p_start then
    -- Started in the same transaction: what ops.start_workflow_run does.
    update ops.runs as r
    set status = 'running', started_at = now(), heartbeat_at = now()
    where r.id = any(v_ids);
  end if;

  -- The projects were served now, the last one served last (one clock
  -- reading, a microsecond apart by pick order): all their flagged rows
  -- move to the back. Skip locked: a concurrent claim of the same project
  -- is writing the same moment; fairness loses nothing. The rows are locked
  -- first and written by ctid in a statement of their own (see
  -- ops.runs_mark_project_queued), here and in the repair.
  v_now := clock_timestamp();
  v_rows := array(
    select x.ctid from ops.project_queues as x
    where x.project_id = any(array(select r.project_id from ops.runs as r where r.id = any(v_ids))) and x.has_queued
    for no key update skip locked
  );
  with served as (
    select distinct on (r.project_id) r.project_id, u.n
    from unnest(v_ids) with ordinality as u (id, n)
    join ops.runs as r on r.id = u.id
    order by r.project_id, u.n desc
  )
  update ops.project_queues as s
  set last_served_at = v_now + make_interval(secs => v.n / 1000000.0)
  from served as v
  where s.ctid = any(v_rows) and s.project_id = v.project_id;

  return query
  select r.* from unnest(v_ids) with ordinality as u (id, n)
  join ops.runs as r on r.id = u.id
  order by u.n;
end
$$;

comment on function ops_private.claim_batch(text, integer, text[], boolean, integer) is
'For ops.claim_next_run and ops.claim_runs: picks the p_limit runs that as many single claims in a row would take '
'(runs above priority 0 first, best first; then projects in turn, read in ops.project_queues for the label sets '
'within p_labels only, each project going to the back once served; '
'required_labels within p_labels; project and workflow limits honoured, counting the runs already picked), then '
'claims them in one statement with a lease of p_lease_seconds (default: the workflow''s lease_seconds, else 60 s), '
'starts them in another when p_start, writes their events in one, and marks their projects served. Returns them in '
'pick order. Inputs are checked by the callers.';
revoke execute on function ops_private.claim_batch(text, integer, text[], boolean, integer) from public, anon, authenticated;
grant execute on function ops_private.claim_batch(text, integer, text[], boolean, integer) to service_role;

-- The RPCs ------------------------------------------------------------------------------------------

-- The queue view ----------------------------------------------------------------------------------

-- Changed from 20261202000900: projects ordered by their turn in ops.project_queues.
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
        r.turn, t.last_served_at, r.project_id
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
  left join lateral (
    select coalesce(max(q.last_served_at), '-infinity') as last_served_at
    from ops.project_queues as q where q.project_id = r.project_id
  ) as t on true
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

-- The project's schedule keeps its limit ---------------------------------------------------------

drop index ops.project_schedules_turn_idx;

alter table ops.project_schedules
drop column has_queued,
drop column last_served_at;

comment on table ops.project_schedules is
'The scheduler''s limit for each project: how many of its runs may be held at once. One row per project, created '
'with it; a claim locks it to count the project''s held runs. The turns are in ops.project_queues.';
