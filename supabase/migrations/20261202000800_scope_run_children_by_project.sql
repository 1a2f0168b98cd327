-- Row-level security whose cost follows the member's own projects, not the
-- size of ops.runs and its child tables.
--
-- Until now a member's read of a run's log lines, events or artifacts was
-- checked with `run_id in (select r.id from ops.runs r where r.project_id in
-- (member projects))`: the planner hashed the ids of every visible run, which
-- is a sequential scan of all runs (253 ms for a 100-line log tail with
-- 1,000,000 runs). The runs policies (`project_id in (select ...)`) became a
-- hashed subplan filter too, so "latest 50 runs of my projects" and "how many
-- of my runs succeeded" read every run. From here on:
--
-- * ops.run_events, ops.run_logs and ops.run_artifacts carry the tenant key
--   project_id, the project of their run. The RPCs that write them set it from
--   the run row they already lock (ops.append_run_log, ops.append_run_logs,
--   ops.add_run_artifact) and the event trigger from the run row itself, so
--   log ingestion does no lookup per line. A direct insert that leaves it out
--   (service_role, the table owner) gets it filled by the trigger
--   <table>_010_fill_project_id, which fires only when it is null; a wrong
--   one is refused by the foreign key (run_id, project_id) -> ops.runs (id,
--   project_id), which replaces the one on run_id alone (same delete rules).
--   A run's project_id can therefore not change once it has children (every
--   run has its insert event): 23503.
-- * The select policies of the three tables and the three policies of
--   ops.runs test `project_id = any (array(select
--   ops_private.member_project_ids(...)))`: the member's projects are read
--   once per statement (an InitPlan) and the test is an index condition on
--   ops.runs (project_id, ...) indexes, or a filter on the rows an index on
--   run_id found. Who sees what does not change.
-- * ops.runs gets the unique key (id, project_id) that the foreign keys
--   reference, and its index (project_id, created_at desc) carries status
--   as a last column, so that a member's "my runs in status X" (counts,
--   latest first) reads the index only.
--
-- Data: project_id is back-filled from ops.runs in batches of 50,000 rows in
-- primary key order, then set not null; the foreign keys are added
-- NOT VALID and validated with one join each. ops.run_events is append-only:
-- its refuse-change trigger is disabled for the back-fill and enabled again
-- in the same transaction, so no other session ever writes to it meanwhile.
-- Each updated row leaves a dead version behind (autovacuum reclaims it).
-- Time, measured on 1,000,000 runs with 1,000,000 events, 1,075,000 log
-- lines and 200,000 artifacts (2 cores, shared; docs/odooops-sh/PERFORMANCE.md):
-- about 65 s in all, that is some 15 s per million events or log lines, some
-- 2 minutes per million artifacts (random uuid keys) and 3 s per million runs
-- for the two indexes. On larger tables build those two indexes beforehand
-- with CREATE [UNIQUE] INDEX CONCURRENTLY under the same names: this
-- migration then finds and keeps them.
-- Objects: columns run_events.project_id, run_logs.project_id,
-- run_artifacts.project_id; constraints runs_id_project_id_key,
-- run_events_run_id_project_id_fkey, run_logs_run_id_project_id_fkey,
-- run_artifacts_run_id_project_id_fkey (dropped: the three *_run_id_fkey);
-- index runs_project_id_created_at_status_idx (dropped:
-- runs_project_id_created_at_idx); function
-- ops_private.fill_run_project_id() and triggers run_events_010_fill_project_id,
-- run_logs_010_fill_project_id, run_artifacts_010_fill_project_id; functions
-- ops.runs_record_event(), ops.append_run_log, ops.append_run_logs,
-- ops.add_run_artifact, ops_private.member_project_ids (now PL/pgSQL, same
-- answer); the three select policies of the child tables and the three
-- policies of ops.runs.
-- Locks: ACCESS EXCLUSIVE on ops.run_events, ops.run_logs and
-- ops.run_artifacts from the start (new column, back-fill), then SHARE and
-- ACCESS EXCLUSIVE on ops.runs (index builds, key, policies), all until
-- commit: log ingestion and status changes (which write events) wait for the
-- whole migration, reads of ops.runs only for its last seconds. lock_timeout
-- 5s makes a busy database fail fast instead of queueing everyone behind it.
-- Roll back: restore the policies of 20260213000102, the three RPCs and
--   ops.runs_record_event() from their last migrations (20261202000140,
--   20261202000400, 20260213000101) and ops_private.member_project_ids from
--   20260213000102; add back the foreign keys on run_id alone;
--   drop the triggers, ops_private.fill_run_project_id(), the three columns
--   (with their foreign keys), runs_id_project_id_key and
--   runs_project_id_created_at_status_idx after creating
--   runs_project_id_created_at_idx (project_id, created_at desc) again.
--
-- SQLSTATEs:
--   23503 a child row whose project_id is not its run's, a child row of an
--         unknown run, or a change of a run's project_id once it has children

set local lock_timeout = '5s';

-- The children: project_id, back-filled in batches -------------------------------

alter table ops.run_events add column project_id uuid;
alter table ops.run_logs add column project_id uuid;
alter table ops.run_artifacts add column project_id uuid;

comment on column ops.run_events.project_id is
'The project of the run (ops.runs.project_id), for row-level security; set by the database.';
comment on column ops.run_logs.project_id is
'The project of the run (ops.runs.project_id), for row-level security; set by the database.';
comment on column ops.run_artifacts.project_id is
'The project of the run (ops.runs.project_id), for row-level security; set by the database.';

alter table ops.run_events disable trigger run_events_refuse_update_delete;

do $$
declare
  v_batch constant bigint := 50000;
  v_from bigint;
  v_last bigint;
  v_after uuid := '00000000-0000-0000-0000-000000000000';
begin
  -- Ranges of the primary keys, each row's run one probe of runs_pkey (a join
  -- would hash every run for each batch).
  select coalesce(min(e.id), 1) - 1, coalesce(max(e.id), 0) into v_from, v_last from ops.run_events as e;
  while v_from < v_last loop
    update ops.run_events as e
    set project_id = (select r.project_id from ops.runs as r where r.id = e.run_id)
    where e.id > v_from and e.id <= v_from + v_batch and e.project_id is null;
    v_from := v_from + v_batch;
  end loop;

  select coalesce(min(l.id), 1) - 1, coalesce(max(l.id), 0) into v_from, v_last from ops.run_logs as l;
  while v_from < v_last loop
    update ops.run_logs as l
    set project_id = (select r.project_id from ops.runs as r where r.id = l.run_id)
    where l.id > v_from and l.id <= v_from + v_batch and l.project_id is null;
    v_from := v_from + v_batch;
  end loop;

  -- Artifacts have a uuid key: batches of the next ids in key order.
  loop
    with batch as (
      select a.id from ops.run_artifacts as a
      where a.id > v_after
      order by a.id
      limit v_batch
    ),

    filled as (
      update ops.run_artifacts as a
      set project_id = (select r.project_id from ops.runs as r where r.id = a.run_id)
      from batch as b
      where a.id = b.id and a.project_id is null
      returning a.id
    )

    select (select b.id from batch as b order by b.id desc limit 1) into v_after;
    exit when v_after is null;
  end loop;
end
$$;

alter table ops.run_events enable trigger run_events_refuse_update_delete;

-- ops.runs: the key the children reference, and the member's status index ------
-- (after the back-fill: ops.runs stays writable until here)

create unique index if not exists runs_id_project_id_key on ops.runs (id, project_id);
alter table ops.runs add constraint runs_id_project_id_key unique using index runs_id_project_id_key;

-- A member's runs newest first, with their status: "my failed runs" and "how
-- many succeeded" are index-only scans. status rides along as the last key
-- column rather than in an index of its own: a status change writes an entry
-- in every index of ops.runs (it is never a HOT update), and a member's
-- status filter cannot be an index condition anyway (enum equality is not
-- leakproof, so it runs after the policy). (INCLUDE (status) would do the
-- same, but Prisma's schema cannot say it.) Replaces
-- runs_project_id_created_at_idx.
create index if not exists runs_project_id_created_at_status_idx
on ops.runs (project_id, created_at desc, status);
drop index ops.runs_project_id_created_at_idx;

alter table ops.run_events alter column project_id set not null;
alter table ops.run_logs alter column project_id set not null;
alter table ops.run_artifacts alter column project_id set not null;

-- Consistency: a child's project is its run's. The delete rules stay those of
-- the foreign keys on run_id they replace.
alter table ops.run_events
add constraint run_events_run_id_project_id_fkey foreign key (run_id, project_id)
references ops.runs (id, project_id) not valid;
alter table ops.run_logs
add constraint run_logs_run_id_project_id_fkey foreign key (run_id, project_id)
references ops.runs (id, project_id) on delete cascade not valid;
alter table ops.run_artifacts
add constraint run_artifacts_run_id_project_id_fkey foreign key (run_id, project_id)
references ops.runs (id, project_id) on delete cascade not valid;

alter table ops.run_events validate constraint run_events_run_id_project_id_fkey;
alter table ops.run_logs validate constraint run_logs_run_id_project_id_fkey;
alter table ops.run_artifacts validate constraint run_artifacts_run_id_project_id_fkey;

alter table ops.run_events drop constraint run_events_run_id_fkey;
alter table ops.run_logs drop constraint run_logs_run_id_fkey;
alter table ops.run_artifacts drop constraint run_artifacts_run_id_fkey;

-- Direct inserts that leave project_id out get their run's ------------------------

-- Not SECURITY DEFINER: only roles that may insert into these tables reach it,
-- and they may read ops.runs.
create or replace function ops_private.fill_run_project_id()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.run_id is not null then
    select r.project_id into new.project_id from ops.runs as r where r.id = new.run_id;
    if new.project_id is null then
      raise exception 'run %: no such run', new.run_id
        using errcode = '23503', table = tg_table_name, schema = tg_table_schema;
    end if;
  end if;
  return new;
end
$$;

comment on function ops_private.fill_run_project_id() is
'Trigger function: sets project_id of a run_events, run_logs or run_artifacts row inserted without it to its '
'run''s project. The RPCs set it themselves and do not reach it (the triggers fire only when it is null). '
'SQLSTATEs: 23503 unknown run.';

revoke execute on function ops_private.fill_run_project_id() from public, anon, authenticated, service_role;

create trigger run_events_010_fill_project_id
before insert on ops.run_events
for each row when (new.project_id is null) execute function ops_private.fill_run_project_id();

create trigger run_logs_010_fill_project_id
before insert on ops.run_logs
for each row when (new.project_id is null) execute function ops_private.fill_run_project_id();

create trigger run_artifacts_010_fill_project_id
before insert on ops.run_artifacts
for each row when (new.project_id is null) execute function ops_private.fill_run_project_id();

-- The writers set project_id from the run row they hold -----------------------------

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
  insert into ops.run_events (run_id, project_id, from_status, to_status, actor, reason, payload)
  values (
    new.id,
    new.project_id,
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
  v_project_id uuid;
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
  returning r.last_log_seq, r.project_id into v_seq, v_project_id;
  if not found then
    perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'log to it');
  end if;
  -- The run's project comes with the row just locked: no lookup per line.
  insert into ops.run_logs (run_id, project_id, seq, level, stream, message, metadata)
  values (p_run_id, v_project_id, v_seq, p_level::ops.log_level, p_stream, p_message, p_metadata)
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
  v_project_id uuid;
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
  select r.last_log_seq, r.project_id into v_last_seq, v_project_id from ops.runs as r
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
    insert into ops.run_logs (run_id, project_id, seq, timestamp, level, stream, message, metadata)
    select
      p_run_id, v_project_id, l.seq, coalesce(l.timestamp, clock_timestamp()), coalesce(l.level, 'info'),
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
  v_project_id uuid;
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
  select p.slug, r.project_id into v_slug, v_project_id
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

  insert into ops.run_artifacts (
    run_id, project_id, artifact_key, storage_url, content_type, size_bytes, sha256, metadata
  )
  values (p_run_id, v_project_id, p_artifact_key, p_s3_url, p_content_type, p_size_bytes, p_sha256, p_metadata)
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

-- Policies: the member's projects once per statement, as an array ----------------

-- The same answer; PL/pgSQL keeps its plan for the session, where a SQL
-- function that cannot be inlined (SECURITY DEFINER) is planned again at every
-- call: about 0.25 ms less on every statement a member makes.
create or replace function ops_private.member_project_ids(p_min_role ops.member_role default 'viewer')
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select m.project_id
  from ops.project_memberships as m
  where m.user_id = (select auth.uid()) and m.role >= p_min_role;
end
$$;

alter policy "authenticated can select runs of member projects"
on ops.runs
using (project_id = any(array(select ops_private.member_project_ids('viewer'))));

alter policy "developers can insert runs"
on ops.runs
with check (
  project_id = any(array(select ops_private.member_project_ids('developer')))
  and created_by = (select auth.uid())
);

alter policy "developers can request run cancels"
on ops.runs
using (project_id = any(array(select ops_private.member_project_ids('developer'))))
with check (project_id = any(array(select ops_private.member_project_ids('developer'))));

alter policy "authenticated can select run events of member projects"
on ops.run_events
using (project_id = any(array(select ops_private.member_project_ids('viewer'))));

alter policy "authenticated can select run logs of member projects"
on ops.run_logs
using (project_id = any(array(select ops_private.member_project_ids('viewer'))));

alter policy "authenticated can select run artifacts of member projects"
on ops.run_artifacts
using (project_id = any(array(select ops_private.member_project_ids('viewer'))));

-- The planner's statistics for the new column and indexes.
analyze ops.runs;
analyze ops.run_events;
analyze ops.run_logs;
analyze ops.run_artifacts;
