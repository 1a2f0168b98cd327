-- Run time limits: a workflow may bound how long a run runs, whatever its
-- heartbeats.
--
-- * ops.workflows.time_limit_seconds (1 to 86400, null for none; set by the
--   project's admins like the rest of the workflow): a running run whose
--   started_at is older than that is asked to cancel by the holder's next
--   heartbeat. ops.heartbeat_run sets cancel_requested_at and cancel_reason
--   'time limit of N s exceeded' (unless a cancel was already requested) and
--   returns cancel_requested = true, as for any cancel: the worker stops its
--   step and completes, and the run ends canceled. A worker that stopped
--   heartbeating loses the run through lease expiry, as before. The limit is
--   read from the workflow at each heartbeat (it already reads the workflow's
--   lease), so editing it applies to runs already running.
-- * ops.complete_workflow_run: a run that ends canceled records the cancel's
--   reason (ops.runs.cancel_reason: 'time limit of 60 s exceeded', 'superseded
--   by <run id>', a user's reason) on its running -> canceled event, where it
--   recorded none before. Otherwise unchanged from 20261202000400.
-- Chosen: canceled, not failed. The run did not fail on its own; the
-- installation stopped it, as a user's cancel does, and the event says why.
-- Objects: column ops.workflows.time_limit_seconds and its check; functions
-- ops.heartbeat_run(uuid, text, integer), ops.complete_workflow_run(uuid,
-- integer, text, text).
-- Locks: ACCESS EXCLUSIVE on ops.workflows while the column is added (a null
-- default: no rewrite, no scan).
-- Roll back: create ops.heartbeat_run from 20261202000710 and
--   ops.complete_workflow_run from 20261202000400 again; drop the column.
--
-- SQLSTATEs: 23514 time_limit_seconds out of bounds
-- (workflows_time_limit_seconds_is_bounded); the functions' are unchanged.

set local lock_timeout = '5s';

alter table ops.workflows
add column time_limit_seconds integer,
add constraint workflows_time_limit_seconds_is_bounded check (time_limit_seconds between 1 and 86400);

comment on column ops.workflows.time_limit_seconds is
'A run of the workflow running longer than this (from started_at) is asked to cancel at its next heartbeat, '
'with the reason ''time limit of N s exceeded'', and ends canceled; null for no limit (1 to 86400).';

grant insert (time_limit_seconds), update (time_limit_seconds) on ops.workflows to authenticated;

-- heartbeat_run -----------------------------------------------------------------------

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
  -- Only unindexed columns change: with the table's fillfactor this is a HOT
  -- update. A running run (a held run with started_at) past its workflow's
  -- time limit gets a cancel request (once: an earlier request, and its
  -- reason, stay).
  return query
  update ops.runs as r
  set
    lease_expires_at = now() + make_interval(secs => coalesce(p_lease_seconds, w.lease_seconds, 60)),
    heartbeat_at = now(),
    cancel_requested_at = case
      when r.cancel_requested_at is null and r.started_at is not null and w.time_limit_seconds is not null
        and r.started_at + make_interval(secs => w.time_limit_seconds) < now()
        then now()
      else r.cancel_requested_at
    end,
    cancel_reason = case
      when r.cancel_requested_at is null and r.started_at is not null and w.time_limit_seconds is not null
        and r.started_at + make_interval(secs => w.time_limit_seconds) < now()
        then format('time limit of %s s exceeded', w.time_limit_seconds)
      else r.cancel_reason
    end
  from ops.workflows as w
  where r.id = p_run_id and r.worker_id = p_worker_id and r.status in ('claimed', 'running')
    and w.id = r.workflow_id
  returning r.lease_expires_at, r.cancel_requested_at is not null;
  if not found then
    perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'heartbeat it');
  end if;
  perform ops_private.worker_seen(p_worker_id, null);
end
$$;

comment on function ops.heartbeat_run(uuid, text, integer) is
'Extends the lease of a run the worker holds by p_lease_seconds (default: the workflow''s lease_seconds) and '
'says whether a cancel was requested; records the worker as seen. A running run past its workflow''s '
'time_limit_seconds gets a cancel request with the reason ''time limit of N s exceeded''. '
'SQLSTATEs: OP002 not the holder, P0002 unknown run, 22023 invalid parameter.';

revoke execute on function ops.heartbeat_run(uuid, text, integer) from public, anon, authenticated;
grant execute on function ops.heartbeat_run(uuid, text, integer) to service_role;

-- complete_workflow_run -------------------------------------------------------------

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
  perform ops_private.check_worker_id(p_worker_id, true);
  perform set_config('ops.actor', 'worker:' || p_worker_id, true);
  -- A run that ends canceled says why on its event: the cancel's reason.
  perform set_config('ops.reason', coalesce((
    select r.cancel_reason from ops.runs as r
    where r.id = p_run_id and r.status = 'running' and r.cancel_requested_at is not null
  ), ''), true);

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
  if found then
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

comment on function ops.complete_workflow_run(uuid, integer, text, text) is
'Ends a running run for the worker holding it (p_worker_id, required): succeeded for exit code 0, failed '
'otherwise, canceled when a cancel was requested (its event carries the cancel''s reason). The holder''s identical '
'repeat returns the stored run without a second event. p_error_message is kept to 8000 characters. '
'SQLSTATEs: OP001 the run is claimed, not yet running; OP002 p_worker_id does not hold the run (a queued run, '
'another worker''s, or a run that ended under another worker); OP003 the holder already ended it differently; '
'P0002 unknown run; 22023 invalid parameter (p_worker_id null included).';

revoke execute on function ops.complete_workflow_run(uuid, integer, text, text) from public, anon, authenticated;
grant execute on function ops.complete_workflow_run(uuid, integer, text, text) to service_role;
