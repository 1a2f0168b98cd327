-- Week 3, fix: two corrections to the queue RPCs of 20260213000200, found by
-- their tests after that migration landed.
--
-- 1. ops.claim_next_run: when lease recovery ends a running run canceled
--    (a cancel was pending), the run kept no claimed_at/started_at; it now
--    keeps them, like every other ended run. Runs going back to the queue
--    still have them cleared.
-- 2. ops.requeue_run: a repeat of a hand-back that ended the run canceled
--    (claimed run, cancel pending: queued -> canceled) raised OP002; it now
--    returns the run unchanged, like every other repeat.
-- Objects: ops.claim_next_run(text, integer), ops.requeue_run(uuid, text, text),
-- replaced with the same signatures; comments and grants restated.
-- Locks: none beyond the catalog rows of the two functions.
-- Roll back: re-run their definitions from 20260213000200.

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

comment on function ops.claim_next_run(text, integer) is
'Recovers runs whose lease expired (back to queued while attempts remain, else failed naming the expiry), '
'then claims the next due queued run (priority desc, then oldest) for p_worker_id with a lease of '
'p_lease_seconds (default: the workflow''s lease_seconds, else 60 s). Returns zero or one run; '
'concurrent callers never get the same run and never wait on each other. SQLSTATEs: 22023 invalid parameter.';

revoke execute on function ops.claim_next_run(text, integer) from public, anon, authenticated;
grant execute on function ops.claim_next_run(text, integer) to service_role;

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
