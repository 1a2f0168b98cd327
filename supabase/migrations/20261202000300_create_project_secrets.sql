-- Project secrets: write-only values per project (optionally per stage), that
-- runs refer to by name and only the worker holding a run can read.
--
-- Until now a run carried its secrets in params.secret_env, readable by every
-- member of the project (viewers included) through ops.runs. From here on:
--   ops.project_secrets                names, stage, who set them and when;
--                                      members (viewer and above) list them
--   ops_private.project_secret_values  the values: a schema the API does not
--                                      expose, no grant to any API role
-- Admins and owners (and service_role) set, rotate and delete secrets with
-- ops.set_project_secret and ops.delete_project_secret; nobody reads a value
-- back. A run names the secrets it needs in params.secrets (["API_TOKEN"]);
-- the worker holding the run gets their values from ops.get_run_secrets, a
-- stage-specific secret before a project-wide one of the same name. A
-- params.secret_env is refused, for ops.enqueue_run and direct inserts alike.
--
-- Objects: tables ops.project_secrets (policy "authenticated can select
-- secrets of member projects") and ops_private.project_secret_values;
-- functions ops.set_project_secret, ops.delete_project_secret,
-- ops.get_run_secrets (the API, SECURITY INVOKER) and their SECURITY DEFINER
-- parts in ops_private, the helpers ops_private.secret_admin_project_id and
-- ops_private.check_secret_name (executable by no API role), the trigger
-- function ops.runs_check_secret_params() and its trigger
-- runs_050_check_secret_params on ops.runs (it fires before
-- runs_100_before_insert: parameters are checked before defaults are filled).
-- Data: params.secret_env is removed from every existing run. Its values are
-- dropped, not moved (one value per run cannot become one per project): a
-- queued run that needed them has to be enqueued again once its secrets are
-- set as project secrets.
-- Locks: SHARE ROW EXCLUSIVE on ops.runs while its trigger is created, and
-- row locks on the runs that still carry params.secret_env (found by a
-- sequential scan); lock_timeout 5s makes a busy database fail fast.
-- Roll back: drop trigger runs_050_check_secret_params on ops.runs, the
-- functions named here and the two tables. The removed secret_env values do
-- not come back.
--
-- SQLSTATEs (also in comment on function):
--   22023 invalid parameter, naming it (a secret value is never quoted)
--   P0002 unknown project (or one the caller is not a member of), secret or
--         run; a secret that a run names and its project does not have
--   OP002 ops.get_run_secrets by a worker that does not hold the run
--   42501 the caller may not manage the secrets of this project

set local lock_timeout = '5s';

-- Tables ----------------------------------------------------------------------

create table ops.project_secrets (
  id uuid not null default extensions.gen_random_uuid(),
  project_id uuid not null,
  stage ops.run_stage,
  name text not null,
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_by uuid,
  updated_at timestamptz not null default now(),
  constraint project_secrets_pkey primary key (id),
  -- One secret of a name for every stage (stage null) and one per stage.
  constraint project_secrets_project_id_stage_name_key unique nulls not distinct (project_id, stage, name),
  constraint project_secrets_project_id_fkey foreign key (project_id) references ops.projects (id) on delete cascade,
  constraint project_secrets_created_by_fkey foreign key (created_by) references auth.users (id) on delete set null,
  constraint project_secrets_updated_by_fkey foreign key (updated_by) references auth.users (id) on delete set null,
  constraint project_secrets_name_is_env_name check (name ~ '^[A-Z_][A-Z0-9_]{0,127}$' and name !~ '^ODOOOPS_')
);

comment on table ops.project_secrets is
'Secrets of a project, by name: who set them and when, never their values (see ops.set_project_secret).';
comment on column ops.project_secrets.stage is 'The stage whose runs get it; null: every stage.';
comment on column ops.project_secrets.name is
'The environment variable steps see it as: ^[A-Z_][A-Z0-9_]{0,127}$, not ODOOOPS_*.';
comment on column ops.project_secrets.created_by is 'The user who first set it; null for service_role.';
comment on column ops.project_secrets.updated_by is 'The user who last set (rotated) it; null for service_role.';

create index project_secrets_created_by_idx on ops.project_secrets (created_by);
create index project_secrets_updated_by_idx on ops.project_secrets (updated_by);

alter table ops.project_secrets enable row level security;

create table ops_private.project_secret_values (
  secret_id uuid not null,
  value text not null,
  constraint project_secret_values_pkey primary key (secret_id),
  constraint project_secret_values_secret_id_fkey foreign key (secret_id)
  references ops.project_secrets (id) on delete cascade,
  -- text never holds NUL; 64 KiB is more than any token, key or certificate chain.
  constraint project_secret_values_value_is_bounded check (octet_length(value) between 1 and 65536)
);

comment on table ops_private.project_secret_values is
'The value of each ops.project_secrets row. No API role has any privilege on it: values go in through '
'ops.set_project_secret and out only through ops.get_run_secrets, to the worker holding a run.';

alter table ops_private.project_secret_values enable row level security;

-- Grants: names for members, values for nobody ------------------------------

revoke all on ops.project_secrets from public, anon, authenticated, service_role;
grant select on ops.project_secrets to authenticated, service_role;
revoke all on ops_private.project_secret_values from public, anon, authenticated, service_role;

create policy "authenticated can select secrets of member projects"
on ops.project_secrets
for select
to authenticated
using (project_id in (select ops_private.member_project_ids('viewer')));

-- set_project_secret and delete_project_secret --------------------------------

-- The project whose secrets the caller may manage: roles that bypass RLS
-- (service_role, postgres) any, a user those where they are admin or owner.
-- A project the user is not a member of is as unknown as a missing one.
-- Called only by the SECURITY DEFINER functions below (as their owner), so it
-- reads what the caller cannot and decides from the caller's role and JWT.
create or replace function ops_private.secret_admin_project_id(p_project_slug text, p_action text)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  v_project_id uuid;
  v_privileged boolean;
begin
  if p_project_slug is null or btrim(p_project_slug) = '' then
    raise exception 'p_project_slug must be a project slug, got %',
      ops_private.quote_short(p_project_slug)
      using errcode = '22023', hint = 'For example acme-erp.';
  end if;
  select coalesce(bool_or(r.rolbypassrls or r.rolsuper), false) into v_privileged
  from pg_catalog.pg_roles as r where r.rolname = ops_private.caller_role();
  select p.id into v_project_id from ops.projects as p where p.slug = p_project_slug;
  if v_project_id is null or (not v_privileged and not ops_private.has_project_role(v_project_id, 'viewer')) then
    raise exception 'project % not found', ops_private.quote_short(p_project_slug)
      using errcode = 'P0002', hint = 'Check the slug, and that you are a member of the project.';
  end if;
  if not v_privileged and not ops_private.has_project_role(v_project_id, 'admin') then
    raise exception '%: managing the secrets of project % needs the admin role or above', p_action, p_project_slug
      using errcode = '42501';
  end if;
  return v_project_id;
end
$$;

comment on function ops_private.secret_admin_project_id(text, text) is
'The id of the project a secret RPC may manage for the caller: any for roles that bypass RLS, else admin or owner. '
'SQLSTATEs: 22023 bad slug, P0002 unknown or not a member, 42501 below admin.';

revoke execute on function ops_private.secret_admin_project_id(text, text) from public, anon, authenticated, service_role;

create or replace function ops_private.check_secret_name(p_param text, p_name text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_name is null or p_name !~ '^[A-Z_][A-Z0-9_]{0,127}$' or p_name ~ '^ODOOOPS_' then
    raise exception '% must be a secret name matching ^[A-Z_][A-Z0-9_]{0,127}$ and not starting with ODOOOPS_, got %',
      p_param, ops_private.quote_short(p_name)
      using errcode = '22023', hint = 'Secrets are environment variables of the steps: API_TOKEN, not api-token.';
  end if;
end
$$;

comment on function ops_private.check_secret_name(text, text) is
'Raises 22023 naming the parameter when a secret name is not ^[A-Z_][A-Z0-9_]{0,127}$ or is ODOOOPS_*.';

revoke execute on function ops_private.check_secret_name(text, text) from public, anon, authenticated, service_role;

-- SECURITY DEFINER: it writes ops_private.project_secret_values, which no API
-- role may touch. It checks the caller itself (ops_private.secret_admin_project_id).
create or replace function ops_private.set_project_secret(
  p_project_slug text,
  p_name text,
  p_value text,
  p_stage ops.run_stage
)
returns ops.project_secrets
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_project_id uuid;
  v_secret ops.project_secrets;
begin
  perform ops_private.check_secret_name('p_name', p_name);
  -- Never quote the value: error messages reach clients and server logs.
  if p_value is null or p_value = '' then
    raise exception 'p_value must be a non-empty string, got %', case when p_value is null then 'null' else 'an empty one' end
      using errcode = '22023', hint = 'To remove a secret, use ops.delete_project_secret.';
  end if;
  if octet_length(p_value) > 65536 then
    raise exception 'p_value must be at most 65536 bytes, got % bytes', octet_length(p_value)
      using errcode = '22023', hint = 'Store large files as artifacts or in the repository; keep only a key here.';
  end if;
  v_project_id := ops_private.secret_admin_project_id(p_project_slug, 'set_project_secret');

  insert into ops.project_secrets as s (project_id, stage, name, created_by, updated_by)
  values (v_project_id, p_stage, p_name, auth.uid(), auth.uid())
  on conflict on constraint project_secrets_project_id_stage_name_key
  do update set updated_by = excluded.updated_by, updated_at = now()
  returning s.* into v_secret;
  insert into ops_private.project_secret_values as v (secret_id, value)
  values (v_secret.id, p_value)
  on conflict (secret_id) do update set value = excluded.value;
  return v_secret;
end
$$;

comment on function ops_private.set_project_secret(text, text, text, ops.run_stage) is
'Implementation of ops.set_project_secret (SECURITY DEFINER, checks the caller''s project role itself).';

revoke execute on function ops_private.set_project_secret(text, text, text, ops.run_stage)
from public, anon, authenticated;
grant execute on function ops_private.set_project_secret(text, text, text, ops.run_stage)
to authenticated, service_role;

create or replace function ops.set_project_secret(
  p_project_slug text,
  p_name text,
  p_value text,
  p_stage ops.run_stage default null
)
returns ops.project_secrets
language sql
volatile
set search_path = ''
as $$
  select * from ops_private.set_project_secret(p_project_slug, p_name, p_value, p_stage)
$$;

comment on function ops.set_project_secret(text, text, text, ops.run_stage) is
'Sets a secret of a project, for every stage (p_stage null) or for one stage, and returns its ops.project_secrets row '
'(never the value). Setting an existing name again rotates it: same row, new value, updated_by and updated_at. '
'Callable by admins and owners of the project, and service_role. Values: 1 to 65536 bytes. '
'SQLSTATEs: 22023 invalid parameter (the value is never quoted), P0002 unknown project, 42501 below admin.';

revoke execute on function ops.set_project_secret(text, text, text, ops.run_stage) from public, anon, authenticated;
grant execute on function ops.set_project_secret(text, text, text, ops.run_stage) to authenticated, service_role;

-- SECURITY DEFINER: authenticated may not delete from ops.project_secrets;
-- the caller is checked as in ops_private.set_project_secret.
create or replace function ops_private.delete_project_secret(p_project_slug text, p_name text, p_stage ops.run_stage)
returns ops.project_secrets
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_project_id uuid;
  v_secret ops.project_secrets;
begin
  perform ops_private.check_secret_name('p_name', p_name);
  v_project_id := ops_private.secret_admin_project_id(p_project_slug, 'delete_project_secret');
  -- The value goes with it (on delete cascade).
  delete from ops.project_secrets as s
  where s.project_id = v_project_id and s.name = p_name and s.stage is not distinct from p_stage
  returning s.* into v_secret;
  if not found then
    raise exception 'secret % not found in project % for %', p_name, p_project_slug,
      coalesce('stage ' || p_stage::text, 'every stage')
      using errcode = 'P0002', hint = 'List the project''s secrets with select * from ops.project_secrets.';
  end if;
  return v_secret;
end
$$;

comment on function ops_private.delete_project_secret(text, text, ops.run_stage) is
'Implementation of ops.delete_project_secret (SECURITY DEFINER, checks the caller''s project role itself).';

revoke execute on function ops_private.delete_project_secret(text, text, ops.run_stage) from public, anon, authenticated;
grant execute on function ops_private.delete_project_secret(text, text, ops.run_stage) to authenticated, service_role;

create or replace function ops.delete_project_secret(p_project_slug text, p_name text, p_stage ops.run_stage default null)
returns ops.project_secrets
language sql
volatile
set search_path = ''
as $$
  select * from ops_private.delete_project_secret(p_project_slug, p_name, p_stage)
$$;

comment on function ops.delete_project_secret(text, text, ops.run_stage) is
'Deletes a secret of a project (the project-wide one when p_stage is null, else that stage''s) with its value, '
'and returns its row. Runs that name it and have not started yet fail when a worker takes them. '
'Callable by admins and owners of the project, and service_role. '
'SQLSTATEs: 22023 invalid parameter, P0002 unknown project or secret, 42501 below admin.';

revoke execute on function ops.delete_project_secret(text, text, ops.run_stage) from public, anon, authenticated;
grant execute on function ops.delete_project_secret(text, text, ops.run_stage) to authenticated, service_role;

-- get_run_secrets -------------------------------------------------------------

-- SECURITY DEFINER: the one way out of ops_private.project_secret_values.
-- Fenced like the other worker RPCs: only the worker holding the run (claimed
-- or running, worker_id equal) gets the secrets the run names.
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
'Implementation of ops.get_run_secrets (SECURITY DEFINER: the only reader of ops_private.project_secret_values).';

revoke execute on function ops_private.get_run_secrets(uuid, text) from public, anon, authenticated;
grant execute on function ops_private.get_run_secrets(uuid, text) to service_role;

create or replace function ops.get_run_secrets(p_run_id uuid, p_worker_id text)
returns table (name text, value text)
language sql
stable
set search_path = ''
as $$
  select * from ops_private.get_run_secrets(p_run_id, p_worker_id)
$$;

comment on function ops.get_run_secrets(uuid, text) is
'Worker RPC: the name and value of each secret the run names in params.secrets, for the worker holding the run '
'(claimed or running). A secret set for the run''s stage wins over the project-wide one of the same name. '
'SQLSTATEs: OP002 not the holder, P0002 unknown run or a named secret that is not set, 22023 invalid parameter.';

revoke execute on function ops.get_run_secrets(uuid, text) from public, anon, authenticated;
grant execute on function ops.get_run_secrets(uuid, text) to service_role;

-- params.secret_env is refused; params.secrets names project secrets -------------

-- Existing runs first, so that no member can read the old values any more.
update ops.runs set params = params - 'secret_env'
where params ? 'secret_env';

-- SECURITY INVOKER: the caller must see the secrets it names, which members
-- (through the select policy) and service_role do.
create or replace function ops.runs_check_secret_params()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_secrets jsonb := new.params -> 'secrets';
  v_problem text;
begin
  if new.params ? 'secret_env' then
    raise exception 'p_params.secret_env is refused: secrets go in project secrets, set with ops.set_project_secret, '
      'and a run refers to them by name in p_params.secrets'
      using errcode = '22023',
      hint = 'An admin runs select ops.set_project_secret(''<project>'', ''API_TOKEN'', ''<value>''); '
      'then enqueue with p_params {"secrets": ["API_TOKEN"]}. Values in params are readable by every member.';
  end if;
  if v_secrets is null then
    return new;
  end if;
  -- Never quote what is not a name: a value put here by mistake must not echo.
  if jsonb_typeof(v_secrets) <> 'array' then
    raise exception 'p_params.secrets must be an array of secret names, got a JSON %', jsonb_typeof(v_secrets)
      using errcode = '22023',
      hint = 'For example {"secrets": ["API_TOKEN"]}; values are set with ops.set_project_secret.';
  end if;
  if jsonb_array_length(v_secrets) > 100 then
    raise exception 'p_params.secrets must name at most 100 secrets, got %', jsonb_array_length(v_secrets)
      using errcode = '22023';
  end if;
  select case
    when jsonb_typeof(e.v) <> 'string' then
      format('p_params.secrets[%s] must be a secret name, got a JSON %s', e.i - 1, jsonb_typeof(e.v))
    else
      format(
        'p_params.secrets[%s] must be a secret name matching ^[A-Z_][A-Z0-9_]{0,127}$ and not starting with '
        'ODOOOPS_, got %s', e.i - 1, ops_private.quote_short(e.v #>> '{}')
      )
  end
  into v_problem
  from jsonb_array_elements(v_secrets) with ordinality as e (v, i)
  where jsonb_typeof(e.v) <> 'string' or (e.v #>> '{}') !~ '^[A-Z_][A-Z0-9_]{0,127}$' or (e.v #>> '{}') ~ '^ODOOOPS_'
  order by e.i
  limit 1;
  if v_problem is not null then
    raise exception '%', v_problem
      using errcode = '22023', hint = 'params.secrets holds names of project secrets, never values.';
  end if;
  select format(
    'p_params.secrets[%s]: the project has no secret %s for stage %s nor for every stage',
    e.i - 1, e.v #>> '{}', new.stage
  )
  into v_problem
  from jsonb_array_elements(v_secrets) with ordinality as e (v, i)
  where not exists (
    select 1 from ops.project_secrets as s
    where s.project_id = new.project_id and s.name = (e.v #>> '{}') and (s.stage = new.stage or s.stage is null)
  )
  order by e.i
  limit 1;
  if v_problem is not null then
    raise exception '%', v_problem
      using errcode = 'P0002', hint = 'An admin of the project sets it first with ops.set_project_secret.';
  end if;
  return new;
end
$$;

comment on function ops.runs_check_secret_params() is
'Trigger function: refuses params.secret_env (22023), a params.secrets that is not an array of at most 100 secret '
'names (22023), and a name the project has no secret of for the run''s stage (P0002).';

revoke execute on function ops.runs_check_secret_params() from public, anon, authenticated;

create trigger runs_050_check_secret_params
before insert or update of params on ops.runs
for each row execute function ops.runs_check_secret_params();
