-- A worker reads what a run needs with one fenced RPC, ops.get_run_context,
-- and a step says whether it needs the upgrade advisories.
--
-- Until now the worker read a run's context with three plain SELECTs: its
-- workflow and project, the tools of its steps, and every upgrade advisory,
-- for every run, whether a step used them or not. Nothing checked that the
-- reader still held the run.
--
-- * ops.get_run_context(p_run_id, p_worker_id) returns an ops.run_context:
--   the project (slug, name, odoo_series, repository_url), the workflow (name,
--   steps, default_timeout_seconds, lease_seconds), the tools named by the
--   workflow's steps (name, image, tag, digest, run_locally, enabled), the
--   names of the secrets the run asks for in params.secrets (never their
--   values: those stay behind ops.get_run_secrets) and the upgrade advisories
--   when a step asks for them, else an empty array. Fenced like the other
--   worker RPCs: only the worker holding the run (claimed or running) gets an
--   answer.
-- * A step asks for the advisories with "advisories": true. A step without
--   the key asks for them when its command runs the built-in upgrade-scan
--   step (the word upgrade-scan, after the start of the command or a space:
--   `python -m odooops.steps upgrade-scan`, `odooops step upgrade-scan`), so
--   workflows written before the key keep working. "advisories": false says
--   no, whatever the command.
-- * ops.validate_workflow_steps accepts the optional step field advisories,
--   a JSON boolean (22023 naming the step otherwise).
-- Objects: composite type ops.run_context; functions
-- ops.get_run_context(uuid, text), ops.validate_workflow_steps(jsonb); comment
-- on column ops.workflows.steps.
-- Locks: none on existing tables.
-- Roll back: drop function ops.get_run_context(uuid, text), type
--   ops.run_context; restore
--   ops.validate_workflow_steps from 20261202000150 (after removing the
--   advisories field from any workflow that has it, or its updates fail).
--
-- SQLSTATEs (also in comment on function):
--   22023 invalid parameter, naming it; a malformed step field
--   P0002 unknown run
--   OP002 not the worker holding the run, or the run has ended

-- validate_workflow_steps: the optional field advisories -------------------------

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
      if v_key not in ('name', 'command', 'tool', 'timeout_seconds', 'env', 'artifacts', 'advisories') then
        raise exception 'workflows.steps[%].% is not a known step field', v_i, left(v_key, 200)
          using errcode = '22023',
          hint = 'Known fields: name, command, tool, timeout_seconds, env, artifacts, advisories.';
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
    if v_step ? 'advisories' and jsonb_typeof(v_step -> 'advisories') <> 'boolean' then
      raise exception 'workflows.steps[%].advisories must be true or false, got %', v_i,
        left((v_step -> 'advisories')::text, 200)
        using errcode = '22023', hint = 'true gives the step the upgrade advisories in $ODOOOPS_ADVISORIES_FILE.';
    end if;
    v_i := v_i + 1;
  end loop;
end
$$;

comment on function ops.validate_workflow_steps(jsonb) is
'Raises 22023 naming the step and field when workflow steps are malformed; returns nothing when valid.';

revoke execute on function ops.validate_workflow_steps(jsonb) from public, anon;
grant execute on function ops.validate_workflow_steps(jsonb) to authenticated, service_role;

comment on column ops.workflows.steps is
'Ordered steps: [{"name", "command", "tool"?, "timeout_seconds"?, "env"?, "artifacts"?, "advisories"?}].';

-- get_run_context -----------------------------------------------------------------

-- A composite rather than one jsonb: callers (the Python worker, the generated
-- TypeScript types) see named fields. (sqlfluff takes text[] in a type for a
-- subscript, hence the noqa.)
create type ops.run_context as (
  project jsonb,
  workflow jsonb,
  tools jsonb,
  secret_names text[], -- noqa: LT01
  advisories jsonb
);

comment on type ops.run_context is
'What ops.get_run_context returns: the context of a run, for the worker holding it.';
comment on column ops.run_context.project is '{slug, name, odoo_series, repository_url}';
comment on column ops.run_context.workflow is '{name, steps, default_timeout_seconds, lease_seconds}';
comment on column ops.run_context.tools is
'[{name, image, tag, digest, run_locally, enabled}]: the tools the steps name, by name.';
comment on column ops.run_context.secret_names is 'The distinct names in params.secrets, sorted; never values.';
comment on column ops.run_context.advisories is
'ops.upgrade_advisories by code when a step asks for them, else an empty array.';

-- SECURITY INVOKER like every worker RPC: service_role reads these tables
-- already; the fence is the holder check below.
create or replace function ops.get_run_context(p_run_id uuid, p_worker_id text)
returns ops.run_context
language plpgsql
stable
set search_path = ''
as $$
declare
  v_run ops.runs;
  v_steps jsonb;
  v_context ops.run_context;
begin
  perform ops_private.check_worker_id(p_worker_id, true);
  if p_run_id is null then
    raise exception 'p_run_id must be a run id, got null' using errcode = '22023';
  end if;
  select r.* into v_run from ops.runs as r
  where r.id = p_run_id and r.worker_id = p_worker_id and r.status in ('claimed', 'running');
  if not found then
    perform ops_private.raise_not_holder(p_run_id, p_worker_id, 'read its context');
  end if;
  if v_run.params ? 'secrets' and jsonb_typeof(v_run.params -> 'secrets') <> 'array' then
    raise exception 'run %: params.secrets must be an array of secret names, got a JSON %',
      p_run_id, jsonb_typeof(v_run.params -> 'secrets')
      using errcode = '22023';
  end if;

  select
    jsonb_build_object(
      'slug', p.slug, 'name', p.name, 'odoo_series', p.odoo_series, 'repository_url', p.repository_url
    ),
    jsonb_build_object(
      'name', w.name, 'steps', w.steps, 'default_timeout_seconds', w.default_timeout_seconds,
      'lease_seconds', w.lease_seconds
    ),
    w.steps
  into v_context.project, v_context.workflow, v_steps
  from ops.workflows as w
  inner join ops.projects as p on p.id = w.project_id
  where w.id = v_run.workflow_id;

  -- The tools the steps name, enabled or not: the worker says which is missing or disabled.
  v_context.tools := coalesce((
    select jsonb_agg(jsonb_build_object(
      'name', t.name, 'image', t.image, 'tag', t.tag, 'digest', t.digest, 'run_locally', t.run_locally,
      'enabled', t.enabled
    ) order by t.name)
    from ops.tools as t
    where t.name in (select s.step ->> 'tool' from jsonb_array_elements(v_steps) as s (step))
  ), '[]'::jsonb);

  v_context.secret_names := array(
    select distinct e.secret_name
    from jsonb_array_elements_text(coalesce(v_run.params -> 'secrets', '[]'::jsonb)) as e (secret_name)
    order by e.secret_name
  );

  -- A step asks for the advisories with "advisories": true; without the key,
  -- when its command runs the built-in upgrade-scan step.
  if exists (
    select 1 from jsonb_array_elements(v_steps) as s (step)
    where case
      when s.step ? 'advisories' then (s.step -> 'advisories') = 'true'::jsonb
      else (s.step ->> 'command') ~ '(^|[[:space:]])upgrade-scan([^[:alnum:]_.-]|$)'
    end
  ) then
    v_context.advisories := coalesce((
      select jsonb_agg(jsonb_build_object(
        'code', a.code, 'from_series', a.from_series, 'to_series', a.to_series, 'area', a.area,
        'severity', a.severity, 'title', a.title, 'detect_regex', a.detect_regex, 'detect_globs', a.detect_globs,
        'remediation', a.remediation, 'reference_url', a.reference_url
      ) order by a.code)
      from ops.upgrade_advisories as a
    ), '[]'::jsonb);
  else
    v_context.advisories := '[]'::jsonb;
  end if;
  return v_context;
end
$$;

comment on function ops.get_run_context(uuid, text) is
'Worker RPC: what the worker holding a run (claimed or running) needs to run it, as an ops.run_context: '
'project {slug, name, odoo_series, repository_url}; workflow {name, steps, default_timeout_seconds, lease_seconds}; '
'tools [{name, image, tag, digest, run_locally, enabled}], those the steps name, by name; '
'secret_names, the distinct names in params.secrets (values: ops.get_run_secrets); '
'advisories [{code, from_series, to_series, area, severity, title, detect_regex, detect_globs, remediation, '
'reference_url}] by code, when a step asks for them, else []. A step asks with "advisories": true; a step '
'without the key asks when its command runs the built-in step, the word upgrade-scan after the start or a space '
'(python -m odooops.steps upgrade-scan); "advisories": false never asks. '
'SQLSTATEs: OP002 not the holder or the run has ended, P0002 unknown run, 22023 invalid parameter.';

revoke execute on function ops.get_run_context(uuid, text) from public, anon, authenticated;
grant execute on function ops.get_run_context(uuid, text) to service_role;
