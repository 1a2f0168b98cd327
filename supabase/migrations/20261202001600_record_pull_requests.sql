-- Pull and merge requests build, safely: ops.record_pull_request for the
-- webhooks Edge Function, the runs it queues marked untrusted when they come
-- from a fork, and one way of recording a webhook delivery.
--
-- * A request's runs build its own ref, never a branch of the base
--   repository by the head's name: runs.branch is the request's ref,
--   refs/pull/<n>/head (GitHub) or refs/merge-requests/<iid>/head (GitLab),
--   and ops.branches has one development row per request under that name.
--   Branch names under refs/ are the requests' own: ops.record_push refuses
--   them (22023), a run not queued by ops.record_pull_request may not name one
--   (22023, trigger runs_065_set_pull_request), and a request's row never
--   leaves development (OP012, trigger branches_110_keep_requests_in_development).
--   So a fork's main never advances, nor builds as, the production main.
-- * ops.runs.pull_request_number, source_ref (the ref the worker fetches) and
--   untrusted (true for a request from a fork: its head repository is not the
--   project's repository): set only inside ops_private.record_pull_request
--   (SECURITY DEFINER, behind ops.record_pull_request; the trigger checks that
--   the current user is its owner and that it said so), refused (42501) for any other insert and for every update,
--   whoever the writer (enqueue_run, API roles, direct SQL).
-- * ops.get_run_secrets returns no secrets for an untrusted run (the
--   executor Edge Function calls it, so it gives none either).
-- * Triggers: "pull_request": {"actions": [...], "branches": [...], "forks":
--   bool}. A fork's request queues a workflow only when its trigger says
--   "forks": true (opt-in, default false), and even then runs untrusted.
-- * ops.record_pull_request(project, provider, number, action, head commit,
--   head repository, base branch, opened by, delivery id): service_role only.
--   opened, updated and reopened queue (through ops.enqueue_run, so supersede
--   applies per request) every enabled workflow whose pull_request trigger
--   names the action (reopened counts as opened) and matches the base branch;
--   closed (merged or not) cancels the request's queued runs, asks its held
--   ones to stop and marks its row deleted. Serialized per request by an
--   advisory lock; idempotent per (project, delivery id).
-- * The runs it queues report commit statuses like push runs:
--   runs.push_delivery_id (now: the delivery that queued the run) is set from
--   its 'pull_request:<delivery>:<workflow>' key too.
-- * ops_private.record_delivery and ops_private.delivered_runs: how
--   record_push, record_branch_deleted and record_pull_request record a
--   delivery and answer a redelivery; the two existing functions are restated
--   with them.
--
-- Data: existing runs get pull_request_number and source_ref null, untrusted
-- false (the default: no rewrite on PostgreSQL 11+).
-- Objects: columns ops.runs.pull_request_number, source_ref, untrusted and
-- their constraints; constraint webhook_deliveries_event_is_known (event
-- pull_request added); functions ops_private.record_delivery,
-- ops_private.delivered_runs, ops_private.runs_set_pull_request() and trigger
-- runs_065_set_pull_request, ops.branches_keep_requests_in_development() and
-- trigger branches_110_keep_requests_in_development, ops.record_pull_request
-- and ops_private.record_pull_request;
-- restated: ops.validate_workflow_triggers (forks), ops.runs_set_push_delivery_id
-- (pull_request keys), ops_private.get_run_secrets (untrusted runs),
-- ops.record_push (refs/ names, record_delivery), ops.record_branch_deleted
-- (record_delivery).
-- Locks: ACCESS EXCLUSIVE on ops.runs, ops.branches and ops.webhook_deliveries,
-- briefly (new columns without rewrite, triggers, one check constraint
-- validated by a scan of webhook_deliveries); lock_timeout 5s.
-- Roll back: drop functions ops.record_pull_request and
--   ops_private.record_pull_request, the two trigger functions
--   (cascade drops their triggers), ops_private.record_delivery and
--   ops_private.delivered_runs after restating the functions of 20261202001200,
--   20261202001500 and 20261202000300 named above; delete webhook deliveries of
--   event pull_request, restore the event constraint; drop the three columns
--   (their runs become runs of branches named refs/...).
--
-- SQLSTATEs:
--   22023 invalid parameter (naming it), a branch name under refs/ outside
--         ops.record_pull_request, an archived project
--   42501 runs.untrusted, pull_request_number or source_ref written by anyone
--         but ops.record_pull_request
--   OP012 a stage change of a request's row
--   P0002 unknown project

set local lock_timeout = '5s';

-- Runs of a request -------------------------------------------------------------------

alter table ops.runs add column pull_request_number integer;
alter table ops.runs add column source_ref text;
alter table ops.runs add column untrusted boolean not null default false;
alter table ops.runs add constraint runs_pull_request_number_is_positive check (pull_request_number > 0);
alter table ops.runs add constraint runs_source_ref_is_a_request_ref check (
  source_ref ~ '^refs/(pull|merge-requests)/[1-9][0-9]{0,9}/head$'
);
alter table ops.runs add constraint runs_pull_request_is_whole check (
  (pull_request_number is null) = (source_ref is null) and (not untrusted or pull_request_number is not null)
);

comment on column ops.runs.pull_request_number is
'The pull request number (GitHub) or merge request iid (GitLab) the run builds; null for other runs. Set only by '
'ops.record_pull_request.';
comment on column ops.runs.source_ref is
'The ref the worker fetches for the commit: refs/pull/<n>/head or refs/merge-requests/<iid>/head; null for other '
'runs (their branch is fetched). Set only by ops.record_pull_request.';
comment on column ops.runs.untrusted is
'True for a run of a request from a fork (a stranger''s code): ops.get_run_secrets gives it no secrets. Set only '
'by ops.record_pull_request.';

-- Invoker: the owner check below must see who is writing.
create or replace function ops_private.runs_set_pull_request()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_from_request boolean;
begin
  if tg_op = 'UPDATE' then
    if new.pull_request_number is distinct from old.pull_request_number or new.source_ref is distinct from old.source_ref
      or new.untrusted is distinct from old.untrusted then
      raise exception 'runs.untrusted, pull_request_number and source_ref never change once a run is queued'
        using errcode = '42501';
    end if;
    if new.branch is distinct from old.branch and new.branch like 'refs/%' then
      raise exception 'runs.branch %: names under refs/ are pull and merge requests''', ops_private.quote_short(new.branch)
        using errcode = '22023';
    end if;
    return new;
  end if;
  -- Only ops.record_pull_request says so: it runs as its owner and sets
  -- ops.run_trigger for the inserts it makes.
  v_from_request := coalesce(current_setting('ops.run_trigger', true), '') = 'pull_request'
    and current_user = (
      select pg_catalog.pg_get_userbyid(p.proowner) from pg_catalog.pg_proc as p
      where p.oid
        = 'ops_private.record_pull_request(uuid, text, integer, text, text, text, text, text, text)'::regprocedure
    );
  if v_from_request then
    new.pull_request_number := nullif(current_setting('ops.pull_request_number', true), '')::integer;
    new.source_ref := nullif(current_setting('ops.pull_request_ref', true), '');
    new.untrusted := coalesce(nullif(current_setting('ops.pull_request_untrusted', true), '')::boolean, true);
    return new;
  end if;
  if new.untrusted or new.pull_request_number is not null or new.source_ref is not null then
    raise exception 'runs.untrusted, pull_request_number and source_ref are set only by ops.record_pull_request'
      using errcode = '42501';
  end if;
  if new.branch like 'refs/%' then
    raise exception 'runs.branch %: names under refs/ are pull and merge requests'', queued by their webhooks',
      ops_private.quote_short(new.branch)
      using errcode = '22023', hint = 'Queue a run of a branch by its name (main, feature/x).';
  end if;
  return new;
end
$$;

comment on function ops_private.runs_set_pull_request() is
'Trigger function: fills runs.pull_request_number, source_ref and untrusted for the runs ops.record_pull_request '
'queues; refuses them from any other writer and on update (42501), and a branch name under refs/ outside a request '
'(22023).';

revoke execute on function ops_private.runs_set_pull_request() from public, anon, authenticated;

-- Before runs_070_set_branch_id, which would create the branch row.
create trigger runs_065_set_pull_request
before insert or update of pull_request_number, source_ref, untrusted, branch on ops.runs
for each row execute function ops_private.runs_set_pull_request();

-- A request's row stays in development ----------------------------------------------------

create or replace function ops.branches_keep_requests_in_development()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.name like 'refs/%' and new.stage <> 'development' then
    raise exception 'branch % is a pull or merge request: it stays in development', ops_private.quote_short(new.name)
      using errcode = 'OP012', hint = 'Merge it, then stage the branch it was merged into.';
  end if;
  return new;
end
$$;

comment on function ops.branches_keep_requests_in_development() is
'Trigger function: a branch row of a pull or merge request (named refs/...) is development only (OP012).';

revoke execute on function ops.branches_keep_requests_in_development() from public, anon, authenticated;

create trigger branches_110_keep_requests_in_development
before insert or update of stage on ops.branches
for each row execute function ops.branches_keep_requests_in_development();

-- Deliveries ---------------------------------------------------------------------------

alter table ops.webhook_deliveries drop constraint webhook_deliveries_event_is_known;
alter table ops.webhook_deliveries add constraint webhook_deliveries_event_is_known check (
  event in ('push', 'branch_deleted', 'pull_request')
);

comment on column ops.webhook_deliveries.event is 'push, branch_deleted or pull_request.';
comment on column ops.webhook_deliveries.run_ids is
'The runs the delivery returned: queued by a push or request, or canceled by a deletion or a closed request.';

create or replace function ops_private.record_delivery(
  p_project_id uuid,
  p_delivery_id text,
  p_event text,
  p_head_commit text
)
returns uuid
language sql
volatile
set search_path = ''
as $$
  -- A concurrent redelivery waits on the key until the first commits, then
  -- finds it recorded.
  insert into ops.webhook_deliveries (project_id, delivery_id, event, head_commit)
  values (p_project_id, p_delivery_id, p_event, p_head_commit)
  on conflict (project_id, delivery_id) do nothing
  returning id
$$;

comment on function ops_private.record_delivery(uuid, text, text, text) is
'Records a webhook delivery of a project and returns its id; null when it was recorded already (a redelivery: '
'answer with ops_private.delivered_runs).';

revoke execute on function ops_private.record_delivery(uuid, text, text, text) from public, anon, authenticated;
grant execute on function ops_private.record_delivery(uuid, text, text, text) to service_role;

create or replace function ops_private.delivered_runs(p_project_id uuid, p_delivery_id text)
returns setof ops.runs
language sql
stable
set search_path = ''
as $$
  select r.* from ops.webhook_deliveries as d
  cross join lateral unnest(d.run_ids) with ordinality as u (run_id, n)
  inner join ops.runs as r on r.id = u.run_id
  where d.project_id = p_project_id and d.delivery_id = p_delivery_id
  order by u.n
$$;

comment on function ops_private.delivered_runs(uuid, text) is
'The runs a recorded webhook delivery returned, in their order, as they are now.';

revoke execute on function ops_private.delivered_runs(uuid, text) from public, anon, authenticated;
grant execute on function ops_private.delivered_runs(uuid, text) to service_role;

-- Triggers: forks opt in ---------------------------------------------------------------

-- Restated from 20261202001200: "pull_request" takes "forks" (true or false).
create or replace function ops.validate_workflow_triggers(p_triggers jsonb)
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_key text;
  v_event text;
  v_field text;
  v_value jsonb;
  v_item jsonb;
  v_i integer;
  v_allowed text[];
begin
  if p_triggers is null or jsonb_typeof(p_triggers) <> 'object' then
    raise exception 'triggers must be a JSON object, got %', ops_private.quote_short(p_triggers::text)
      using errcode = '22023',
      hint = 'For example {"manual": true, "push": {"stages": ["development"]}, '
      '"pull_request": {"actions": ["opened", "updated"]}}.';
  end if;
  if pg_column_size(p_triggers) > 8192 then
    raise exception 'triggers must be at most 8192 bytes, got %', pg_column_size(p_triggers) using errcode = '22023';
  end if;
  for v_key in select jsonb_object_keys(p_triggers) loop
    if v_key not in ('manual', 'push', 'pull_request') then
      raise exception 'triggers.% is not a trigger: expected manual, push or pull_request', ops_private.quote_short(v_key)
        using errcode = '22023';
    end if;
  end loop;
  if p_triggers ? 'manual' and jsonb_typeof(p_triggers -> 'manual') <> 'boolean' then
    raise exception 'triggers.manual must be true or false, got %', ops_private.quote_short((p_triggers -> 'manual')::text)
      using errcode = '22023';
  end if;
  foreach v_event in array array['push', 'pull_request'] loop
    continue when not p_triggers ? v_event;
    if jsonb_typeof(p_triggers -> v_event) <> 'object' then
      raise exception 'triggers.% must be a JSON object, got %', v_event,
        ops_private.quote_short((p_triggers -> v_event)::text)
        using errcode = '22023';
    end if;
    for v_key in select jsonb_object_keys(p_triggers -> v_event) loop
      if v_key not in ('branches', case v_event when 'push' then 'stages' else 'actions' end)
        and not (v_event = 'pull_request' and v_key = 'forks') then
        raise exception 'triggers.%.% is not known: expected %', v_event, ops_private.quote_short(v_key),
          case v_event when 'push' then 'stages and branches' else 'actions, branches and forks' end
          using errcode = '22023';
      end if;
    end loop;
    if v_event = 'pull_request' and (p_triggers -> v_event) ? 'forks'
      and jsonb_typeof(p_triggers -> v_event -> 'forks') <> 'boolean' then
      raise exception 'triggers.pull_request.forks must be true or false, got %',
        ops_private.quote_short((p_triggers -> v_event -> 'forks')::text)
        using errcode = '22023', hint = 'true queues the workflow for requests from forks too, without secrets.';
    end if;
    foreach v_field in array array[case v_event when 'push' then 'stages' else 'actions' end, 'branches'] loop
      continue when not (p_triggers -> v_event) ? v_field and v_field = 'branches';
      v_value := p_triggers -> v_event -> v_field;
      v_allowed := case v_field
        when 'stages' then array['development', 'staging', 'production']
        when 'actions' then array['opened', 'updated']
      end;
      if v_value is null or jsonb_typeof(v_value) <> 'array' or jsonb_array_length(v_value) not between 1 and 20 then
        raise exception 'triggers.%.% must be an array of 1 to 20 %, got %', v_event, v_field,
          case when v_allowed is null then 'branch patterns' else 'of ' || array_to_string(v_allowed, ', ') end,
          ops_private.quote_short(coalesce(v_value::text, 'nothing'))
          using errcode = '22023';
      end if;
      v_i := 0;
      for v_item in select e from jsonb_array_elements(v_value) as a (e) loop
        if v_allowed is not null then
          if jsonb_typeof(v_item) <> 'string' or not (v_item #>> '{}') = any(v_allowed) then
            raise exception 'triggers.%.%[%] must be one of %, got %', v_event, v_field, v_i,
              array_to_string(v_allowed, ', '), ops_private.quote_short(v_item::text)
              using errcode = '22023';
          end if;
        elsif jsonb_typeof(v_item) <> 'string' or length(v_item #>> '{}') not between 1 and 255
          or (v_item #>> '{}') !~ '^[A-Za-z0-9._/*-]+$' then
          raise exception 'triggers.%.%[%] must be a branch pattern (letters, digits, . _ / - and *), got %',
            v_event, v_field, v_i, ops_private.quote_short(v_item::text)
            using errcode = '22023', hint = '* matches within one path segment, ** across segments.';
        end if;
        v_i := v_i + 1;
      end loop;
    end loop;
  end loop;
end
$$;

comment on function ops.validate_workflow_triggers(jsonb) is
'Raises 22023 naming the JSON path unless the value is a valid workflows.triggers object: {"manual": bool, '
'"push": {"stages": [development|staging|production, ...], "branches"?: [pattern, ...]}, "pull_request": '
'{"actions": [opened|updated, ...], "branches"?: [target pattern, ...], "forks"?: bool}}, every key optional, at '
'most 8 KiB.';

revoke execute on function ops.validate_workflow_triggers(jsonb) from public, anon;
grant execute on function ops.validate_workflow_triggers(jsonb) to authenticated, service_role;

-- Commit statuses of request runs ---------------------------------------------------------

comment on column ops.runs.push_delivery_id is
'The webhook delivery id of the push or pull/merge request that queued the run (ops.record_push, '
'ops.record_pull_request), set by the database; null for runs queued otherwise. Runs with one report commit '
'statuses to the git provider (ops.commit_status_outbox).';

-- Restated from 20261202001500: runs queued by ops.record_pull_request
-- ('pull_request:<delivery>:<workflow>') report too.
create or replace function ops.runs_set_push_delivery_id()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_trigger text := coalesce(current_setting('ops.run_trigger', true), '');
begin
  -- '<event>:<delivery>:<workflow>': a workflow name has no colon, a delivery id may.
  if v_trigger = 'push' and new.idempotency_key like 'push:%:%' then
    new.push_delivery_id := regexp_replace(substr(new.idempotency_key, 6), ':[^:]*$', '');
  elsif v_trigger = 'pull_request' and new.idempotency_key like 'pull_request:%:%' then
    new.push_delivery_id := regexp_replace(substr(new.idempotency_key, 14), ':[^:]*$', '');
  else
    new.push_delivery_id := null;
  end if;
  return new;
end
$$;

comment on function ops.runs_set_push_delivery_id() is
'Trigger function: sets runs.push_delivery_id from the idempotency key of a run ops.record_push or '
'ops.record_pull_request queues, null for any other run.';

revoke execute on function ops.runs_set_push_delivery_id() from public, anon, authenticated;

-- No secrets for a stranger's code ----------------------------------------------------------

-- Restated from 20261202000300: an untrusted run (a fork's request) gets no
-- secrets, whatever it names.
create or replace function ops_private.get_run_secrets(p_run_id uuid, p_worker_id text)
returns table (name text, value text)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_run ops.runs;
  v_names text[];
  v_missing text;
begin
  perform ops_private.check_worker_id(p_worker_id, true);
  if p_run_id is null then
    raise exception 'p_run_id must be a run id, got null' using errcode = '22023';
  end if;
  select r.* into v_run from ops.runs as r
  where r.id = p_run_id and r.worker_id = p_worker_id and r.status in ('claimed', 'running');
  if not found then
    perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'read its secrets');
  end if;
  if v_run.untrusted then
    return;
  end if;
  if v_run.params ? 'secrets' and jsonb_typeof(v_run.params -> 'secrets') <> 'array' then
    raise exception 'run %: params.secrets must be an array of secret names, got a JSON %',
      p_run_id, jsonb_typeof(v_run.params -> 'secrets')
      using errcode = '22023';
  end if;
  v_names := array(
    select distinct e.secret_name
    from jsonb_array_elements_text(coalesce(v_run.params -> 'secrets', '[]'::jsonb)) as e (secret_name)
  );

  -- A name the run was enqueued with may have been deleted since: say which.
  select n.secret_name into v_missing
  from unnest(v_names) as n (secret_name)
  where not exists (
    select 1
    from ops.project_secrets as s
    inner join ops_private.project_secret_values as v on v.secret_id = s.id
    where s.project_id = v_run.project_id and s.name = n.secret_name
      and (s.stage = v_run.stage or s.stage is null)
  )
  order by n.secret_name
  limit 1;
  if v_missing is not null then
    raise exception 'run %: secret % is set neither for stage % nor for every stage of its project',
      p_run_id, ops_private.quote_short(v_missing), v_run.stage
      using errcode = 'P0002',
      hint = 'An admin sets it with ops.set_project_secret; or enqueue the run again without it in params.secrets.';
  end if;

  -- Stage-specific first, then project-wide: null sorts last.
  return query
  select distinct on (s.name) s.name, v.value
  from ops.project_secrets as s
  inner join ops_private.project_secret_values as v on v.secret_id = s.id
  where s.project_id = v_run.project_id and s.name = any(v_names)
    and (s.stage = v_run.stage or s.stage is null)
  order by s.name, s.stage nulls last;
end
$$;

comment on function ops_private.get_run_secrets(uuid, text) is
'Implementation of ops.get_run_secrets (SECURITY DEFINER: the only reader of ops_private.project_secret_values). '
'Nothing for an untrusted run.';

comment on function ops.get_run_secrets(uuid, text) is
'Worker RPC: the name and value of each secret the run names in params.secrets, for the worker holding the run '
'(claimed or running); none at all for an untrusted run (a pull or merge request from a fork). A secret set for '
'the run''s stage wins over the project-wide one of the same name. '
'SQLSTATEs: OP002 not the holder, P0002 unknown run or a named secret that is not set, 22023 invalid parameter.';

-- record_push and record_branch_deleted, restated ------------------------------------------

-- Restated from 20261202001200: refuses branch names under refs/ (the
-- requests'), records the delivery with ops_private.record_delivery.
create or replace function ops.record_push(
  p_project_id uuid,
  p_branch text,
  p_head_commit text,
  p_pushed_by text,
  p_delivery_id text
)
returns setof ops.runs
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_project ops.projects;
  v_branch ops.branches;
  v_delivery uuid;
  v_workflow ops.workflows;
  v_run ops.runs;
  v_run_ids uuid[] := '{}'::uuid[];
begin
  v_project := ops_private.check_delivery(p_project_id, p_branch, p_delivery_id);
  if p_branch like 'refs/%' then
    raise exception 'p_branch %: names under refs/ are pull and merge requests''', ops_private.quote_short(p_branch)
      using errcode = '22023', hint = 'Rename the branch: a push to it cannot be told from a request''s head.';
  end if;
  if p_head_commit is null or p_head_commit !~ '^([0-9a-f]{6,40}|[0-9a-f]{64})$' then
    raise exception 'p_head_commit must be lowercase hex (6 to 40 or 64 characters), got %',
      ops_private.quote_short(p_head_commit)
      using errcode = '22023';
  end if;
  if p_pushed_by is not null and length(p_pushed_by) not between 1 and 200 then
    raise exception 'p_pushed_by must be 1 to 200 characters, got % characters', length(p_pushed_by)
      using errcode = '22023';
  end if;
  if v_project.archived_at is not null then
    raise exception 'project %: the project is archived', v_project.slug
      using errcode = '22023', hint = 'An owner restores it with ops.archive_project(slug, false).';
  end if;

  v_delivery := ops_private.record_delivery(v_project.id, p_delivery_id, 'push', p_head_commit);
  if v_delivery is null then
    return query select * from ops_private.delivered_runs(v_project.id, p_delivery_id);
    return;
  end if;

  insert into ops.branches as b (project_id, name, stage, head_commit, last_push_at, pushed_by)
  values (v_project.id, p_branch, 'development', p_head_commit, now(), p_pushed_by)
  on conflict (project_id, name) do update
  set head_commit = excluded.head_commit, last_push_at = excluded.last_push_at, pushed_by = excluded.pushed_by,
    deleted_at = null
  returning b.* into v_branch;

  perform set_config('ops.run_trigger', 'push', true);
  for v_workflow in
    select w.* from ops.workflows as w
    where w.project_id = v_project.id and w.enabled
      and w.triggers -> 'push' -> 'stages' ? v_branch.stage::text
      and (
        not (w.triggers -> 'push') ? 'branches'
        or exists (
          select 1 from jsonb_array_elements_text(w.triggers -> 'push' -> 'branches') as p (pattern)
          where ops.branch_matches(v_branch.name, p.pattern)
        )
      )
    order by w.name
  loop
    v_run := ops.enqueue_run(
      p_project_slug => v_project.slug,
      p_workflow_name => v_workflow.name,
      p_branch => v_branch.name,
      p_commit_sha => p_head_commit,
      p_stage => v_branch.stage,
      p_idempotency_key => 'push:' || p_delivery_id || ':' || v_workflow.name
    );
    v_run_ids := v_run_ids || v_run.id;
    return next v_run;
  end loop;
  perform set_config('ops.run_trigger', '', true);

  update ops.webhook_deliveries as d set branch_id = v_branch.id, run_ids = v_run_ids where d.id = v_delivery;
  return;
end
$$;

comment on function ops.record_push(uuid, text, text, text, text) is
'Records a push of p_head_commit to a branch (for the webhook handler): upserts the branch (a new one is '
'development; a deleted one exists again), then queues, through ops.enqueue_run, every enabled workflow whose push '
'trigger names the branch''s stage and matches its name, for the head commit, with the branch''s stage (superseding '
'as each workflow says). Returns the runs, by workflow name. Idempotent per (project, p_delivery_id): a '
'redelivery returns the same runs and changes nothing. Branch names under refs/ are refused (pull and merge '
'requests'' own). service_role only. '
'SQLSTATEs: 22023 invalid parameter or archived project, P0002 unknown project.';

-- Restated from 20261202001200: records the delivery with ops_private.record_delivery.
create or replace function ops.record_branch_deleted(
  p_project_id uuid,
  p_branch text,
  p_delivery_id text
)
returns setof ops.runs
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_project ops.projects;
  v_branch ops.branches;
  v_delivery uuid;
  v_run ops.runs;
  v_run_ids uuid[] := '{}'::uuid[];
begin
  v_project := ops_private.check_delivery(p_project_id, p_branch, p_delivery_id);

  v_delivery := ops_private.record_delivery(v_project.id, p_delivery_id, 'branch_deleted', null);
  if v_delivery is null then
    return query select * from ops_private.delivered_runs(v_project.id, p_delivery_id);
    return;
  end if;

  -- A request's row (refs/...) is closed by ops.record_pull_request, not here.
  update ops.branches as b set deleted_at = coalesce(b.deleted_at, now())
  where b.project_id = v_project.id and b.name = p_branch and b.name not like 'refs/%'
  returning b.* into v_branch;
  if v_branch.id is null then
    -- A branch never pushed nor built: nothing to mark or cancel.
    return;
  end if;

  for v_run in
    select r.* from ops.runs as r
    where r.branch_id = v_branch.id and r.status in ('queued', 'claimed', 'running')
    order by r.created_at, r.id
  loop
    v_run := ops_private.cancel_run(v_run.id, 'branch ' || v_branch.name || ' deleted');
    v_run_ids := v_run_ids || v_run.id;
    return next v_run;
  end loop;

  update ops.webhook_deliveries as d set branch_id = v_branch.id, run_ids = v_run_ids where d.id = v_delivery;
  return;
end
$$;

comment on function ops.record_branch_deleted(uuid, text, text) is
'Records the deletion of a branch (for the webhook handler): marks it deleted, ends its queued runs canceled and '
'asks its claimed and running runs to stop, each with the reason ''branch <name> deleted''; returns those runs. An '
'unknown branch, or a name under refs/ (a request''s), changes nothing. Idempotent per (project, p_delivery_id): a '
'redelivery returns the same runs and changes nothing. service_role only. SQLSTATEs: 22023 invalid parameter, '
'P0002 unknown project.';

-- record_pull_request ------------------------------------------------------------------------

-- SECURITY DEFINER: it alone may mark runs untrusted (trigger
-- runs_065_set_pull_request checks that the current user is this
-- function's owner). It checks its callers by its grant: service_role only.
create or replace function ops_private.record_pull_request(
  p_project_id uuid,
  p_provider text,
  p_number integer,
  p_action text,
  p_head_commit text,
  p_head_repository text,
  p_base_branch text,
  p_opened_by text,
  p_delivery_id text
)
returns setof ops.runs
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_project ops.projects;
  v_ref text;
  v_untrusted boolean;
  v_trigger_action text;
  v_branch ops.branches;
  v_delivery uuid;
  v_workflow ops.workflows;
  v_run ops.runs;
  v_run_ids uuid[] := '{}'::uuid[];
  v_what text;
begin
  if p_provider is null or p_provider not in ('github', 'gitlab') then
    raise exception 'p_provider must be github or gitlab, got %', ops_private.quote_short(p_provider)
      using errcode = '22023';
  end if;
  if p_number is null or p_number < 1 then
    raise exception 'p_number must be a request number from 1, got %', coalesce(p_number::text, 'null')
      using errcode = '22023';
  end if;
  if p_action is null or p_action not in ('opened', 'updated', 'reopened', 'closed') then
    raise exception 'p_action must be opened, updated, reopened or closed, got %', ops_private.quote_short(p_action)
      using errcode = '22023';
  end if;
  if p_head_commit is null or p_head_commit !~ '^([0-9a-f]{6,40}|[0-9a-f]{64})$' then
    raise exception 'p_head_commit must be lowercase hex (6 to 40 or 64 characters), got %',
      ops_private.quote_short(p_head_commit)
      using errcode = '22023';
  end if;
  if p_head_repository is not null and length(p_head_repository) not between 1 and 2048 then
    raise exception 'p_head_repository must be a repository URL of at most 2048 characters, got %',
      ops_private.quote_short(p_head_repository)
      using errcode = '22023', hint = 'null when the head repository is gone (a deleted fork).';
  end if;
  if not coalesce(ops.is_git_ref_name(p_base_branch), false) then
    raise exception 'p_base_branch must be a git branch name, got %', ops_private.quote_short(p_base_branch)
      using errcode = '22023';
  end if;
  if p_opened_by is not null and length(p_opened_by) not between 1 and 200 then
    raise exception 'p_opened_by must be 1 to 200 characters, got % characters', length(p_opened_by)
      using errcode = '22023';
  end if;
  v_project := ops_private.check_delivery(p_project_id, p_base_branch, p_delivery_id);
  if v_project.archived_at is not null and p_action <> 'closed' then
    raise exception 'project %: the project is archived', v_project.slug
      using errcode = '22023', hint = 'An owner restores it with ops.archive_project(slug, false).';
  end if;

  v_ref := case p_provider
    when 'github' then 'refs/pull/' || p_number || '/head'
    else 'refs/merge-requests/' || p_number || '/head'
  end;
  v_what := case p_provider when 'github' then 'pull request #' else 'merge request !' end || p_number;
  -- A request from another repository (a fork, or one gone) runs a stranger's code.
  v_untrusted := p_head_repository is null
    or ops.normalize_repository_url(p_head_repository) is distinct from ops.normalize_repository_url(v_project.repository_url);

  -- One delivery of a request at a time, until commit: an update and a close
  -- arriving together are applied one after the other.
  perform pg_advisory_xact_lock(hashtextextended(concat_ws('/', 'ops.record_pull_request', v_project.id, v_ref), 0));

  v_delivery := ops_private.record_delivery(v_project.id, p_delivery_id, 'pull_request', p_head_commit);
  if v_delivery is null then
    return query select * from ops_private.delivered_runs(v_project.id, p_delivery_id);
    return;
  end if;

  if p_action = 'closed' then
    update ops.branches as b set deleted_at = coalesce(b.deleted_at, now())
    where b.project_id = v_project.id and b.name = v_ref
    returning b.* into v_branch;
    if v_branch.id is not null then
      for v_run in
        select r.* from ops.runs as r
        where r.branch_id = v_branch.id and r.status in ('queued', 'claimed', 'running')
        order by r.created_at, r.id
      loop
        v_run := ops_private.cancel_run(v_run.id, v_what || ' closed');
        v_run_ids := v_run_ids || v_run.id;
        return next v_run;
      end loop;
    end if;
  else
    insert into ops.branches as b (project_id, name, stage, head_commit, last_push_at, pushed_by)
    values (v_project.id, v_ref, 'development', p_head_commit, now(), p_opened_by)
    on conflict (project_id, name) do update
    set head_commit = excluded.head_commit, last_push_at = excluded.last_push_at, pushed_by = excluded.pushed_by,
      deleted_at = null
    returning b.* into v_branch;

    v_trigger_action := case p_action when 'reopened' then 'opened' else p_action end;
    perform set_config('ops.run_trigger', 'pull_request', true);
    perform set_config('ops.pull_request_number', p_number::text, true);
    perform set_config('ops.pull_request_ref', v_ref, true);
    perform set_config('ops.pull_request_untrusted', v_untrusted::text, true);
    for v_workflow in
      select w.* from ops.workflows as w
      where w.project_id = v_project.id and w.enabled
        and w.triggers -> 'pull_request' -> 'actions' ? v_trigger_action
        and (not v_untrusted or w.triggers -> 'pull_request' -> 'forks' = 'true'::jsonb)
        and (
          not (w.triggers -> 'pull_request') ? 'branches'
          or exists (
            select 1 from jsonb_array_elements_text(w.triggers -> 'pull_request' -> 'branches') as p (pattern)
            where ops.branch_matches(p_base_branch, p.pattern)
          )
        )
      order by w.name
    loop
      v_run := ops.enqueue_run(
        p_project_slug => v_project.slug,
        p_workflow_name => v_workflow.name,
        p_branch => v_ref,
        p_commit_sha => p_head_commit,
        p_stage => 'development',
        p_idempotency_key => 'pull_request:' || p_delivery_id || ':' || v_workflow.name
      );
      v_run_ids := v_run_ids || v_run.id;
      return next v_run;
    end loop;
    perform set_config('ops.run_trigger', '', true);
    perform set_config('ops.pull_request_number', '', true);
    perform set_config('ops.pull_request_ref', '', true);
    perform set_config('ops.pull_request_untrusted', '', true);
  end if;

  update ops.webhook_deliveries as d set branch_id = v_branch.id, run_ids = v_run_ids where d.id = v_delivery;
  return;
end
$$;

comment on function ops_private.record_pull_request(uuid, text, integer, text, text, text, text, text, text) is
'Implementation of ops.record_pull_request (SECURITY DEFINER: the only writer of runs.untrusted, '
'pull_request_number and source_ref).';

revoke execute on function ops_private.record_pull_request(uuid, text, integer, text, text, text, text, text, text)
from public, anon, authenticated;
grant execute on function ops_private.record_pull_request(uuid, text, integer, text, text, text, text, text, text)
to service_role;

create or replace function ops.record_pull_request(
  p_project_id uuid,
  p_provider text,
  p_number integer,
  p_action text,
  p_head_commit text,
  p_head_repository text,
  p_base_branch text,
  p_opened_by text,
  p_delivery_id text
)
returns setof ops.runs
language sql
volatile
set search_path = ''
as $$
  select * from ops_private.record_pull_request(
    p_project_id, p_provider, p_number, p_action, p_head_commit, p_head_repository, p_base_branch, p_opened_by,
    p_delivery_id
  )
$$;

comment on function ops.record_pull_request(uuid, text, integer, text, text, text, text, text, text) is
'Records a pull request (GitHub) or merge request (GitLab) event for the webhook handler. Its runs build the '
'request''s ref (refs/pull/<n>/head, refs/merge-requests/<iid>/head), never a branch of the base repository, in '
'the development stage. p_action opened, updated or reopened: every enabled workflow whose pull_request trigger '
'names the action (reopened counts as opened) and matches p_base_branch is queued for p_head_commit through '
'ops.enqueue_run (superseding the request''s older runs as each workflow says); a request whose p_head_repository '
'is not the project''s repository (a fork; null when it is gone) queues only workflows whose trigger says "forks": '
'true, and its runs are untrusted: no secrets. closed: the request''s queued runs end canceled and its held ones '
'are asked to stop (reason ''pull request #<n> closed''). Returns the runs. Serialized per request; idempotent per '
'(project, p_delivery_id): a redelivery returns the same runs and changes nothing. service_role only. '
'SQLSTATEs: 22023 invalid parameter or archived project, P0002 unknown project.';

revoke execute on function ops.record_pull_request(uuid, text, integer, text, text, text, text, text, text)
from public, anon, authenticated;
grant execute on function ops.record_pull_request(uuid, text, integer, text, text, text, text, text, text)
to service_role;
