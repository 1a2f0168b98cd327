-- A cheaper run lifecycle: a claim that also starts, a batch claim, and only
-- the indexes of ops.runs that queries read.
--
-- * ops.claim_next_run gains p_start (default false): true starts the run it
--   claims in the same transaction (claimed, then running, two events as
--   before), so a worker calls claim and complete, not claim, start and
--   complete. The run's meaning and events are those of claim_next_run
--   followed by start_workflow_run.
-- * ops.claim_runs(p_worker_id, p_labels, p_limit, p_lease_seconds, p_start):
--   up to p_limit (1 to 100) runs in one transaction, each taken by the same
--   steps as one claim_next_run (turns, labels, limits), one after the other,
--   so that each sees the runs the batch already holds.
-- * The claim's body moves into ops_private.recover_expired_leases() (step 1,
--   once per call) and ops_private.claim_one(...) (the pick, the claim, the
--   project's turn, the optional start), shared by both RPCs.
-- * ops.runs_check_transition() (trigger runs_200_check_transition) checks
--   the pair against a constant list instead of calling
--   ops.run_status_transitions(), a SQL function that cannot be inlined
--   (it pins search_path), so each of a run's three status changes planned
--   it again. The list is the function's; the pgTAP tests
--   run_state_machine/allows_every_listed_transition and
--   refuses_every_unlisted_transition_with_op001 try all 30 pairs against
--   the function, so the two cannot drift apart unnoticed.
-- * Indexes of ops.runs: a status change is never HOT, so every full index
--   takes an entry at claim, start and completion. runs_created_by_idx
--   stays: the insert policy filters on created_by, and every such column
--   leads an index. Dropped: runs_workflow_id_idx (no query reads runs by workflow alone; it served
--   only the rare delete of a workflow, which now reads ops.runs once),
--   runs_held_idx (the lease recovery reads runs_held_project_idx, same
--   predicate), runs_project_id_created_at_status_idx (folded into
--   runs_project_id_created_at_id_idx, rebuilt with status as its last key
--   column so that "my runs in status X" stays an index-only read; a key
--   column, not include (status), which Prisma cannot state; id is unique,
--   so status never changes the order of a page). See PERFORMANCE.md.
-- Objects: indexes above; functions ops.runs_check_transition(), ops.claim_next_run(text, integer, text[])
-- (dropped) and ops.claim_next_run(text, integer, text[], boolean),
-- ops.claim_runs(text, text[], integer, integer, boolean),
-- ops_private.recover_expired_leases(), ops_private.claim_one(text, integer,
-- text[], boolean).
-- Locks: ACCESS EXCLUSIVE on ops.runs for the index drops (brief), SHARE while
-- runs_project_id_created_at_id_idx is rebuilt (about 3 s per million runs).
-- Roll back: create the three dropped indexes again as in 20260213000100,
--   20261202000800 and 20261202001300; drop the functions created here and
--   create ops.claim_next_run(text, integer, text[]) again from
--   20261202000900 and ops.runs_check_transition() from 20261202000120.
--
-- SQLSTATEs: 22023 as before, and for a null p_start; claim_runs also for
-- p_limit out of 1 to 100 (or null).

set local lock_timeout = '5s';

-- Indexes ----------------------------------------------------------------------------

drop index ops.runs_workflow_id_idx;
drop index ops.runs_held_idx;
drop index ops.runs_project_id_created_at_status_idx;
drop index ops.runs_project_id_created_at_id_idx;

create index runs_project_id_created_at_id_idx
on ops.runs (project_id, created_at desc, id desc, status);

comment on index ops.runs_project_id_created_at_id_idx is
'A project''s runs newest first, ties broken by id: the keyset pages of the console''s runs page; status last so that counts by status read the index alone.';

-- The state machine's check, without a call per update --------------------------------

-- Changed from 20261202000120: the allowed pairs are a constant here, not a
-- call of ops.run_status_transitions(); the rest is as it was.
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
  ]) then
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
'as a constant), and any change to a succeeded, failed or canceled run (OP001).';
revoke execute on function ops.runs_check_transition() from public, anon, authenticated;

-- Lease recovery -----------------------------------------------------------------------

create or replace function ops_private.recover_expired_leases()
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_cancel uuid[];
  v_expired uuid[];
  v_projects uuid[];
begin
  -- 1. Recover runs whose holder stopped heartbeating, as in 20261202000900 (moved here);
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
end
$$;

comment on function ops_private.recover_expired_leases() is
'For ops.claim_next_run and ops.claim_runs: runs whose lease expired go back to queued while attempts remain (claimable again after the workflow''s retry backoff), else end failed naming the expiry, or canceled when a cancel was requested. Never waits: rows and project schedule rows another transaction holds are left to the next claim.';
revoke execute on function ops_private.recover_expired_leases() from public, anon, authenticated;
grant execute on function ops_private.recover_expired_leases() to service_role;

-- One claim ------------------------------------------------------------------------------

create or replace function ops_private.claim_one(
  p_worker_id text, p_lease_seconds integer, p_labels text[], p_start boolean
)
returns ops.runs
language plpgsql
set search_path = ''
as $$
declare
  v_repaired uuid[];
  v_labels text[] := p_labels;
  v_project uuid;
  v_id uuid;
  v_run ops.runs;
begin
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
    return null;
  end if;

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
  returning r.* into v_run;

  -- The project was served now. Skip locked: a concurrent claim of the same
  -- project is writing the same moment; fairness loses nothing.
  update ops.project_schedules as s set last_served_at = clock_timestamp()
  where s.project_id = (
    select x.project_id from ops.project_schedules as x
    where x.project_id = v_run.project_id
    for no key update skip locked
  );

  -- Started in the same transaction: what ops.start_workflow_run does.
  if p_start then
    update ops.runs as r
    set status = 'running', started_at = now(), heartbeat_at = now()
    where r.id = v_id
    returning r.* into v_run;
  end if;
  return v_run;
end
$$;

comment on function ops_private.claim_one(text, integer, text[], boolean) is
'For ops.claim_next_run and ops.claim_runs: takes the next run p_worker_id may take (operators'' runs above priority 0 first, then projects in turn; required_labels within p_labels; project and workflow limits honoured), claims it with a lease of p_lease_seconds (default: the workflow''s lease_seconds, else 60 s), marks its project served, and starts it when p_start. Returns null when there is none. Inputs are checked by the callers.';
revoke execute on function ops_private.claim_one(text, integer, text[], boolean) from public, anon, authenticated;
grant execute on function ops_private.claim_one(text, integer, text[], boolean) to service_role;

-- The RPCs ---------------------------------------------------------------------------------

drop function ops.claim_next_run(text, integer, text[]);

create function ops.claim_next_run(
  p_worker_id text, p_lease_seconds integer default null, p_labels text[] default null, p_start boolean default false
)
returns setof ops.runs
language plpgsql
set search_path = ''
as $$
declare
  v_labels text[];
  v_run ops.runs;
begin
  perform ops_private.check_worker_id(p_worker_id, true);
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
  v_run := ops_private.claim_one(p_worker_id, p_lease_seconds, v_labels, p_start);
  if v_run.id is not null then
    return next v_run;
  end if;
end
$$;

comment on function ops.claim_next_run(text, integer, text[], boolean) is
'Records p_worker_id as seen with the labels it offers (p_labels, null for none), recovers runs whose lease expired (back to queued while attempts remain, claimable again after the workflow''s retry backoff; else failed naming the expiry), then claims a due queued run whose required_labels are all in p_labels, with a lease of p_lease_seconds (default: the workflow''s lease_seconds, else 60 s); with p_start it also starts it (as ops.start_workflow_run would) in the same transaction. Order: runs above priority 0 (set by service_role only) first, by priority then age; then projects in turn, least recently served first, and within a project priority desc then oldest. A run is not claimed while its project holds max_running_runs runs or its workflow holds concurrency_limit runs on its branch. Returns zero or one run; concurrent callers never get the same run and never wait on each other. SQLSTATEs: 22023 invalid parameter (p_labels[i] for a bad label, p_lease_seconds, p_start null).';
revoke execute on function ops.claim_next_run(text, integer, text[], boolean) from public, anon, authenticated;
grant execute on function ops.claim_next_run(text, integer, text[], boolean) to service_role;

create function ops.claim_runs(
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
  v_run ops.runs;
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
  -- One claim after the other: each sees the runs the batch already holds
  -- (limits), and the project it served last goes to the back of the turn.
  for i in 1..p_limit loop
    v_run := ops_private.claim_one(p_worker_id, p_lease_seconds, v_labels, p_start);
    exit when v_run.id is null;
    return next v_run;
  end loop;
end
$$;

comment on function ops.claim_runs(text, text[], integer, integer, boolean) is
'The batch form of ops.claim_next_run for runners that take several runs at once: up to p_limit (1 to 100) runs in one transaction, each chosen exactly as one claim_next_run call would choose it after the previous ones (turns, labels, limits), started too when p_start. Returns the runs in claim order; fewer (or none) when the queue holds no more that the worker may take. SQLSTATEs: 22023 invalid parameter (p_limit, p_lease_seconds, p_start, p_labels[i]).';
revoke execute on function ops.claim_runs(text, text[], integer, integer, boolean) from public, anon, authenticated;
grant execute on function ops.claim_runs(text, text[], integer, integer, boolean) to service_role;
