-- A new run of a branch supersedes the older runs of that branch: only the
-- newest commit of a branch matters, as on Odoo.sh.
--
-- * ops.workflows.supersede says what ops.enqueue_run does to the other runs
--   of the same project, workflow and branch when it queues a new run:
--     none                nothing; every run is built
--     queued              (the default) queued runs of another commit end
--                         canceled, with cancel_reason 'superseded by <new
--                         run id>' and an event with that reason
--     queued_and_running  the same, and claimed or running runs of another
--                         commit get a cancel request with that reason (the
--                         worker sees it in ops.heartbeat_run and ends the run
--                         canceled)
--   Existing workflows get queued, the column default. A value outside the
--   three is refused with 22023 naming workflows.supersede (trigger
--   workflows_check_supersede; check constraint workflows_supersede_is_known
--   behind it).
-- * Runs of the same commit as the new run are never superseded: queueing a
--   commit again (a rebuild) cancels neither the new run nor its
--   predecessors. p_reuse_active is the way to avoid a second run of it.
-- * Only a new run supersedes: an idempotent repeat (p_idempotency_key
--   already used) and a reused active run (p_reuse_active) return the run
--   they found and change nothing. A direct insert into ops.runs supersedes
--   nothing either.
-- * The insert and the supersede are serialized per (project, workflow,
--   branch) by a transaction-level advisory lock on that key, taken by
--   ops_private.supersede_older_runs after the insert and held until commit:
--   of two enqueues of one branch at the same time, the second to take the
--   lock waits for the first to commit, then sees its run and supersedes it.
--   One run of the two stays active: the later one in lock order. Workflows
--   with supersede none take no lock. (READ COMMITTED, the default of
--   PostgREST and the API: a REPEATABLE READ transaction cannot see a run
--   committed after its snapshot, and keeps both; SERIALIZABLE fails one of
--   them with 40001.)
-- * Index runs_queued_branch_idx (workflow_id, branch) where status = 'queued'
--   finds the queued runs of a branch without reading the whole queue or the
--   workflow's history; held runs are found through runs_held_idx, which holds
--   one row per busy worker.
-- Objects: column ops.workflows.supersede (text, not null, default 'queued')
-- and its check constraint; trigger function ops.workflows_check_supersede()
-- and trigger workflows_check_supersede; function
-- ops_private.supersede_older_runs(uuid) (SECURITY DEFINER: canceling a
-- queued run changes its status, which authenticated may not write);
-- ops.enqueue_run(...) (signature, grants, bounds, idempotency, NOTIFY
-- unchanged); index runs_queued_branch_idx; column grants on ops.workflows.
-- Locks: ACCESS EXCLUSIVE on ops.workflows while the column is added (a
-- constant default: no rewrite); SHARE on ops.runs while the index is built,
-- which blocks writes to the queue (enqueues, claims, heartbeats) for the one
-- scan of the table the build takes. lock_timeout 5s makes a busy database
-- fail fast.
-- Roll back: restore ops.enqueue_run from 20261202000150; drop function
--   ops_private.supersede_older_runs(uuid), trigger workflows_check_supersede
--   and its function, index runs_queued_branch_idx and column
--   ops.workflows.supersede.
--
-- SQLSTATEs (also in comment on function):
--   22023 invalid parameter or workflows.supersede value, naming it
--   P0002 unknown (or invisible) run
--   42501 not a developer of the run's project

set local lock_timeout = '5s';

-- The setting -------------------------------------------------------------------------

alter table ops.workflows
add column supersede text not null default 'queued',
add constraint workflows_supersede_is_known check (supersede in ('none', 'queued', 'queued_and_running'));

comment on column ops.workflows.supersede is
'What queueing a run does to the other runs of the same workflow and branch (another commit): none; queued '
'(default: queued runs end canceled, superseded by the new run); queued_and_running (also a cancel request '
'for claimed and running runs).';

create or replace function ops.workflows_check_supersede()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.supersede is null or new.supersede not in ('none', 'queued', 'queued_and_running') then
    raise exception 'workflows.supersede must be one of none, queued, queued_and_running, got %',
      ops_private.quote_short(new.supersede)
      using errcode = '22023',
      hint = 'queued cancels older queued runs of a branch when a new one is queued; '
      'queued_and_running also asks running ones to stop; none keeps every run.';
  end if;
  return new;
end
$$;

comment on function ops.workflows_check_supersede() is
'Trigger function: refuses a workflows.supersede value other than none, queued, queued_and_running (22023).';

revoke execute on function ops.workflows_check_supersede() from public, anon, authenticated;

create trigger workflows_check_supersede
before insert or update of supersede on ops.workflows
for each row execute function ops.workflows_check_supersede();

grant insert (supersede), update (supersede) on ops.workflows to authenticated;

-- The queued runs of one branch, for the supersede; an entry per queued run only.
create index runs_queued_branch_idx on ops.runs (workflow_id, branch) where status = 'queued';

-- supersede_older_runs ------------------------------------------------------------------

-- SECURITY DEFINER because superseding a queued run ends it canceled, a status
-- change authenticated may not write (as in ops_private.cancel_run). It checks
-- the caller itself: roles that bypass RLS may supersede in any project,
-- everyone else needs the developer role on the run's project, which lets them
-- cancel those runs one by one anyway. It only ever touches runs of the given
-- run's workflow and branch. Lives in ops_private, which the API does not
-- expose; ops.enqueue_run calls it.
create or replace function ops_private.supersede_older_runs(p_run_id uuid)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_run ops.runs;
  v_mode text;
  v_reason text;
  v_privileged boolean;
  v_actor text := current_setting('ops.actor', true);
  v_previous_reason text := current_setting('ops.reason', true);
  v_queued integer;
  v_held integer := 0;
begin
  if p_run_id is null then
    raise exception 'p_run_id must be a run id, got null' using errcode = '22023';
  end if;
  select coalesce(bool_or(r.rolbypassrls or r.rolsuper), false) into v_privileged
  from pg_catalog.pg_roles as r where r.rolname = ops_private.caller_role();

  select r.* into v_run from ops.runs as r where r.id = p_run_id;
  if not found or (not v_privileged and not ops_private.has_project_role(v_run.project_id, 'viewer')) then
    raise exception 'run % not found', p_run_id using errcode = 'P0002';
  end if;
  if not v_privileged and not ops_private.has_project_role(v_run.project_id, 'developer') then
    raise exception 'supersede_older_runs: canceling runs of this project needs the developer role or above'
      using errcode = '42501';
  end if;
  if v_run.status <> 'queued' then
    raise exception 'p_run_id %: only a queued run supersedes others, got a % run', p_run_id, v_run.status
      using errcode = '22023';
  end if;
  select w.supersede into v_mode from ops.workflows as w where w.id = v_run.workflow_id;
  if v_mode = 'none' then
    return 0;
  end if;

  -- One enqueue of a branch at a time, until commit: the next one waits here,
  -- then sees this run and supersedes it in turn.
  perform pg_advisory_xact_lock(hashtextextended(
    concat_ws('/', 'ops.supersede', v_run.project_id, v_run.workflow_id, v_run.branch), 0
  ));

  v_reason := 'superseded by ' || v_run.id::text;
  perform set_config('ops.actor', '', true);
  perform set_config('ops.reason', v_reason, true);
  -- Queued first, then held: a run a worker claims in between is found by the
  -- second statement (with queued_and_running).
  update ops.runs as r
  set status = 'canceled', cancel_requested_at = now(), cancel_reason = v_reason, finished_at = now()
  where r.workflow_id = v_run.workflow_id and r.branch = v_run.branch and r.status = 'queued'
    and r.project_id = v_run.project_id and r.commit_sha <> v_run.commit_sha and r.id <> v_run.id;
  get diagnostics v_queued = row_count;
  if v_mode = 'queued_and_running' then
    update ops.runs as r
    set cancel_requested_at = now(), cancel_reason = v_reason
    where r.status in ('claimed', 'running') and r.workflow_id = v_run.workflow_id and r.branch = v_run.branch
      and r.project_id = v_run.project_id and r.commit_sha <> v_run.commit_sha and r.cancel_requested_at is null;
    get diagnostics v_held = row_count;
  end if;
  -- Later status changes of this transaction (another enqueue, say) must not
  -- carry this reason.
  perform set_config('ops.actor', coalesce(v_actor, ''), true);
  perform set_config('ops.reason', coalesce(v_previous_reason, ''), true);
  return v_queued + v_held;
end
$$;

comment on function ops_private.supersede_older_runs(uuid) is
'Called by ops.enqueue_run for a new run, as its workflow''s supersede setting says: queued runs of the same '
'workflow and branch and another commit end canceled, and with queued_and_running claimed and running ones get a '
'cancel request, each with the reason ''superseded by <run id>''. Serialized per workflow and branch by an '
'advisory lock held until commit. Returns how many runs it canceled or asked to cancel. '
'SQLSTATEs: 22023 p_run_id null or not queued, P0002 unknown (or invisible) run, 42501 not a developer of the '
'project.';

revoke execute on function ops_private.supersede_older_runs(uuid) from public, anon;
grant execute on function ops_private.supersede_older_runs(uuid) to authenticated, service_role;

-- enqueue_run ---------------------------------------------------------------------------

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
    -- runs_queued_branch_idx) instead of the project's whole history.
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
  -- Only a new run supersedes (not a repeat or a reused run above): older
  -- runs of this workflow and branch, as the workflow's setting says.
  if v_workflow.supersede <> 'none' then
    perform ops_private.supersede_older_runs(v_run.id);
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
'A new run supersedes the older runs of the same workflow and branch (another commit) as the workflow''s '
'supersede setting says: none; queued (default: they end canceled, reason ''superseded by <run id>''); '
'queued_and_running (held ones also get a cancel request). '
'p_stage null: production on the project''s production branch, else development. Wakes workers with NOTIFY ops_runs_queued. '
'Project members may set p_priority from -1000 to 0, service_role up to 1000. '
'SQLSTATEs: 22023 invalid parameter, disabled workflow or archived project, P0002 unknown project or workflow, 42501 not a developer of the project.';

revoke execute on function ops.enqueue_run(text, text, text, text, jsonb, ops.run_stage, integer, timestamptz, text, boolean)
from public, anon, authenticated;
grant execute on function ops.enqueue_run(text, text, text, text, jsonb, ops.run_stage, integer, timestamptz, text, boolean)
to authenticated, service_role;
