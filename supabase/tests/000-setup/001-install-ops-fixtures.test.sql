-- Fixtures for the ops tests, in schema tests (never in supabase/migrations).
-- Like 000-install-test-helpers, this file commits, so every later file can
-- build its SETUP in a few lines. Call them as postgres (the table owner):
--
--   tests.ops_project(slug, odoo_series default '17.0') -> project id
--   tests.ops_member(project, identifier, role) -> user id (creates the user when missing)
--   tests.ops_workflow(project, name default 'build') -> workflow id
--   tests.ops_run(project, workflow default: the project's first) -> run id (queued)
--   tests.ops_run_in(status, project default: a new project) -> run id in that status,
--     reached through allowed transitions only
--   tests.ops_transition_sql(run, status) -> the UPDATE that moves a run to the status
--     with the columns the check constraints ask for (worker and lease while held,
--     finished_at once terminal)
--   tests.ops_world() -> two projects for the row-level security tests:
--     project-a (members a-owner, a-admin, a-developer, a-viewer) and project-b
--     (member b-owner), each with workflow build, a running run with two log
--     lines and an artifact, and a queued run; plus user outsider, member of nothing.

create or replace function tests.ops_project(p_slug text, p_odoo_series text default '17.0')
returns uuid
language sql
set search_path = ''
as $$
  insert into ops.projects (slug, name, odoo_series, repository_url)
  values (p_slug, 'Project ' || p_slug, p_odoo_series, 'https://git.test.invalid/' || p_slug || '.git')
  returning id
$$;

create or replace function tests.ops_member(p_project_id uuid, p_identifier text, p_role ops.member_role)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_user_id uuid := coalesce(tests.get_supabase_uid(p_identifier), tests.create_supabase_user(p_identifier));
begin
  insert into ops.project_memberships (project_id, user_id, role)
  values (p_project_id, v_user_id, p_role);
  return v_user_id;
end
$$;

create or replace function tests.ops_workflow(p_project_id uuid, p_name text default 'build')
returns uuid
language sql
set search_path = ''
as $$
  insert into ops.workflows (project_id, name, steps)
  values (p_project_id, p_name, '[{"name": "build", "command": "odoo-bin --stop-after-init"}]'::jsonb)
  returning id
$$;

create or replace function tests.ops_run(p_project_id uuid, p_workflow_id uuid default null)
returns uuid
language sql
set search_path = ''
as $$
  insert into ops.runs (project_id, workflow_id, branch, commit_sha)
  values (
    p_project_id,
    coalesce(p_workflow_id, (
      select w.id from ops.workflows as w where w.project_id = p_project_id order by w.created_at, w.id limit 1
    )),
    'main',
    'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
  )
  returning id
$$;

create or replace function tests.ops_transition_sql(p_run_id uuid, p_status ops.run_status)
returns text
language sql
stable
set search_path = ''
as $$
  select format(
    'update ops.runs set status = %L, %s where id = %L',
    p_status,
    case
      when p_status = 'queued' then
        'worker_id = null, lease_expires_at = null, finished_at = null'
      when p_status = 'claimed' then
        'worker_id = ''worker-1'', lease_expires_at = now() + interval ''1 minute'', attempt = attempt + 1, '
        || 'claimed_at = now()'
      when p_status = 'running' then
        'worker_id = ''worker-1'', lease_expires_at = now() + interval ''1 minute'', started_at = now()'
      else
        'worker_id = null, lease_expires_at = null, finished_at = now()'
        || case p_status when 'succeeded' then ', exit_code = 0' when 'failed' then ', exit_code = 1' else '' end
    end,
    p_run_id
  )
$$;

create or replace function tests.ops_run_in(p_status ops.run_status, p_project_id uuid default null)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_project_id uuid := p_project_id;
  v_run_id uuid;
  v_step ops.run_status;
begin
  if v_project_id is null then
    v_project_id := tests.ops_project('fixture-' || left(replace(extensions.gen_random_uuid()::text, '-', ''), 12));
    perform tests.ops_workflow(v_project_id);
  end if;
  v_run_id := tests.ops_run(v_project_id);
  -- The shortest allowed path from queued to each status.
  foreach v_step in array case p_status
    when 'queued' then '{}'::ops.run_status []
    when 'claimed' then '{claimed}'::ops.run_status []
    when 'running' then '{claimed,running}'::ops.run_status []
    when 'succeeded' then '{claimed,running,succeeded}'::ops.run_status []
    when 'failed' then '{claimed,running,failed}'::ops.run_status []
    when 'canceled' then '{canceled}'::ops.run_status []
  end loop
    execute tests.ops_transition_sql(v_run_id, v_step);
  end loop;
  return v_run_id;
end
$$;

create or replace function tests.ops_world()
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_slug text;
  v_project_id uuid;
  v_run_id uuid;
begin
  foreach v_slug in array array['a', 'b'] loop
    v_project_id := tests.ops_project('project-' || v_slug);
    perform tests.ops_member(v_project_id, v_slug || '-owner', 'owner');
    perform tests.ops_workflow(v_project_id);
    v_run_id := tests.ops_run_in('running', v_project_id);
    insert into ops.run_logs (run_id, seq, message)
    values (v_run_id, 1, 'installing base'), (v_run_id, 2, 'modules loaded');
    insert into ops.run_artifacts (run_id, artifact_key, storage_url, size_bytes, sha256)
    values (v_run_id, 'dump.zip', 's3://ops-artifacts/' || v_run_id || '/dump.zip', 1024, repeat('ab', 32));
    perform tests.ops_run(v_project_id);
  end loop;
  v_project_id := (select p.id from ops.projects as p where p.slug = 'project-a');
  perform tests.ops_member(v_project_id, 'a-admin', 'admin');
  perform tests.ops_member(v_project_id, 'a-developer', 'developer');
  perform tests.ops_member(v_project_id, 'a-viewer', 'viewer');
  perform tests.create_supabase_user('outsider');
end
$$;

select plan(1);
select has_function('tests', 'ops_run_in', array['ops.run_status', 'uuid'], 'The ops fixtures are installed.');
select * from finish();
