-- A run lifecycle that costs less per run: batches written set-wise, events
-- written by the worker RPCs, plans kept, cheaper row checks.
--
-- Measured (PERFORMANCE.md, "Batches written set-wise"): an UPDATE statement
-- of ops.runs costs about 250 microseconds however few rows it changes,
-- because every statement sets up the table's 18 check constraints (read
-- back from their stored form), 12 indexes and 14 triggers again. A run was
-- three such statements and three trigger calls each inserting one event,
-- and ops.claim_runs ran them once per run of its batch. The claim's
-- functions also planned five of their statements again on every call
-- (about 750 microseconds per claim): with parameters, PostgreSQL's plan
-- cache kept choosing a custom plan.
--
-- * ops_private.claim_batch, the claim of both RPCs (ops.claim_next_run is
--   a batch of one; ops_private.claim_one is dropped), picks the whole batch
--   first, as single claims in a row would pick it: runs above priority 0
--   first (best run first, across projects), then the projects' turns, each
--   project going to the back once served, limits counting the runs the
--   batch already picked. It then claims the batch in one UPDATE, writes
--   its events in one INSERT and marks the projects served in one more. A
--   claim that starts (p_start) writes queued -> running in that one UPDATE.
-- * ops_private.take_runs_of_project replaces take_run_of_project: it skips
--   the runs the batch holds (p_taken) and counts them in the limits; the
--   last project left in the turn gives the rest of the batch in one probe
--   when it has no limit and one label set the worker may take.
-- * ops.complete_workflow_runs(p_run_ids, p_exit_codes, p_worker_id,
--   p_error_messages): the batch form of ops.complete_workflow_run, one
--   UPDATE and one INSERT of events for up to 100 runs; all or nothing, a
--   run that the single form would refuse raises its error.
-- * The worker RPCs run as service_role write the events of their own
--   status changes (ops_private.record_run_events: one statement for a
--   batch, the rows the trigger writes: same actor, reason and payload).
--   The trigger stays for every other writer, split into
--   runs_900_record_event (after insert, always) and
--   runs_901_record_status_event (after update of status), which skips a
--   row only when the updating role is service_role and the
--   transaction-local setting ops.run_events is 'recorded'. The RPCs set it
--   around their own update and clear it right after. With the same two
--   conditions, ops.runs_check_transition lets queued -> running through,
--   which the claim records as queued -> claimed, claimed -> running. The
--   role test keeps both safe: authenticated may not update runs.status at
--   all, and the security definer functions it may call (ops.cancel_run,
--   archiving a project) run as their owner, so presetting the setting
--   changes nothing; service_role, the backend's own role, may write any
--   status anyway. Run by another role (the owner, in an admin's session),
--   the RPCs leave the events to the trigger and start in a second update.
-- * The functions of the claim and of the batch completion keep generic
--   plans (set plan_cache_mode = force_generic_plan), except
--   ops_private.take_runs_of_project: a generic plan of its pick would read
--   the whole queue's index (runs_claimable_idx) filtering by project.
-- * ops.is_git_ref_name and ops_private.cancel_is_due become plpgsql: a sql
--   function called from a check constraint or an UPDATE's SET list is
--   planned again on every statement. Same results.
-- * runs_commit_sha_is_hex and runs_worker_id_is_valid restated with the
--   same meaning in a form the regex engine runs about ten times faster (a
--   length test and a negated character class instead of a bounded
--   repetition such as {6,40}); ops_private.check_worker_id, called by every
--   worker RPC, the same.
-- * The claim looks for runs above priority 0 only when runs_urgent_idx
--   holds one: one index probe instead of a recursive scan per claim.
--
-- Objects: constraints runs_commit_sha_is_hex and runs_worker_id_is_valid
-- (restated); triggers runs_900_record_event (now insert only) and
-- runs_901_record_status_event (new); functions ops.is_git_ref_name,
-- ops_private.cancel_is_due, ops_private.check_worker_id,
-- ops.runs_check_transition, ops.claim_next_run, ops.claim_runs,
-- ops.start_workflow_run, ops.complete_workflow_run (restated);
-- ops_private.record_run_events, ops_private.take_runs_of_project,
-- ops_private.claim_batch, ops.complete_workflow_runs (new);
-- ops_private.take_run_of_project and ops_private.claim_one (dropped).
-- Locks: ACCESS EXCLUSIVE on ops.runs while the trigger and the two
-- constraints are swapped and the constraints checked against every row (a
-- scan: about 3 s per million runs); lock_timeout 5s.
-- Roll back: restate the two constraints from 20260213000100, the trigger
--   runs_900_record_event as after insert or update of status (and drop
--   runs_901_record_status_event), ops.is_git_ref_name from 20260213000100,
--   cancel_is_due from 20261202000400, check_worker_id from 20261202000140,
--   take_run_of_project from 20261202000900, runs_check_transition,
--   claim_one, claim_next_run and claim_runs from 20261202001700,
--   start_workflow_run from 20260213000200, complete_workflow_run from
--   20261202000910; drop the new functions.
--
-- SQLSTATEs: as before; ops.complete_workflow_runs: 22023 invalid parameter
-- (naming it), and per run those of ops.complete_workflow_run (OP001,
-- OP002, OP003, P0002).

set local lock_timeout = '5s';

-- Row checks ----------------------------------------------------------------------------------

alter table ops.runs
drop constraint runs_commit_sha_is_hex,
add constraint runs_commit_sha_is_hex check (
  (length(commit_sha) between 6 and 40 or length(commit_sha) = 64) and commit_sha !~ '[^0-9a-f]'
),
drop constraint runs_worker_id_is_valid,
add constraint runs_worker_id_is_valid check (
  length(worker_id) between 1 and 128 and worker_id ~ '^[A-Za-z0-9]' and worker_id !~ '[^A-Za-z0-9._:@/-]'
);

-- Changed from 20260213000100: plpgsql, so that a check constraint does not plan it again per statement.
create or replace function ops.is_git_ref_name(p_name text)
returns boolean
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  -- The rules of git check-ref-format that matter for branch names.
  return p_name is not null
    and length(p_name) between 1 and 255
    and p_name ~ '^[A-Za-z0-9._/-]+$'
    and p_name !~ '(^[./-])|([./]$)|(\.\.)|(//)|(@\{)|(\.lock$)|(/\.)';
end
$$;

-- Changed from 20261202000400: plpgsql, for the same reason.
create or replace function ops_private.cancel_is_due(p_run ops.runs)
returns boolean
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return p_run.cancel_requested_at is not null and p_run.status in ('queued', 'running');
end
$$;

-- Changed from 20261202000140: the same test without the bounded repetition.
create or replace function ops_private.check_worker_id(p_worker_id text, p_required boolean)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  -- p_required is kept for the signature: a worker id is always required now.
  if p_worker_id is null then
    raise exception 'p_worker_id is required: the id of the worker holding the run, got null'
      using errcode = '22023', hint = 'Every worker write names its worker; ending another worker''s run is ops.cancel_run.';
  end if;
  -- ^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$, in the form the regex engine runs fast.
  if length(p_worker_id) > 128 or p_worker_id !~ '^[A-Za-z0-9]' or p_worker_id ~ '[^A-Za-z0-9._:@/-]' then
    raise exception 'p_worker_id must match ^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$, got %',
      ops_private.quote_short(p_worker_id)
      using errcode = '22023';
  end if;
end
$$;

-- The state machine: a claim that starts, in one write --------------------------------------------

-- Changed from 20261202001700: queued -> running is let through for a claim
-- that starts its runs in one write (ops_private.claim_batch as
-- service_role, with ops.run_events = 'recorded'), which records it as the
-- two events queued -> claimed and claimed -> running. Nobody else may make
-- it: authenticated cannot write runs.status, and the definer functions it
-- calls run as their owner.
create or replace function ops.runs_check_transition()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_changed text;
begin
  if new.status is distinct from old.status and (old.status::text || '>' || new.status::text) <> all (array[
    'queued>claimed', 'queued>canceled', 'claimed>running', 'claimed>queued', 'claimed>failed',
    'running>succeeded', 'running>failed', 'running>canceled', 'running>queued'
  ]) and not (
    old.status = 'queued' and new.status = 'running'
    and current_user = 'service_role' and coalesce(current_setting('ops.run_events', true), '') = 'recorded'
  ) then
    raise exception 'run %: illegal status transition % -> %', old.id, old.status, new.status
      using errcode = 'OP001',
      hint = 'Allowed transitions are listed by ops.run_status_transitions(); terminal states never change.';
  end if;
  if old.status in ('succeeded', 'failed', 'canceled') then
    select n.key into v_changed
    from jsonb_each(to_jsonb(new)) as n
    where n.key <> 'updated_at' and n.value is distinct from to_jsonb(old) -> n.key
    order by n.key
    limit 1;
    if v_changed is not null then
      raise exception 'run %: a % run is final and cannot change (runs.% was changed)', old.id, old.status, v_changed
        using errcode = 'OP001', hint = 'A finished run is history; queue a new run instead.';
    end if;
  end if;
  return new;
end
$$;

comment on function ops.runs_check_transition() is
'Trigger function: refuses a status change that ops.run_status_transitions() does not list (the same pairs, '
'as a constant), and any change to a succeeded, failed or canceled run (OP001). A claim that starts its runs '
'(ops.claim_next_run or ops.claim_runs with p_start, as service_role) writes queued -> running at once and records '
'it as claimed, then running.';

-- Run events ------------------------------------------------------------------------------------

drop trigger runs_900_record_event on ops.runs;

create trigger runs_900_record_event
after insert on ops.runs
for each row execute function ops.runs_record_event();

create trigger runs_901_record_status_event
after update of status on ops.runs
for each row
when (
  old.status is distinct from new.status
  and not (current_user = 'service_role' and coalesce(current_setting('ops.run_events', true), '') = 'recorded')
)
execute function ops.runs_record_event();

comment on trigger runs_901_record_status_event on ops.runs is
'Writes the event of a status change, unless a worker RPC running as service_role writes it itself '
'(ops.run_events = ''recorded'', set around its own updates only).';

create function ops_private.record_run_events(
  p_run_ids uuid[], p_from ops.run_status[], p_actor text, p_cancel_reason boolean
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
-- Plans kept for the session: custom plans were made again on every call (see the header).
set plan_cache_mode = force_generic_plan
as $$
begin
  -- Per run, in p_run_ids order: p_from[1] -> p_from[2] -> ... -> the run's
  -- status now. The payload and reason are the trigger's (ops.runs_record_event).
  insert into ops.run_events (run_id, project_id, from_status, to_status, actor, reason, payload)
  select r.id, r.project_id, p_from[s.i], coalesce(p_from[s.i + 1], r.status), p_actor,
    case when p_cancel_reason and r.status = 'canceled' then nullif(r.cancel_reason, '') end,
    jsonb_strip_nulls(jsonb_build_object(
      'attempt', r.attempt,
      'worker_id', r.worker_id,
      'exit_code', r.exit_code,
      'error_message', left(r.error_message, 500),
      'cancel_requested', r.cancel_requested_at is not null
    ))
  from unnest(p_run_ids) with ordinality as u (id, n)
  join ops.runs as r on r.id = u.id
  cross join generate_subscripts(p_from, 1) as s (i)
  order by u.n, s.i;
end
$$;

comment on function ops_private.record_run_events(uuid[], ops.run_status[], text, boolean) is
'For the worker RPCs, after they changed the status of p_run_ids with ops.run_events = ''recorded'': one event per '
'step p_from[1] -> p_from[2] -> ... -> the run''s status now, as trigger runs_901_record_status_event would have '
'written them (actor p_actor; reason the cancel''s reason for a run that ended canceled when p_cancel_reason).';
revoke execute on function ops_private.record_run_events(uuid[], ops.run_status[], text, boolean) from public, anon, authenticated;
grant execute on function ops_private.record_run_events(uuid[], ops.run_status[], text, boolean) to service_role;

-- Picking a project's next run ------------------------------------------------------------------

drop function ops_private.claim_one(text, integer, text[], boolean);
drop function ops_private.take_run_of_project(uuid, text[], boolean);

-- Replaces ops_private.take_run_of_project(uuid, text[], boolean) of
-- 20261202000900: p_taken, the runs the batch already picked (locked, still
-- queued), never picked again and counted in the limits; p_count runs at
-- once where that is what as many single picks would take.
create function ops_private.take_runs_of_project(
  p_project_id uuid,
  p_labels text[],
  p_urgent_only boolean,
  p_taken uuid[],
  p_count integer
)
returns uuid[]
language plpgsql
volatile
set search_path = ''
-- Custom plans, unlike the rest of the claim: a generic plan of the pick reads the
-- queue through runs_claimable_idx, filtering by project, instead of runs_project_queue_idx.
as $$
declare
  v_max integer;
  v_limited boolean;
  v_sets refcursor;
  v_set text[];
  v_next text[];
  v_more boolean;
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
      return '{}'::uuid[];
    end if;
    -- A new statement: it sees every claim committed before the lock was ours.
    if v_max is not null and (
      select count(*) from ops.runs as h
      where h.project_id = p_project_id and h.status in ('claimed', 'running')
    ) + (
      select count(*) from ops.runs as t where t.id = any(p_taken) and t.project_id = p_project_id
    ) >= v_max then
      return '{}'::uuid[];
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
        and q.run_after <= now() and q.id <> all(p_taken)
      order by q.priority desc, q.created_at, q.id
      limit 1
    ) as best
    where s.labels <@ p_labels
    order by best.priority desc, best.created_at, best.id;
  end if;
  fetch v_sets into v_set;
  if not found then
    close v_sets;
    return '{}'::uuid[];
  end if;
  fetch v_sets into v_next;
  v_more := found;

  -- Several at once: the project has no limit and one label set the worker
  -- may take, so single picks in a row would take its runs in this order.
  if p_count > 1 and not v_limited and not v_more then
    close v_sets;
    return array(
      select q.id
      from ops.runs as q
      where q.project_id = p_project_id and q.status = 'queued' and q.required_labels = v_set
        and q.run_after <= now()
        and q.id <> all(p_taken)
        and (not p_urgent_only or q.priority > 0)
      order by q.priority desc, q.created_at, q.id
      limit p_count
      for update of q skip locked
    );
  end if;

  loop
    -- The first due run of the set whose workflow has a free slot on its
    -- branch; skip locked passes over the rows concurrent claimers hold.
    select q.id into v_id
    from ops.runs as q
    where q.project_id = p_project_id and q.status = 'queued' and q.required_labels = v_set
      and q.run_after <= now()
      and q.id <> all(p_taken)
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
            ) + (
              select count(*) from ops.runs as t
              where t.id = any(p_taken)
                and t.project_id = q.project_id and t.workflow_id = q.workflow_id and t.branch = q.branch
            ) < w.concurrency_limit
          from ops.workflows as w where w.id = q.workflow_id
        )
      )
    order by q.priority desc, q.created_at, q.id
    limit 1
    for update of q skip locked;
    exit when v_id is not null or not v_more;
    v_set := v_next;
    fetch v_sets into v_next;
    v_more := found;
  end loop;
  close v_sets;
  if v_id is null then
    return '{}'::uuid[];
  end if;
  return array[v_id];
end
$$;

comment on function ops_private.take_runs_of_project(uuid, text[], boolean, uuid[], integer) is
'For the claim: locks and returns the next due queued run of the project (priority desc, then oldest) that is not '
'in p_taken, whose required_labels are all in p_labels and whose workflow has a free slot on its branch, only runs '
'above priority 0 when p_urgent_only; none when the project is at its max_running_runs, or when another claimer '
'holds the project''s schedule row to check a limit. Limits count the held runs and p_taken. Up to p_count runs '
'when the project has no limit and one label set the worker may take (the runs single picks in a row would take), '
'else at most one.';
revoke execute on function ops_private.take_runs_of_project(uuid, text[], boolean, uuid[], integer) from public, anon, authenticated;
grant execute on function ops_private.take_runs_of_project(uuid, text[], boolean, uuid[], integer) to service_role;

-- The claim ---------------------------------------------------------------------------------------

create function ops_private.claim_batch(
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

  -- 2. Then the projects' turns, least recently served first
  -- (project_schedules_turn_idx): one run from each project not served yet,
  -- then round the projects this batch served, each going to the back once
  -- served again. A project with no queued run left loses its flag (FOR
  -- UPDATE SKIP LOCKED, then checked again in a statement of its own).
  if cardinality(v_ids) < p_limit then
    for v_project in
      select s.project_id from ops.project_schedules as s
      where s.has_queued and s.project_id <> all(v_cycle)
      order by s.last_served_at nulls first, s.project_id
    loop
      v_got := ops_private.take_runs_of_project(v_project, p_labels, false, v_ids, 1);
      if cardinality(v_got) > 0 then
        v_ids := v_ids || v_got;
        v_cycle := v_cycle || v_project;
        exit when cardinality(v_ids) >= p_limit;
      elsif not exists (select 1 from ops.runs as q where q.project_id = v_project and q.status = 'queued') then
        perform 1 from ops.project_schedules as s where s.project_id = v_project for update skip locked;
        if found and not exists (
          select 1 from ops.runs as q where q.project_id = v_project and q.status = 'queued'
        ) then
          update ops.project_schedules as s set has_queued = false where s.project_id = v_project;
        end if;
      end if;
    end loop;
  end if;

  -- 3. Repair: the flag is written without waiting, so a race (an enqueue
  -- committing while a claim clears, an enqueue under repeatable read, a
  -- rolled back enqueue that had set it for another) can leave a project
  -- with queued runs unflagged. A claim that found nothing, and one claim in
  -- 64, flags every such project (one probe per unflagged project), then
  -- tries them.
  if cardinality(v_ids) = 0 or random() < 1.0 / 64 then
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

  -- The projects were served now, the last one served last. Skip locked: a
  -- concurrent claim of the same project is writing the same moment;
  -- fairness loses nothing.
  with served as (
    select distinct on (r.project_id) r.project_id, u.n
    from unnest(v_ids) with ordinality as u (id, n)
    join ops.runs as r on r.id = u.id
    order by r.project_id, u.n desc
  )
  update ops.project_schedules as s
  set last_served_at = clock_timestamp() + make_interval(secs => v.n / 1000000.0)
  from served as v
  where s.project_id = v.project_id
    and s.project_id in (
      select x.project_id from ops.project_schedules as x
      where x.project_id in (select v2.project_id from served as v2)
      for no key update skip locked
    );

  return query
  select r.* from unnest(v_ids) with ordinality as u (id, n)
  join ops.runs as r on r.id = u.id
  order by u.n;
end
$$;

comment on function ops_private.claim_batch(text, integer, text[], boolean, integer) is
'For ops.claim_next_run and ops.claim_runs: picks the p_limit runs that as many single claims in a row would take '
'(runs above priority 0 first, best first; then projects in turn, each going to the back once served; '
'required_labels within p_labels; project and workflow limits honoured, counting the runs already picked), then '
'claims them in one statement with a lease of p_lease_seconds (default: the workflow''s lease_seconds, else 60 s), '
'starts them in another when p_start, writes their events in one, and marks their projects served. Returns them in '
'pick order. Inputs are checked by the callers.';
revoke execute on function ops_private.claim_batch(text, integer, text[], boolean, integer) from public, anon, authenticated;
grant execute on function ops_private.claim_batch(text, integer, text[], boolean, integer) to service_role;

-- The RPCs ------------------------------------------------------------------------------------------

-- Changed from 20261202001700: ops.claim_runs with a batch of one.
create or replace function ops.claim_next_run(
  p_worker_id text, p_lease_seconds integer default null, p_labels text[] default null, p_start boolean default false
)
returns setof ops.runs
language plpgsql
set search_path = ''
as $$
begin
  -- A batch of one: the same checks, the same claim.
  return query select * from ops.claim_runs(p_worker_id, p_labels, 1, p_lease_seconds, p_start);
end
$$;

comment on function ops.claim_next_run(text, integer, text[], boolean) is
'Records p_worker_id as seen with the labels it offers (p_labels, null for none), recovers runs whose lease expired (back to queued while attempts remain, claimable again after the workflow''s retry backoff; else failed naming the expiry), then claims a due queued run whose required_labels are all in p_labels, with a lease of p_lease_seconds (default: the workflow''s lease_seconds, else 60 s); with p_start it also starts it (as ops.start_workflow_run would) in the same transaction. Order: runs above priority 0 (set by service_role only) first, by priority then age; then projects in turn, least recently served first, and within a project priority desc then oldest. A run is not claimed while its project holds max_running_runs runs or its workflow holds concurrency_limit runs on its branch. Returns zero or one run; concurrent callers never get the same run and never wait on each other. SQLSTATEs: 22023 invalid parameter (p_labels[i] for a bad label, p_lease_seconds, p_start null).';
revoke execute on function ops.claim_next_run(text, integer, text[], boolean) from public, anon, authenticated;
grant execute on function ops.claim_next_run(text, integer, text[], boolean) to service_role;

-- Changed from 20261202001700: the batch is picked first, then written set-wise (ops_private.claim_batch).
create or replace function ops.claim_runs(
  p_worker_id text,
  p_labels text[] default null,
  p_limit integer default 10,
  p_lease_seconds integer default null,
  p_start boolean default false
)
returns setof ops.runs
language plpgsql
set search_path = ''
as $$
declare
  v_labels text[];
begin
  perform ops_private.check_worker_id(p_worker_id, true);
  if p_limit is null or p_limit not between 1 and 100 then
    raise exception 'p_limit must be from 1 to 100, got %', coalesce(p_limit::text, 'null') using errcode = '22023';
  end if;
  if p_lease_seconds is not null and p_lease_seconds not between 1 and 86400 then
    raise exception 'p_lease_seconds must be from 1 to 86400, got %', p_lease_seconds using errcode = '22023';
  end if;
  if p_start is null then
    raise exception 'p_start must be true or false, got null' using errcode = '22023';
  end if;
  v_labels := ops_private.check_labels('p_labels', p_labels);
  perform set_config('ops.actor', 'worker:' || p_worker_id, true);
  perform ops_private.worker_seen(p_worker_id, v_labels);
  perform ops_private.recover_expired_leases();
  return query select * from ops_private.claim_batch(p_worker_id, p_lease_seconds, v_labels, p_start, p_limit);
end
$$;

comment on function ops.claim_runs(text, text[], integer, integer, boolean) is
'The batch form of ops.claim_next_run for runners that take several runs at once: up to p_limit (1 to 100) runs in one transaction, chosen as that many claim_next_run calls in a row would choose them (turns, labels, limits), then claimed (and started, when p_start) with one statement each for the whole batch. Returns the runs in claim order; fewer (or none) when the queue holds no more that the worker may take. SQLSTATEs: 22023 invalid parameter (p_limit, p_lease_seconds, p_start, p_labels[i]).';
revoke execute on function ops.claim_runs(text, text[], integer, integer, boolean) from public, anon, authenticated;
grant execute on function ops.claim_runs(text, text[], integer, integer, boolean) to service_role;

-- Changed from 20260213000200: the event is written here (as service_role).
create or replace function ops.start_workflow_run(p_run_id uuid, p_worker_id text)
returns ops.runs
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_run ops.runs;
  v_updated boolean;
begin
  perform ops_private.check_worker_id(p_worker_id, true);
  perform set_config('ops.actor', 'worker:' || p_worker_id, true);
  perform set_config('ops.reason', '', true);
  perform set_config('ops.run_events', 'recorded', true);
  update ops.runs as r
  set status = 'running', started_at = now(), heartbeat_at = now()
  where r.id = p_run_id and r.status = 'claimed' and r.worker_id = p_worker_id
  returning r.* into v_run;
  v_updated := found;
  perform set_config('ops.run_events', '', true);
  if v_updated then
    if current_user = 'service_role' then
      perform ops_private.record_run_events(array[p_run_id], '{claimed}', 'worker:' || p_worker_id, false);
    end if;
    return v_run;
  end if;
  -- A repeat by the holder: already running, nothing to do.
  select r.* into v_run from ops.runs as r
  where r.id = p_run_id and r.status = 'running' and r.worker_id = p_worker_id;
  if found then
    return v_run;
  end if;
  perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'start it');
  return null;
end
$$;

-- Changed from 20261202000910: the event is written here (as service_role); the
-- cancel's reason is read by ops_private.record_run_events.
create or replace function ops.complete_workflow_run(
  p_run_id uuid,
  p_exit_code integer,
  p_error_message text default null,
  p_worker_id text default null
)
returns ops.runs
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_run ops.runs;
  v_message text := left(p_error_message, 8000);
  v_updated boolean;
begin
  if p_exit_code is null then
    raise exception 'p_exit_code must be an integer, got null' using errcode = '22023';
  end if;
  perform ops_private.check_worker_id(p_worker_id, true);
  perform set_config('ops.actor', 'worker:' || p_worker_id, true);
  -- For the trigger, when it writes the event (not as service_role): a run
  -- that ends canceled says why, the cancel's reason.
  perform set_config('ops.reason', coalesce((
    select r.cancel_reason from ops.runs as r
    where r.id = p_run_id and r.status = 'running' and r.cancel_requested_at is not null
  ), ''), true);

  perform set_config('ops.run_events', 'recorded', true);
  update ops.runs as r
  set
    status = case
      when ops_private.cancel_is_due(r) then 'canceled'
      when p_exit_code = 0 then 'succeeded'
      else 'failed'
    end::ops.run_status,
    exit_code = p_exit_code,
    error_message = v_message,
    lease_expires_at = null,
    finished_at = now()
  where r.id = p_run_id and r.status = 'running' and r.worker_id = p_worker_id
  returning r.* into v_run;
  v_updated := found;
  perform set_config('ops.run_events', '', true);
  if v_updated then
    if current_user = 'service_role' then
      perform ops_private.record_run_events(array[p_run_id], '{running}', 'worker:' || p_worker_id, true);
    end if;
    return v_run;
  end if;

  select r.* into v_run from ops.runs as r where r.id = p_run_id;
  if not found then
    raise exception 'run % not found', p_run_id using errcode = 'P0002';
  end if;
  if v_run.worker_id is distinct from p_worker_id then
    perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'complete it');
  end if;
  if v_run.status in ('succeeded', 'failed', 'canceled') then
    if v_run.exit_code is not distinct from p_exit_code and v_run.error_message is not distinct from v_message then
      return v_run; -- the holder's same completion again: no change, no second event
    end if;
    raise exception 'run % already ended as % with exit code %; cannot complete it again with exit code %',
      p_run_id, v_run.status, coalesce(v_run.exit_code::text, 'none'), p_exit_code
      using errcode = 'OP003', hint = 'A run completes once; an identical repeat returns the stored result.';
  end if;
  raise exception 'run %: illegal status transition % -> completed: the run is not running', p_run_id, v_run.status
    using errcode = 'OP001', hint = 'Start a claimed run with ops.start_workflow_run before completing it.';
end
$$;

-- The batch completion ---------------------------------------------------------------------------

create function ops.complete_workflow_runs(
  p_run_ids uuid[],
  p_exit_codes integer[],
  p_worker_id text,
  p_error_messages text[] default null
)
returns setof ops.runs
language plpgsql
volatile
set search_path = ''
-- Plans kept for the session: custom plans were made again on every call (see the header).
set plan_cache_mode = force_generic_plan
as $$
declare
  v_n integer := coalesce(cardinality(p_run_ids), 0);
  v_done uuid[];
begin
  if p_run_ids is null or v_n not between 1 and 100 or array_ndims(p_run_ids) <> 1 then
    raise exception 'p_run_ids must be a list of 1 to 100 run ids, got %',
      case when p_run_ids is null then 'null' else v_n || ' elements' end using errcode = '22023';
  end if;
  if array_position(p_run_ids, null) is not null then
    raise exception 'p_run_ids[%] must be a run id, got null', array_position(p_run_ids, null)
      using errcode = '22023';
  end if;
  if (select count(distinct x) from unnest(p_run_ids) as x) <> v_n then
    raise exception 'p_run_ids must not name a run twice, got % twice', (
      select x from unnest(p_run_ids) as x group by x having count(*) > 1 limit 1
    ) using errcode = '22023';
  end if;
  if p_exit_codes is null or coalesce(cardinality(p_exit_codes), 0) <> v_n or array_ndims(p_exit_codes) <> 1 then
    raise exception 'p_exit_codes must hold one exit code per run (% of them), got %', v_n,
      coalesce(cardinality(p_exit_codes)::text || ' elements', 'null') using errcode = '22023';
  end if;
  if array_position(p_exit_codes, null) is not null then
    raise exception 'p_exit_codes[%] must be an integer, got null', array_position(p_exit_codes, null)
      using errcode = '22023';
  end if;
  if p_error_messages is not null
    and (coalesce(cardinality(p_error_messages), 0) <> v_n or array_ndims(p_error_messages) <> 1) then
    raise exception 'p_error_messages must be null or hold one message (or null) per run (% of them), got % elements',
      v_n, coalesce(cardinality(p_error_messages), 0) using errcode = '22023';
  end if;
  perform ops_private.check_worker_id(p_worker_id, true);
  perform set_config('ops.actor', 'worker:' || p_worker_id, true);
  perform set_config('ops.reason', '', true);

  -- One statement for every run the worker holds and runs; the others are
  -- then handed to ops.complete_workflow_run one by one, which returns an
  -- identical repeat or raises what it raises for one run, undoing the batch.
  -- Run by another role than service_role (the owner, in an admin's
  -- session), every run goes that way: the trigger writes the events, each
  -- with its own reason.
  if current_user = 'service_role' then
    perform set_config('ops.run_events', 'recorded', true);
    with done as (
      update ops.runs as r
      set
        status = case
          when ops_private.cancel_is_due(r) then 'canceled'
          when c.exit_code = 0 then 'succeeded'
          else 'failed'
        end::ops.run_status,
        exit_code = c.exit_code,
        error_message = left(c.error_message, 8000),
        lease_expires_at = null,
        finished_at = now()
      from unnest(p_run_ids, p_exit_codes, coalesce(p_error_messages, array_fill(null::text, array[v_n])))
        as c (id, exit_code, error_message)
      where r.id = c.id and r.status = 'running' and r.worker_id = p_worker_id
      returning r.id
    )
    select array_agg(d.id) into v_done from done as d;
    perform set_config('ops.run_events', '', true);
    if v_done is not null then
      perform ops_private.record_run_events(
        array(select x from unnest(p_run_ids) as x where x = any(v_done)), '{running}', 'worker:' || p_worker_id, true
      );
    end if;
  end if;
  if coalesce(cardinality(v_done), 0) < v_n then
    for v_i in 1..v_n loop
      if not p_run_ids[v_i] = any(coalesce(v_done, '{}')) then
        perform ops.complete_workflow_run(p_run_ids[v_i], p_exit_codes[v_i], p_error_messages[v_i], p_worker_id);
      end if;
    end loop;
  end if;

  return query
  select r.* from unnest(p_run_ids) with ordinality as u (id, n)
  join ops.runs as r on r.id = u.id
  order by u.n;
end
$$;

comment on function ops.complete_workflow_runs(uuid[], integer[], text, text[]) is
'The batch form of ops.complete_workflow_run for runners that take several runs at once: ends up to 100 running '
'runs that p_worker_id holds, p_run_ids[i] with p_exit_codes[i] and p_error_messages[i] (null for none), in one '
'statement, with the same outcome and events as one call per run. All or nothing: a run the single form would '
'refuse raises its error and ends none of them; the holder''s identical repeat of a run is returned unchanged. '
'Returns the runs in p_run_ids order. SQLSTATEs: 22023 invalid parameter (p_run_ids empty, over 100, with a null '
'or a repeat; p_exit_codes or p_error_messages of another length, a null exit code; p_worker_id), and per run '
'those of ops.complete_workflow_run: OP001 not running yet, OP002 not held by p_worker_id, OP003 ended otherwise, '
'P0002 unknown run.';
revoke execute on function ops.complete_workflow_runs(uuid[], integer[], text, text[]) from public, anon, authenticated;
grant execute on function ops.complete_workflow_runs(uuid[], integer[], text, text[]) to service_role;
