-- Week 2: the run state machine, enforced in the database.
--
-- Objects: ops.run_status_transitions() (the one definition of the allowed
-- transitions, read by the trigger, the tests and the docs check),
-- ops.runs triggers that fill defaults on insert, refuse illegal transitions
-- and record every status change in ops.run_events; ops.run_events triggers
-- that make it append-only for every role, its owner included.
-- Locks: SHARE ROW EXCLUSIVE on ops.runs and ops.run_events while creating
-- the triggers (tables are new and empty).
-- Roll back: drop the triggers and functions named here.
--
-- SQLSTATEs raised here (also in docs/odooops-sh/RUN_LIFECYCLE.md):
--   OP001 illegal status transition        OP004 run_events is append-only
--   22023 invalid field value on insert

create or replace function ops.run_status_transitions()
returns table (from_status ops.run_status, to_status ops.run_status, cause text)
language sql
immutable
parallel safe
set search_path = ''
as $$
  select t.from_status::ops.run_status, t.to_status::ops.run_status, t.cause
  from (values
    ('queued', 'claimed', 'ops.claim_next_run: a worker takes the run'),
    ('queued', 'canceled', 'ops.cancel_run: canceled before any worker took it'),
    ('claimed', 'running', 'ops.start_workflow_run: the holder starts it'),
    ('claimed', 'queued', 'lease expired with attempts left (ops.claim_next_run recovers it)'),
    ('claimed', 'failed', 'lease expired with no attempt left'),
    ('running', 'succeeded', 'ops.complete_workflow_run with exit code 0'),
    ('running', 'failed', 'ops.complete_workflow_run with a non-zero exit code, or lease expired with no attempt left'),
    ('running', 'canceled', 'ops.complete_workflow_run after a cancel was requested'),
    ('running', 'queued', 'lease expired with attempts left, or the worker handed the run back')
  ) as t (from_status, to_status, cause)
$$;

comment on function ops.run_status_transitions() is
'The allowed run status transitions, each with what causes it. Every other pair raises OP001.';

revoke execute on function ops.run_status_transitions() from public, anon;
grant execute on function ops.run_status_transitions() to authenticated, service_role;

create or replace function ops.runs_before_insert()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_workflow record;
begin
  if new.status <> 'queued' or new.attempt <> 0 or new.worker_id is not null then
    raise exception 'runs.status must start as queued with attempt 0 and no worker, got % (attempt %, worker %)',
      new.status, new.attempt, coalesce(new.worker_id, 'none')
      using errcode = '22023', hint = 'Enqueue with ops.enqueue_run; workers take runs with ops.claim_next_run.';
  end if;
  select w.enabled, w.max_attempts, w.name into v_workflow
  from ops.workflows as w
  where w.id = new.workflow_id and w.project_id = new.project_id;
  if found and not v_workflow.enabled then
    raise exception 'runs.workflow_id %: workflow % is disabled', new.workflow_id, v_workflow.name
      using errcode = '22023', hint = 'Enable the workflow before queueing runs of it.';
  end if;
  new.created_at := now();
  new.claimed_at := null;
  new.started_at := null;
  new.finished_at := null;
  new.exit_code := null;
  new.lease_expires_at := null;
  new.heartbeat_at := null;
  return new;
end
$$;

comment on function ops.runs_before_insert() is
'Trigger function: a new run starts queued, with no worker and a workflow that is enabled.';

revoke execute on function ops.runs_before_insert() from public, anon, authenticated;

create trigger runs_100_before_insert
before insert on ops.runs
for each row execute function ops.runs_before_insert();

create or replace function ops.runs_check_transition()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status is distinct from old.status and not exists (
    select 1 from ops.run_status_transitions() as t
    where t.from_status = old.status and t.to_status = new.status
  ) then
    raise exception 'run %: illegal status transition % -> %', old.id, old.status, new.status
      using errcode = 'OP001',
      hint = 'Allowed transitions are listed by ops.run_status_transitions(); terminal states never change.';
  end if;
  if old.status in ('succeeded', 'failed', 'canceled') and (
    new.exit_code is distinct from old.exit_code
    or new.error_message is distinct from old.error_message
    or new.finished_at is distinct from old.finished_at
    or new.worker_id is distinct from old.worker_id
  ) then
    raise exception 'run %: a % run is final and cannot change', old.id, old.status
      using errcode = 'OP001';
  end if;
  return new;
end
$$;

comment on function ops.runs_check_transition() is
'Trigger function: refuses a status change that ops.run_status_transitions() does not list (OP001).';

revoke execute on function ops.runs_check_transition() from public, anon, authenticated;

create trigger runs_200_check_transition
before update on ops.runs
for each row execute function ops.runs_check_transition();

-- Events are written here and nowhere else. SECURITY DEFINER because no API
-- role may insert into ops.run_events, yet a member canceling a run must
-- leave its event; the function takes nothing from the caller but the row.
create or replace function ops.runs_record_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_actor text;
  v_uid uuid := auth.uid();
begin
  if tg_op = 'UPDATE' and new.status is not distinct from old.status then
    return null;
  end if;
  v_actor := coalesce(
    nullif(current_setting('ops.actor', true), ''),
    case when v_uid is not null then 'user:' || v_uid::text end,
    'role:' || current_setting('role', true)
  );
  if v_actor = 'role:none' then
    v_actor := 'role:' || session_user;
  end if;
  insert into ops.run_events (run_id, from_status, to_status, actor, reason, payload)
  values (
    new.id,
    case when tg_op = 'UPDATE' then old.status end,
    new.status,
    v_actor,
    nullif(current_setting('ops.reason', true), ''),
    jsonb_strip_nulls(jsonb_build_object(
      'attempt', new.attempt,
      'worker_id', coalesce(new.worker_id, case when tg_op = 'UPDATE' then old.worker_id end),
      'exit_code', new.exit_code,
      'error_message', left(new.error_message, 500),
      'cancel_requested', new.cancel_requested_at is not null
    ))
  );
  return null;
end
$$;

comment on function ops.runs_record_event() is
'Trigger function: writes one ops.run_events row per run insert and per status change, in the same transaction.';

revoke execute on function ops.runs_record_event() from public, anon, authenticated;

create trigger runs_900_record_event
after insert or update of status on ops.runs
for each row execute function ops.runs_record_event();

create or replace function ops.run_events_refuse_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'ops.run_events is append-only: % is not allowed', tg_op
    using errcode = 'OP004', hint = 'Events record history; correct a run with a new transition instead.';
end
$$;

comment on function ops.run_events_refuse_change() is
'Trigger function: refuses UPDATE, DELETE and TRUNCATE on ops.run_events for every role (OP004).';

revoke execute on function ops.run_events_refuse_change() from public, anon, authenticated;

create trigger run_events_refuse_update_delete
before update or delete on ops.run_events
for each row execute function ops.run_events_refuse_change();

create trigger run_events_refuse_truncate
before truncate on ops.run_events
for each statement execute function ops.run_events_refuse_change();
