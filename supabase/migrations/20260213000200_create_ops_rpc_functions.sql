-- Week 3: the queue RPCs, the interface clients and workers use.
--
-- Objects:
--   producers  ops.enqueue_run, ops.cancel_run, ops.list_queued_runs
--   workers    ops.claim_next_run, ops.start_workflow_run, ops.heartbeat_run,
--              ops.complete_workflow_run, ops.requeue_run, ops.append_run_log,
--              ops.append_run_logs, ops.add_run_artifact
--   helpers    ops_private.cancel_run (SECURITY DEFINER, see below),
--              ops_private.caller_role(), ops_private.raise_not_holder(),
--              ops_private.check_worker_id().
-- No table, index or trigger changes: the schema of 20260213000100..102 is
-- used as it is.
-- Locks: none beyond the catalog rows of the new functions.
-- Roll back: drop the functions named here.
--
-- SQLSTATEs (also in comment on function and docs/odooops-sh/RUN_LIFECYCLE.md):
--   OP001 illegal status transition (the state-machine trigger, or raised here
--         with a clearer message before the trigger would)
--   OP002 the caller is not the worker holding the run (fencing)
--   OP003 a repeat that conflicts with what is stored
--   P0002 unknown run id, project slug or workflow name (no_data_found)
--   22023 invalid parameter value, naming the parameter and the value
--   42501 the caller may not do this to this project
--
-- Fencing: every worker write names the worker (p_worker_id) and only
-- succeeds while that worker holds the run (claimed or running, worker_id
-- equal). A worker whose lease expired and was taken over cannot overwrite
-- the work of the one that took over. Worker ids must be unique per process.
--
-- Events: status changes are recorded by the trigger runs_900_record_event;
-- these functions only set the transaction-local settings ops.actor and
-- ops.reason it reads (set_config(..., true)).

-- Helpers -------------------------------------------------------------------

-- The role the caller acts as: the SET ROLE role (PostgREST's way), else the
-- login role. Also correct inside a SECURITY DEFINER function, where
-- current_user is the owner instead.
create or replace function ops_private.caller_role()
returns text
language sql
stable
set search_path = ''
as $$
  select coalesce(nullif(nullif(current_setting('role', true), ''), 'none'), session_user::text)
$$;

comment on function ops_private.caller_role() is
'The role the caller acts as: the role set with SET ROLE, else the login role.';

revoke execute on function ops_private.caller_role() from public, anon;
grant execute on function ops_private.caller_role() to authenticated, service_role;

-- enqueue_run -----------------------------------------------------------------

create or replace function ops.enqueue_run(
  p_project_slug text,
  p_workflow_name text,
  p_branch text,
  p_commit_sha text,
  p_params jsonb default '{}'::jsonb,
  p_stage ops.run_stage default null,
  p_priority integer default 0,
  p_run_after timestamptz default null,
  p_idempotency_key text default null,
  p_reuse_active boolean default false
)
returns ops.runs
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_project ops.projects;
  v_workflow ops.workflows;
  v_run ops.runs;
begin
  if p_project_slug is null or btrim(p_project_slug) = '' then
    raise exception 'p_project_slug must be a project slug, got %', coalesce(quote_literal(p_project_slug), 'null')
      using errcode = '22023';
  end if;
  if p_workflow_name is null or btrim(p_workflow_name) = '' then
    raise exception 'p_workflow_name must be a workflow name, got %', coalesce(quote_literal(p_workflow_name), 'null')
      using errcode = '22023';
  end if;
  if not coalesce(ops.is_git_ref_name(p_branch), false) then
    raise exception 'p_branch must be a git branch name, got %', coalesce(quote_literal(p_branch), 'null')
      using errcode = '22023', hint = 'Letters, digits and . _ / -; no "..", "//", leading or trailing "/" or ".".';
  end if;
  if p_commit_sha is null or p_commit_sha !~ '^([0-9a-f]{6,40}|[0-9a-f]{64})$' then
    raise exception 'p_commit_sha must be lowercase hex (6 to 40 or 64 characters), got %',
      coalesce(quote_literal(p_commit_sha), 'null')
      using errcode = '22023';
  end if;
  if p_params is null or jsonb_typeof(p_params) <> 'object' then
    raise exception 'p_params must be a JSON object, got %', coalesce(left(p_params::text, 80), 'null')
      using errcode = '22023';
  end if;
  if p_priority is null or p_priority not between -1000 and 1000 then
    raise exception 'p_priority must be from -1000 to 1000, got %', coalesce(p_priority::text, 'null')
      using errcode = '22023';
  end if;
  if p_idempotency_key is not null and length(p_idempotency_key) not between 1 and 200 then
    raise exception 'p_idempotency_key must be 1 to 200 characters, got % characters', length(p_idempotency_key)
      using errcode = '22023';
  end if;
  if p_reuse_active is null then
    raise exception 'p_reuse_active must be true or false, got null' using errcode = '22023';
  end if;

  -- Row-level security decides what an authenticated caller sees: a project
  -- they are not a member of is as unknown as one that does not exist.
  select p.* into v_project from ops.projects as p where p.slug = p_project_slug;
  if not found then
    raise exception 'project % not found', quote_literal(p_project_slug)
      using errcode = 'P0002', hint = 'Check the slug, and that you are a member of the project.';
  end if;
  if ops_private.caller_role() = 'authenticated'
    and not ops_private.has_project_role(v_project.id, 'developer') then
    raise exception 'enqueue_run: queueing runs of project % needs the developer role or above', v_project.slug
      using errcode = '42501';
  end if;
  select w.* into v_workflow from ops.workflows as w
  where w.project_id = v_project.id and w.name = p_workflow_name;
  if not found then
    raise exception 'workflow % not found in project %', quote_literal(p_workflow_name), v_project.slug
      using errcode = 'P0002';
  end if;
  if not v_workflow.enabled then
    raise exception 'p_workflow_name %: workflow is disabled in project %', quote_literal(p_workflow_name), v_project.slug
      using errcode = '22023', hint = 'Enable the workflow before queueing runs of it.';
  end if;

  if p_idempotency_key is not null then
    select r.* into v_run from ops.runs as r
    where r.project_id = v_project.id and r.idempotency_key = p_idempotency_key;
    if found then
      return v_run;
    end if;
  end if;

  if p_reuse_active then
    -- Two callers asking for the same commit at once get one run: the second
    -- waits here until the first commits, then finds its run.
    perform pg_advisory_xact_lock(hashtextextended(
      concat_ws('/', 'ops.enqueue_run', v_project.id, v_workflow.id, p_branch, p_commit_sha), 0
    ));
    -- Two arms so each walks a small partial index (runs_held_idx,
    -- runs_claimable_idx) instead of the project's whole history.
    select a.* into v_run from (
      select h.* from ops.runs as h
      where h.status in ('claimed', 'running') and h.project_id = v_project.id and h.workflow_id = v_workflow.id
        and h.branch = p_branch and h.commit_sha = p_commit_sha
      union all
      select q.* from ops.runs as q
      where q.status = 'queued' and q.project_id = v_project.id and q.workflow_id = v_workflow.id
        and q.branch = p_branch and q.commit_sha = p_commit_sha
    ) as a
    order by a.created_at, a.id
    limit 1;
    if found then
      return v_run;
    end if;
  end if;

  insert into ops.runs (
    project_id, workflow_id, stage, branch, commit_sha, params, priority, run_after,
    max_attempts, idempotency_key
  )
  values (
    v_project.id, v_workflow.id,
    coalesce(
      p_stage,
      case when p_branch = v_project.production_branch then 'production' else 'development' end::ops.run_stage
    ),
    p_branch, p_commit_sha, p_params, p_priority, coalesce(p_run_after, now()),
    v_workflow.max_attempts, p_idempotency_key
  )
  on conflict (project_id, idempotency_key) do nothing
  returning * into v_run;
  if v_run.id is null then
    -- A concurrent call with the same key committed first: return its run.
    select r.* into v_run from ops.runs as r
    where r.project_id = v_project.id and r.idempotency_key = p_idempotency_key;
    return v_run;
  end if;
  -- One NOTIFY per call (one statement, one row): idle workers LISTENing on
  -- ops_runs_queued wake and claim. Delivered at commit; the payload (the
  -- project id) is only a hint.
  perform pg_notify('ops_runs_queued', v_project.id::text);
  return v_run;
end
$$;

comment on function ops.enqueue_run(text, text, text, text, jsonb, ops.run_stage, integer, timestamptz, text, boolean) is
'Queues a run of a workflow on a branch and commit and returns it. Idempotent on (project, p_idempotency_key); '
'p_reuse_active returns the active run of the same workflow, branch and commit instead of a second one. '
'p_stage null: production on the project''s production branch, else development. Wakes workers with NOTIFY ops_runs_queued. '
'SQLSTATEs: 22023 invalid parameter or disabled workflow, P0002 unknown project or workflow, 42501 not a developer of the project.';

revoke execute on function ops.enqueue_run(text, text, text, text, jsonb, ops.run_stage, integer, timestamptz, text, boolean)
from public, anon, authenticated;
grant execute on function ops.enqueue_run(text, text, text, text, jsonb, ops.run_stage, integer, timestamptz, text, boolean)
to authenticated, service_role;

-- claim_next_run --------------------------------------------------------------

create or replace function ops.claim_next_run(p_worker_id text, p_lease_seconds integer default null)
returns setof ops.runs
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_cancel uuid[];
begin
  if p_worker_id is null or p_worker_id !~ '^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$' then
    raise exception 'p_worker_id must match ^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$, got %',
      coalesce(quote_literal(p_worker_id), 'null')
      using errcode = '22023';
  end if;
  if p_lease_seconds is not null and p_lease_seconds not between 1 and 86400 then
    raise exception 'p_lease_seconds must be from 1 to 86400, got %', p_lease_seconds using errcode = '22023';
  end if;
  perform set_config('ops.actor', 'worker:' || p_worker_id, true);

  -- 1. Recover runs whose holder stopped heartbeating. runs_held_idx holds only
  -- claimed and running runs (about one per worker), so this is cheap; skip
  -- locked leaves a run to the holder that is heartbeating it right now.
  perform set_config('ops.reason', 'lease expired', true);
  with recovered as (
    update ops.runs as r
    set
      status = case
        when r.status = 'running' and r.cancel_requested_at is not null then 'canceled'
        when r.attempt < r.max_attempts then 'queued'
        else 'failed'
      end::ops.run_status,
      error_message = case
        when r.status = 'running' and r.cancel_requested_at is not null then r.error_message
        when r.attempt < r.max_attempts then r.error_message
        else format(
          'lease expired: worker %s stopped heartbeating (lease ended %s), attempt %s of %s',
          r.worker_id, r.lease_expires_at, r.attempt, r.max_attempts
        )
      end,
      worker_id = case
        when r.attempt < r.max_attempts and not (r.status = 'running' and r.cancel_requested_at is not null)
          then null
        else r.worker_id
      end,
      lease_expires_at = null,
      finished_at = case
        when (r.status = 'running' and r.cancel_requested_at is not null) or r.attempt >= r.max_attempts then now()
      end,
      claimed_at = case
        when r.attempt < r.max_attempts and not (r.status = 'running' and r.cancel_requested_at is not null)
          then null
        else r.claimed_at
      end,
      started_at = case
        when r.attempt < r.max_attempts and not (r.status = 'running' and r.cancel_requested_at is not null)
          then null
        else r.started_at
      end
    where r.id = any(array(
      select h.id from ops.runs as h
      where h.status in ('claimed', 'running') and h.lease_expires_at < now()
      for update skip locked
    ))
    returning r.id, r.status, r.cancel_requested_at
  )
  select array_agg(c.id) into v_cancel from recovered as c
  where c.status = 'queued' and c.cancel_requested_at is not null;
  if v_cancel is not null then
    -- Claimed, never started, and a cancel came: it goes on from queued to canceled.
    perform set_config('ops.reason', 'lease expired with a cancel requested', true);
    update ops.runs as r set status = 'canceled', finished_at = now() where r.id = any(v_cancel);
  end if;

  -- 2. Take the next due run. The ORDER BY is runs_claimable_idx exactly, so
  -- this walks the small partial index; skip locked makes concurrent workers
  -- pass over each other's rows instead of waiting. Static SQL: the plan is
  -- cached for the session.
  perform set_config('ops.reason', '', true);
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
  where r.id = any(array(
    select q.id from ops.runs as q
    where q.status = 'queued' and q.run_after <= now()
    order by q.priority desc, q.created_at, q.id
    limit 1
    for update skip locked
  ))
  returning r.*;
end
$$;

comment on function ops.claim_next_run(text, integer) is
'Recovers runs whose lease expired (back to queued while attempts remain, else failed naming the expiry), '
'then claims the next due queued run (priority desc, then oldest) for p_worker_id with a lease of '
'p_lease_seconds (default: the workflow''s lease_seconds, else 60 s). Returns zero or one run; '
'concurrent callers never get the same run and never wait on each other. SQLSTATEs: 22023 invalid parameter.';

revoke execute on function ops.claim_next_run(text, integer) from public, anon, authenticated;
grant execute on function ops.claim_next_run(text, integer) to service_role;

-- Raises the fencing error for a run the worker does not hold (or P0002).
create or replace function ops_private.raise_not_holder(p_run_id uuid, p_worker_id text, p_action text)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  v_run ops.runs;
begin
  select r.* into v_run from ops.runs as r where r.id = p_run_id;
  if not found then
    raise exception 'run % not found', p_run_id using errcode = 'P0002';
  end if;
  raise exception 'run %: worker % cannot %: the run is % and held by %',
    p_run_id, p_worker_id, p_action, v_run.status,
    case when v_run.status in ('claimed', 'running') then v_run.worker_id else 'no worker' end
    using errcode = 'OP002',
    hint = 'The lease may have expired and the run been recovered; stop working on it.';
end
$$;

comment on function ops_private.raise_not_holder(uuid, text, text) is
'Raises OP002 (not the holder) naming the run, the caller and the holder, or P0002 when the run does not exist.';

revoke execute on function ops_private.raise_not_holder(uuid, text, text) from public, anon, authenticated;
grant execute on function ops_private.raise_not_holder(uuid, text, text) to service_role;

create or replace function ops_private.check_worker_id(p_worker_id text, p_required boolean)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if (p_worker_id is null and p_required)
    or p_worker_id !~ '^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$' then
    raise exception 'p_worker_id must match ^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$, got %',
      coalesce(quote_literal(p_worker_id), 'null')
      using errcode = '22023';
  end if;
end
$$;

comment on function ops_private.check_worker_id(text, boolean) is
'Raises 22023 naming p_worker_id when it is not a valid worker id (or null when required).';

revoke execute on function ops_private.check_worker_id(text, boolean) from public, anon, authenticated;
grant execute on function ops_private.check_worker_id(text, boolean) to service_role;

-- start_workflow_run ------------------------------------------------------------

create or replace function ops.start_workflow_run(p_run_id uuid, p_worker_id text)
returns ops.runs
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_run ops.runs;
begin
  perform ops_private.check_worker_id(p_worker_id, true);
  perform set_config('ops.actor', 'worker:' || p_worker_id, true);
  perform set_config('ops.reason', '', true);
  update ops.runs as r
  set status = 'running', started_at = now(), heartbeat_at = now()
  where r.id = p_run_id and r.status = 'claimed' and r.worker_id = p_worker_id
  returning r.* into v_run;
  if found then
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

comment on function ops.start_workflow_run(uuid, text) is
'Moves a claimed run to running for the worker holding it; a repeat by that worker returns the run unchanged. '
'SQLSTATEs: OP002 another worker holds it (or nobody), P0002 unknown run, 22023 invalid p_worker_id.';

revoke execute on function ops.start_workflow_run(uuid, text) from public, anon, authenticated;
grant execute on function ops.start_workflow_run(uuid, text) to service_role;

-- heartbeat_run -----------------------------------------------------------------

create or replace function ops.heartbeat_run(p_run_id uuid, p_worker_id text, p_lease_seconds integer default null)
returns table (lease_expires_at timestamptz, cancel_requested boolean)
language plpgsql
volatile
set search_path = ''
as $$
begin
  perform ops_private.check_worker_id(p_worker_id, true);
  if p_lease_seconds is not null and p_lease_seconds not between 1 and 86400 then
    raise exception 'p_lease_seconds must be from 1 to 86400, got %', p_lease_seconds using errcode = '22023';
  end if;
  -- Only unindexed columns change: with the table's fillfactor this is a HOT update.
  return query
  update ops.runs as r
  set
    lease_expires_at = now() + make_interval(secs => coalesce(
      p_lease_seconds,
      (select w.lease_seconds from ops.workflows as w where w.id = r.workflow_id),
      60
    )),
    heartbeat_at = now()
  where r.id = p_run_id and r.worker_id = p_worker_id and r.status in ('claimed', 'running')
  returning r.lease_expires_at, r.cancel_requested_at is not null;
  if not found then
    perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'heartbeat it');
  end if;
end
$$;

comment on function ops.heartbeat_run(uuid, text, integer) is
'Extends the lease of a run the worker holds by p_lease_seconds (default: the workflow''s lease_seconds) and '
'says whether a cancel was requested. SQLSTATEs: OP002 not the holder, P0002 unknown run, 22023 invalid parameter.';

revoke execute on function ops.heartbeat_run(uuid, text, integer) from public, anon, authenticated;
grant execute on function ops.heartbeat_run(uuid, text, integer) to service_role;

-- complete_workflow_run -----------------------------------------------------------

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
begin
  if p_exit_code is null then
    raise exception 'p_exit_code must be an integer, got null' using errcode = '22023';
  end if;
  perform ops_private.check_worker_id(p_worker_id, false);
  perform set_config('ops.actor', coalesce('worker:' || p_worker_id, ''), true);
  perform set_config('ops.reason', '', true);

  update ops.runs as r
  set
    status = case
      when r.cancel_requested_at is not null then 'canceled'
      when p_exit_code = 0 then 'succeeded'
      else 'failed'
    end::ops.run_status,
    exit_code = p_exit_code,
    error_message = v_message,
    lease_expires_at = null,
    finished_at = now()
  where r.id = p_run_id and r.status = 'running'
    and (p_worker_id is null or r.worker_id = p_worker_id)
  returning r.* into v_run;
  if found then
    return v_run;
  end if;

  select r.* into v_run from ops.runs as r where r.id = p_run_id;
  if not found then
    raise exception 'run % not found', p_run_id using errcode = 'P0002';
  end if;
  if v_run.status in ('succeeded', 'failed', 'canceled') then
    if v_run.exit_code is not distinct from p_exit_code and v_run.error_message is not distinct from v_message
      and (p_worker_id is null or v_run.worker_id is not distinct from p_worker_id) then
      return v_run; -- the same completion again: no change, no second event
    end if;
    if p_worker_id is not null and v_run.worker_id is distinct from p_worker_id then
      perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'complete it');
    end if;
    raise exception 'run % already ended as % with exit code %; cannot complete it again with exit code %',
      p_run_id, v_run.status, coalesce(v_run.exit_code::text, 'none'), p_exit_code
      using errcode = 'OP003', hint = 'A run completes once; an identical repeat returns the stored result.';
  end if;
  if p_worker_id is not null and (v_run.status <> 'claimed' or v_run.worker_id is distinct from p_worker_id) then
    perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'complete it');
  end if;
  raise exception 'run %: illegal status transition % -> completed: the run is not running', p_run_id, v_run.status
    using errcode = 'OP001', hint = 'Start a claimed run with ops.start_workflow_run before completing it.';
end
$$;

comment on function ops.complete_workflow_run(uuid, integer, text, text) is
'Ends a running run: succeeded for exit code 0, failed otherwise, canceled when a cancel was requested. '
'An identical repeat returns the stored run without a second event. p_error_message is kept to 8000 characters. '
'SQLSTATEs: OP001 the run is not running, OP002 p_worker_id is not the holder, OP003 the run already ended '
'differently, P0002 unknown run, 22023 invalid parameter.';

revoke execute on function ops.complete_workflow_run(uuid, integer, text, text) from public, anon, authenticated;
grant execute on function ops.complete_workflow_run(uuid, integer, text, text) to service_role;

-- requeue_run ---------------------------------------------------------------------

create or replace function ops.requeue_run(p_run_id uuid, p_worker_id text, p_reason text default null)
returns ops.runs
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_run ops.runs;
  v_last ops.run_events;
begin
  perform ops_private.check_worker_id(p_worker_id, true);
  if length(p_reason) > 1000 then
    raise exception 'p_reason must be at most 1000 characters, got %', length(p_reason) using errcode = '22023';
  end if;
  perform set_config('ops.actor', 'worker:' || p_worker_id, true);
  perform set_config('ops.reason', coalesce(p_reason, 'handed back by the worker'), true);

  -- A handed-back run was not the run's fault: its attempt is given back.
  -- A run with a cancel pending ends canceled instead of going back.
  update ops.runs as r
  set
    status = case when r.status = 'running' and r.cancel_requested_at is not null then 'canceled' else 'queued' end
    ::ops.run_status,
    attempt = case when r.status = 'running' and r.cancel_requested_at is not null then r.attempt else r.attempt - 1 end,
    worker_id = case when r.status = 'running' and r.cancel_requested_at is not null then r.worker_id end,
    finished_at = case when r.status = 'running' and r.cancel_requested_at is not null then now() end,
    lease_expires_at = null,
    claimed_at = null,
    started_at = case when r.status = 'running' and r.cancel_requested_at is not null then r.started_at end
  where r.id = p_run_id and r.worker_id = p_worker_id and r.status in ('claimed', 'running')
  returning r.* into v_run;
  if found then
    if v_run.status = 'queued' and v_run.cancel_requested_at is not null then
      -- It was claimed, not started, when the cancel came: queued -> canceled.
      update ops.runs as r
      set status = 'canceled', finished_at = now()
      where r.id = p_run_id
      returning r.* into v_run;
    elsif v_run.status = 'queued' then
      perform pg_notify('ops_runs_queued', v_run.project_id::text);
    end if;
    return v_run;
  end if;

  -- A repeat: the run's last change is this worker handing it back.
  select r.* into v_run from ops.runs as r where r.id = p_run_id;
  if found then
    select e.* into v_last from ops.run_events as e where e.run_id = p_run_id order by e.id desc limit 1;
    if v_last.to_status in ('queued', 'canceled') and v_last.actor = 'worker:' || p_worker_id
      and v_last.reason is not distinct from coalesce(p_reason, 'handed back by the worker')
      and v_last.to_status = v_run.status then
      return v_run;
    end if;
  end if;
  perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'hand it back');
  return null;
end
$$;

comment on function ops.requeue_run(uuid, text, text) is
'The holder hands a claimed or running run back to the queue (on shutdown), with its attempt given back; '
'a run with a cancel pending ends canceled instead. A repeat by the same worker returns the run unchanged. '
'SQLSTATEs: OP002 not the holder, P0002 unknown run, 22023 invalid parameter.';

revoke execute on function ops.requeue_run(uuid, text, text) from public, anon, authenticated;
grant execute on function ops.requeue_run(uuid, text, text) to service_role;

-- append_run_log ------------------------------------------------------------------

create or replace function ops.append_run_log(
  p_run_id uuid,
  p_level text,
  p_message text,
  p_metadata jsonb default '{}'::jsonb,
  p_stream text default 'build',
  p_worker_id text default null
)
returns bigint
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_seq bigint;
  v_id bigint;
begin
  if p_level is null or not p_level = any(enum_range(null::ops.log_level)::text[]) then
    raise exception 'p_level must be one of %, got %', array_to_string(enum_range(null::ops.log_level)::text[], ', '),
      coalesce(quote_literal(p_level), 'null')
      using errcode = '22023';
  end if;
  if p_message is null or length(p_message) > 16384 then
    raise exception 'p_message must be text of at most 16384 characters, got %',
      coalesce(length(p_message)::text || ' characters', 'null')
      using errcode = '22023';
  end if;
  if p_metadata is null or jsonb_typeof(p_metadata) <> 'object' then
    raise exception 'p_metadata must be a JSON object, got %', coalesce(left(p_metadata::text, 80), 'null')
      using errcode = '22023';
  end if;
  if p_stream is null or p_stream !~ '^[a-z][a-z0-9_-]{0,31}$' then
    raise exception 'p_stream must match ^[a-z][a-z0-9_-]{0,31}$, got %', coalesce(quote_literal(p_stream), 'null')
      using errcode = '22023';
  end if;
  perform ops_private.check_worker_id(p_worker_id, false);

  -- The run row lock orders concurrent appends of one run; last_log_seq is
  -- unindexed, so this stays a HOT update.
  update ops.runs as r
  set last_log_seq = r.last_log_seq + 1
  where r.id = p_run_id
    and (p_worker_id is null or (r.worker_id = p_worker_id and r.status in ('claimed', 'running')))
  returning r.last_log_seq into v_seq;
  if not found then
    perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'log to it');
  end if;
  insert into ops.run_logs (run_id, seq, level, stream, message, metadata)
  values (p_run_id, v_seq, p_level::ops.log_level, p_stream, p_message, p_metadata)
  returning id into v_id;
  return v_id;
end
$$;

comment on function ops.append_run_log(uuid, text, text, jsonb, text, text) is
'Appends one log line to a run with the next sequence number and returns its id. Not idempotent (no client key): '
'use ops.append_run_logs for retry-safe batches. With p_worker_id, only the holder may log. '
'SQLSTATEs: 22023 invalid p_level, p_message, p_metadata, p_stream or p_worker_id; OP002 not the holder; P0002 unknown run.';

revoke execute on function ops.append_run_log(uuid, text, text, jsonb, text, text) from public, anon, authenticated;
grant execute on function ops.append_run_log(uuid, text, text, jsonb, text, text) to service_role;

-- append_run_logs -----------------------------------------------------------------

create or replace function ops.append_run_logs(p_run_id uuid, p_lines jsonb, p_worker_id text default null)
returns integer
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_problem text;
  v_max_seq bigint;
  v_last_seq bigint;
  v_count integer;
begin
  if p_lines is null or jsonb_typeof(p_lines) <> 'array' then
    raise exception 'p_lines must be a JSON array of line objects, got %', coalesce(left(p_lines::text, 80), 'null')
      using errcode = '22023';
  end if;
  if jsonb_array_length(p_lines) > 5000 then
    raise exception 'p_lines may hold at most 5000 lines, got %', jsonb_array_length(p_lines)
      using errcode = '22023', hint = 'Split the batch.';
  end if;
  perform ops_private.check_worker_id(p_worker_id, false);

  -- Validate every element in one pass; report the first bad one by index.
  select
    case
      when jsonb_typeof(e.v) <> 'object' then
        format('p_lines[%s] must be an object, got %s', e.i - 1, left(e.v::text, 80))
      when e.v - array['seq', 'level', 'stream', 'message', 'metadata', 'timestamp'] <> '{}'::jsonb then
        format(
          'p_lines[%s].%s is not a known field (seq, level, stream, message, metadata, timestamp)', e.i - 1,
          (select k from jsonb_object_keys(
            e.v - array['seq', 'level', 'stream', 'message', 'metadata', 'timestamp']
          ) as k limit 1)
        )
      when jsonb_typeof(e.v -> 'seq') is distinct from 'number' or (e.v ->> 'seq') !~ '^[0-9]{1,18}$'
        or (e.v ->> 'seq')::bigint < 1 then
        format('p_lines[%s].seq must be an integer >= 1, got %s', e.i - 1, coalesce(e.v -> 'seq', 'null'::jsonb))
      when e.v ? 'level' and jsonb_typeof(e.v -> 'level') <> 'null'
        and not coalesce((e.v ->> 'level') = any(enum_range(null::ops.log_level)::text[]), false) then
        format('p_lines[%s].level must be one of debug, info, warning, error, got %s', e.i - 1, e.v -> 'level')
      when e.v ? 'stream' and jsonb_typeof(e.v -> 'stream') <> 'null'
        and not coalesce((e.v ->> 'stream') ~ '^[a-z][a-z0-9_-]{0,31}$', false) then
        format('p_lines[%s].stream must match ^[a-z][a-z0-9_-]{0,31}$, got %s', e.i - 1, e.v -> 'stream')
      when jsonb_typeof(e.v -> 'message') is distinct from 'string' or length(e.v ->> 'message') > 16384 then
        format(
          'p_lines[%s].message must be a string of at most 16384 characters, got %s', e.i - 1,
          coalesce(left((e.v -> 'message')::text, 80), 'null')
        )
      when e.v ? 'metadata' and jsonb_typeof(e.v -> 'metadata') not in ('object', 'null') then
        format('p_lines[%s].metadata must be an object, got %s', e.i - 1, left((e.v -> 'metadata')::text, 80))
      when e.v ? 'timestamp' and jsonb_typeof(e.v -> 'timestamp') <> 'null'
        and not coalesce(
          (e.v ->> 'timestamp')
          ~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$',
          false
        ) then
        format('p_lines[%s].timestamp must be an ISO 8601 time, got %s', e.i - 1, e.v -> 'timestamp')
    end
  into v_problem
  from jsonb_array_elements(p_lines) with ordinality as e (v, i)
  where jsonb_typeof(e.v) <> 'object'
    or e.v - array['seq', 'level', 'stream', 'message', 'metadata', 'timestamp'] <> '{}'::jsonb
    or jsonb_typeof(e.v -> 'seq') is distinct from 'number' or (e.v ->> 'seq') !~ '^[0-9]{1,18}$'
    or (e.v ->> 'seq')::bigint < 1
    or (e.v ? 'level' and jsonb_typeof(e.v -> 'level') <> 'null'
      and not coalesce((e.v ->> 'level') = any(enum_range(null::ops.log_level)::text[]), false))
    or (e.v ? 'stream' and jsonb_typeof(e.v -> 'stream') <> 'null'
      and not coalesce((e.v ->> 'stream') ~ '^[a-z][a-z0-9_-]{0,31}$', false))
    or jsonb_typeof(e.v -> 'message') is distinct from 'string' or length(e.v ->> 'message') > 16384
    or (e.v ? 'metadata' and jsonb_typeof(e.v -> 'metadata') not in ('object', 'null'))
    or (e.v ? 'timestamp' and jsonb_typeof(e.v -> 'timestamp') <> 'null'
      and not coalesce(
        (e.v ->> 'timestamp')
        ~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$',
        false
      ))
  order by e.i
  limit 1;
  if v_problem is not null then
    raise exception '%', v_problem using errcode = '22023';
  end if;

  select format('p_lines[%s].seq %s repeats an earlier line of the batch', max(d.i) - 1, d.seq)
  into v_problem
  from (
    select e.i, e.v ->> 'seq' as seq, count(*) over (partition by e.v ->> 'seq') as n
    from jsonb_array_elements(p_lines) with ordinality as e (v, i)
  ) as d
  where d.n > 1
  group by d.seq
  order by max(d.i)
  limit 1;
  if v_problem is not null then
    raise exception '%', v_problem using errcode = '22023', hint = 'Each line of a run needs its own seq.';
  end if;

  select max((e.v ->> 'seq')::bigint) into v_max_seq from jsonb_array_elements(p_lines) as e (v);
  if v_max_seq is null then
    if not exists (select 1 from ops.runs as r where r.id = p_run_id) then
      raise exception 'run % not found', p_run_id using errcode = 'P0002';
    end if;
    return 0;
  end if;

  -- Fence and lock the run (concurrent batches of one run queue up here),
  -- then raise last_log_seq only when it moves: a retried batch writes nothing.
  select r.last_log_seq into v_last_seq from ops.runs as r
  where r.id = p_run_id
    and (p_worker_id is null or (r.worker_id = p_worker_id and r.status in ('claimed', 'running')))
  for no key update;
  if not found then
    perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'log to it');
  end if;
  if v_max_seq > v_last_seq then
    update ops.runs as r set last_log_seq = v_max_seq where r.id = p_run_id;
  end if;

  begin
    insert into ops.run_logs (run_id, seq, timestamp, level, stream, message, metadata)
    select
      p_run_id, l.seq, coalesce(l.timestamp, clock_timestamp()), coalesce(l.level, 'info'),
      coalesce(l.stream, 'build'), l.message, coalesce(l.metadata, '{}'::jsonb)
    from rows from (
      jsonb_to_recordset(p_lines) as (
        seq bigint, timestamp timestamptz, level ops.log_level, stream text, message text, metadata jsonb
      )
    ) with ordinality as l (seq, timestamp, level, stream, message, metadata, i)
    order by l.i
    on conflict (run_id, seq) do nothing;
  exception
    when datetime_field_overflow or invalid_datetime_format then
      -- The pattern passed but the value is not a real time (month 13): find it.
      for v_i in 0 .. jsonb_array_length(p_lines) - 1 loop
        begin
          perform (p_lines -> v_i ->> 'timestamp')::timestamptz;
        exception
          when datetime_field_overflow or invalid_datetime_format then
            raise exception 'p_lines[%].timestamp must be an ISO 8601 time, got %', v_i, p_lines -> v_i -> 'timestamp'
              using errcode = '22023';
        end;
      end loop;
      raise;
  end;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

comment on function ops.append_run_logs(uuid, jsonb, text) is
'Stores a batch of up to 5000 log lines [{seq, level?, stream?, message, metadata?, timestamp?}, ...] in order '
'and returns how many were new: lines whose seq is already stored are skipped, so a retried batch lands once. '
'Raises last_log_seq to the highest seq. With p_worker_id, only the holder may log. '
'SQLSTATEs: 22023 invalid p_lines (naming p_lines[i].field) or p_worker_id; OP002 not the holder; P0002 unknown run.';

revoke execute on function ops.append_run_logs(uuid, jsonb, text) from public, anon, authenticated;
grant execute on function ops.append_run_logs(uuid, jsonb, text) to service_role;

-- add_run_artifact ------------------------------------------------------------------

create or replace function ops.add_run_artifact(
  p_run_id uuid,
  p_artifact_key text,
  p_s3_url text,
  p_sha256 text,
  p_size_bytes bigint,
  p_content_type text default 'application/octet-stream',
  p_metadata jsonb default '{}'::jsonb,
  p_worker_id text default null
)
returns ops.run_artifacts
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_artifact ops.run_artifacts;
begin
  if p_artifact_key is null or p_artifact_key !~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$'
    or p_artifact_key ~ '(^|/)\.{1,2}(/|$)|//|/$' then
    raise exception 'p_artifact_key must match ^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$ without empty, . or .. segments, got %',
      coalesce(quote_literal(p_artifact_key), 'null')
      using errcode = '22023';
  end if;
  if p_s3_url is null or p_s3_url !~ (
    '^(s3://[a-z0-9][a-z0-9.-]{1,62}/[^[:space:]]+|https://[^/[:space:]]+/[^[:space:]]*|file:///[^[:space:]]+)$'
  ) then
    raise exception 'p_s3_url must be an s3://bucket/key, https:// or file:/// URL, got %',
      coalesce(quote_literal(left(p_s3_url, 200)), 'null')
      using errcode = '22023';
  end if;
  if p_sha256 is null or p_sha256 !~ '^[0-9a-f]{64}$' then
    raise exception 'p_sha256 must be 64 lowercase hex characters, got %', coalesce(quote_literal(p_sha256), 'null')
      using errcode = '22023';
  end if;
  if p_size_bytes is null or p_size_bytes < 0 then
    raise exception 'p_size_bytes must be >= 0, got %', coalesce(p_size_bytes::text, 'null') using errcode = '22023';
  end if;
  if p_content_type is null or p_content_type !~ '^[a-z]+/[A-Za-z0-9.+_-]+(; ?[A-Za-z0-9_-]+=[A-Za-z0-9._-]+)*$' then
    raise exception 'p_content_type must be a media type such as application/gzip, got %',
      coalesce(quote_literal(p_content_type), 'null')
      using errcode = '22023';
  end if;
  if p_metadata is null or jsonb_typeof(p_metadata) <> 'object' then
    raise exception 'p_metadata must be a JSON object, got %', coalesce(left(p_metadata::text, 80), 'null')
      using errcode = '22023';
  end if;
  perform ops_private.check_worker_id(p_worker_id, false);

  -- Lock the run (shares nothing with heartbeats' columns) to fence the write.
  perform 1 from ops.runs as r
  where r.id = p_run_id
    and (p_worker_id is null or (r.worker_id = p_worker_id and r.status in ('claimed', 'running')))
  for no key update;
  if not found then
    -- A repeat after the run ended: the artifact may already be stored.
    select a.* into v_artifact from ops.run_artifacts as a
    where a.run_id = p_run_id and a.artifact_key = p_artifact_key and a.sha256 = p_sha256;
    if found and exists (select 1 from ops.runs as r where r.id = p_run_id and r.worker_id = p_worker_id) then
      return v_artifact;
    end if;
    perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'add an artifact to it');
  end if;

  insert into ops.run_artifacts (run_id, artifact_key, storage_url, content_type, size_bytes, sha256, metadata)
  values (p_run_id, p_artifact_key, p_s3_url, p_content_type, p_size_bytes, p_sha256, p_metadata)
  on conflict (run_id, artifact_key) do nothing
  returning * into v_artifact;
  if found then
    return v_artifact;
  end if;
  select a.* into v_artifact from ops.run_artifacts as a
  where a.run_id = p_run_id and a.artifact_key = p_artifact_key;
  if v_artifact.sha256 <> p_sha256 then
    raise exception 'run %: artifact % is already stored with sha256 %, not %',
      p_run_id, p_artifact_key, v_artifact.sha256, p_sha256
      using errcode = 'OP003', hint = 'An artifact key names one content; use a new key for new content.';
  end if;
  return v_artifact;
end
$$;

comment on function ops.add_run_artifact(uuid, text, text, text, bigint, text, jsonb, text) is
'Records a file a run produced (p_s3_url is stored as storage_url). The same key with the same sha256 again '
'returns the stored row; the same key with another sha256 is refused. With p_worker_id, only the holder may add. '
'SQLSTATEs: 22023 invalid parameter, OP002 not the holder, OP003 key already stored with another sha256, P0002 unknown run.';

revoke execute on function ops.add_run_artifact(uuid, text, text, text, bigint, text, jsonb, text)
from public, anon, authenticated;
grant execute on function ops.add_run_artifact(uuid, text, text, text, bigint, text, jsonb, text) to service_role;

-- cancel_run ----------------------------------------------------------------------

-- SECURITY DEFINER because authenticated may only write cancel_requested_at
-- and cancel_reason on ops.runs (a developer must not set a status), yet
-- canceling a queued run changes its status. It checks the caller itself:
-- roles that bypass RLS (service_role) may cancel any run, everyone else
-- needs the developer role on the run's project. Lives in ops_private, which
-- the API does not expose; ops.cancel_run is the API.
create or replace function ops_private.cancel_run(p_run_id uuid, p_reason text)
returns ops.runs
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_run ops.runs;
  v_caller text := ops_private.caller_role();
  v_privileged boolean;
begin
  if p_run_id is null then
    raise exception 'p_run_id must be a run id, got null' using errcode = '22023';
  end if;
  if length(p_reason) > 1000 then
    raise exception 'p_reason must be at most 1000 characters, got %', length(p_reason) using errcode = '22023';
  end if;
  select coalesce(bool_or(r.rolbypassrls or r.rolsuper), false) into v_privileged
  from pg_catalog.pg_roles as r where r.rolname = v_caller;

  select r.* into v_run from ops.runs as r where r.id = p_run_id for no key update;
  if not found or (not v_privileged and not ops_private.has_project_role(v_run.project_id, 'viewer')) then
    raise exception 'run % not found', p_run_id using errcode = 'P0002';
  end if;
  if not v_privileged and not ops_private.has_project_role(v_run.project_id, 'developer') then
    raise exception 'cancel_run: canceling runs of this project needs the developer role or above'
      using errcode = '42501';
  end if;

  perform set_config('ops.actor', '', true);
  perform set_config('ops.reason', coalesce(p_reason, 'cancel requested'), true);
  if v_run.status = 'queued' then
    update ops.runs as r
    set status = 'canceled', cancel_requested_at = now(), cancel_reason = p_reason, finished_at = now()
    where r.id = p_run_id
    returning r.* into v_run;
  elsif v_run.status in ('claimed', 'running') and v_run.cancel_requested_at is null then
    update ops.runs as r
    set cancel_requested_at = now(), cancel_reason = p_reason
    where r.id = p_run_id
    returning r.* into v_run;
  end if;
  return v_run;
end
$$;

comment on function ops_private.cancel_run(uuid, text) is
'Implementation of ops.cancel_run (SECURITY DEFINER, checks the caller''s project role itself).';

revoke execute on function ops_private.cancel_run(uuid, text) from public, anon;
grant execute on function ops_private.cancel_run(uuid, text) to authenticated, service_role;

create or replace function ops.cancel_run(p_run_id uuid, p_reason text default null)
returns ops.runs
language sql
volatile
set search_path = ''
as $$
  select * from ops_private.cancel_run(p_run_id, p_reason)
$$;

comment on function ops.cancel_run(uuid, text) is
'Cancels a run: a queued run ends canceled at once; for a claimed or running run a cancel is requested, which the '
'worker sees in ops.heartbeat_run and completes as canceled; an ended run is returned unchanged, as is a repeat. '
'Callable by service_role and by developers (and above) of the run''s project. '
'SQLSTATEs: 42501 not a developer of the project, P0002 unknown (or invisible) run, 22023 invalid parameter.';

revoke execute on function ops.cancel_run(uuid, text) from public, anon, authenticated;
grant execute on function ops.cancel_run(uuid, text) to authenticated, service_role;

-- list_queued_runs ------------------------------------------------------------------

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
  age interval
)
language sql
stable
set search_path = ''
as $$
  -- Row-level security already limits authenticated callers to member
  -- projects; the queue view narrows that to projects they administer.
  select
    row_number() over (order by r.priority desc, r.created_at, r.id) as "position",
    r.id, p.slug, w.name, r.branch, r.commit_sha, r.priority, r.attempt, r.max_attempts, r.run_after,
    now() - r.created_at
  from ops.runs as r
  inner join ops.projects as p on p.id = r.project_id
  inner join ops.workflows as w on w.id = r.workflow_id
  where r.status = 'queued'
    and (
      (select coalesce(bool_or(x.rolbypassrls or x.rolsuper), false)
        from pg_catalog.pg_roles as x where x.rolname = current_user)
      or r.project_id in (select ops_private.member_project_ids('admin'))
    )
  order by 1
$$;

comment on function ops.list_queued_runs() is
'The queue in claim order (position 1 is claimed next): project, workflow, branch, priority, attempt and age of '
'every queued run. service_role sees all projects; an authenticated user those where they are admin or owner. '
'SQLSTATEs: 42501 for roles without EXECUTE (anon).';

revoke execute on function ops.list_queued_runs() from public, anon, authenticated;
grant execute on function ops.list_queued_runs() to authenticated, service_role;
