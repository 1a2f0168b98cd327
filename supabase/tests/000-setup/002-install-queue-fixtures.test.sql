-- Fixtures for the queue RPC tests (supabase/tests/<rpc>/), in schema tests,
-- never in supabase/migrations. Like the other setup files this one commits.
-- Call the builders as postgres (the table owner):
--
--   tests.q_project(slug, production_branch default 'main') -> project id,
--     with an enabled workflow 'build' (max_attempts 3, lease_seconds 60, supersede none)
--   tests.q_workflow(project, name, enabled, max_attempts, lease_seconds, supersede default 'none')
--     -> workflow id. The queue tests queue several commits of one branch and
--     count on each of them being a run of its own, so their workflows
--     supersede nothing unless a test asks (the column's default is 'queued';
--     supabase/tests/enqueue_run/supersedes_*.test.sql test it).
--   tests.q_remember(name, id) / tests.q_id(name): ids kept in a
--     transaction-local setting, readable by every role, so a test can name a
--     run in throws_ok strings after switching roles
--   tests.q_sha(n) -> a distinct 40-hex commit for n
--   tests.q_events(run) -> the run's status changes as 'from>to' text, in order
--   tests.q_artifact_url(run, key, root default 's3://odooops-artifacts/') -> the run's
--     place for an artifact in a store: <root><project slug>/<run id>/<key> (register
--     the root with ops.register_artifact_store in the test's SETUP)

create or replace function tests.q_workflow(
  p_project_id uuid,
  p_name text,
  p_enabled boolean default true,
  p_max_attempts integer default 3,
  p_lease_seconds integer default 60,
  p_supersede text default 'none'
)
returns uuid
language sql
set search_path = ''
as $$
  insert into ops.workflows (project_id, name, steps, enabled, max_attempts, lease_seconds, supersede)
  values (
    p_project_id, p_name, '[{"name": "build", "command": "true"}]'::jsonb, p_enabled, p_max_attempts, p_lease_seconds,
    p_supersede
  )
  returning id
$$;

create or replace function tests.q_project(p_slug text, p_production_branch text default 'main')
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid;
begin
  insert into ops.projects (slug, name, odoo_series, repository_url, production_branch)
  values (p_slug, 'Project ' || p_slug, '17.0', 'https://git.test.invalid/' || p_slug || '.git', p_production_branch)
  returning id into v_id;
  perform tests.q_workflow(v_id, 'build');
  return v_id;
end
$$;

create or replace function tests.q_remember(p_name text, p_id uuid)
returns uuid
language sql
set search_path = ''
as $$
  select set_config('tests.q_' || p_name, p_id::text, true)::uuid
$$;

create or replace function tests.q_id(p_name text)
returns uuid
language sql
stable
set search_path = ''
as $$
  select nullif(current_setting('tests.q_' || p_name, true), '')::uuid
$$;

create or replace function tests.q_sha(p_n integer)
returns text
language sql
immutable
set search_path = ''
as $$
  select lpad(to_hex(p_n), 40, 'a')
$$;

create or replace function tests.q_events(p_run_id uuid)
returns text[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(coalesce(e.from_status::text, '') || '>' || e.to_status::text order by e.id), '{}')
  from ops.run_events as e
  where e.run_id = p_run_id
$$;

create or replace function tests.q_artifact_url(
  p_run_id uuid,
  p_key text,
  p_root text default 's3://odooops-artifacts/'
)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select p_root || p.slug || '/' || r.id::text || '/' || p_key
  from ops.runs as r
  inner join ops.projects as p on p.id = r.project_id
  where r.id = p_run_id
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

select plan(1);
select has_function('tests', 'q_project', array['text', 'text'], 'The queue fixtures are installed.');
select * from finish();
