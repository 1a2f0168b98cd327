-- Two rules of the worker RPCs are written once, as helper functions, instead
-- of being spelled out wherever they apply.
--
-- * ops_private.cancel_is_due(ops.runs): a cancel was requested and the run
--   can end canceled now, that is it is running or queued (the two statuses
--   ops.run_status_transitions() lets go to canceled). ops.claim_next_run (a
--   lease expired), ops.requeue_run (the holder hands the run back) and
--   ops.complete_workflow_run end such a run canceled; a claimed run whose
--   cancel was requested goes back to queued first and is canceled from
--   there. ops.claim_next_run and ops.requeue_run wrote this condition out
--   eleven times.
-- * ops_private.check_log_lines(jsonb): checks the lines of a batch of
--   ops.append_run_logs in one pass and raises 22023 naming p_lines[i].field
--   for the first problem of the first bad line: not an object, an unknown
--   field, seq, level, stream, message, metadata (type, then size) or
--   timestamp. ops.append_run_logs wrote each of these checks twice, once to
--   find the first bad line and once to say what is wrong with it.
-- The functions keep their signatures, comments, grants, SQLSTATEs and error
-- messages; what they do is unchanged. ops.append_run_log is left as it is:
-- it checks typed parameters (p_level, p_message, ...), not a JSON line, with
-- messages, an order and null rules of its own (a null level or stream is
-- refused there, defaulted in a batch).
-- Objects: functions ops_private.cancel_is_due(ops.runs),
-- ops_private.check_log_lines(jsonb) (both executable by service_role
-- only, which the worker RPCs run as); ops.claim_next_run(text, integer),
-- ops.complete_workflow_run(uuid, integer, text, text),
-- ops.requeue_run(uuid, text, text), ops.append_run_logs(uuid, jsonb, text).
-- Locks: none beyond the catalog rows of these functions.
-- Roll back: restore ops.claim_next_run, ops.complete_workflow_run and
--   ops.append_run_logs from 20261202000140 and ops.requeue_run from
--   20260213000200, then drop the two helpers.

-- Helpers ---------------------------------------------------------------------------

create or replace function ops_private.cancel_is_due(p_run ops.runs)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select p_run.cancel_requested_at is not null and p_run.status in ('queued', 'running')
$$;

comment on function ops_private.cancel_is_due(ops.runs) is
'True when a cancel was requested for the run and it can end canceled now: it is running or queued. '
'A claimed run is not due yet (it goes back to queued first); an ended run never is.';

revoke execute on function ops_private.cancel_is_due(ops.runs) from public, anon, authenticated;
grant execute on function ops_private.cancel_is_due(ops.runs) to service_role;

create or replace function ops_private.check_log_lines(p_lines jsonb)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  c_fields constant text[] := array['seq', 'level', 'stream', 'message', 'metadata', 'timestamp'];
  v_line jsonb;
  v_i integer;
begin
  -- One pass in array order: the first bad line is the one reported. The
  -- loop is here rather than in the caller so that a batch of 5000 lines
  -- makes one call, not 5000.
  for v_line, v_i in
    select e.v, (e.i - 1)::integer from jsonb_array_elements(p_lines) with ordinality as e (v, i)
  loop
    if jsonb_typeof(v_line) <> 'object' then
      raise exception 'p_lines[%] must be an object, got %', v_i, left(v_line::text, 80)
        using errcode = '22023';
    end if;
    if v_line - c_fields <> '{}'::jsonb then
      raise exception 'p_lines[%].% is not a known field (seq, level, stream, message, metadata, timestamp)', v_i,
        (select left(k, 200) from jsonb_object_keys(v_line - c_fields) as k limit 1)
        using errcode = '22023';
    end if;
    if jsonb_typeof(v_line -> 'seq') is distinct from 'number' or (v_line ->> 'seq') !~ '^[0-9]{1,18}$'
      or (v_line ->> 'seq')::bigint < 1 then
      raise exception 'p_lines[%].seq must be an integer >= 1, got %', v_i,
        left(coalesce(v_line -> 'seq', 'null'::jsonb)::text, 80)
        using errcode = '22023';
    end if;
    if v_line ? 'level' and jsonb_typeof(v_line -> 'level') <> 'null'
      and not coalesce((v_line ->> 'level') = any(enum_range(null::ops.log_level)::text[]), false) then
      raise exception 'p_lines[%].level must be one of %, got %', v_i,
        array_to_string(enum_range(null::ops.log_level)::text[], ', '), left((v_line -> 'level')::text, 80)
        using errcode = '22023';
    end if;
    if v_line ? 'stream' and jsonb_typeof(v_line -> 'stream') <> 'null'
      and not coalesce((v_line ->> 'stream') ~ '^[a-z][a-z0-9_-]{0,31}$', false) then
      raise exception 'p_lines[%].stream must match ^[a-z][a-z0-9_-]{0,31}$, got %', v_i,
        left((v_line -> 'stream')::text, 80)
        using errcode = '22023';
    end if;
    if jsonb_typeof(v_line -> 'message') is distinct from 'string' or length(v_line ->> 'message') > 16384 then
      raise exception 'p_lines[%].message must be a string of at most 16384 characters, got %', v_i,
        coalesce(left((v_line -> 'message')::text, 80), 'null')
        using errcode = '22023';
    end if;
    if v_line ? 'metadata' and jsonb_typeof(v_line -> 'metadata') not in ('object', 'null') then
      raise exception 'p_lines[%].metadata must be an object, got %', v_i, left((v_line -> 'metadata')::text, 80)
        using errcode = '22023';
    end if;
    if octet_length((v_line -> 'metadata')::text) > 16384 then
      raise exception 'p_lines[%].metadata must be at most 16384 bytes of JSON, got %', v_i,
        octet_length((v_line -> 'metadata')::text)
        using errcode = '22023';
    end if;
    -- The pattern only: a time that matches it yet does not exist (month 13)
    -- is found when ops.append_run_logs stores the line.
    if v_line ? 'timestamp' and jsonb_typeof(v_line -> 'timestamp') <> 'null'
      and not coalesce(
        (v_line ->> 'timestamp') ~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$',
        false
      ) then
      raise exception 'p_lines[%].timestamp must be an ISO 8601 time, got %', v_i,
        left((v_line -> 'timestamp')::text, 80)
        using errcode = '22023';
    end if;
  end loop;
end
$$;

comment on function ops_private.check_log_lines(jsonb) is
'Checks the lines of a JSON array for ops.append_run_logs and raises 22023 naming p_lines[i].field for the first '
'problem of the first bad line: not an object, an unknown field, seq not an integer >= 1, level, stream, message, '
'metadata (an object of at most 16384 bytes) or timestamp (ISO 8601 pattern).';

revoke execute on function ops_private.check_log_lines(jsonb) from public, anon, authenticated;
grant execute on function ops_private.check_log_lines(jsonb) to service_role;

-- claim_next_run --------------------------------------------------------------------

create or replace function ops.claim_next_run(p_worker_id text, p_lease_seconds integer default null)
returns setof ops.runs
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_cancel uuid[];
begin
  perform ops_private.check_worker_id(p_worker_id, true);
  if p_lease_seconds is not null and p_lease_seconds not between 1 and 86400 then
    raise exception 'p_lease_seconds must be from 1 to 86400, got %', p_lease_seconds using errcode = '22023';
  end if;
  perform set_config('ops.actor', 'worker:' || p_worker_id, true);

  -- 1. Recover runs whose holder stopped heartbeating. runs_held_idx holds only
  -- claimed and running runs (about one per worker), so this is cheap; skip
  -- locked leaves a run to the holder that is heartbeating it right now.
  -- In SET, r is the run as it was (claimed or running): a cancel is due only
  -- for a running one, which ends canceled. In RETURNING, r is the run as it
  -- is now: a claimed one with a cancel requested is queued and due.
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
      end
    where r.id = any(array(
      select h.id from ops.runs as h
      where h.status in ('claimed', 'running') and h.lease_expires_at < now()
      for update skip locked
    ))
    returning r.id, ops_private.cancel_is_due(r) as cancel_is_due
  )
  select array_agg(c.id) into v_cancel from recovered as c
  where c.cancel_is_due;
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
  perform set_config('ops.reason', '', true);

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
'otherwise, canceled when a cancel was requested. The holder''s identical repeat returns the stored run without '
'a second event. p_error_message is kept to 8000 characters. '
'SQLSTATEs: OP001 the run is claimed, not yet running; OP002 p_worker_id does not hold the run (a queued run, '
'another worker''s, or a run that ended under another worker); OP003 the holder already ended it differently; '
'P0002 unknown run; 22023 invalid parameter (p_worker_id null included).';

revoke execute on function ops.complete_workflow_run(uuid, integer, text, text) from public, anon, authenticated;
grant execute on function ops.complete_workflow_run(uuid, integer, text, text) to service_role;

-- requeue_run -----------------------------------------------------------------------

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
  -- A run with a cancel pending ends canceled instead of going back: a running
  -- one at once, a claimed one through queued (claimed -> canceled is no transition).
  update ops.runs as r
  set
    status = case when ops_private.cancel_is_due(r) then 'canceled' else 'queued' end::ops.run_status,
    attempt = case when ops_private.cancel_is_due(r) then r.attempt else r.attempt - 1 end,
    worker_id = case when ops_private.cancel_is_due(r) then r.worker_id end,
    finished_at = case when ops_private.cancel_is_due(r) then now() end,
    lease_expires_at = null,
    claimed_at = null,
    started_at = case when ops_private.cancel_is_due(r) then r.started_at end
  where r.id = p_run_id and r.worker_id = p_worker_id and r.status in ('claimed', 'running')
  returning r.* into v_run;
  if found then
    if ops_private.cancel_is_due(v_run) then
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

-- append_run_logs -------------------------------------------------------------------

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
  perform ops_private.check_worker_id(p_worker_id, true);

  perform ops_private.check_log_lines(p_lines);

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
    -- An empty batch writes nothing, but is answered only for the holder.
    if not exists (
      select 1 from ops.runs as r
      where r.id = p_run_id and r.worker_id = p_worker_id and r.status in ('claimed', 'running')
    ) then
      perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'log to it');
    end if;
    return 0;
  end if;

  -- Fence and lock the run (concurrent batches of one run queue up here),
  -- then raise last_log_seq only when it moves: a retried batch writes nothing.
  select r.last_log_seq into v_last_seq from ops.runs as r
  where r.id = p_run_id
    and r.worker_id = p_worker_id and r.status in ('claimed', 'running')
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
            raise exception 'p_lines[%].timestamp must be an ISO 8601 time, got %', v_i, left((p_lines -> v_i -> 'timestamp')::text, 80)
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
'Raises last_log_seq to the highest seq. Only the holder (p_worker_id) may log, and only while the run is held. '
'SQLSTATEs: 22023 invalid p_lines (naming p_lines[i].field) or p_worker_id; OP002 not the holder or the run has ended; P0002 unknown run.';

revoke execute on function ops.append_run_logs(uuid, jsonb, text) from public, anon, authenticated;
grant execute on function ops.append_run_logs(uuid, jsonb, text) to service_role;
