-- Every worker write is fenced by the holder's worker id, and artifacts lie
-- inside a registered artifact store.
--
-- 1. complete_workflow_run, append_run_log, append_run_logs and
--    add_run_artifact took a null p_worker_id as "skip the holder check": a
--    runner could end, log to or add artifacts to a run another runner held,
--    and the holder's own identical complete then passed as a repeat. Now
--    every worker write (start, heartbeat, complete, requeue, append_run_log,
--    append_run_logs, add_run_artifact) requires p_worker_id (22023 when null)
--    and succeeds only while that worker holds the run; logs and artifacts on
--    a finished run are refused with OP002 ("the run has ended"). Ending
--    somebody else's run is ops.cancel_run, which records who asked.
--    The signatures keep their defaults so that existing callers by name
--    still resolve; a null worker id is what is refused.
-- 2. add_run_artifact accepted any URL, file:///etc/passwd included. A stored
--    URL must now be the run's place in a registered artifact store:
--    <root_url><project slug>/<run id>/<artifact key>, where root_url is a row
--    of ops.artifact_stores (a file:/// directory, an s3://bucket/prefix/ or
--    an https:// base). Keys never hold "." or ".." segments, so the URL
--    cannot leave the store. Stores are registered by service_role with
--    ops.register_artifact_store; `odooops worker` registers its own.
-- 3. Error messages quote at most 200 characters of a value
--    (ops_private.quote_short); log and artifact metadata is bounded to
--    16 KiB.
-- Objects: table ops.artifact_stores; functions ops.is_artifact_store_root(text),
-- ops.register_artifact_store(text, text),
-- ops_private.check_worker_id(text, boolean), ops_private.raise_not_holder(uuid, text, text),
-- ops.claim_next_run(text, integer), ops.complete_workflow_run(uuid, integer, text, text),
-- ops.append_run_log(uuid, text, text, jsonb, text, text), ops.append_run_logs(uuid, jsonb, text),
-- ops.add_run_artifact(uuid, text, text, text, bigint, text, jsonb, text).
-- Locks: none on existing tables.
-- Roll back: restore the functions from 20260213000200, drop function
--   ops.register_artifact_store(text, text) and table ops.artifact_stores.

-- Artifact stores ---------------------------------------------------------------

create or replace function ops.is_artifact_store_root(p_url text)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  -- A directory-like prefix: ends with "/", no "." or ".." segments (nor
  -- percent-encoded dots, slashes or backslashes, which a reader may decode),
  -- no query or fragment, and never the root of a file system.
  select length(p_url) <= 1024
    and p_url ~ '^(s3://[a-z0-9][a-z0-9.-]{1,62}/|https://[A-Za-z0-9.-]+(:[0-9]{1,5})?/|file:///[A-Za-z0-9._~%+-]+/)([A-Za-z0-9._~%+-]+/)*$'
    and p_url !~ '/\.{1,2}/' and p_url !~* '%2e|%2f|%5c'
$$;

comment on function ops.is_artifact_store_root(text) is
'True for a URL that may be an artifact store root: file:///dir/, s3://bucket/[prefix/] or https://host/[path/], '
'ending in "/", at most 1024 characters, without . or .. segments, plain or percent-encoded.';

revoke execute on function ops.is_artifact_store_root(text) from public, anon;
grant execute on function ops.is_artifact_store_root(text) to authenticated, service_role;

create table ops.artifact_stores (
  id uuid not null default extensions.gen_random_uuid(),
  root_url text not null,
  description text,
  created_at timestamptz not null default now(),
  constraint artifact_stores_pkey primary key (id),
  constraint artifact_stores_root_url_key unique (root_url),
  constraint artifact_stores_root_url_is_valid check (ops.is_artifact_store_root(root_url)),
  constraint artifact_stores_description_is_bounded check (length(description) <= 1000)
);

alter table ops.artifact_stores enable row level security;

comment on table ops.artifact_stores is
'Where artifacts may be stored: every ops.run_artifacts.storage_url lies under one of these roots.';
comment on column ops.artifact_stores.root_url is
'A directory-like URL ending in "/": file:///dir/, s3://bucket/ or s3://bucket/prefix/, https://host/path/.';

revoke all on ops.artifact_stores from anon, authenticated, service_role;
grant select, insert, delete on ops.artifact_stores to service_role;

create or replace function ops.register_artifact_store(p_root_url text, p_description text default null)
returns ops.artifact_stores
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_store ops.artifact_stores;
begin
  if not coalesce(ops.is_artifact_store_root(p_root_url), false) then
    raise exception 'p_root_url must be a directory URL ending in "/" (file:///dir/, s3://bucket/prefix/, https://host/path/) '
      'without . or .. segments (plain or percent-encoded), got %', ops_private.quote_short(p_root_url)
      using errcode = '22023', hint = 'A file:// store needs a directory below the file system root.';
  end if;
  if length(p_description) > 1000 then
    raise exception 'p_description must be at most 1000 characters, got %', length(p_description)
      using errcode = '22023';
  end if;
  insert into ops.artifact_stores (root_url, description)
  values (p_root_url, p_description)
  on conflict (root_url) do nothing
  returning * into v_store;
  if not found then
    select s.* into v_store from ops.artifact_stores as s where s.root_url = p_root_url;
  end if;
  return v_store;
end
$$;

comment on function ops.register_artifact_store(text, text) is
'Registers an artifact store root (idempotent) and returns it; ops.add_run_artifact accepts only URLs under a '
'registered root. SQLSTATEs: 22023 invalid parameter.';

revoke execute on function ops.register_artifact_store(text, text) from public, anon, authenticated;
grant execute on function ops.register_artifact_store(text, text) to service_role;

-- Worker helpers ------------------------------------------------------------------


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
  if p_worker_id !~ '^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$' then
    raise exception 'p_worker_id must match ^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$, got %',
      ops_private.quote_short(p_worker_id)
      using errcode = '22023';
  end if;
end
$$;

comment on function ops_private.check_worker_id(text, boolean) is
'Raises 22023 naming p_worker_id when it is null or not a valid worker id (p_required is ignored: always required).';

revoke execute on function ops_private.check_worker_id(text, boolean) from public, anon, authenticated;
grant execute on function ops_private.check_worker_id(text, boolean) to service_role;

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
  if v_run.status in ('succeeded', 'failed', 'canceled') then
    raise exception 'run %: worker % cannot %: the run has ended (%)', p_run_id, p_worker_id, p_action, v_run.status
      using errcode = 'OP002',
      hint = 'A finished run takes no more logs, artifacts or changes; its worker must stop working on it.';
  end if;
  raise exception 'run %: worker % cannot %: the run is % and held by %',
    p_run_id, p_worker_id, p_action, v_run.status,
    case when v_run.status in ('claimed', 'running') then v_run.worker_id else 'no worker' end
    using errcode = 'OP002',
    hint = 'The lease may have expired and the run been recovered; stop working on it.';
end
$$;

comment on function ops_private.raise_not_holder(uuid, text, text) is
'Raises OP002 (not the holder, or the run has ended) naming the run, the caller and the holder, or P0002 when '
'the run does not exist.';

revoke execute on function ops_private.raise_not_holder(uuid, text, text) from public, anon, authenticated;
grant execute on function ops_private.raise_not_holder(uuid, text, text) to service_role;

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
      when r.cancel_requested_at is not null then 'canceled'
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
      ops_private.quote_short(p_level)
      using errcode = '22023';
  end if;
  if p_message is null or length(p_message) > 16384 then
    raise exception 'p_message must be text of at most 16384 characters, got %',
      coalesce(length(p_message)::text || ' characters', 'null')
      using errcode = '22023';
  end if;
  perform ops_private.check_json_object('p_metadata', p_metadata, 16384);
  if p_stream is null or p_stream !~ '^[a-z][a-z0-9_-]{0,31}$' then
    raise exception 'p_stream must match ^[a-z][a-z0-9_-]{0,31}$, got %', ops_private.quote_short(p_stream)
      using errcode = '22023';
  end if;
  perform ops_private.check_worker_id(p_worker_id, true);

  -- The run row lock orders concurrent appends of one run; last_log_seq is
  -- unindexed, so this stays a HOT update.
  update ops.runs as r
  set last_log_seq = r.last_log_seq + 1
  where r.id = p_run_id
    and r.worker_id = p_worker_id and r.status in ('claimed', 'running')
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
'use ops.append_run_logs for retry-safe batches. Only the holder (p_worker_id) may log, and only while the run is held. '
'SQLSTATEs: 22023 invalid p_level, p_message, p_metadata, p_stream or p_worker_id; OP002 not the holder or the run has ended; P0002 unknown run.';

revoke execute on function ops.append_run_log(uuid, text, text, jsonb, text, text) from public, anon, authenticated;
grant execute on function ops.append_run_log(uuid, text, text, jsonb, text, text) to service_role;

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

  -- Validate every element in one pass; report the first bad one by index.
  select
    case
      when jsonb_typeof(e.v) <> 'object' then
        format('p_lines[%s] must be an object, got %s', e.i - 1, left(e.v::text, 80))
      when e.v - array['seq', 'level', 'stream', 'message', 'metadata', 'timestamp'] <> '{}'::jsonb then
        format(
          'p_lines[%s].%s is not a known field (seq, level, stream, message, metadata, timestamp)', e.i - 1,
          (select left(k, 200) from jsonb_object_keys(
            e.v - array['seq', 'level', 'stream', 'message', 'metadata', 'timestamp']
          ) as k limit 1)
        )
      when jsonb_typeof(e.v -> 'seq') is distinct from 'number' or (e.v ->> 'seq') !~ '^[0-9]{1,18}$'
        or (e.v ->> 'seq')::bigint < 1 then
        format('p_lines[%s].seq must be an integer >= 1, got %s', e.i - 1, left(coalesce(e.v -> 'seq', 'null'::jsonb)::text, 80))
      when e.v ? 'level' and jsonb_typeof(e.v -> 'level') <> 'null'
        and not coalesce((e.v ->> 'level') = any(enum_range(null::ops.log_level)::text[]), false) then
        format('p_lines[%s].level must be one of debug, info, warning, error, got %s', e.i - 1, left((e.v -> 'level')::text, 80))
      when e.v ? 'stream' and jsonb_typeof(e.v -> 'stream') <> 'null'
        and not coalesce((e.v ->> 'stream') ~ '^[a-z][a-z0-9_-]{0,31}$', false) then
        format('p_lines[%s].stream must match ^[a-z][a-z0-9_-]{0,31}$, got %s', e.i - 1, left((e.v -> 'stream')::text, 80))
      when jsonb_typeof(e.v -> 'message') is distinct from 'string' or length(e.v ->> 'message') > 16384 then
        format(
          'p_lines[%s].message must be a string of at most 16384 characters, got %s', e.i - 1,
          coalesce(left((e.v -> 'message')::text, 80), 'null')
        )
      when e.v ? 'metadata' and jsonb_typeof(e.v -> 'metadata') not in ('object', 'null') then
        format('p_lines[%s].metadata must be an object, got %s', e.i - 1, left((e.v -> 'metadata')::text, 80))
      when octet_length((e.v -> 'metadata')::text) > 16384 then
        format('p_lines[%s].metadata must be at most 16384 bytes of JSON, got %s', e.i - 1,
          octet_length((e.v -> 'metadata')::text))
      when e.v ? 'timestamp' and jsonb_typeof(e.v -> 'timestamp') <> 'null'
        and not coalesce(
          (e.v ->> 'timestamp')
          ~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$',
          false
        ) then
        format('p_lines[%s].timestamp must be an ISO 8601 time, got %s', e.i - 1, left((e.v -> 'timestamp')::text, 80))
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
    or octet_length((e.v -> 'metadata')::text) > 16384
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
  v_slug text;
  v_place text;
begin
  perform ops_private.check_worker_id(p_worker_id, true);
  if p_artifact_key is null or p_artifact_key !~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$'
    or p_artifact_key ~ '(^|/)\.{1,2}(/|$)|//|/$' then
    raise exception 'p_artifact_key must match ^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$ without empty, . or .. segments, got %',
      ops_private.quote_short(p_artifact_key)
      using errcode = '22023';
  end if;
  if p_s3_url is null or length(p_s3_url) > 2048 then
    raise exception 'p_s3_url must be a URL of at most 2048 characters, got %', ops_private.quote_short(p_s3_url)
      using errcode = '22023';
  end if;
  if p_sha256 is null or p_sha256 !~ '^[0-9a-f]{64}$' then
    raise exception 'p_sha256 must be 64 lowercase hex characters, got %', ops_private.quote_short(p_sha256)
      using errcode = '22023';
  end if;
  if p_size_bytes is null or p_size_bytes < 0 then
    raise exception 'p_size_bytes must be >= 0, got %', coalesce(p_size_bytes::text, 'null') using errcode = '22023';
  end if;
  if p_content_type is null or p_content_type !~ '^[a-z]+/[A-Za-z0-9.+_-]+(; ?[A-Za-z0-9_-]+=[A-Za-z0-9._-]+)*$' then
    raise exception 'p_content_type must be a media type such as application/gzip, got %',
      ops_private.quote_short(p_content_type)
      using errcode = '22023';
  end if;
  perform ops_private.check_json_object('p_metadata', p_metadata, 16384);

  -- Lock the run (shares nothing with heartbeats' columns) to fence the write.
  select p.slug into v_slug
  from ops.runs as r
  inner join ops.projects as p on p.id = r.project_id
  where r.id = p_run_id and r.worker_id = p_worker_id and r.status in ('claimed', 'running')
  for no key update of r;
  if not found then
    -- A repeat after the run ended: the artifact may already be stored.
    select a.* into v_artifact from ops.run_artifacts as a
    where a.run_id = p_run_id and a.artifact_key = p_artifact_key and a.sha256 = p_sha256;
    if found and exists (select 1 from ops.runs as r where r.id = p_run_id and r.worker_id = p_worker_id) then
      return v_artifact;
    end if;
    perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'add an artifact to it');
  end if;

  -- The run's place in a registered store, and nowhere else.
  v_place := v_slug || '/' || p_run_id::text || '/' || p_artifact_key;
  if right(p_s3_url, length(v_place) + 1) <> '/' || v_place or not exists (
    select 1 from ops.artifact_stores as s
    where s.root_url = left(p_s3_url, length(p_s3_url) - length(v_place))
  ) then
    raise exception 'p_s3_url must be <artifact store root>% in a registered artifact store, got %',
      v_place, ops_private.quote_short(p_s3_url)
      using errcode = '22023',
      hint = 'Register the store''s root URL with ops.register_artifact_store (odooops worker registers its own).';
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
'returns the stored row; the same key with another sha256 is refused. Only the holder (p_worker_id) may add, while '
'the run is held, and only at <store root><project slug>/<run id>/<key> of a registered ops.artifact_stores root. '
'SQLSTATEs: 22023 invalid parameter or URL outside the stores, OP002 not the holder or the run has ended, OP003 key already stored with another sha256, P0002 unknown run.';

revoke execute on function ops.add_run_artifact(uuid, text, text, text, bigint, text, jsonb, text)
from public, anon, authenticated;
grant execute on function ops.add_run_artifact(uuid, text, text, text, bigint, text, jsonb, text) to service_role;
