-- Week 2: the nine tables of the OdooOps control plane.
--
-- Objects: enum types run_status, run_stage, log_level, member_role,
-- advisory_severity; tables ops.projects, ops.workflows, ops.runs (the queue),
-- ops.run_events, ops.run_artifacts, ops.run_logs, ops.tools,
-- ops.upgrade_advisories, ops.project_memberships; their indexes, validation
-- functions and updated_at triggers. The state machine and row-level security
-- follow in the next two migrations (RLS is enabled here, on every table, so
-- nothing is ever readable before its policies exist).
-- Locks: none on existing objects.
-- Roll back: drop the nine tables and the five types (no data depends on them
-- outside ops).

create type ops.run_status as enum ('queued', 'claimed', 'running', 'succeeded', 'failed', 'canceled');
comment on type ops.run_status is
'Where a run is in its life: queued -> claimed -> running -> succeeded | failed | canceled.';

create type ops.run_stage as enum ('production', 'staging', 'development');
comment on type ops.run_stage is 'The Odoo.sh-style stage of the branch a run builds.';

create type ops.log_level as enum ('debug', 'info', 'warning', 'error');
comment on type ops.log_level is 'Severity of a run log line.';

-- Declared from least to most rights so that role >= 'developer' reads naturally.
create type ops.member_role as enum ('viewer', 'developer', 'admin', 'owner');
comment on type ops.member_role is
'A member''s rights on a project, ordered: viewer < developer < admin < owner.';

create type ops.advisory_severity as enum ('breaking', 'deprecation');
comment on type ops.advisory_severity is
'breaking: install, update or behaviour fails on the target series; deprecation: warns now, breaks later.';

-- Validation helpers ----------------------------------------------------------

create or replace function ops.is_odoo_series(p_series text)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select p_series in ('16.0', '17.0', '18.0', '19.0')
$$;

comment on function ops.is_odoo_series(text) is
'True for an Odoo series OdooOps builds: 16.0, 17.0, 18.0, 19.0.';

revoke execute on function ops.is_odoo_series(text) from public, anon;
grant execute on function ops.is_odoo_series(text) to authenticated, service_role;

create or replace function ops.is_git_ref_name(p_name text)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  -- The rules of git check-ref-format that matter for branch names.
  select p_name is not null
    and length(p_name) between 1 and 255
    and p_name ~ '^[A-Za-z0-9._/-]+$'
    and p_name !~ '(^[./-])|([./]$)|(\.\.)|(//)|(@\{)|(\.lock$)|(/\.)'
$$;

comment on function ops.is_git_ref_name(text) is
'True for a usable git branch name (the check-ref-format rules that matter, ASCII only).';

revoke execute on function ops.is_git_ref_name(text) from public, anon;
grant execute on function ops.is_git_ref_name(text) to authenticated, service_role;

create or replace function ops.is_valid_regex(p_pattern text)
returns boolean
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  perform '' ~ p_pattern;
  return true;
exception
  when invalid_regular_expression then
    return false;
end
$$;

comment on function ops.is_valid_regex(text) is
'True when the pattern compiles as a PostgreSQL regular expression.';

revoke execute on function ops.is_valid_regex(text) from public, anon;
grant execute on function ops.is_valid_regex(text) to authenticated, service_role;

-- Workflow steps: [{name, command, tool?, timeout_seconds?, env?, artifacts?}, ...]
-- Raises with the path of the offending field, so a client sees which step is wrong.
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
        raise exception 'workflows.steps[%].% is not a known step field', v_i, v_key
          using errcode = '22023', hint = 'Known fields: name, command, tool, timeout_seconds, env, artifacts.';
      end if;
    end loop;
    v_name := v_step ->> 'name';
    if jsonb_typeof(v_step -> 'name') is distinct from 'string' or v_name !~ '^[a-z][a-z0-9_-]{0,62}$' then
      raise exception 'workflows.steps[%].name must match ^[a-z][a-z0-9_-]{0,62}$, got %', v_i,
        coalesce(v_step -> 'name', 'null'::jsonb)
        using errcode = '22023';
    end if;
    if v_name = any(v_names) then
      raise exception 'workflows.steps[%].name % is used by an earlier step', v_i, v_name using errcode = '22023';
    end if;
    v_names := v_names || v_name;
    if jsonb_typeof(v_step -> 'command') is distinct from 'string' or btrim(v_step ->> 'command') = '' then
      raise exception 'workflows.steps[%].command must be a non-empty string, got %', v_i,
        coalesce(v_step -> 'command', 'null'::jsonb)
        using errcode = '22023';
    end if;
    if v_step ? 'tool' and (jsonb_typeof(v_step -> 'tool') <> 'string'
      or (v_step ->> 'tool') !~ '^[a-z0-9][a-z0-9._-]{0,62}$') then
      raise exception 'workflows.steps[%].tool must be a tool name, got %', v_i, v_step -> 'tool'
        using errcode = '22023';
    end if;
    if v_step ? 'timeout_seconds' and (jsonb_typeof(v_step -> 'timeout_seconds') <> 'number'
      or (v_step ->> 'timeout_seconds') !~ '^[0-9]+$'
      or (v_step ->> 'timeout_seconds')::numeric not between 1 and 86400) then
      raise exception 'workflows.steps[%].timeout_seconds must be an integer from 1 to 86400, got %', v_i,
        v_step -> 'timeout_seconds'
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

-- Tables ----------------------------------------------------------------------

create table ops.projects (
  id uuid not null default extensions.gen_random_uuid(),
  slug text not null,
  name text not null,
  odoo_series text not null,
  repository_url text not null,
  production_branch text not null default 'main',
  settings jsonb not null default '{}'::jsonb,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint projects_pkey primary key (id),
  constraint projects_slug_key unique (slug),
  constraint projects_slug_is_valid check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
  constraint projects_name_is_valid check (length(btrim(name)) between 1 and 200),
  constraint projects_odoo_series_is_supported check (ops.is_odoo_series(odoo_series)),
  constraint projects_repository_url_is_valid check (
    repository_url ~ '^(https://|ssh://|git@[A-Za-z0-9.-]+:|file:///)[^[:space:]]+$'
  ),
  constraint projects_production_branch_is_valid check (ops.is_git_ref_name(production_branch)),
  constraint projects_settings_is_object check (jsonb_typeof(settings) = 'object'),
  constraint projects_created_by_fkey foreign key (created_by) references auth.users (id) on delete set null
);

comment on table ops.projects is 'A workspace for one Odoo codebase (one repository, one Odoo series).';
comment on column ops.projects.slug is 'URL-safe unique handle: lowercase letters, digits and dashes.';
comment on column ops.projects.odoo_series is 'Odoo series the codebase targets: 16.0, 17.0, 18.0 or 19.0.';
comment on column ops.projects.repository_url is 'Git remote of the addons repository (https, ssh or file).';
comment on column ops.projects.production_branch is 'The one branch in the production stage.';
comment on column ops.projects.settings is 'Free-form project settings (a JSON object).';

create index projects_created_by_idx on ops.projects (created_by);

create table ops.workflows (
  id uuid not null default extensions.gen_random_uuid(),
  project_id uuid not null,
  name text not null,
  description text,
  steps jsonb not null,
  default_timeout_seconds integer not null default 3600,
  max_attempts integer not null default 3,
  lease_seconds integer not null default 60,
  enabled boolean not null default true,
  version integer not null default 1,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint workflows_pkey primary key (id),
  constraint workflows_project_id_name_key unique (project_id, name),
  -- Lets ops.runs check that its workflow belongs to its project.
  constraint workflows_id_project_id_key unique (id, project_id),
  constraint workflows_project_id_fkey foreign key (project_id) references ops.projects (id) on delete cascade,
  constraint workflows_created_by_fkey foreign key (created_by) references auth.users (id) on delete set null,
  constraint workflows_name_is_valid check (name ~ '^[a-z][a-z0-9_-]{0,62}$'),
  constraint workflows_steps_is_array check (jsonb_typeof(steps) = 'array'),
  constraint workflows_default_timeout_is_positive check (default_timeout_seconds between 1 and 86400),
  constraint workflows_max_attempts_is_positive check (max_attempts between 1 and 20),
  constraint workflows_lease_seconds_is_sane check (lease_seconds between 5 and 3600),
  constraint workflows_version_is_positive check (version >= 1)
);

comment on table ops.workflows is
'Named workflow definitions of a project (build, test, deploy, upgrade-scan, destroy): ordered steps.';
comment on column ops.workflows.steps is
'Ordered steps: [{"name", "command", "tool"?, "timeout_seconds"?, "env"?, "artifacts"?}].';
comment on column ops.workflows.lease_seconds is
'How long a claim or heartbeat holds a run before another worker may recover it.';
comment on column ops.workflows.version is 'Incremented whenever steps change.';

create table ops.runs (
  id uuid not null default extensions.gen_random_uuid(),
  project_id uuid not null,
  workflow_id uuid not null,
  stage ops.run_stage not null default 'development',
  branch text not null,
  commit_sha text not null,
  params jsonb not null default '{}'::jsonb,
  priority integer not null default 0,
  run_after timestamptz not null default now(),
  status ops.run_status not null default 'queued',
  attempt integer not null default 0,
  max_attempts integer not null default 3,
  worker_id text,
  lease_expires_at timestamptz,
  heartbeat_at timestamptz,
  cancel_requested_at timestamptz,
  cancel_reason text,
  exit_code integer,
  error_message text,
  last_log_seq bigint not null default 0,
  idempotency_key text,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  claimed_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now(),
  constraint runs_pkey primary key (id),
  constraint runs_project_id_idempotency_key_key unique (project_id, idempotency_key),
  constraint runs_project_id_fkey foreign key (project_id) references ops.projects (id) on delete cascade,
  constraint runs_workflow_id_project_id_fkey foreign key (workflow_id, project_id)
  references ops.workflows (id, project_id) on delete cascade,
  constraint runs_created_by_fkey foreign key (created_by) references auth.users (id) on delete set null,
  constraint runs_branch_is_valid check (ops.is_git_ref_name(branch)),
  constraint runs_commit_sha_is_hex check (commit_sha ~ '^([0-9a-f]{6,40}|[0-9a-f]{64})$'),
  constraint runs_params_is_object check (jsonb_typeof(params) = 'object'),
  constraint runs_priority_is_bounded check (priority between -1000 and 1000),
  constraint runs_attempt_is_within_max check (attempt between 0 and max_attempts),
  constraint runs_max_attempts_is_positive check (max_attempts between 1 and 20),
  constraint runs_worker_id_is_valid check (worker_id ~ '^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$'),
  constraint runs_idempotency_key_is_valid check (length(idempotency_key) between 1 and 200),
  constraint runs_error_message_is_bounded check (length(error_message) <= 8000),
  constraint runs_cancel_reason_is_bounded check (length(cancel_reason) <= 1000),
  constraint runs_held_runs_have_worker check (
    (status in ('claimed', 'running')) = (worker_id is not null and lease_expires_at is not null)
  ),
  constraint runs_finished_runs_have_finished_at check (
    (status in ('succeeded', 'failed', 'canceled')) = (finished_at is not null)
  )
)
-- Heartbeats rewrite lease_expires_at and heartbeat_at, which no index covers:
-- with room left on each page they stay HOT updates.
with (fillfactor = 80);

comment on table ops.runs is
'The queue: one row per run of a workflow on a branch and commit, from queued to a terminal status.';
comment on column ops.runs.commit_sha is 'Git commit, lowercase hex: 6 to 40 characters, or 64 (SHA-256 repositories).';
comment on column ops.runs.params is 'Run parameters, exposed to steps as environment (a JSON object).';
comment on column ops.runs.priority is 'Higher runs first; from -1000 to 1000.';
comment on column ops.runs.run_after is 'Not claimed before this time (delayed runs and retries).';
comment on column ops.runs.attempt is 'How many times the run has been claimed.';
comment on column ops.runs.worker_id is 'The worker holding the run while claimed or running.';
comment on column ops.runs.lease_expires_at is 'When the holder''s claim lapses unless it heartbeats.';
comment on column ops.runs.cancel_requested_at is 'Set when a cancel was asked for a claimed or running run.';
comment on column ops.runs.last_log_seq is 'Highest ops.run_logs.seq stored for the run.';
comment on column ops.runs.idempotency_key is 'Client key: enqueueing twice with it returns the same run.';

-- The claim's ORDER BY exactly, over queued rows only: it stays small however
-- long the history grows, and "next queued run" is an index scan.
create index runs_claimable_idx on ops.runs (priority desc, created_at, id) where status = 'queued';
-- Held runs, for lease-expiry recovery; status changes are rare, heartbeats do not touch it.
create index runs_held_idx on ops.runs (id) where status in ('claimed', 'running');
create index runs_project_id_created_at_idx on ops.runs (project_id, created_at desc);
create index runs_workflow_id_idx on ops.runs (workflow_id);
create index runs_created_by_idx on ops.runs (created_by);

create table ops.run_events (
  id bigint generated always as identity,
  run_id uuid not null,
  from_status ops.run_status,
  to_status ops.run_status not null,
  actor text not null,
  reason text,
  payload jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default clock_timestamp(),
  constraint run_events_pkey primary key (id),
  constraint run_events_run_id_fkey foreign key (run_id) references ops.runs (id),
  constraint run_events_payload_is_object check (jsonb_typeof(payload) = 'object'),
  constraint run_events_status_changes check (from_status is distinct from to_status)
);

comment on table ops.run_events is
'Append-only history of every run status change, written by trigger; never updated or deleted.';
comment on column ops.run_events.from_status is 'Status before the change; null for the insert of the run.';
comment on column ops.run_events.actor is 'Who caused it: worker id, user id, or the database role.';

create index run_events_run_id_id_idx on ops.run_events (run_id, id);

create table ops.run_artifacts (
  id uuid not null default extensions.gen_random_uuid(),
  run_id uuid not null,
  artifact_key text not null,
  storage_url text not null,
  content_type text not null default 'application/octet-stream',
  size_bytes bigint not null,
  sha256 text not null,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  constraint run_artifacts_pkey primary key (id),
  constraint run_artifacts_run_id_artifact_key_key unique (run_id, artifact_key),
  constraint run_artifacts_run_id_fkey foreign key (run_id) references ops.runs (id) on delete cascade,
  -- A key becomes a path in storage: no empty, "." or ".." segments.
  constraint run_artifacts_artifact_key_is_valid check (
    artifact_key ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$' and artifact_key !~ '(^|/)\.{1,2}(/|$)|//|/$'
  ),
  constraint run_artifacts_storage_url_is_valid check (
    storage_url ~ '^(s3://[a-z0-9][a-z0-9.-]{1,62}/[^[:space:]]+|https://[^/[:space:]]+/[^[:space:]]*|file:///[^[:space:]]+)$'
  ),
  constraint run_artifacts_content_type_is_valid check (
    content_type ~ '^[a-z]+/[A-Za-z0-9.+_-]+(; ?[A-Za-z0-9_-]+=[A-Za-z0-9._-]+)*$'
  ),
  constraint run_artifacts_size_is_positive check (size_bytes >= 0),
  constraint run_artifacts_sha256_is_hex check (sha256 ~ '^[0-9a-f]{64}$'),
  constraint run_artifacts_metadata_is_object check (jsonb_typeof(metadata) = 'object')
);

comment on table ops.run_artifacts is 'Files a run produced (tarballs, reports), stored outside the database.';
comment on column ops.run_artifacts.artifact_key is 'Name of the artifact, unique within the run.';
comment on column ops.run_artifacts.storage_url is 'Where it is stored: s3://bucket/key, https://..., or file:///path.';
comment on column ops.run_artifacts.sha256 is 'SHA-256 of the content, lowercase hex.';

create table ops.run_logs (
  id bigint generated always as identity,
  run_id uuid not null,
  seq bigint not null,
  timestamp timestamptz not null default clock_timestamp(),
  level ops.log_level not null default 'info',
  stream text not null default 'build',
  message text not null,
  metadata jsonb not null default '{}'::jsonb,
  constraint run_logs_pkey primary key (id),
  -- "Logs of run X in order" and "last N lines" (read backwards); also what
  -- makes a retried batch land once.
  constraint run_logs_run_id_seq_key unique (run_id, seq),
  constraint run_logs_run_id_fkey foreign key (run_id) references ops.runs (id) on delete cascade,
  constraint run_logs_seq_is_positive check (seq >= 1),
  constraint run_logs_stream_is_valid check (stream ~ '^[a-z][a-z0-9_-]{0,31}$'),
  constraint run_logs_message_is_bounded check (length(message) <= 16384),
  constraint run_logs_metadata_is_object check (jsonb_typeof(metadata) = 'object')
);

comment on table ops.run_logs is 'Structured log lines of runs, in per-run sequence order.';
comment on column ops.run_logs.seq is 'Per-run line number from 1; a retried batch reuses it and is stored once.';
comment on column ops.run_logs.stream is 'Where the line came from: build, install, odoo, test, ...';
comment on column ops.run_logs.message is 'One line of output, at most 16384 characters.';

create table ops.tools (
  id uuid not null default extensions.gen_random_uuid(),
  name text not null,
  image text not null,
  tag text not null default 'latest',
  digest text,
  odoo_series text,
  description text,
  run_locally boolean not null default false,
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint tools_pkey primary key (id),
  constraint tools_name_key unique (name),
  constraint tools_name_is_valid check (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
  constraint tools_image_is_valid check (image ~ '^[a-z0-9]+([._/-][a-z0-9]+)*(:[0-9]+/[a-z0-9._/-]+)?$'),
  constraint tools_tag_is_valid check (tag ~ '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'),
  constraint tools_digest_is_sha256 check (digest ~ '^sha256:[0-9a-f]{64}$'),
  constraint tools_odoo_series_is_supported check (ops.is_odoo_series(odoo_series))
);

comment on table ops.tools is 'Docker images that workflow steps run in.';
comment on column ops.tools.digest is 'Pinned content digest (sha256:...), when known.';
comment on column ops.tools.run_locally is 'When no Docker engine answers, steps may run on the worker host itself.';

create table ops.upgrade_advisories (
  id uuid not null default extensions.gen_random_uuid(),
  code text not null,
  from_series text not null,
  to_series text not null,
  area text not null,
  severity ops.advisory_severity not null,
  title text not null,
  description text not null,
  detect_regex text not null,
  detect_globs text[] not null,
  remediation text not null,
  reference_url text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint upgrade_advisories_pkey primary key (id),
  constraint upgrade_advisories_code_key unique (code),
  constraint upgrade_advisories_code_is_valid check (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  constraint upgrade_advisories_series_are_valid check (
    from_series ~ '^[0-9]{1,2}\.0$' and to_series ~ '^[0-9]{1,2}\.0$'
    and to_series::numeric > from_series::numeric
  ),
  constraint upgrade_advisories_area_is_valid check (area ~ '^[a-z][a-z0-9-]{0,31}$'),
  constraint upgrade_advisories_detect_regex_compiles check (ops.is_valid_regex(detect_regex)),
  constraint upgrade_advisories_detect_globs_not_empty check (cardinality(detect_globs) >= 1),
  constraint upgrade_advisories_reference_url_is_https check (reference_url ~ '^https://')
);

comment on table ops.upgrade_advisories is
'Breaking changes and deprecations between Odoo series, with a pattern that detects affected code.';
comment on column ops.upgrade_advisories.to_series is 'First series where the change breaks or warns.';
comment on column ops.upgrade_advisories.detect_regex is
'Line pattern in the subset shared by PostgreSQL and Python regexes (no \b: use lookarounds).';
comment on column ops.upgrade_advisories.detect_globs is 'File name globs the pattern applies to (*.py, *.xml).';

create index upgrade_advisories_series_idx on ops.upgrade_advisories (from_series, to_series);

create table ops.project_memberships (
  id uuid not null default extensions.gen_random_uuid(),
  project_id uuid not null,
  user_id uuid not null,
  role ops.member_role not null default 'viewer',
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint project_memberships_pkey primary key (id),
  constraint project_memberships_project_id_user_id_key unique (project_id, user_id),
  constraint project_memberships_project_id_fkey foreign key (project_id)
  references ops.projects (id) on delete cascade,
  constraint project_memberships_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade,
  constraint project_memberships_created_by_fkey foreign key (created_by)
  references auth.users (id) on delete set null
);

comment on table ops.project_memberships is 'Who may see and do what in a project.';

-- Policies look memberships up by user first.
create index project_memberships_user_id_idx on ops.project_memberships (user_id, project_id);

-- updated_at and validation triggers ------------------------------------------

create trigger projects_set_updated_at
before update on ops.projects
for each row execute function ops.set_updated_at();

create trigger workflows_set_updated_at
before update on ops.workflows
for each row execute function ops.set_updated_at();

create trigger runs_set_updated_at
before update on ops.runs
for each row execute function ops.set_updated_at();

create trigger tools_set_updated_at
before update on ops.tools
for each row execute function ops.set_updated_at();

create trigger upgrade_advisories_set_updated_at
before update on ops.upgrade_advisories
for each row execute function ops.set_updated_at();

create trigger project_memberships_set_updated_at
before update on ops.project_memberships
for each row execute function ops.set_updated_at();

create or replace function ops.workflows_validate()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform ops.validate_workflow_steps(new.steps);
  if tg_op = 'UPDATE' and new.steps is distinct from old.steps then
    new.version := old.version + 1;
  end if;
  return new;
end
$$;

comment on function ops.workflows_validate() is
'Trigger function: validates steps and bumps version when they change.';

revoke execute on function ops.workflows_validate() from public, anon, authenticated;

create trigger workflows_validate
before insert or update of steps on ops.workflows
for each row execute function ops.workflows_validate();

alter table ops.projects enable row level security;
alter table ops.workflows enable row level security;
alter table ops.runs enable row level security;
alter table ops.run_events enable row level security;
alter table ops.run_artifacts enable row level security;
alter table ops.run_logs enable row level security;
alter table ops.tools enable row level security;
alter table ops.upgrade_advisories enable row level security;
alter table ops.project_memberships enable row level security;
