-- Owners of a project change one at a time; a project with history is
-- archived, not deleted.
--
-- 1. The last-owner check of 20260213000203 counted the other owners without
--    a lock: two owners removing or demoting each other (or themselves) in two
--    transactions that commit together both saw the other one and the project
--    ended with no owner. The trigger now takes a transaction-level advisory
--    lock keyed on the project before it counts, so such changes of one
--    project queue up and the second sees the first. (READ COMMITTED, the
--    default of PostgREST and the API; under SERIALIZABLE the same pair fails
--    with 40001 instead.)
-- 2. A project with runs could not be deleted, but the refusal was a foreign
--    key error about ops.run_events. Now:
--      * deleting such a project fails with 2BP01 saying to archive it;
--      * ops.archive_project(p_project_slug, p_archived) (owners, and
--        service_role) sets projects.archived_at: queued runs end canceled,
--        held runs get a cancel request, and no run can be queued until it is
--        restored with p_archived => false. Its history stays readable.
--    A sole owner's user account cannot be deleted either (the last-owner
--    rule); the hint says to make another member owner first.
-- Objects: column ops.projects.archived_at; functions
-- ops.project_memberships_keep_an_owner(), ops.runs_before_insert(),
-- ops.projects_refuse_delete_with_runs(), ops_private.archive_project(text, boolean),
-- ops.archive_project(text, boolean); trigger projects_100_refuse_delete_with_runs.
-- Locks: ACCESS EXCLUSIVE on ops.projects while the column and trigger are added.
-- At run time: archive_project and run inserts of one project meet on an
-- advisory lock (exclusive / shared), so no run is queued in an archived project.
-- Roll back: drop the trigger and the new functions, drop column archived_at,
--   restore the two trigger functions from 20260213000203 and 20260213000101.

set local lock_timeout = '5s';

alter table ops.projects add column archived_at timestamptz;

comment on column ops.projects.archived_at is
'When the project was archived (ops.archive_project): no run can be queued; its history stays readable.';

create or replace function ops.project_memberships_keep_an_owner()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.role <> 'owner' or (tg_op = 'UPDATE' and new.role = 'owner' and new.project_id = old.project_id) then
    return coalesce(new, old);
  end if;
  -- The project is being deleted: its memberships go with it.
  if not exists (select 1 from ops.projects as p where p.id = old.project_id) then
    return coalesce(new, old);
  end if;
  -- One owner change of a project at a time: the count below then sees what
  -- a concurrent change committed (each statement takes a new snapshot).
  perform pg_advisory_xact_lock(hashtextextended('ops.project_owners/' || old.project_id::text, 0));
  if not exists (
    select 1 from ops.project_memberships as m
    where m.project_id = old.project_id and m.role = 'owner' and m.id <> old.id
  ) then
    raise exception 'project %: user % is its last owner and cannot be removed or demoted', old.project_id, old.user_id
      using errcode = '23514',
      hint = 'Make another member owner first; the same holds before deleting the user''s account.';
  end if;
  return coalesce(new, old);
end
$$;

comment on function ops.project_memberships_keep_an_owner() is
'Trigger function: refuses (23514) to delete or demote the last owner of a project that still exists; '
'changes to the owners of one project are serialized by an advisory lock.';

revoke execute on function ops.project_memberships_keep_an_owner() from public, anon, authenticated;

create or replace function ops.projects_refuse_delete_with_runs()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if exists (select 1 from ops.runs as r where r.project_id = old.id) then
    raise exception 'project %: it has runs, whose history cannot be deleted', old.slug
      using errcode = '2BP01',
      hint = format('Archive it instead: select ops.archive_project(%L);', old.slug);
  end if;
  return old;
end
$$;

comment on function ops.projects_refuse_delete_with_runs() is
'Trigger function: refuses (2BP01) to delete a project that has runs, pointing to ops.archive_project.';

revoke execute on function ops.projects_refuse_delete_with_runs() from public, anon, authenticated;

create trigger projects_100_refuse_delete_with_runs
before delete on ops.projects
for each row execute function ops.projects_refuse_delete_with_runs();

-- A run cannot be queued in an archived project, whichever way it is inserted.
create or replace function ops.runs_before_insert()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_workflow record;
begin
  if new.status <> 'queued' or new.attempt <> 0 or new.worker_id is not null then
    raise exception 'runs.status must start as queued with attempt 0 and no worker, got % (attempt %, worker %)',
      new.status, new.attempt, ops_private.quote_short(new.worker_id)
      using errcode = '22023', hint = 'Enqueue with ops.enqueue_run; workers take runs with ops.claim_next_run.';
  end if;
  select w.enabled, w.max_attempts, w.name into v_workflow
  from ops.workflows as w
  where w.id = new.workflow_id and w.project_id = new.project_id;
  if found and not v_workflow.enabled then
    raise exception 'runs.workflow_id %: workflow % is disabled', new.workflow_id, v_workflow.name
      using errcode = '22023', hint = 'Enable the workflow before queueing runs of it.';
  end if;
  -- Shared with other inserts, exclusive with ops.archive_project: a run is
  -- either in before the archive cancels the queue, or sees archived_at.
  perform pg_advisory_xact_lock_shared(hashtextextended('ops.project_archive/' || new.project_id::text, 0));
  if exists (select 1 from ops.projects as p where p.id = new.project_id and p.archived_at is not null) then
    raise exception 'runs.project_id %: the project is archived', new.project_id
      using errcode = '22023', hint = 'An owner restores it with ops.archive_project(slug, false).';
  end if;
  new.created_at := now();
  new.claimed_at := null;
  new.started_at := null;
  new.finished_at := null;
  new.exit_code := null;
  new.lease_expires_at := null;
  new.heartbeat_at := null;
  return new;
end
$$;

comment on function ops.runs_before_insert() is
'Trigger function: a new run starts queued, with no worker, in a project that is not archived and a workflow '
'that is enabled.';

revoke execute on function ops.runs_before_insert() from public, anon, authenticated;

-- SECURITY DEFINER because archiving cancels queued runs (a status change
-- authenticated may not write) and sets archived_at (a column no client is
-- granted). It checks the caller itself: roles that bypass RLS may archive
-- any project, everyone else must own it. Lives in ops_private, which the API
-- does not expose; ops.archive_project is the API.
create or replace function ops_private.archive_project(p_project_slug text, p_archived boolean)
returns ops.projects
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_project ops.projects;
  v_privileged boolean;
begin
  if p_project_slug is null or length(p_project_slug) > 63 then
    raise exception 'p_project_slug must be a project slug, got %', ops_private.quote_short(p_project_slug)
      using errcode = '22023';
  end if;
  if p_archived is null then
    raise exception 'p_archived must be true or false, got null' using errcode = '22023';
  end if;
  select coalesce(bool_or(r.rolbypassrls or r.rolsuper), false) into v_privileged
  from pg_catalog.pg_roles as r where r.rolname = ops_private.caller_role();

  select p.* into v_project from ops.projects as p where p.slug = p_project_slug for no key update;
  if not found or (not v_privileged and not ops_private.has_project_role(v_project.id, 'viewer')) then
    raise exception 'project % not found', ops_private.quote_short(p_project_slug)
      using errcode = 'P0002', hint = 'Check the slug, and that you are a member of the project.';
  end if;
  if not v_privileged and not ops_private.has_project_role(v_project.id, 'owner') then
    raise exception 'archive_project: archiving project % needs the owner role', v_project.slug
      using errcode = '42501';
  end if;
  if (v_project.archived_at is not null) = p_archived then
    return v_project; -- already as asked
  end if;
  -- Waits for runs being inserted into the project to commit (they hold the
  -- shared form, see ops.runs_before_insert), so the cancels below see them;
  -- inserts that start now wait and then see archived_at.
  perform pg_advisory_xact_lock(hashtextextended('ops.project_archive/' || v_project.id::text, 0));

  update ops.projects as p
  set archived_at = case when p_archived then now() end
  where p.id = v_project.id
  returning p.* into v_project;
  if p_archived then
    perform set_config('ops.actor', '', true);
    perform set_config('ops.reason', 'project archived', true);
    update ops.runs as r
    set status = 'canceled', cancel_requested_at = now(), cancel_reason = 'project archived', finished_at = now()
    where r.project_id = v_project.id and r.status = 'queued';
    update ops.runs as r
    set cancel_requested_at = now(), cancel_reason = 'project archived'
    where r.project_id = v_project.id and r.status in ('claimed', 'running') and r.cancel_requested_at is null;
  end if;
  return v_project;
end
$$;

comment on function ops_private.archive_project(text, boolean) is
'Implementation of ops.archive_project (SECURITY DEFINER, checks that the caller owns the project).';

revoke execute on function ops_private.archive_project(text, boolean) from public, anon;
grant execute on function ops_private.archive_project(text, boolean) to authenticated, service_role;

create or replace function ops.archive_project(p_project_slug text, p_archived boolean default true)
returns ops.projects
language sql
volatile
set search_path = ''
as $$
  select * from ops_private.archive_project(p_project_slug, p_archived)
$$;

comment on function ops.archive_project(text, boolean) is
'Archives a project (p_archived true: queued runs end canceled, held runs get a cancel request, no run can be '
'queued) or restores it (false); its history stays readable. A repeat returns the project unchanged. '
'Callable by owners of the project and service_role. '
'SQLSTATEs: 42501 not an owner, P0002 unknown (or invisible) project, 22023 invalid parameter.';

revoke execute on function ops.archive_project(text, boolean) from public, anon, authenticated;
grant execute on function ops.archive_project(text, boolean) to authenticated, service_role;
