-- Week 2: who may see and change what, for Supabase's roles.
--
--   anon           nothing, anywhere (no USAGE on ops).
--   authenticated  a project and everything under it while a member: viewer
--                  reads; developer and above enqueue and request cancels;
--                  admin and owner manage workflows and memberships. Tools
--                  and advisories are readable by all, writable by none.
--   service_role   the workers' role: full access (BYPASSRLS), but even it
--                  cannot write ops.run_events, which only the trigger does.
--
-- Membership checks live in SECURITY DEFINER helpers in ops_private, a schema
-- the API does not expose; policies call them wrapped in (select ...) so they
-- run once per statement. Grants decide tables and columns, policies rows.
-- Locks: ACCESS EXCLUSIVE on the ops tables while policies are created (new tables).
-- Roll back: drop schema ops_private cascade; drop the policies; revoke the grants.

create schema if not exists ops_private;
comment on schema ops_private is 'Helpers for row-level security; not exposed through the API.';
revoke all on schema ops_private from public;
grant usage on schema ops_private to authenticated, service_role;
alter default privileges in schema ops_private revoke execute on functions from public;

-- SECURITY DEFINER: policies on project_memberships call it, and reading the
-- table through RLS from inside its own policy would recurse.
create or replace function ops_private.member_project_ids(p_min_role ops.member_role default 'viewer')
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select m.project_id
  from ops.project_memberships as m
  where m.user_id = (select auth.uid()) and m.role >= p_min_role
$$;

comment on function ops_private.member_project_ids(ops.member_role) is
'Projects where the calling user (auth.uid()) holds at least the given role.';

revoke execute on function ops_private.member_project_ids(ops.member_role) from public, anon;
grant execute on function ops_private.member_project_ids(ops.member_role) to authenticated, service_role;

create or replace function ops_private.has_project_role(p_project_id uuid, p_min_role ops.member_role)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from ops.project_memberships as m
    where m.project_id = p_project_id and m.user_id = (select auth.uid()) and m.role >= p_min_role
  )
$$;

comment on function ops_private.has_project_role(uuid, ops.member_role) is
'True when the calling user holds at least the given role on the project.';

revoke execute on function ops_private.has_project_role(uuid, ops.member_role) from public, anon;
grant execute on function ops_private.has_project_role(uuid, ops.member_role) to authenticated, service_role;

-- Whoever creates a project owns it. SECURITY DEFINER: the creator is not yet
-- a member, so RLS would refuse the membership row.
create or replace function ops_private.add_project_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.created_by is not null then
    insert into ops.project_memberships (project_id, user_id, role, created_by)
    values (new.id, new.created_by, 'owner', new.created_by)
    on conflict (project_id, user_id) do nothing;
  end if;
  return null;
end
$$;

comment on function ops_private.add_project_owner() is
'Trigger function: makes the creator of a project its owner.';

revoke execute on function ops_private.add_project_owner() from public, anon, authenticated;

create trigger projects_900_add_owner
after insert on ops.projects
for each row execute function ops_private.add_project_owner();

-- Grants --------------------------------------------------------------------

revoke all on all tables in schema ops from anon, authenticated, service_role;
revoke usage on schema ops from anon;

grant select, insert (id, slug, name, odoo_series, repository_url, production_branch, settings),
update (name, repository_url, production_branch, settings), delete
on ops.projects to authenticated;
grant select, insert, update, delete on ops.workflows to authenticated;
grant select, insert (
  project_id, workflow_id, stage, branch, commit_sha, params, priority, run_after, max_attempts, idempotency_key
), update (cancel_requested_at, cancel_reason) on ops.runs to authenticated;
grant select on ops.run_events, ops.run_artifacts, ops.run_logs to authenticated;
grant select on ops.tools, ops.upgrade_advisories to authenticated;
grant select, insert (project_id, user_id, role), update (role), delete on ops.project_memberships to authenticated;

grant select, insert, update, delete on
ops.projects, ops.workflows, ops.runs, ops.run_artifacts, ops.run_logs, ops.tools,
ops.upgrade_advisories, ops.project_memberships
to service_role;
grant select on ops.run_events to service_role;
grant usage on sequence ops.run_logs_id_seq to service_role;

grant select on ops.agent_runs, ops.agent_run_events to authenticated;
grant select, insert, update, delete on ops.agent_runs, ops.agent_run_events to service_role;

-- Policies: one per command and role -----------------------------------------

-- projects
create policy "authenticated can select member projects"
on ops.projects
for select
to authenticated
using (id in (select ops_private.member_project_ids('viewer')));

create policy "authenticated can insert projects they create"
on ops.projects
for insert
to authenticated
with check (created_by = (select auth.uid()));

create policy "admins can update their projects"
on ops.projects
for update
to authenticated
using (id in (select ops_private.member_project_ids('admin')))
with check (id in (select ops_private.member_project_ids('admin')));

create policy "owners can delete their projects"
on ops.projects
for delete
to authenticated
using (id in (select ops_private.member_project_ids('owner')));

-- workflows
create policy "authenticated can select workflows of member projects"
on ops.workflows
for select
to authenticated
using (project_id in (select ops_private.member_project_ids('viewer')));

create policy "admins can insert workflows"
on ops.workflows
for insert
to authenticated
with check (project_id in (select ops_private.member_project_ids('admin')));

create policy "admins can update workflows"
on ops.workflows
for update
to authenticated
using (project_id in (select ops_private.member_project_ids('admin')))
with check (project_id in (select ops_private.member_project_ids('admin')));

create policy "admins can delete workflows"
on ops.workflows
for delete
to authenticated
using (project_id in (select ops_private.member_project_ids('admin')));

-- runs
create policy "authenticated can select runs of member projects"
on ops.runs
for select
to authenticated
using (project_id in (select ops_private.member_project_ids('viewer')));

create policy "developers can insert runs"
on ops.runs
for insert
to authenticated
with check (
  project_id in (select ops_private.member_project_ids('developer'))
  and created_by = (select auth.uid())
);

create policy "developers can request run cancels"
on ops.runs
for update
to authenticated
using (project_id in (select ops_private.member_project_ids('developer')))
with check (project_id in (select ops_private.member_project_ids('developer')));

-- run_events, run_artifacts, run_logs: read-only for members
create policy "authenticated can select run events of member projects"
on ops.run_events
for select
to authenticated
using (
  run_id in (
    select r.id from ops.runs as r
    where r.project_id in (select ops_private.member_project_ids('viewer'))
  )
);

create policy "authenticated can select run artifacts of member projects"
on ops.run_artifacts
for select
to authenticated
using (
  run_id in (
    select r.id from ops.runs as r
    where r.project_id in (select ops_private.member_project_ids('viewer'))
  )
);

create policy "authenticated can select run logs of member projects"
on ops.run_logs
for select
to authenticated
using (
  run_id in (
    select r.id from ops.runs as r
    where r.project_id in (select ops_private.member_project_ids('viewer'))
  )
);

-- tools and advisories: shared reference data
create policy "authenticated can select tools"
on ops.tools
for select
to authenticated
using (true);

create policy "authenticated can select upgrade advisories"
on ops.upgrade_advisories
for select
to authenticated
using (true);

-- project_memberships
create policy "authenticated can select memberships of member projects"
on ops.project_memberships
for select
to authenticated
using (project_id in (select ops_private.member_project_ids('viewer')));

-- Admins add members; only owners may add owners; nobody adds themselves.
create policy "admins can insert memberships"
on ops.project_memberships
for insert
to authenticated
with check (
  project_id in (select ops_private.member_project_ids('admin'))
  and user_id <> (select auth.uid())
  and (role < 'owner' or project_id in (select ops_private.member_project_ids('owner')))
);

-- Nobody changes their own role; only owners grant or take away ownership.
create policy "admins can update memberships"
on ops.project_memberships
for update
to authenticated
using (
  project_id in (select ops_private.member_project_ids('admin'))
  and user_id <> (select auth.uid())
  and (role < 'owner' or project_id in (select ops_private.member_project_ids('owner')))
)
with check (
  project_id in (select ops_private.member_project_ids('admin'))
  and user_id <> (select auth.uid())
  and (role < 'owner' or project_id in (select ops_private.member_project_ids('owner')))
);

create policy "admins can delete memberships"
on ops.project_memberships
for delete
to authenticated
using (
  project_id in (select ops_private.member_project_ids('admin'))
  and (role < 'owner' or project_id in (select ops_private.member_project_ids('owner')))
);
