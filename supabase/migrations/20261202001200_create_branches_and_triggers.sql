-- Branches with Odoo.sh's stages, and workflows that say when they run.
--
-- * ops.branches: one row per (project, branch name): its stage
--   (development, staging or production, the ops.run_stage vocabulary), the
--   head commit, when and by whom it was last pushed, and deleted_at once it
--   is gone from the repository. The database keeps one production branch per
--   project (partial unique index branches_one_production_per_project_idx).
--   A deleted branch keeps its row, its stage and its runs; a new push to it
--   clears deleted_at.
-- * Stage changes follow Odoo.sh's rules, for every writer (trigger
--   branches_check_stage): development <-> staging; staging -> production
--   when the project has no production branch; production -> development
--   only. Any other move, or a move of a deleted branch, is refused with
--   SQLSTATE OP012 and a message saying why and what to do. Admins and owners
--   change stages with ops.set_branch_stage(slug, branch, stage).
-- * ops.projects.production_branch stays, as a mirror that the database
--   keeps: the name of the project's production branch, or null while it has
--   none (the column becomes nullable). Inserting a project creates its
--   production branch from it (ops.create_project and direct inserts keep
--   working); changing it directly is refused with OP012 (use
--   ops.set_branch_stage); authenticated loses its column grant to update it.
--   Existing readers (ops.enqueue_run's default stage, the console) see the
--   same value as before.
-- * Runs belong to a branch: ops.runs.branch_id, set by the database from
--   (project_id, branch) on every insert (trigger runs_070_set_branch_id, which
--   creates the branch as development when it is new, with the run's commit as
--   its head), so ops.enqueue_run, env_create.sh and direct inserts keep
--   working unchanged. runs.branch stays for compatibility; the two cannot
--   disagree (the trigger refuses a branch_id that is not the named branch's,
--   and branch names never change).
-- * ops.workflows.triggers says when a workflow runs: {"manual": bool, "push":
--   {"stages": [...], "branches": [glob, ...]}, "pull_request": {"actions":
--   ["opened", "updated"], "branches": [glob, ...]}}, validated by
--   ops.validate_workflow_triggers (22023 naming the JSON path). A workflow
--   inserted without triggers gets Odoo.sh's defaults for its name
--   (ops.default_workflow_triggers): build on every push to development and
--   staging branches, test on pushes to development branches and on pull
--   requests, deploy on pushes to the production branch, any other workflow
--   by hand only. Existing workflows get the same. "manual": false refuses
--   runs queued by hand (22023): such a workflow runs on its triggers only.
-- * ops.apply_workflow(slug, definition) creates or replaces a workflow from
--   the JSON of a workflow file (odooops workflow apply), validated by the
--   table's own rules; admins and owners, and service_role.
-- * ops.record_push(project, branch, head commit, pushed by, delivery id)
--   and ops.record_branch_deleted(project, branch, delivery id), for the
--   webhook handler (service_role only): a push upserts the branch and queues
--   every enabled workflow whose push trigger matches the branch's stage and
--   name, for the head commit, through ops.enqueue_run (so supersede and
--   NOTIFY apply); a deletion marks the branch deleted and cancels its queued
--   runs and asks its held ones to stop. Both are idempotent per (project,
--   delivery id), recorded in ops.webhook_deliveries with the runs they
--   returned: a redelivery returns the same runs and changes nothing.
--
-- Data: one branch per project from production_branch (stage production),
-- then one per other (project, runs.branch) (stage development, head commit
-- the newest run's); runs.branch_id back-filled in batches of 50,000 runs in
-- primary key order, then set not null. Time, measured on 200,000 finished
-- runs over 500 branches (2 shared cores, load about 6): 13.8 s for the whole
-- migration, some 70 s per million runs, most of it the back-fill (each run
-- rewritten once) and the index on (branch_id, created_at).
-- Objects: tables ops.branches, ops.webhook_deliveries (RLS, policies,
-- grants); column ops.runs.branch_id (foreign key (branch_id, project_id),
-- index runs_branch_id_created_at_idx); column ops.workflows.triggers;
-- functions ops.branch_matches(text, text), ops.validate_workflow_triggers(jsonb),
-- ops.default_workflow_triggers(text), ops.workflows_set_triggers(),
-- ops.branches_check_stage(), ops_private.branches_sync_production_branch(),
-- ops_private.projects_create_production_branch(),
-- ops.projects_refuse_production_branch_change(), ops_private.runs_set_branch_id(),
-- ops.set_branch_stage, ops.record_push, ops.record_branch_deleted,
-- ops.apply_workflow, ops_private.check_delivery(uuid, text, text); column
-- ops.projects.production_branch made nullable.
-- Locks: ACCESS EXCLUSIVE on ops.projects, ops.workflows and ops.runs (new
-- columns, triggers; the back-fill updates every run), until commit: the
-- queue stops for the migration. lock_timeout 5s makes a busy database fail
-- fast instead of queueing everyone behind it.
-- Roll back: drop functions ops.record_push, ops.record_branch_deleted,
--   ops.set_branch_stage, ops.apply_workflow, ops_private.check_delivery,
--   ops.branch_matches, ops.validate_workflow_triggers,
--   ops.default_workflow_triggers and the trigger functions above (cascade drops their
--   triggers); drop column ops.runs.branch_id, column ops.workflows.triggers;
--   drop tables ops.webhook_deliveries and ops.branches; set
--   ops.projects.production_branch to each project's former production
--   branch where null ('main' if unknown), set it not null and grant update
--   (production_branch) on ops.projects to authenticated again.
--
-- SQLSTATEs:
--   22023 invalid parameter or triggers value (naming it), a manual run of a
--         workflow whose triggers say "manual": false, an archived project
--   OP012 a stage change Odoo.sh's rules refuse (the message says why), or a
--         direct change of projects.production_branch
--   P0002 unknown (or invisible) project or branch
--   42501 not an admin or owner of the project (ops.set_branch_stage)

set local lock_timeout = '5s';

-- Branches -----------------------------------------------------------------------

create table ops.branches (
  id uuid not null default extensions.gen_random_uuid(),
  project_id uuid not null,
  name text not null,
  stage ops.run_stage not null default 'development',
  head_commit text,
  last_push_at timestamptz,
  pushed_by text,
  deleted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint branches_pkey primary key (id),
  constraint branches_project_id_name_key unique (project_id, name),
  -- Lets ops.runs check that its branch belongs to its project.
  constraint branches_id_project_id_key unique (id, project_id),
  constraint branches_project_id_fkey foreign key (project_id) references ops.projects (id) on delete cascade,
  constraint branches_name_is_valid check (ops.is_git_ref_name(name)),
  constraint branches_head_commit_is_hex check (head_commit ~ '^([0-9a-f]{6,40}|[0-9a-f]{64})$'),
  constraint branches_pushed_by_is_bounded check (length(pushed_by) between 1 and 200)
);

comment on table ops.branches is
'The branches of a project''s repository, each in one Odoo.sh stage; one production branch per project. '
'Created by a push (ops.record_push) or by the first run of a new branch; stages change through ops.set_branch_stage.';
comment on column ops.branches.name is 'The git branch name (as in runs.branch).';
comment on column ops.branches.stage is
'development, staging or production (one per project). Moves: development <-> staging, staging -> production '
'when there is none, production -> development.';
comment on column ops.branches.head_commit is
'The commit the branch pointed to at its last push (or the first run''s commit); null when unknown.';
comment on column ops.branches.last_push_at is 'When the last push to the branch was recorded; null before any.';
comment on column ops.branches.pushed_by is 'Who made the last push, as the git provider names them.';
comment on column ops.branches.deleted_at is
'When the branch was deleted from the repository; null while it exists. A new push clears it.';

create unique index branches_one_production_per_project_idx on ops.branches (project_id) where stage = 'production';

create trigger branches_set_updated_at
before update on ops.branches
for each row execute function ops.set_updated_at();

alter table ops.branches enable row level security;

grant select, update (stage) on ops.branches to authenticated;
grant select, insert, update, delete on ops.branches to service_role;

create policy "authenticated can select branches of member projects"
on ops.branches
for select
to authenticated
using (project_id = any(array(select ops_private.member_project_ids('viewer'))));

create policy "admins can update branches of their projects"
on ops.branches
for update
to authenticated
using (project_id = any(array(select ops_private.member_project_ids('admin'))))
with check (project_id = any(array(select ops_private.member_project_ids('admin'))));

-- The stage rules, for every writer ------------------------------------------------

create or replace function ops.branches_check_stage()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_production text;
begin
  if new.stage is not distinct from old.stage then
    return new;
  end if;
  if old.deleted_at is not null then
    raise exception 'branch % is deleted: its stage stays %', quote_literal(old.name), old.stage
      using errcode = 'OP012', hint = 'Push the branch again first.';
  end if;
  if old.stage = 'production' and new.stage <> 'development' then
    raise exception 'branch % is production: it moves back to development only, not to %',
      quote_literal(old.name), new.stage
      using errcode = 'OP012', hint = 'Move it to development.';
  end if;
  if old.stage = 'development' and new.stage = 'production' then
    raise exception 'branch % is development: it moves to staging before production', quote_literal(old.name)
      using errcode = 'OP012', hint = 'Move it to staging first.';
  end if;
  if new.stage = 'production' then
    -- One promotion per project at a time: the second waits, then sees the first.
    perform pg_advisory_xact_lock(hashtextextended(concat_ws('/', 'ops.branches.production', new.project_id), 0));
    select b.name into v_production from ops.branches as b
    where b.project_id = new.project_id and b.stage = 'production' and b.id <> new.id;
    if found then
      raise exception 'branch % cannot become production: % is the project''s production branch',
        quote_literal(old.name), quote_literal(v_production)
        using errcode = 'OP012', hint = 'A project has one production branch: move that one to development first.';
    end if;
  end if;
  return new;
end
$$;

comment on function ops.branches_check_stage() is
'Trigger function: refuses a stage change Odoo.sh''s rules do not allow (OP012, saying why): development <-> '
'staging, staging -> production when the project has none, production -> development only; none for a deleted branch.';

revoke execute on function ops.branches_check_stage() from public, anon, authenticated;

create trigger branches_check_stage
before update of stage on ops.branches
for each row execute function ops.branches_check_stage();

-- projects.production_branch mirrors the production branch -----------------------

alter table ops.projects alter column production_branch drop not null;
-- is_git_ref_name(null) is false: null must pass now.
alter table ops.projects drop constraint projects_production_branch_is_valid;
alter table ops.projects add constraint projects_production_branch_is_valid check (
  production_branch is null or ops.is_git_ref_name(production_branch)
);

comment on column ops.projects.production_branch is
'The name of the project''s production branch (ops.branches), kept by the database; null while it has none. '
'Set at insert (the branch is created from it), then changed with ops.set_branch_stage only.';

revoke update (production_branch) on ops.projects from authenticated;

create or replace function ops.projects_refuse_production_branch_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.production_branch is distinct from old.production_branch
    and coalesce(current_setting('ops.syncing_production_branch', true), '') <> 'on' then
    raise exception 'projects.production_branch follows the production branch: it cannot be set to %',
      ops_private.quote_short(new.production_branch)
      using errcode = 'OP012',
      hint = 'Move branches between stages with ops.set_branch_stage(slug, branch, stage).';
  end if;
  return new;
end
$$;

comment on function ops.projects_refuse_production_branch_change() is
'Trigger function: refuses a direct change of projects.production_branch (OP012); the database sets it when the '
'production branch changes (ops.set_branch_stage).';

revoke execute on function ops.projects_refuse_production_branch_change() from public, anon, authenticated;

create trigger projects_refuse_production_branch_change
before update of production_branch on ops.projects
for each row execute function ops.projects_refuse_production_branch_change();

-- SECURITY DEFINER: an admin who moves a branch may not update
-- projects.production_branch (no column grant), which the database keeps.
create or replace function ops_private.branches_sync_production_branch()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_name text;
begin
  select b.name into v_name from ops.branches as b where b.project_id = new.project_id and b.stage = 'production';
  perform set_config('ops.syncing_production_branch', 'on', true);
  update ops.projects as p set production_branch = v_name
  where p.id = new.project_id and p.production_branch is distinct from v_name;
  perform set_config('ops.syncing_production_branch', '', true);
  return null;
end
$$;

comment on function ops_private.branches_sync_production_branch() is
'Trigger function: sets projects.production_branch to the name of the project''s production branch (null when '
'none) after a branch is inserted or changes stage.';

revoke execute on function ops_private.branches_sync_production_branch() from public, anon, authenticated;

create trigger branches_900_sync_production_branch
after insert or update of stage on ops.branches
for each row execute function ops_private.branches_sync_production_branch();

-- SECURITY DEFINER: the project's creator may not insert branches.
create or replace function ops_private.projects_create_production_branch()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.production_branch is not null then
    insert into ops.branches (project_id, name, stage) values (new.id, new.production_branch, 'production');
  end if;
  return null;
end
$$;

comment on function ops_private.projects_create_production_branch() is
'Trigger function: creates a new project''s production branch from projects.production_branch.';

revoke execute on function ops_private.projects_create_production_branch() from public, anon, authenticated;

create trigger projects_800_create_production_branch
after insert on ops.projects
for each row execute function ops_private.projects_create_production_branch();

-- Existing projects and the branches their runs name.
insert into ops.branches (project_id, name, stage)
select
  p.id,
  p.production_branch,
  'production' as stage
from ops.projects as p
where p.production_branch is not null;

-- Each other branch once, its head the commit of its newest run.
insert into ops.branches (project_id, name, stage, head_commit, created_at)
select distinct on (r.project_id, r.branch)
  r.project_id,
  r.branch,
  'development' as stage,
  r.commit_sha,
  r.created_at
from ops.runs as r
order by r.project_id asc, r.branch asc, r.created_at desc
on conflict (project_id, name) do nothing;

-- Runs belong to a branch ------------------------------------------------------------

alter table ops.runs add column branch_id uuid;

comment on column ops.runs.branch_id is
'The run''s branch (ops.branches), set by the database from project_id and branch; branch keeps the name.';

-- The back-fill is not a change of the runs: finished runs are final
-- (runs_200_check_transition) and updated_at says when a run last changed.
-- Both triggers are off for it and on again in the same transaction, so no
-- other session ever writes without them.
alter table ops.runs disable trigger runs_200_check_transition;
alter table ops.runs disable trigger runs_set_updated_at;

do $$
declare
  v_batch constant integer := 50000;
  v_after uuid := '00000000-0000-0000-0000-000000000000';
begin
  -- Batches of the next run ids in key order; each run's branch one probe of
  -- branches_project_id_name_key.
  loop
    with batch as (
      select r.id from ops.runs as r
      where r.id > v_after
      order by r.id
      limit v_batch
    ),

    filled as (
      update ops.runs as r
      set branch_id = (select b.id from ops.branches as b where b.project_id = r.project_id and b.name = r.branch)
      from batch as t
      where r.id = t.id and r.branch_id is null
      returning r.id
    )

    select (select t.id from batch as t order by t.id desc limit 1) into v_after;
    exit when v_after is null;
  end loop;
end
$$;

alter table ops.runs enable trigger runs_200_check_transition;
alter table ops.runs enable trigger runs_set_updated_at;

alter table ops.runs alter column branch_id set not null;
alter table ops.runs
add constraint runs_branch_id_project_id_fkey foreign key (branch_id, project_id)
references ops.branches (id, project_id) on delete cascade;

-- A branch's runs, newest first (the CLI's and console's branch view, the
-- cancel of a deleted branch's runs, the foreign key's deletes).
create index runs_branch_id_created_at_idx on ops.runs (branch_id, created_at desc);

-- SECURITY DEFINER: a developer who queues the first run of a new branch may
-- not insert branches; this creates it. It only ever creates a development
-- branch of the run's own project, named as the run says.
create or replace function ops_private.runs_set_branch_id()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_branch_id uuid;
  v_manual text;
begin
  -- A run moved to another project keeps its branch_id, which the foreign
  -- key (branch_id, project_id) then refuses (23503).
  if tg_op = 'UPDATE' and new.branch is not distinct from old.branch
    and new.branch_id is not distinct from old.branch_id then
    return new;
  end if;
  if tg_op = 'INSERT' and coalesce(current_setting('ops.run_trigger', true), '') = '' then
    select w.triggers ->> 'manual' into v_manual from ops.workflows as w where w.id = new.workflow_id;
    if v_manual = 'false' then
      raise exception 'workflow % runs on its triggers only: its triggers say "manual": false',
        (select quote_literal(w.name) from ops.workflows as w where w.id = new.workflow_id)
        using errcode = '22023', hint = 'Push to a branch the workflow''s triggers name, or set "manual": true.';
    end if;
  end if;
  if new.project_id is null or new.branch is null then
    return new; -- the not-null constraints say which
  end if;
  select b.id into v_branch_id from ops.branches as b where b.project_id = new.project_id and b.name = new.branch;
  if not found then
    insert into ops.branches (project_id, name, stage, head_commit)
    values (new.project_id, new.branch, 'development', new.commit_sha)
    on conflict (project_id, name) do nothing
    returning id into v_branch_id;
    if v_branch_id is null then
      -- Created by a concurrent transaction that committed first.
      select b.id into v_branch_id from ops.branches as b where b.project_id = new.project_id and b.name = new.branch;
    end if;
  end if;
  if new.branch_id is not null and new.branch_id <> v_branch_id then
    raise exception 'runs.branch_id must be the id of branch %, got %', quote_literal(new.branch), new.branch_id
      using errcode = '22023', hint = 'Leave branch_id out: the database sets it from branch.';
  end if;
  new.branch_id := v_branch_id;
  return new;
end
$$;

comment on function ops_private.runs_set_branch_id() is
'Trigger function: sets runs.branch_id to the branch named by runs.branch, creating it (development, head the '
'run''s commit) when new; refuses another branch_id (22023), and a run queued by hand of a workflow whose triggers '
'say "manual": false (22023).';

revoke execute on function ops_private.runs_set_branch_id() from public, anon, authenticated;

-- After runs_050_check_secret_params and runs_060_copy_required_labels: the
-- caller's parameters are checked before the database fills anything in.
create trigger runs_070_set_branch_id
before insert or update of branch, branch_id on ops.runs
for each row execute function ops_private.runs_set_branch_id();

-- Triggers: when a workflow runs ------------------------------------------------------

create or replace function ops.branch_matches(p_branch text, p_pattern text)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  -- * matches within one path segment, ** across segments; everything else
  -- literally (the pattern alphabet is letters, digits and . _ / - *).
  select p_branch ~ (
    '^' || replace(replace(replace(replace(p_pattern, '.', '\.'), '**', chr(1)), '*', '[^/]*'), chr(1), '.*') || '$'
  )
$$;

comment on function ops.branch_matches(text, text) is
'True when a branch name matches a trigger pattern: * within one path segment, ** across segments, the rest literally.';

revoke execute on function ops.branch_matches(text, text) from public, anon;
grant execute on function ops.branch_matches(text, text) to authenticated, service_role;

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
      if v_key not in ('branches', case v_event when 'push' then 'stages' else 'actions' end) then
        raise exception 'triggers.%.% is not known: expected %', v_event, ops_private.quote_short(v_key),
          case v_event when 'push' then 'stages and branches' else 'actions and branches' end
          using errcode = '22023';
      end if;
    end loop;
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
'{"actions": [opened|updated, ...], "branches"?: [target pattern, ...]}}, every key optional, at most 8 KiB.';

revoke execute on function ops.validate_workflow_triggers(jsonb) from public, anon;
grant execute on function ops.validate_workflow_triggers(jsonb) to authenticated, service_role;

create or replace function ops.default_workflow_triggers(p_workflow_name text)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  -- Odoo.sh: development branches build and run the tests on every push,
  -- staging branches build on push, the production branch deploys.
  select case p_workflow_name
    when 'build' then '{"manual": true, "push": {"stages": ["development", "staging"]}}'
    when 'test' then
      '{"manual": true, "push": {"stages": ["development"]}, "pull_request": {"actions": ["opened", "updated"]}}'
    when 'deploy' then '{"manual": true, "push": {"stages": ["production"]}}'
    else '{"manual": true}'
  end::jsonb
$$;

comment on function ops.default_workflow_triggers(text) is
'Odoo.sh''s defaults for a workflow of this name: build on pushes to development and staging branches, test on '
'pushes to development branches and on pull requests, deploy on pushes to the production branch; others by hand only.';

revoke execute on function ops.default_workflow_triggers(text) from public, anon;
grant execute on function ops.default_workflow_triggers(text) to authenticated, service_role;

alter table ops.workflows add column triggers jsonb;
update ops.workflows set triggers = ops.default_workflow_triggers(name);
alter table ops.workflows alter column triggers set not null;

comment on column ops.workflows.triggers is
'When the workflow runs: {"manual": bool (default true: may be queued by hand), "push": {"stages": [...], '
'"branches": [pattern, ...]}, "pull_request": {"actions": ["opened", "updated"], "branches": [...]}}. '
'Inserted without it: ops.default_workflow_triggers(name).';

create or replace function ops.workflows_set_triggers()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' and new.triggers is null then
    new.triggers := ops.default_workflow_triggers(new.name);
  end if;
  perform ops.validate_workflow_triggers(new.triggers);
  return new;
end
$$;

comment on function ops.workflows_set_triggers() is
'Trigger function: gives a workflow inserted without triggers Odoo.sh''s defaults for its name, and validates '
'triggers (22023 naming the JSON path).';

revoke execute on function ops.workflows_set_triggers() from public, anon, authenticated;

create trigger workflows_set_triggers
before insert or update of triggers on ops.workflows
for each row execute function ops.workflows_set_triggers();

grant insert (triggers), update (triggers) on ops.workflows to authenticated;

-- Webhook deliveries -------------------------------------------------------------------

create table ops.webhook_deliveries (
  id uuid not null default extensions.gen_random_uuid(),
  project_id uuid not null,
  delivery_id text not null,
  event text not null,
  branch_id uuid,
  head_commit text,
  run_ids uuid[] not null default '{}',
  created_at timestamptz not null default now(),
  constraint webhook_deliveries_pkey primary key (id),
  constraint webhook_deliveries_project_id_delivery_id_key unique (project_id, delivery_id),
  constraint webhook_deliveries_project_id_fkey foreign key (project_id) references ops.projects (id) on delete cascade,
  constraint webhook_deliveries_branch_id_project_id_fkey foreign key (branch_id, project_id)
  references ops.branches (id, project_id) on delete cascade,
  constraint webhook_deliveries_delivery_id_is_valid check (delivery_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$'),
  constraint webhook_deliveries_event_is_known check (event in ('push', 'branch_deleted')),
  constraint webhook_deliveries_head_commit_is_hex check (head_commit ~ '^([0-9a-f]{6,40}|[0-9a-f]{64})$')
);

comment on table ops.webhook_deliveries is
'Each webhook delivery recorded by ops.record_push or ops.record_branch_deleted, with the runs it returned: a '
'redelivery (same project and delivery id) returns them again and changes nothing.';
comment on column ops.webhook_deliveries.delivery_id is
'The provider''s delivery id (GitHub X-GitHub-Delivery, GitLab X-Gitlab-Event-UUID).';
comment on column ops.webhook_deliveries.event is 'push or branch_deleted.';
comment on column ops.webhook_deliveries.run_ids is
'The runs the delivery returned: queued by a push, or canceled by a deletion.';

create index webhook_deliveries_branch_id_idx on ops.webhook_deliveries (branch_id);

alter table ops.webhook_deliveries enable row level security;

grant select on ops.webhook_deliveries to authenticated;
grant select, insert, update, delete on ops.webhook_deliveries to service_role;

create policy "authenticated can select webhook deliveries of member projects"
on ops.webhook_deliveries
for select
to authenticated
using (project_id = any(array(select ops_private.member_project_ids('viewer'))));

-- set_branch_stage -----------------------------------------------------------------------

create or replace function ops.set_branch_stage(p_project_slug text, p_branch text, p_stage ops.run_stage)
returns ops.branches
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_project ops.projects;
  v_branch ops.branches;
begin
  if p_project_slug is null or btrim(p_project_slug) = '' then
    raise exception 'p_project_slug must be a project slug, got %', ops_private.quote_short(p_project_slug)
      using errcode = '22023';
  end if;
  if not coalesce(ops.is_git_ref_name(p_branch), false) then
    raise exception 'p_branch must be a git branch name, got %', ops_private.quote_short(p_branch)
      using errcode = '22023';
  end if;
  if p_stage is null then
    raise exception 'p_stage must be development, staging or production, got null' using errcode = '22023';
  end if;
  select p.* into v_project from ops.projects as p where p.slug = p_project_slug;
  if not found then
    raise exception 'project % not found', ops_private.quote_short(p_project_slug)
      using errcode = 'P0002', hint = 'Check the slug, and that you are a member of the project.';
  end if;
  if ops_private.caller_role() = 'authenticated' and not ops_private.has_project_role(v_project.id, 'admin') then
    raise exception 'set_branch_stage: changing the stage of branches of project % needs the admin role or above',
      v_project.slug
      using errcode = '42501';
  end if;
  select b.* into v_branch from ops.branches as b
  where b.project_id = v_project.id and b.name = p_branch
  for update;
  if not found then
    raise exception 'branch % not found in project %', ops_private.quote_short(p_branch), v_project.slug
      using errcode = 'P0002', hint = 'A branch exists once it is pushed or a run of it is queued.';
  end if;
  -- The trigger branches_check_stage applies Odoo.sh's rules (OP012).
  update ops.branches as b set stage = p_stage where b.id = v_branch.id
  returning b.* into v_branch;
  return v_branch;
end
$$;

comment on function ops.set_branch_stage(text, text, ops.run_stage) is
'Moves a branch to another stage and returns it, following Odoo.sh''s rules: development <-> staging; staging -> '
'production when the project has no production branch; production -> development only. Callable by admins and '
'owners of the project and by service_role. '
'SQLSTATEs: 22023 invalid parameter, P0002 unknown project or branch, 42501 not an admin, OP012 a move the rules '
'refuse (the message says why).';

revoke execute on function ops.set_branch_stage(text, text, ops.run_stage) from public, anon, authenticated;
grant execute on function ops.set_branch_stage(text, text, ops.run_stage) to authenticated, service_role;

-- record_push ------------------------------------------------------------------------------

create or replace function ops_private.check_delivery(p_project_id uuid, p_branch text, p_delivery_id text)
returns ops.projects
language plpgsql
stable
set search_path = ''
as $$
declare
  v_project ops.projects;
begin
  if p_project_id is null then
    raise exception 'p_project_id must be a project id, got null' using errcode = '22023';
  end if;
  if not coalesce(ops.is_git_ref_name(p_branch), false) then
    raise exception 'p_branch must be a git branch name, got %', ops_private.quote_short(p_branch)
      using errcode = '22023';
  end if;
  if p_delivery_id is null or p_delivery_id !~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$' then
    raise exception 'p_delivery_id must be 1 to 100 letters, digits and . _ : -, got %',
      ops_private.quote_short(p_delivery_id)
      using errcode = '22023', hint = 'The provider''s delivery id: X-GitHub-Delivery or X-Gitlab-Event-UUID.';
  end if;
  select p.* into v_project from ops.projects as p where p.id = p_project_id;
  if not found then
    raise exception 'project % not found', p_project_id using errcode = 'P0002';
  end if;
  return v_project;
end
$$;

comment on function ops_private.check_delivery(uuid, text, text) is
'Validates the parameters common to ops.record_push and ops.record_branch_deleted and returns the project.';

revoke execute on function ops_private.check_delivery(uuid, text, text) from public, anon, authenticated;
grant execute on function ops_private.check_delivery(uuid, text, text) to service_role;

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
  v_delivery ops.webhook_deliveries;
  v_workflow ops.workflows;
  v_run ops.runs;
  v_run_ids uuid[] := '{}'::uuid[];
begin
  v_project := ops_private.check_delivery(p_project_id, p_branch, p_delivery_id);
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

  -- The delivery first: a concurrent redelivery waits on its key, then
  -- returns the runs this one recorded.
  insert into ops.webhook_deliveries (project_id, delivery_id, event, head_commit)
  values (v_project.id, p_delivery_id, 'push', p_head_commit)
  on conflict (project_id, delivery_id) do nothing
  returning * into v_delivery;
  if v_delivery.id is null then
    return query
    select r.* from ops.webhook_deliveries as d
    cross join lateral unnest(d.run_ids) with ordinality as u (run_id, n)
    inner join ops.runs as r on r.id = u.run_id
    where d.project_id = v_project.id and d.delivery_id = p_delivery_id
    order by u.n;
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

  update ops.webhook_deliveries as d set branch_id = v_branch.id, run_ids = v_run_ids where d.id = v_delivery.id;
  return;
end
$$;

comment on function ops.record_push(uuid, text, text, text, text) is
'Records a push of p_head_commit to a branch (for the webhook handler): upserts the branch (a new one is '
'development; a deleted one exists again), then queues, through ops.enqueue_run, every enabled workflow whose push '
'trigger names the branch''s stage and matches its name, for the head commit, with the branch''s stage (superseding '
'as each workflow says). Returns the runs, by workflow name. Idempotent per (project, p_delivery_id): a '
'redelivery returns the same runs and changes nothing. service_role only. '
'SQLSTATEs: 22023 invalid parameter or archived project, P0002 unknown project.';

revoke execute on function ops.record_push(uuid, text, text, text, text) from public, anon, authenticated;
grant execute on function ops.record_push(uuid, text, text, text, text) to service_role;

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
  v_delivery ops.webhook_deliveries;
  v_run ops.runs;
  v_run_ids uuid[] := '{}'::uuid[];
begin
  v_project := ops_private.check_delivery(p_project_id, p_branch, p_delivery_id);

  insert into ops.webhook_deliveries (project_id, delivery_id, event)
  values (v_project.id, p_delivery_id, 'branch_deleted')
  on conflict (project_id, delivery_id) do nothing
  returning * into v_delivery;
  if v_delivery.id is null then
    return query
    select r.* from ops.webhook_deliveries as d
    cross join lateral unnest(d.run_ids) with ordinality as u (run_id, n)
    inner join ops.runs as r on r.id = u.run_id
    where d.project_id = v_project.id and d.delivery_id = p_delivery_id
    order by u.n;
    return;
  end if;

  update ops.branches as b set deleted_at = coalesce(b.deleted_at, now())
  where b.project_id = v_project.id and b.name = p_branch
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

  update ops.webhook_deliveries as d set branch_id = v_branch.id, run_ids = v_run_ids where d.id = v_delivery.id;
  return;
end
$$;

comment on function ops.record_branch_deleted(uuid, text, text) is
'Records the deletion of a branch (for the webhook handler): marks it deleted, ends its queued runs canceled and '
'asks its claimed and running runs to stop, each with the reason ''branch <name> deleted''; returns those runs. An '
'unknown branch changes nothing. Idempotent per (project, p_delivery_id): a redelivery returns the same runs and '
'changes nothing. service_role only. SQLSTATEs: 22023 invalid parameter, P0002 unknown project.';

revoke execute on function ops.record_branch_deleted(uuid, text, text) from public, anon, authenticated;
grant execute on function ops.record_branch_deleted(uuid, text, text) to service_role;

-- apply_workflow -------------------------------------------------------------------------

create or replace function ops.apply_workflow(p_project_slug text, p_workflow jsonb)
returns ops.workflows
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_project ops.projects;
  v_key text;
  v_name text;
  v_workflow ops.workflows;
begin
  if p_project_slug is null or btrim(p_project_slug) = '' then
    raise exception 'p_project_slug must be a project slug, got %', ops_private.quote_short(p_project_slug)
      using errcode = '22023';
  end if;
  perform ops_private.check_json_object('p_workflow', p_workflow, 262144);
  for v_key in select jsonb_object_keys(p_workflow) loop
    if v_key not in (
      'name', 'description', 'steps', 'default_timeout_seconds', 'max_attempts', 'lease_seconds', 'enabled',
      'supersede', 'required_labels', 'triggers'
    ) then
      raise exception 'p_workflow.% is not a workflow field', ops_private.quote_short(v_key)
        using errcode = '22023',
        hint = 'Fields: name, description, steps, default_timeout_seconds, max_attempts, lease_seconds, enabled, '
        'supersede, required_labels, triggers.';
    end if;
  end loop;
  v_name := p_workflow ->> 'name';
  if jsonb_typeof(p_workflow -> 'name') is distinct from 'string' or v_name !~ '^[a-z][a-z0-9_-]{0,62}$' then
    raise exception 'p_workflow.name must be a workflow name (a lowercase letter, then up to 62 of a-z 0-9 _ -), got %',
      ops_private.quote_short((p_workflow -> 'name')::text)
      using errcode = '22023';
  end if;
  if not p_workflow ? 'steps' then
    raise exception 'p_workflow.steps is required: the workflow''s steps, in order' using errcode = '22023';
  end if;
  select p.* into v_project from ops.projects as p where p.slug = p_project_slug;
  if not found then
    raise exception 'project % not found', ops_private.quote_short(p_project_slug)
      using errcode = 'P0002', hint = 'Check the slug, and that you are a member of the project.';
  end if;
  if ops_private.caller_role() = 'authenticated' and not ops_private.has_project_role(v_project.id, 'admin') then
    raise exception 'apply_workflow: changing the workflows of project % needs the admin role or above', v_project.slug
      using errcode = '42501';
  end if;

  -- A field left out takes its default: the file is the whole definition.
  -- The table's triggers and checks validate every value (steps, supersede,
  -- labels, triggers: 22023 naming it; bounds: 23514 naming the constraint).
  insert into ops.workflows as w (
    project_id, name, description, steps, default_timeout_seconds, max_attempts, lease_seconds, enabled,
    supersede, required_labels, triggers
  )
  values (
    v_project.id, v_name, p_workflow ->> 'description', p_workflow -> 'steps',
    coalesce((p_workflow ->> 'default_timeout_seconds')::integer, 3600),
    coalesce((p_workflow ->> 'max_attempts')::integer, 3),
    coalesce((p_workflow ->> 'lease_seconds')::integer, 60),
    coalesce((p_workflow ->> 'enabled')::boolean, true),
    coalesce(p_workflow ->> 'supersede', 'queued'),
    coalesce(array(select jsonb_array_elements_text(p_workflow -> 'required_labels')), '{}'),
    coalesce(p_workflow -> 'triggers', ops.default_workflow_triggers(v_name))
  )
  on conflict (project_id, name) do update
  set description = excluded.description, steps = excluded.steps,
    default_timeout_seconds = excluded.default_timeout_seconds, max_attempts = excluded.max_attempts,
    lease_seconds = excluded.lease_seconds, enabled = excluded.enabled, supersede = excluded.supersede,
    required_labels = excluded.required_labels, triggers = excluded.triggers
  returning w.* into v_workflow;
  return v_workflow;
exception
  when invalid_text_representation or numeric_value_out_of_range then
    raise exception 'p_workflow: %', sqlerrm using errcode = '22023',
      hint = 'default_timeout_seconds, max_attempts and lease_seconds are integers, enabled is true or false.';
  when invalid_parameter_value then
    if sqlerrm like 'cannot extract elements%' then
      raise exception 'p_workflow.required_labels must be an array of labels' using errcode = '22023';
    end if;
    raise;
end
$$;

comment on function ops.apply_workflow(text, jsonb) is
'Creates or replaces a workflow of a project from its definition (the JSON of a workflow file: name, steps and '
'optionally description, default_timeout_seconds, max_attempts, lease_seconds, enabled, supersede, '
'required_labels, triggers; a field left out takes its default, triggers Odoo.sh''s for the name) and returns it. '
'Validated by the table''s own rules. Callable by admins and owners of the project and by service_role. '
'SQLSTATEs: 22023 invalid field (named), 23514 a value out of bounds (names the constraint), P0002 unknown project, '
'42501 not an admin.';

revoke execute on function ops.apply_workflow(text, jsonb) from public, anon, authenticated;
grant execute on function ops.apply_workflow(text, jsonb) to authenticated, service_role;

analyze ops.branches;
analyze ops.runs;
