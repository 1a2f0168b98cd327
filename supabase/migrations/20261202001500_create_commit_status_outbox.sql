-- Commit statuses back to GitHub and GitLab, through an outbox.
--
-- * ops.runs.push_delivery_id: the webhook delivery id of the push that queued
--   the run, set by the database (trigger runs_080_set_push_delivery_id) when
--   ops.record_push queues it (it sets ops.run_trigger = 'push' and the key
--   'push:<delivery>:<workflow>'); null for every other run, whatever the
--   writer says. Only runs with one report a commit status.
-- * ops.commit_status_outbox: one row per status change of such a run
--   (insert, then every change of runs.status but claimed), written by the
--   trigger runs_900_queue_commit_status in the same transaction as the
--   change: provider (github or gitlab, from the project's repository URL:
--   a host named github... or gitlab...; any other host reports nothing),
--   repository (owner/name, or the GitLab project path), commit sha, context
--   odooops/<workflow>, the provider's state and a description (at most 140
--   characters; never the run's error message, which stays in OdooOps).
--   States: queued -> pending; running -> pending (GitHub) or running
--   (GitLab); succeeded -> success; failed -> failure when a step exited
--   non-zero, error otherwise (GitHub) or failed (GitLab); canceled -> error
--   with description "Canceled" (GitHub has no canceled state) or canceled
--   (GitLab). Members (viewer and above) read their projects' rows; no API
--   role writes them.
-- * The notifier (odooops notify, service_role) drains it:
--   ops.lease_commit_statuses(notifier, limit, lease seconds) leases the
--   newest undelivered row of each (provider, repository, commit, context)
--   that has none in flight, marking the older undelivered ones superseded
--   (a later status replaces them: only the newest is sent);
--   ops.get_commit_status_token(row, notifier) returns the project's
--   GITHUB_TOKEN or GITLAB_TOKEN secret (the run's stage first) for a row the
--   caller holds; ops.complete_commit_status(row, notifier, http status)
--   marks it delivered, after the provider answered 2xx;
--   ops.retry_commit_status(row, notifier, delay, error, http status, give
--   up, count attempt) hands it back for a later attempt (or gives up: after
--   20 attempts, or when asked). All fenced by the holder's notifier id
--   (OP002 otherwise). A notifier that dies after the provider answered and
--   before complete: the lease expires and the row is sent again (harmless for
--   a commit status); a delivered row is never leased again.
-- * GITHUB_TOKEN and GITLAB_TOKEN are reserved for the notifier: a run that
--   names them in params.secrets is refused (22023; trigger
--   runs_055_refuse_notifier_secrets), so no build step ever sees them.
--
-- Data: existing runs get push_delivery_id null (they report nothing); no
-- outbox row is made for them.
-- Objects: column ops.runs.push_delivery_id; table ops.commit_status_outbox
-- (RLS, policy, grants, indexes commit_status_outbox_pending_idx and
-- commit_status_outbox_due_idx for the lease); functions
-- ops.commit_status_repository(text), ops.runs_set_push_delivery_id(),
-- ops.runs_refuse_notifier_secrets(), ops_private.runs_queue_commit_status(),
-- ops_private.raise_not_status_holder(bigint, text, text),
-- ops.lease_commit_statuses, ops.get_commit_status_token,
-- ops.complete_commit_status, ops.retry_commit_status and their triggers.
-- Locks: ACCESS EXCLUSIVE on ops.runs (new column, triggers), briefly;
-- lock_timeout 5s makes a busy database fail fast.
-- Roll back: drop the functions above (cascade drops their triggers), drop
--   table ops.commit_status_outbox, drop column ops.runs.push_delivery_id.
--
-- SQLSTATEs:
--   22023 invalid parameter (named), a run naming GITHUB_TOKEN or GITLAB_TOKEN
--   P0002 unknown outbox row; the project has no token secret
--   OP002 the caller does not hold the outbox row's lease

set local lock_timeout = '5s';

-- Which runs report ----------------------------------------------------------------

alter table ops.runs add column push_delivery_id text;
alter table ops.runs add constraint runs_push_delivery_id_is_bounded check (length(push_delivery_id) between 1 and 100);

comment on column ops.runs.push_delivery_id is
'The webhook delivery id of the push that queued the run (ops.record_push), set by the database; null for runs '
'queued otherwise. Runs with one report commit statuses to the git provider (ops.commit_status_outbox).';

create or replace function ops.runs_set_push_delivery_id()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if coalesce(current_setting('ops.run_trigger', true), '') = 'push' and new.idempotency_key like 'push:%:%' then
    -- 'push:<delivery>:<workflow>': a workflow name has no colon, a delivery id may.
    new.push_delivery_id := regexp_replace(substr(new.idempotency_key, 6), ':[^:]*$', '');
  else
    new.push_delivery_id := null;
  end if;
  return new;
end
$$;

comment on function ops.runs_set_push_delivery_id() is
'Trigger function: sets runs.push_delivery_id from the idempotency key of a run ops.record_push queues, null for '
'any other run.';

revoke execute on function ops.runs_set_push_delivery_id() from public, anon, authenticated;

create trigger runs_080_set_push_delivery_id
before insert or update of push_delivery_id on ops.runs
for each row execute function ops.runs_set_push_delivery_id();

-- The tokens are the notifier's ----------------------------------------------------

create or replace function ops.runs_refuse_notifier_secrets()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if jsonb_typeof(new.params -> 'secrets') = 'array'
    and (new.params -> 'secrets' ? 'GITHUB_TOKEN' or new.params -> 'secrets' ? 'GITLAB_TOKEN') then
    raise exception 'params.secrets may not name GITHUB_TOKEN or GITLAB_TOKEN: they are the commit status notifier''s'
      using errcode = '22023', hint = 'Give a build step its own secret under another name.';
  end if;
  return new;
end
$$;

comment on function ops.runs_refuse_notifier_secrets() is
'Trigger function: refuses a run whose params.secrets names GITHUB_TOKEN or GITLAB_TOKEN (22023), the secrets the '
'commit status notifier uses.';

revoke execute on function ops.runs_refuse_notifier_secrets() from public, anon, authenticated;

create trigger runs_055_refuse_notifier_secrets
before insert or update of params on ops.runs
for each row execute function ops.runs_refuse_notifier_secrets();

-- Where a repository reports -------------------------------------------------------

create or replace function ops.commit_status_repository(p_repository_url text, out provider text, out repository text)
language sql
immutable
parallel safe
set search_path = ''
as $$
  -- https://host/path(.git), ssh://[user@]host[:port]/path(.git), git@host:path(.git).
  with parts as (
    select m[1] as host, m[2] as path
    from (select coalesce(
      regexp_match(p_repository_url, '^https://(?:[^@/]+@)?([^/:]+)(?::[0-9]+)?/(.+?)(?:\.git)?/?$'),
      regexp_match(p_repository_url, '^ssh://(?:[^@/]+@)?([^/:]+)(?::[0-9]+)?/(.+?)(?:\.git)?/?$'),
      regexp_match(p_repository_url, '^[A-Za-z0-9._-]+@([^:/]+):/?(.+?)(?:\.git)?/?$')
    ) as m) as x
  )

  select
    case
      when p.host ~* '^github\.' and p.path ~ '^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$' then 'github'
      when p.host ~* '^gitlab\.' and p.path ~ '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)+$' then 'gitlab'
    end,
    case
      when p.host ~* '^github\.' and p.path ~ '^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$' then p.path
      when p.host ~* '^gitlab\.' and p.path ~ '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)+$' then p.path
    end
  from parts as p
$$;

comment on function ops.commit_status_repository(text) is
'The git provider (github or gitlab) and repository (owner/name, or the GitLab project path) that commit statuses '
'of a repository URL go to: a host whose name starts with github. or gitlab.; both null for any other URL.';

revoke execute on function ops.commit_status_repository(text) from public, anon;
grant execute on function ops.commit_status_repository(text) to authenticated, service_role;

-- The outbox -----------------------------------------------------------------------

create table ops.commit_status_outbox (
  id bigint generated always as identity,
  project_id uuid not null,
  run_id uuid not null,
  provider text not null,
  repository text not null,
  commit_sha text not null,
  context text not null,
  run_status ops.run_status not null,
  state text not null,
  description text not null,
  created_at timestamptz not null default now(),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  leased_by text,
  lease_expires_at timestamptz,
  delivered_at timestamptz,
  superseded_at timestamptz,
  gave_up_at timestamptz,
  last_http_status integer,
  last_error text,
  constraint commit_status_outbox_pkey primary key (id),
  constraint commit_status_outbox_run_id_project_id_fkey foreign key (run_id, project_id)
  references ops.runs (id, project_id) on delete cascade,
  constraint commit_status_outbox_provider_is_known check (provider in ('github', 'gitlab')),
  constraint commit_status_outbox_repository_is_bounded check (length(repository) between 3 and 255),
  constraint commit_status_outbox_commit_sha_is_hex check (commit_sha ~ '^([0-9a-f]{6,40}|[0-9a-f]{64})$'),
  constraint commit_status_outbox_context_is_bounded check (length(context) between 1 and 255),
  constraint commit_status_outbox_state_is_the_providers check (
    (provider = 'github' and state in ('pending', 'success', 'failure', 'error'))
    or (provider = 'gitlab' and state in ('pending', 'running', 'success', 'failed', 'canceled'))
  ),
  constraint commit_status_outbox_description_is_bounded check (length(description) between 1 and 140),
  constraint commit_status_outbox_attempts_is_bounded check (attempts between 0 and 1000),
  constraint commit_status_outbox_leased_by_is_bounded check (length(leased_by) between 1 and 128),
  constraint commit_status_outbox_lease_is_whole check ((leased_by is null) = (lease_expires_at is null)),
  constraint commit_status_outbox_last_http_status_is_http check (last_http_status between 100 and 599),
  constraint commit_status_outbox_last_error_is_bounded check (length(last_error) <= 500)
);

comment on table ops.commit_status_outbox is
'Commit statuses to send to GitHub or GitLab: one row per status change of a run queued by a push, written in the '
'same transaction as the change; the notifier (odooops notify) sends the newest of each commit and context.';
comment on column ops.commit_status_outbox.provider is 'github or gitlab, from the project''s repository URL.';
comment on column ops.commit_status_outbox.repository is 'owner/name on GitHub, the project path on GitLab.';
comment on column ops.commit_status_outbox.commit_sha is 'The run''s commit, which the status is set on.';
comment on column ops.commit_status_outbox.context is 'odooops/<workflow>: the status''s context (GitLab: name).';
comment on column ops.commit_status_outbox.run_status is 'The run status this row reports.';
comment on column ops.commit_status_outbox.state is
'The provider''s state: GitHub pending, success, failure or error (a canceled run is error, "Canceled"); GitLab '
'pending, running, success, failed or canceled.';
comment on column ops.commit_status_outbox.description is 'Up to 140 characters; never the run''s error message.';
comment on column ops.commit_status_outbox.attempts is 'Failed sends so far.';
comment on column ops.commit_status_outbox.next_attempt_at is 'Not sent before then (backoff, rate limits).';
comment on column ops.commit_status_outbox.leased_by is 'The notifier sending it now; null when none.';
comment on column ops.commit_status_outbox.lease_expires_at is
'Another notifier may take it after then (the holder died).';
comment on column ops.commit_status_outbox.delivered_at is 'When the provider accepted it (2xx); never sent again.';
comment on column ops.commit_status_outbox.superseded_at is
'When a later status of the same commit and context replaced it before it was sent; never sent.';
comment on column ops.commit_status_outbox.gave_up_at is
'When the notifier stopped trying (20 failed attempts, or a refusal no retry can fix).';
comment on column ops.commit_status_outbox.last_http_status is 'The provider''s answer to the last failed attempt.';
comment on column ops.commit_status_outbox.last_error is 'Why the last attempt failed, in short.';

create index commit_status_outbox_run_id_idx on ops.commit_status_outbox (run_id);
create index commit_status_outbox_project_id_created_at_idx on ops.commit_status_outbox (project_id, created_at desc);
-- The notifier's queue: undelivered rows by key (the newest of a key, the one in
-- flight) and by when they are due (the lease's order).
create index commit_status_outbox_pending_idx on ops.commit_status_outbox (provider, repository, commit_sha, context, id)
where delivered_at is null and superseded_at is null and gave_up_at is null;
create index commit_status_outbox_due_idx on ops.commit_status_outbox (next_attempt_at, id)
where delivered_at is null and superseded_at is null and gave_up_at is null;

alter table ops.commit_status_outbox enable row level security;

grant select on ops.commit_status_outbox to authenticated;
grant select, insert, update, delete on ops.commit_status_outbox to service_role;

create policy "authenticated can select commit statuses of member projects"
on ops.commit_status_outbox
for select
to authenticated
using (project_id = any(array(select ops_private.member_project_ids('viewer'))));

-- Written with the status change ------------------------------------------------------

-- SECURITY DEFINER: a member who cancels a run may not write the outbox.
create or replace function ops_private.runs_queue_commit_status()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_target record;
  v_workflow text;
  v_state text;
  v_description text;
begin
  if tg_op = 'UPDATE' and new.status is not distinct from old.status then
    return null;
  end if;
  if new.status = 'claimed' then
    return null; -- still pending for the provider
  end if;
  select t.provider, t.repository into v_target
  from ops.projects as p cross join lateral ops.commit_status_repository(p.repository_url) as t
  where p.id = new.project_id;
  if v_target.provider is null then
    return null;
  end if;
  select w.name into v_workflow from ops.workflows as w where w.id = new.workflow_id;
  v_state := case new.status
    when 'queued' then 'pending'
    when 'running' then case v_target.provider when 'gitlab' then 'running' else 'pending' end
    when 'succeeded' then 'success'
    when 'failed' then case
      when v_target.provider = 'gitlab' then 'failed'
      when new.exit_code is not null and new.exit_code <> 0 then 'failure'
      else 'error'
    end
    when 'canceled' then case v_target.provider when 'gitlab' then 'canceled' else 'error' end
  end;
  v_description := case new.status
    when 'queued' then case when new.attempt > 1 then 'Queued again (attempt ' || new.attempt || ')' else 'Queued' end
    when 'running' then 'Running'
    when 'succeeded' then 'Succeeded'
    when 'failed' then case
      when new.exit_code is not null and new.exit_code <> 0 then 'Failed: a step exited ' || new.exit_code
      else 'Failed'
    end
    when 'canceled' then 'Canceled'
  end;
  insert into ops.commit_status_outbox (
    project_id, run_id, provider, repository, commit_sha, context, run_status, state, description
  )
  values (
    new.project_id, new.id, v_target.provider, v_target.repository, new.commit_sha, left('odooops/' || v_workflow, 255),
    new.status, v_state, v_description
  );
  return null;
end
$$;

comment on function ops_private.runs_queue_commit_status() is
'Trigger function: writes the ops.commit_status_outbox row of a status change of a run queued by a push (not for '
'claimed), when the project''s repository is on GitHub or GitLab.';

revoke execute on function ops_private.runs_queue_commit_status() from public, anon, authenticated;

create trigger runs_900_queue_commit_status
after insert or update of status on ops.runs
for each row when (new.push_delivery_id is not null)
execute function ops_private.runs_queue_commit_status();

-- The notifier's RPCs ------------------------------------------------------------------

create or replace function ops_private.raise_not_status_holder(p_id bigint, p_notifier_id text, p_action text)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  v_row ops.commit_status_outbox;
begin
  select o.* into v_row from ops.commit_status_outbox as o where o.id = p_id;
  if not found then
    raise exception 'commit status % not found', p_id using errcode = 'P0002';
  end if;
  raise exception 'commit status %: notifier % cannot %: it is %', p_id, ops_private.quote_short(p_notifier_id), p_action,
    case
      when v_row.delivered_at is not null then 'delivered'
      when v_row.superseded_at is not null then 'superseded'
      when v_row.gave_up_at is not null then 'given up'
      when v_row.leased_by is null then 'not leased'
      else 'leased by ' || ops_private.quote_short(v_row.leased_by)
    end
    using errcode = 'OP002', hint = 'The lease may have expired and another notifier taken the row; stop sending it.';
end
$$;

comment on function ops_private.raise_not_status_holder(bigint, text, text) is
'Raises OP002 (the caller does not hold the outbox row, naming who does or what became of it), or P0002 when the '
'row does not exist.';

revoke execute on function ops_private.raise_not_status_holder(bigint, text, text) from public, anon, authenticated;
grant execute on function ops_private.raise_not_status_holder(bigint, text, text) to service_role;

create or replace function ops.lease_commit_statuses(
  p_notifier_id text,
  p_limit integer default 10,
  p_lease_seconds integer default 60
)
returns setof ops.commit_status_outbox
language plpgsql
volatile
set search_path = ''
as $$
begin
  perform ops_private.check_worker_id(p_notifier_id, true);
  if p_limit is null or p_limit not between 1 and 100 then
    raise exception 'p_limit must be 1 to 100, got %', coalesce(p_limit::text, 'null') using errcode = '22023';
  end if;
  if p_lease_seconds is null or p_lease_seconds not between 5 and 3600 then
    raise exception 'p_lease_seconds must be 5 to 3600, got %', coalesce(p_lease_seconds::text, 'null')
      using errcode = '22023';
  end if;
  -- One lease at a time: each sees the leases committed before it, so two
  -- notifiers never send two statuses of one commit and context at once.
  perform pg_advisory_xact_lock(hashtextextended('ops.lease_commit_statuses', 0));

  return query
  with newest as (
    -- The newest undelivered row of each key with none in flight.
    select o.id from ops.commit_status_outbox as o
    where o.delivered_at is null and o.superseded_at is null and o.gave_up_at is null
      and o.next_attempt_at <= now()
      and (o.lease_expires_at is null or o.lease_expires_at <= now())
      and not exists (
        select 1 from ops.commit_status_outbox as n
        where n.provider = o.provider and n.repository = o.repository and n.commit_sha = o.commit_sha
          and n.context = o.context and n.id > o.id
          and n.delivered_at is null and n.superseded_at is null and n.gave_up_at is null
      )
      and not exists (
        select 1 from ops.commit_status_outbox as f
        where f.provider = o.provider and f.repository = o.repository and f.commit_sha = o.commit_sha
          and f.context = o.context and f.id < o.id
          and f.delivered_at is null and f.superseded_at is null and f.gave_up_at is null
          and f.lease_expires_at > now()
      )
    order by o.next_attempt_at, o.id
    limit p_limit
    for update skip locked
  ),

  superseded as (
    update ops.commit_status_outbox as s set superseded_at = now()
    from newest as w inner join ops.commit_status_outbox as o on o.id = w.id
    where s.provider = o.provider and s.repository = o.repository and s.commit_sha = o.commit_sha
      and s.context = o.context and s.id < o.id
      and s.delivered_at is null and s.superseded_at is null and s.gave_up_at is null
    returning s.id
  )

  update ops.commit_status_outbox as o
  set leased_by = p_notifier_id, lease_expires_at = now() + make_interval(secs => p_lease_seconds)
  from newest as w
  where o.id = w.id
  returning o.*;
end
$$;

comment on function ops.lease_commit_statuses(text, integer, integer) is
'For the commit status notifier (service_role): leases up to p_limit (1 to 100) outbox rows due now for '
'p_lease_seconds (5 to 3600) to p_notifier_id and returns them, oldest due first: the newest undelivered row of '
'each (provider, repository, commit, context) with no row in flight; the older undelivered rows of that key are '
'marked superseded (never sent). SQLSTATEs: 22023 invalid parameter.';

revoke execute on function ops.lease_commit_statuses(text, integer, integer) from public, anon, authenticated;
grant execute on function ops.lease_commit_statuses(text, integer, integer) to service_role;

create or replace function ops.get_commit_status_token(p_id bigint, p_notifier_id text)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_row ops.commit_status_outbox;
  v_name text;
  v_value text;
begin
  perform ops_private.check_worker_id(p_notifier_id, true);
  select o.* into v_row from ops.commit_status_outbox as o
  where o.id = p_id and o.leased_by = p_notifier_id and o.delivered_at is null;
  if not found then
    perform ops_private.raise_not_status_holder(p_id, p_notifier_id, 'read its token');
  end if;
  v_name := case v_row.provider when 'github' then 'GITHUB_TOKEN' else 'GITLAB_TOKEN' end;
  select v.value into v_value
  from ops.project_secrets as s
  inner join ops_private.project_secret_values as v on v.secret_id = s.id
  inner join ops.runs as r on r.id = v_row.run_id
  where s.project_id = v_row.project_id and s.name = v_name and (s.stage is null or s.stage = r.stage)
  order by s.stage nulls last
  limit 1;
  if v_value is null then
    raise exception 'project % has no secret %: commit statuses to % need it',
      v_row.project_id, v_name, v_row.provider
      using errcode = 'P0002', hint = 'An admin sets it with odooops secrets set (a token that may set commit statuses).';
  end if;
  return v_value;
end
$$;

comment on function ops.get_commit_status_token(bigint, text) is
'For the commit status notifier (service_role): the project''s GITHUB_TOKEN or GITLAB_TOKEN secret (the run''s '
'stage first, then the project-wide one) for an outbox row p_notifier_id holds. SQLSTATEs: 22023 invalid '
'parameter, OP002 not the holder, P0002 unknown row or no such secret.';

revoke execute on function ops.get_commit_status_token(bigint, text) from public, anon, authenticated;
grant execute on function ops.get_commit_status_token(bigint, text) to service_role;

create or replace function ops.complete_commit_status(p_id bigint, p_notifier_id text, p_http_status integer)
returns ops.commit_status_outbox
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_row ops.commit_status_outbox;
begin
  perform ops_private.check_worker_id(p_notifier_id, true);
  if p_http_status is null or p_http_status not between 200 and 299 then
    raise exception 'p_http_status must be the provider''s 2xx answer, got %', coalesce(p_http_status::text, 'null')
      using errcode = '22023';
  end if;
  update ops.commit_status_outbox as o
  set delivered_at = now(), leased_by = null, lease_expires_at = null, last_http_status = p_http_status,
    last_error = null
  where o.id = p_id and o.leased_by = p_notifier_id and o.delivered_at is null
  returning o.* into v_row;
  if not found then
    perform ops_private.raise_not_status_holder(p_id, p_notifier_id, 'mark it delivered');
  end if;
  return v_row;
end
$$;

comment on function ops.complete_commit_status(bigint, text, integer) is
'For the commit status notifier (service_role): marks an outbox row p_notifier_id holds delivered, once the '
'provider answered p_http_status (2xx); it is never sent again. SQLSTATEs: 22023 invalid parameter, OP002 not the '
'holder, P0002 unknown row.';

revoke execute on function ops.complete_commit_status(bigint, text, integer) from public, anon, authenticated;
grant execute on function ops.complete_commit_status(bigint, text, integer) to service_role;

create or replace function ops.retry_commit_status(
  p_id bigint,
  p_notifier_id text,
  p_delay_seconds double precision,
  p_error text,
  p_http_status integer default null,
  p_give_up boolean default false,
  p_count_attempt boolean default true
)
returns ops.commit_status_outbox
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_row ops.commit_status_outbox;
begin
  perform ops_private.check_worker_id(p_notifier_id, true);
  if p_delay_seconds is null or p_delay_seconds not between 0 and 86400 then
    raise exception 'p_delay_seconds must be 0 to 86400, got %', coalesce(p_delay_seconds::text, 'null')
      using errcode = '22023';
  end if;
  if p_error is null or length(p_error) not between 1 and 500 then
    raise exception 'p_error must be 1 to 500 characters, got %', ops_private.quote_short(p_error)
      using errcode = '22023';
  end if;
  if p_http_status is not null and p_http_status not between 100 and 599 then
    raise exception 'p_http_status must be an HTTP status, got %', p_http_status using errcode = '22023';
  end if;
  update ops.commit_status_outbox as o
  set attempts = o.attempts + case when coalesce(p_count_attempt, true) then 1 else 0 end,
    next_attempt_at = now() + make_interval(secs => p_delay_seconds),
    leased_by = null, lease_expires_at = null, last_http_status = p_http_status, last_error = p_error,
    gave_up_at = case
      when coalesce(p_give_up, false) or o.attempts + case when coalesce(p_count_attempt, true) then 1 else 0 end >= 20
        then now()
    end
  where o.id = p_id and o.leased_by = p_notifier_id and o.delivered_at is null
  returning o.* into v_row;
  if not found then
    perform ops_private.raise_not_status_holder(p_id, p_notifier_id, 'hand it back');
  end if;
  return v_row;
end
$$;

comment on function ops.retry_commit_status(bigint, text, double precision, text, integer, boolean, boolean) is
'For the commit status notifier (service_role): hands back an outbox row p_notifier_id holds after a failed send, '
'not to be sent before p_delay_seconds (0 to 86400) from now, with why (p_error, 1 to 500 characters) and the '
'provider''s answer; counts an attempt unless p_count_attempt is false (a rate limit); gives up after 20 attempts '
'or when p_give_up. SQLSTATEs: 22023 invalid parameter, OP002 not the holder, P0002 unknown row.';

revoke execute on function ops.retry_commit_status(bigint, text, double precision, text, integer, boolean, boolean)
from public, anon, authenticated;
grant execute on function ops.retry_commit_status(bigint, text, double precision, text, integer, boolean, boolean)
to service_role;

analyze ops.runs;
