-- The client RPCs bound their inputs and quote values short; project
-- members cannot put their runs ahead of other projects'.
--
-- * ops.enqueue_run: p_params at most 64 KiB of JSON; an archived project is
--   refused naming p_project_slug; project members (authenticated) may set
--   p_priority from -1000 to 0 only: the queue is shared by every project, and
--   a positive priority would put a tenant's runs ahead of everyone else's.
--   service_role (operators' automation) may still set up to 1000. The same
--   bound holds for a direct insert into ops.runs (trigger
--   runs_110_bound_member_priority).
-- * ops.create_project: p_settings at most 64 KiB of JSON.
-- * ops.validate_workflow_steps: every value it quotes is cut to 200 characters.
-- * Values in error messages are quoted with ops_private.quote_short.
-- Objects: functions ops.enqueue_run(...), ops.create_project(...),
-- ops.validate_workflow_steps(jsonb), ops.runs_bound_member_priority();
-- trigger runs_110_bound_member_priority on ops.runs.
-- Locks: SHARE ROW EXCLUSIVE on ops.runs while the trigger is created.
-- Roll back: restore the functions from 20260213000200, 20260213000202 and
--   20260213000100; drop the trigger and its function.

set local lock_timeout = '5s';

create or replace function ops.runs_bound_member_priority()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if ops_private.caller_role() = 'authenticated' and new.priority > 0 then
    raise exception 'runs.priority must be from -1000 to 0 for project members, got %', new.priority
      using errcode = '22023', hint = 'A priority above 0 puts runs ahead of other projects''; only service_role sets it.';
  end if;
  return new;
end
$$;

comment on function ops.runs_bound_member_priority() is
'Trigger function: project members (authenticated) may give their runs a priority of at most 0 (22023).';

revoke execute on function ops.runs_bound_member_priority() from public, anon, authenticated;

create trigger runs_110_bound_member_priority
before insert on ops.runs
for each row execute function ops.runs_bound_member_priority();


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
    raise exception 'p_project_slug must be a project slug, got %', ops_private.quote_short(p_project_slug)
      using errcode = '22023';
  end if;
  if p_workflow_name is null or btrim(p_workflow_name) = '' then
    raise exception 'p_workflow_name must be a workflow name, got %', ops_private.quote_short(p_workflow_name)
      using errcode = '22023';
  end if;
  if not coalesce(ops.is_git_ref_name(p_branch), false) then
    raise exception 'p_branch must be a git branch name, got %', ops_private.quote_short(p_branch)
      using errcode = '22023', hint = 'Letters, digits and . _ / -; no "..", "//", leading or trailing "/" or ".".';
  end if;
  if p_commit_sha is null or p_commit_sha !~ '^([0-9a-f]{6,40}|[0-9a-f]{64})$' then
    raise exception 'p_commit_sha must be lowercase hex (6 to 40 or 64 characters), got %',
      ops_private.quote_short(p_commit_sha)
      using errcode = '22023';
  end if;
  perform ops_private.check_json_object('p_params', p_params, 65536);
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
    raise exception 'project % not found', ops_private.quote_short(p_project_slug)
      using errcode = 'P0002', hint = 'Check the slug, and that you are a member of the project.';
  end if;
  if ops_private.caller_role() = 'authenticated'
    and not ops_private.has_project_role(v_project.id, 'developer') then
    raise exception 'enqueue_run: queueing runs of project % needs the developer role or above', v_project.slug
      using errcode = '42501';
  end if;
  if v_project.archived_at is not null then
    raise exception 'p_project_slug %: the project is archived', quote_literal(p_project_slug)
      using errcode = '22023', hint = 'An owner restores it with ops.archive_project(slug, false).';
  end if;
  -- The queue is shared by every project: members may only lower their runs.
  if ops_private.caller_role() = 'authenticated' and p_priority > 0 then
    raise exception 'p_priority must be from -1000 to 0 for project members, got %', p_priority
      using errcode = '22023', hint = 'A priority above 0 puts runs ahead of other projects''; only service_role sets it.';
  end if;
  select w.* into v_workflow from ops.workflows as w
  where w.project_id = v_project.id and w.name = p_workflow_name;
  if not found then
    raise exception 'workflow % not found in project %', ops_private.quote_short(p_workflow_name), v_project.slug
      using errcode = 'P0002';
  end if;
  if not v_workflow.enabled then
    raise exception 'p_workflow_name %: workflow is disabled in project %', ops_private.quote_short(p_workflow_name),
      v_project.slug
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
'Project members may set p_priority from -1000 to 0, service_role up to 1000. '
'SQLSTATEs: 22023 invalid parameter, disabled workflow or archived project, P0002 unknown project or workflow, 42501 not a developer of the project.';

revoke execute on function ops.enqueue_run(text, text, text, text, jsonb, ops.run_stage, integer, timestamptz, text, boolean)
from public, anon, authenticated;
grant execute on function ops.enqueue_run(text, text, text, text, jsonb, ops.run_stage, integer, timestamptz, text, boolean)
to authenticated, service_role;

create or replace function ops.create_project(
  p_slug text,
  p_name text,
  p_odoo_series text,
  p_repository_url text,
  p_production_branch text default 'main',
  p_settings jsonb default '{}'::jsonb
)
returns ops.projects
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_id uuid := extensions.gen_random_uuid();
  v_project ops.projects;
begin
  if p_slug is null or p_slug !~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$' then
    raise exception 'p_slug must be lowercase letters, digits and inner dashes (at most 63), got %',
      ops_private.quote_short(p_slug)
      using errcode = '22023', hint = 'For example acme-erp.';
  end if;
  if p_odoo_series is null or not ops.is_odoo_series(p_odoo_series) then
    raise exception 'p_odoo_series must be one of 16.0, 17.0, 18.0, 19.0, got %',
      ops_private.quote_short(p_odoo_series)
      using errcode = '22023';
  end if;
  perform ops_private.check_json_object('p_settings', p_settings, 65536);
  if exists (select 1 from ops.projects as p where p.slug = p_slug) then
    raise exception 'p_slug % is taken by another project', quote_literal(p_slug)
      using errcode = '23505', hint = 'Choose another slug.';
  end if;
  -- No RETURNING here: see the header.
  insert into ops.projects (id, slug, name, odoo_series, repository_url, production_branch, settings)
  values (v_id, p_slug, p_name, p_odoo_series, p_repository_url, coalesce(p_production_branch, 'main'), p_settings);
  select p.* into v_project from ops.projects as p where p.id = v_id;
  return v_project;
end
$$;

comment on function ops.create_project(text, text, text, text, text, jsonb) is
'Creates a project, makes the calling user its owner and returns it. p_settings is at most 64 KiB of JSON. '
'22023 bad parameter (named), '
'23505 slug taken, 23514 a table check (names the constraint), 42501 not allowed.';

revoke execute on function ops.create_project(text, text, text, text, text, jsonb) from public, anon;
grant execute on function ops.create_project(text, text, text, text, text, jsonb) to authenticated, service_role;

create or replace function ops.validate_workflow_steps(p_steps jsonb)
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_step jsonb;
  v_i integer := 0;
  v_key text;
  v_names text[] := '{}'::text[];
  v_name text;
begin
  if p_steps is null or jsonb_typeof(p_steps) <> 'array' or jsonb_array_length(p_steps) = 0 then
    raise exception 'workflows.steps must be a non-empty JSON array, got %', coalesce(left(p_steps::text, 80), 'null')
      using errcode = '22023', hint = 'Give at least one step: [{"name": "build", "command": "make"}].';
  end if;
  for v_step in select e from jsonb_array_elements(p_steps) as e loop
    if jsonb_typeof(v_step) <> 'object' then
      raise exception 'workflows.steps[%] must be an object, got %', v_i, left(v_step::text, 80)
        using errcode = '22023';
    end if;
    for v_key in select jsonb_object_keys(v_step) loop
      if v_key not in ('name', 'command', 'tool', 'timeout_seconds', 'env', 'artifacts') then
        raise exception 'workflows.steps[%].% is not a known step field', v_i, left(v_key, 200)
          using errcode = '22023', hint = 'Known fields: name, command, tool, timeout_seconds, env, artifacts.';
      end if;
    end loop;
    v_name := v_step ->> 'name';
    if jsonb_typeof(v_step -> 'name') is distinct from 'string' or v_name !~ '^[a-z][a-z0-9_-]{0,62}$' then
      raise exception 'workflows.steps[%].name must match ^[a-z][a-z0-9_-]{0,62}$, got %', v_i,
        left(coalesce(v_step -> 'name', 'null'::jsonb)::text, 200)
        using errcode = '22023';
    end if;
    if v_name = any(v_names) then
      raise exception 'workflows.steps[%].name % is used by an earlier step', v_i, v_name using errcode = '22023';
    end if;
    v_names := v_names || v_name;
    if jsonb_typeof(v_step -> 'command') is distinct from 'string' or btrim(v_step ->> 'command') = '' then
      raise exception 'workflows.steps[%].command must be a non-empty string, got %', v_i,
        left(coalesce(v_step -> 'command', 'null'::jsonb)::text, 200)
        using errcode = '22023';
    end if;
    if v_step ? 'tool' and (jsonb_typeof(v_step -> 'tool') <> 'string'
      or (v_step ->> 'tool') !~ '^[a-z0-9][a-z0-9._-]{0,62}$') then
      raise exception 'workflows.steps[%].tool must be a tool name, got %', v_i, left((v_step -> 'tool')::text, 200)
        using errcode = '22023';
    end if;
    if v_step ? 'timeout_seconds' and (jsonb_typeof(v_step -> 'timeout_seconds') <> 'number'
      or (v_step ->> 'timeout_seconds') !~ '^[0-9]+$'
      or (v_step ->> 'timeout_seconds')::numeric not between 1 and 86400) then
      raise exception 'workflows.steps[%].timeout_seconds must be an integer from 1 to 86400, got %', v_i,
        left((v_step -> 'timeout_seconds')::text, 200)
        using errcode = '22023';
    end if;
    if v_step ? 'env' and (jsonb_typeof(v_step -> 'env') <> 'object'
      or exists (
        select 1 from jsonb_each(v_step -> 'env') as e
        where e.key !~ '^[A-Za-z_][A-Za-z0-9_]*$' or jsonb_typeof(e.value) <> 'string'
      )) then
      raise exception 'workflows.steps[%].env must be an object of NAME: "string" pairs, got %', v_i,
        left((v_step -> 'env')::text, 80)
        using errcode = '22023';
    end if;
    if v_step ? 'artifacts' and (jsonb_typeof(v_step -> 'artifacts') <> 'array'
      or exists (
        select 1 from jsonb_array_elements(v_step -> 'artifacts') as a
        where jsonb_typeof(a) <> 'string'
      )) then
      raise exception 'workflows.steps[%].artifacts must be an array of path strings, got %', v_i,
        left((v_step -> 'artifacts')::text, 80)
        using errcode = '22023';
    end if;
    v_i := v_i + 1;
  end loop;
end
$$;

comment on function ops.validate_workflow_steps(jsonb) is
'Raises 22023 naming the step and field when workflow steps are malformed; returns nothing when valid.';

revoke execute on function ops.validate_workflow_steps(jsonb) from public, anon;
grant execute on function ops.validate_workflow_steps(jsonb) to authenticated, service_role;
