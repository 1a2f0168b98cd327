-- Labels and the worker registry: a workflow says what a worker must offer,
-- a worker says what it offers when it claims, and the workers are listed.
--
-- * Labels are names such as odoo-17.0, docker or arm64: 1 to 63 characters,
--   lowercase letters, digits, '.', '_' and '-', starting with a letter or a
--   digit; at most 32 to a set. A set is stored sorted (collation "C") and
--   without repeats, so that two equal sets are equal arrays and an index on
--   them finds them (ops.is_label_set, the check constraints). Bad input gets
--   22023 naming the field and the element (ops_private.check_labels).
-- * ops.workflows.required_labels: what a worker must offer to take a run of
--   the workflow. Admins set it with the table, like the rest of a workflow;
--   trigger workflows_normalize_required_labels sorts it and refuses bad
--   labels with 22023 naming workflows.required_labels[i].
-- * ops.runs.required_labels: the workflow's labels, copied when the run is
--   queued by trigger runs_060_copy_required_labels (ops.enqueue_run and a
--   direct insert alike; ops.enqueue_run itself is unchanged). A queued run
--   keeps what it was queued with: editing a workflow changes the runs
--   queued after the edit, never those already waiting or held, as a change
--   of steps does (the worker reads the steps when it takes the run, but a
--   label is a promise about the machine, made when the run was asked for).
--   A trigger rather than a change of ops.enqueue_run: direct inserts get it
--   too, and the function's other changes are not in its way.
-- * ops.claim_next_run(p_worker_id, p_lease_seconds, p_labels) replaces
--   ops.claim_next_run(p_worker_id, p_lease_seconds): the labels the worker
--   offers (null or none: it takes only runs that require none). A run is
--   claimed only by a worker that offers every label it requires. Dropped and
--   created rather than overloaded: a second function with a defaulted third
--   parameter would make ops.claim_next_run('w', 30) ambiguous. Callers that
--   name two arguments, or one, keep working. Lease recovery, fencing, events
--   and the claim order (priority desc, then oldest) are those of
--   20261202000400; the order holds across label sets.
--   How it stays cheap: the queued runs are indexed by label set first
--   (runs_claimable_labels_idx: required_labels, priority desc, created_at,
--   id, where queued). A worker without labels reads the set {} only, as
--   before. A worker with labels finds the distinct sets of the queue (one
--   index probe per set), keeps those it offers every label of, looks at the
--   best due run of each and claims in the set whose best run is first,
--   skipping locked rows. Runs that it cannot take are never read one by
--   one, however many wait at the head of the queue.
-- * ops.workers: the fleet, one row per worker id: labels, version, host,
--   started_at (its last registration), last_seen_at. Written only by
--   functions: ops.register_worker (the worker at start), ops.claim_next_run
--   (a claim, even one that finds nothing, records the worker and the labels
--   it offered; a worker that never registered still shows up) and
--   ops.heartbeat_run. A claim or heartbeat writes last_seen_at only when it
--   is older than 5 seconds (heartbeats come every 2 s; the rest are a read),
--   and the column is in no index, so the write is a HOT update. A worker not
--   seen for 60 seconds (ops_private.worker_gone_after()) is gone.
--   Readable by service_role only (ops.list_workers): there is no
--   installation-wide admin among the roles, and a project admin is anyone
--   who created a project, so the fleet (host names, versions) is shown to
--   operators' tooling, not to users.
-- * ops.list_queued_runs() gains the column wait_reason: 'waiting for a
--   worker with labels a, b' when no live worker offers them all, 'waiting
--   for a worker: none seen in the last 60 seconds' for a run that needs no
--   label when no worker is live, else null. Users see it for the projects
--   they administer, through ops_private.live_worker_labels() (the label sets
--   of live workers, nothing else of the registry).
-- * ops.heartbeat_run (from 20260213000200) also records the worker as seen.
-- Objects: columns ops.workflows.required_labels, ops.runs.required_labels;
-- table ops.workers; index runs_claimable_labels_idx; triggers
-- workflows_normalize_required_labels, runs_060_copy_required_labels;
-- functions ops.is_label_set(text[]), ops_private.check_labels(text, text[]),
-- ops_private.worker_gone_after(), ops_private.worker_seen(text, text[]),
-- ops_private.register_worker(text, text[], text, text),
-- ops_private.live_worker_labels(), ops.register_worker(text, text[], text,
-- text), ops.list_workers(), ops.claim_next_run(text, integer, text[]),
-- ops.heartbeat_run(uuid, text, integer), ops.list_queued_runs(), and the
-- trigger functions ops.workflows_normalize_required_labels(),
-- ops.runs_copy_required_labels().
-- Locks: ACCESS EXCLUSIVE on ops.workflows and ops.runs while their column is
-- added (no rewrite: a constant default) and their constraint added; the
-- constraint of ops.runs is NOT VALID (every existing row holds the default
-- {}, which it accepts; new and changed rows are checked, the history is not
-- scanned). SHARE on ops.runs while runs_claimable_labels_idx is built (one
-- scan of the table).
-- Roll back: drop the functions and the table ops.workers; create
--   ops.claim_next_run(text, integer) from 20261202000400 with its grants,
--   ops.heartbeat_run from 20260213000200, ops.list_queued_runs from
--   20260213000200 (dropped first: its columns differ); drop the triggers, the
--   index and the two columns.
--
-- SQLSTATEs (also in comment on function):
--   22023 invalid parameter or label, naming it (p_labels[i],
--         workflows.required_labels[i], p_version, p_host, p_worker_id)
--   23514 a label set that is not sorted, unique and bounded, written past
--         the functions (check constraints *_is_valid)

set local lock_timeout = '5s';

-- Label sets ------------------------------------------------------------------------

-- For check constraints: true for a canonical set (sorted, no repeats, no null,
-- each label valid, at most 32). Executable by every role that writes the
-- tables it guards, as a check constraint needs.
create or replace function ops.is_label_set(p_labels text[])
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select p_labels is not null
    and coalesce(array_ndims(p_labels), 1) = 1
    and cardinality(p_labels) <= 32
    and not exists (
      select 1 from unnest(p_labels) as u (l) where u.l is null or u.l !~ '^[a-z0-9][a-z0-9._-]{0,62}$'
    )
    and p_labels = array(select distinct u.l collate "C" from unnest(p_labels) as u (l) order by 1)
$$;

comment on function ops.is_label_set(text[]) is
'True for a label set as stored: at most 32 labels matching ^[a-z0-9][a-z0-9._-]{0,62}$, sorted (collation C), '
'no repeats, no null, one dimension. Used by check constraints.';

revoke execute on function ops.is_label_set(text[]) from public, anon;
grant execute on function ops.is_label_set(text[]) to authenticated, service_role;

-- Checks labels given by a caller and returns them as a set (sorted, without
-- repeats); null is the empty set. p_field names the input in the message.
create or replace function ops_private.check_labels(p_field text, p_labels text[])
returns text[]
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_i integer;
begin
  if p_labels is null then
    return '{}'::text[];
  end if;
  if array_ndims(p_labels) > 1 then
    raise exception '% must be a one-dimensional array of labels, got %', p_field,
      ops_private.quote_short(p_labels::text)
      using errcode = '22023';
  end if;
  if cardinality(p_labels) > 32 then
    raise exception '% may hold at most 32 labels, got %', p_field, cardinality(p_labels)
      using errcode = '22023';
  end if;
  for v_i in select s from generate_subscripts(p_labels, 1) as s loop
    if p_labels[v_i] is null or p_labels[v_i] !~ '^[a-z0-9][a-z0-9._-]{0,62}$' then
      raise exception '%[%] must be a label of 1 to 63 lowercase letters, digits, ".", "_" or "-", starting '
        'with a letter or digit, got %', p_field, v_i, ops_private.quote_short(p_labels[v_i])
        using errcode = '22023', hint = 'Labels look like odoo-17.0, docker, arm64.';
    end if;
  end loop;
  return array(select distinct u.l collate "C" from unnest(p_labels) as u (l) order by 1);
end
$$;

comment on function ops_private.check_labels(text, text[]) is
'Returns the labels as a set (sorted, no repeats; null gives {}), or raises 22023 naming p_field[i] for a null or '
'malformed label, or p_field for more than 32 labels or more than one dimension.';

revoke execute on function ops_private.check_labels(text, text[]) from public, anon;
grant execute on function ops_private.check_labels(text, text[]) to authenticated, service_role;

-- Workflows: required_labels ----------------------------------------------------------

alter table ops.workflows
add column required_labels text[] not null default '{}'::text[], -- noqa: LT01
add constraint workflows_required_labels_is_valid check (ops.is_label_set(required_labels));

comment on column ops.workflows.required_labels is
'Labels a worker must offer to take a run of this workflow (odoo-17.0, docker, arm64): at most 32, sorted, '
'no repeats. Copied onto each run when it is queued.';

create or replace function ops.workflows_normalize_required_labels()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.required_labels := ops_private.check_labels('workflows.required_labels', new.required_labels);
  return new;
end
$$;

comment on function ops.workflows_normalize_required_labels() is
'Trigger function: stores workflows.required_labels sorted and without repeats (null as none); 22023 naming '
'workflows.required_labels[i] for a bad label.';

revoke execute on function ops.workflows_normalize_required_labels() from public, anon, authenticated;

create trigger workflows_normalize_required_labels
before insert or update of required_labels on ops.workflows
for each row execute function ops.workflows_normalize_required_labels();

grant insert (required_labels), update (required_labels) on ops.workflows to authenticated;

-- Runs: required_labels, copied at enqueue ----------------------------------------------

alter table ops.runs
add column required_labels text[] not null default '{}'::text[], -- noqa: LT01
-- Check constraints are evaluated on every update of a row, heartbeats included:
-- the empty set, which most runs have, is accepted without calling the function.
add constraint runs_required_labels_is_valid check (
  cardinality(required_labels) = 0 or ops.is_label_set(required_labels)
) not valid;

comment on column ops.runs.required_labels is
'Labels a worker must offer to claim the run: the workflow''s required_labels when the run was queued.';

create or replace function ops.runs_copy_required_labels()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- The workflow's labels, whoever inserts and whatever they pass: a run
  -- requires what its workflow required when it was queued.
  new.required_labels := coalesce(
    (select w.required_labels from ops.workflows as w where w.id = new.workflow_id), '{}'::text[]
  );
  return new;
end
$$;

comment on function ops.runs_copy_required_labels() is
'Trigger function: a new run requires the labels its workflow requires now.';

revoke execute on function ops.runs_copy_required_labels() from public, anon, authenticated;

create trigger runs_060_copy_required_labels
before insert on ops.runs
for each row execute function ops.runs_copy_required_labels();

-- The claim's order within one label set, over queued rows only. The set leads:
-- a worker reads only the sets it can take, and each set in claim order.
create index runs_claimable_labels_idx on ops.runs (required_labels, priority desc, created_at, id)
where status = 'queued';

-- Workers ------------------------------------------------------------------------------

create table ops.workers (
  id text not null,
  labels text[] not null default '{}'::text[], -- noqa: LT01
  version text,
  host text,
  started_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  constraint workers_pkey primary key (id),
  constraint workers_id_is_valid check (id ~ '^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$'),
  constraint workers_labels_is_valid check (ops.is_label_set(labels)),
  constraint workers_version_is_bounded check (version ~ '^[[:graph:]]{1,100}$'),
  constraint workers_host_is_bounded check (host ~ '^[[:graph:]]{1,255}$')
)
-- last_seen_at changes on claims and heartbeats and is in no index: with room
-- left on each page those are HOT updates.
with (fillfactor = 50);

comment on table ops.workers is
'The fleet: one row per worker id, with the labels it offers, its version and host, when it started and when it '
'was last seen (a claim or a heartbeat). Written only by ops.register_worker, ops.claim_next_run and '
'ops.heartbeat_run; listed by ops.list_workers.';
comment on column ops.workers.id is 'The worker id the worker claims and writes runs with.';
comment on column ops.workers.labels is 'The labels the worker offered at its last registration or claim.';
comment on column ops.workers.version is 'The worker''s software version, as it registered.';
comment on column ops.workers.host is 'The machine the worker runs on, as it registered.';
comment on column ops.workers.started_at is 'When it last registered (or was first seen, if it never registered).';
comment on column ops.workers.last_seen_at is
'Its last registration, claim or heartbeat, to within 5 seconds; gone when older than 60 seconds.';

alter table ops.workers enable row level security;
-- No policy: only service_role, which bypasses row-level security, reads it.
revoke all on ops.workers from anon, authenticated, service_role;
grant select, delete on ops.workers to service_role;

create or replace function ops_private.worker_gone_after()
returns interval
language sql
immutable
parallel safe
set search_path = ''
as $$
  select interval '60 seconds'
$$;

comment on function ops_private.worker_gone_after() is
'How long a worker may go unseen (no registration, claim or heartbeat) before it is gone: 60 seconds.';

revoke execute on function ops_private.worker_gone_after() from public, anon;
grant execute on function ops_private.worker_gone_after() to authenticated, service_role;

-- SECURITY DEFINER: the registry is written by these functions only; no API
-- role holds insert or update on ops.workers.
create or replace function ops_private.worker_seen(p_worker_id text, p_labels text[])
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_seen timestamptz;
  v_labels text[];
begin
  -- A read first: most calls find the row fresh and write nothing.
  select w.last_seen_at, w.labels into v_seen, v_labels from ops.workers as w where w.id = p_worker_id;
  if not found then
    -- A claim by a worker that never registered; a heartbeat (null labels) does not add one.
    if p_labels is not null then
      insert into ops.workers (id, labels) values (p_worker_id, p_labels) on conflict (id) do nothing;
    end if;
  elsif v_seen < now() - interval '5 seconds' or v_labels is distinct from coalesce(p_labels, v_labels) then
    update ops.workers as w
    set last_seen_at = now(), labels = coalesce(p_labels, w.labels)
    where w.id = p_worker_id;
  end if;
end
$$;

comment on function ops_private.worker_seen(text, text[]) is
'Records that a worker was seen (a claim with the labels it offered, or a heartbeat with null labels): '
'last_seen_at when older than 5 seconds, labels when they changed; a claim adds an unregistered worker.';

revoke execute on function ops_private.worker_seen(text, text[]) from public, anon, authenticated;
grant execute on function ops_private.worker_seen(text, text[]) to service_role;

create or replace function ops_private.register_worker(p_worker_id text, p_labels text[], p_version text, p_host text)
returns ops.workers
language sql
volatile
security definer
set search_path = ''
as $$
  insert into ops.workers as w (id, labels, version, host, started_at, last_seen_at)
  values (p_worker_id, p_labels, p_version, p_host, now(), now())
  on conflict (id) do update
  set labels = excluded.labels, version = excluded.version, host = excluded.host, started_at = now(),
    last_seen_at = now()
  returning w.*
$$;

comment on function ops_private.register_worker(text, text[], text, text) is
'Writes a worker''s registry row (insert or replace), started and seen now. Called by ops.register_worker.';

revoke execute on function ops_private.register_worker(text, text[], text, text) from public, anon, authenticated;
grant execute on function ops_private.register_worker(text, text[], text, text) to service_role;

-- SECURITY DEFINER: ops.list_queued_runs, which admins of a project call,
-- needs to know which label sets a live worker offers; this is all it gives
-- of the registry.
create or replace function ops_private.live_worker_labels()
returns setof text[]
language sql
stable
security definer
set search_path = ''
as $$
  select distinct w.labels from ops.workers as w where w.last_seen_at >= now() - ops_private.worker_gone_after()
$$;

comment on function ops_private.live_worker_labels() is
'The distinct label sets of the workers seen within ops_private.worker_gone_after(); nothing else of ops.workers.';

revoke execute on function ops_private.live_worker_labels() from public, anon;
grant execute on function ops_private.live_worker_labels() to authenticated, service_role;

create or replace function ops.register_worker(
  p_worker_id text,
  p_labels text[] default null,
  p_version text default null,
  p_host text default null
)
returns ops.workers
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_labels text[];
begin
  perform ops_private.check_worker_id(p_worker_id, true);
  v_labels := ops_private.check_labels('p_labels', p_labels);
  if p_version !~ '^[[:graph:]]{1,100}$' then
    raise exception 'p_version must be 1 to 100 printable characters without spaces, got %',
      ops_private.quote_short(p_version)
      using errcode = '22023';
  end if;
  if p_host !~ '^[[:graph:]]{1,255}$' then
    raise exception 'p_host must be 1 to 255 printable characters without spaces, got %',
      ops_private.quote_short(p_host)
      using errcode = '22023';
  end if;
  return ops_private.register_worker(p_worker_id, v_labels, p_version, p_host);
end
$$;

comment on function ops.register_worker(text, text[], text, text) is
'Worker RPC: a worker announces itself when it starts: its id, the labels it offers (stored sorted, without '
'repeats), its version and host. Registering again replaces the row and restarts started_at. Returns the row. '
'SQLSTATEs: 22023 invalid parameter, naming it (p_labels[i] for a bad label).';

revoke execute on function ops.register_worker(text, text[], text, text) from public, anon, authenticated;
grant execute on function ops.register_worker(text, text[], text, text) to service_role;

create or replace function ops.list_workers()
returns table (
  worker_id text,
  labels text[], -- noqa: LT01
  version text,
  host text,
  started_at timestamptz,
  last_seen_at timestamptz,
  status text,
  held_runs integer
)
language sql
stable
set search_path = ''
as $$
  select
    w.id, w.labels, w.version, w.host, w.started_at, w.last_seen_at,
    case when w.last_seen_at >= now() - ops_private.worker_gone_after() then 'live' else 'gone' end,
    (
      select count(*)::integer from ops.runs as r
      where r.status in ('claimed', 'running') and r.worker_id = w.id
    )
  from ops.workers as w
  order by w.last_seen_at < now() - ops_private.worker_gone_after(), w.id
$$;

comment on function ops.list_workers() is
'The fleet: every registered or seen worker with its labels, version, host, started_at, last_seen_at, status '
'(live, or gone when not seen for 60 seconds) and how many runs it holds (claimed or running); live ones first. '
'SQLSTATEs: 42501 for roles without EXECUTE (everyone but service_role).';

revoke execute on function ops.list_workers() from public, anon, authenticated;
grant execute on function ops.list_workers() to service_role;

-- claim_next_run ----------------------------------------------------------------------

drop function ops.claim_next_run(text, integer);

create function ops.claim_next_run(
  p_worker_id text,
  p_lease_seconds integer default null,
  p_labels text[] default null
)
returns setof ops.runs
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_cancel uuid[];
  v_labels text[];
  v_sets refcursor;
  v_set text[];
begin
  perform ops_private.check_worker_id(p_worker_id, true);
  if p_lease_seconds is not null and p_lease_seconds not between 1 and 86400 then
    raise exception 'p_lease_seconds must be from 1 to 86400, got %', p_lease_seconds using errcode = '22023';
  end if;
  v_labels := ops_private.check_labels('p_labels', p_labels);
  perform set_config('ops.actor', 'worker:' || p_worker_id, true);
  perform ops_private.worker_seen(p_worker_id, v_labels);

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

  -- 2. Take the next due run the worker has every label of. The label sets
  -- it may take, best first: without labels only {}; with labels, the
  -- distinct sets of the queue (a loose scan of runs_claimable_labels_idx,
  -- one probe per set) that are within the worker's labels, ordered by the
  -- best due run of each. Then, set by set, the first due run that is not
  -- locked (skip locked: concurrent workers pass over each other's rows).
  -- Static SQL: the plans are cached for the session.
  perform set_config('ops.reason', '', true);
  if cardinality(v_labels) = 0 then
    open v_sets for select '{}'::text[];
  else
    open v_sets for
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
    select s.labels
    from sets as s
    cross join lateral (
      select q.priority, q.created_at, q.id from ops.runs as q
      where q.status = 'queued' and q.required_labels = s.labels and q.run_after <= now()
      order by q.priority desc, q.created_at, q.id
      limit 1
    ) as best
    where s.labels <@ v_labels
    order by best.priority desc, best.created_at, best.id;
  end if;
  loop
    fetch v_sets into v_set;
    exit when not found;
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
      where q.status = 'queued' and q.required_labels = v_set and q.run_after <= now()
      order by q.priority desc, q.created_at, q.id
      limit 1
      for update skip locked
    ))
    returning r.*;
    exit when found;
  end loop;
  close v_sets;
end
$$;

comment on function ops.claim_next_run(text, integer, text[]) is
'Records p_worker_id as seen with the labels it offers (p_labels, null for none), recovers runs whose lease '
'expired (back to queued while attempts remain, else failed naming the expiry), then claims the next due queued '
'run (priority desc, then oldest) whose required_labels are all in p_labels, with a lease of p_lease_seconds '
'(default: the workflow''s lease_seconds, else 60 s). A worker without labels takes only runs that require none. '
'Returns zero or one run; concurrent callers never get the same run and never wait on each other. '
'SQLSTATEs: 22023 invalid parameter (p_labels[i] for a bad label).';

revoke execute on function ops.claim_next_run(text, integer, text[]) from public, anon, authenticated;
grant execute on function ops.claim_next_run(text, integer, text[]) to service_role;

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
  perform ops_private.worker_seen(p_worker_id, null);
end
$$;

comment on function ops.heartbeat_run(uuid, text, integer) is
'Extends the lease of a run the worker holds by p_lease_seconds (default: the workflow''s lease_seconds) and '
'says whether a cancel was requested; records the worker as seen. '
'SQLSTATEs: OP002 not the holder, P0002 unknown run, 22023 invalid parameter.';

revoke execute on function ops.heartbeat_run(uuid, text, integer) from public, anon, authenticated;
grant execute on function ops.heartbeat_run(uuid, text, integer) to service_role;

-- list_queued_runs --------------------------------------------------------------------

drop function ops.list_queued_runs();

create function ops.list_queued_runs()
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
  )
  select
    row_number() over (order by r.priority desc, r.created_at, r.id) as "position",
    r.id, p.slug, w.name, r.branch, r.commit_sha, r.priority, r.attempt, r.max_attempts, r.run_after,
    now() - r.created_at,
    case
      when cardinality(r.required_labels) > 0
        and not exists (select 1 from live where live.labels @> r.required_labels)
        then 'waiting for a worker with labels ' || array_to_string(r.required_labels, ', ')
      when not exists (select 1 from live)
        then format(
          'waiting for a worker: none seen in the last %s seconds',
          extract(epoch from ops_private.worker_gone_after())::integer
        )
    end
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
'The queue in claim order (position 1 is claimed next, by a worker with the labels it needs): project, workflow, '
'branch, priority, attempt, age of every queued run, and wait_reason: ''waiting for a worker with labels a, b'' '
'when no live worker (seen in the last 60 seconds) offers them all, ''waiting for a worker: none seen in the '
'last 60 seconds'' for a run that needs no label when no worker is live, else null. service_role sees all '
'projects; an authenticated user those where they are admin or owner. '
'SQLSTATEs: 42501 for roles without EXECUTE (anon).';

revoke execute on function ops.list_queued_runs() from public, anon, authenticated;
grant execute on function ops.list_queued_runs() to authenticated, service_role;
