-- A finished run never changes, and audit columns are set by the database.
--
-- 1. ops.runs_check_transition() refused a status change out of a terminal
--    status and changes of exit_code, error_message, finished_at and
--    worker_id, but a developer could still rewrite cancel_requested_at and
--    cancel_reason of a succeeded run (the columns their cancel grant allows).
--    Now no column of a succeeded, failed or canceled run changes (updated_at
--    aside, which the update trigger sets), whoever asks: OP001 naming the
--    first changed column.
-- 2. authenticated held INSERT and UPDATE on every column of ops.workflows,
--    so an admin could write created_by (even a user of another project),
--    created_at, updated_at and version. Its grants now name the columns a
--    client chooses; the audit columns come from their defaults and triggers
--    (version counts changes of steps). ops.projects, ops.runs and
--    ops.project_memberships already granted only such columns.
--    service_role, the operators' automation, keeps every column (imports).
-- Objects: function ops.runs_check_transition(); grants on ops.workflows.
-- Locks: none beyond the catalog rows touched.
-- Roll back: restore the function from 20260213000101 and
--   grant insert, update on ops.workflows to authenticated.

create or replace function ops.runs_check_transition()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_changed text;
begin
  if new.status is distinct from old.status and not exists (
    select 1 from ops.run_status_transitions() as t
    where t.from_status = old.status and t.to_status = new.status
  ) then
    raise exception 'run %: illegal status transition % -> %', old.id, old.status, new.status
      using errcode = 'OP001',
      hint = 'Allowed transitions are listed by ops.run_status_transitions(); terminal states never change.';
  end if;
  if old.status in ('succeeded', 'failed', 'canceled') then
    select n.key into v_changed
    from jsonb_each(to_jsonb(new)) as n
    where n.key <> 'updated_at' and n.value is distinct from to_jsonb(old) -> n.key
    order by n.key
    limit 1;
    if v_changed is not null then
      raise exception 'run %: a % run is final and cannot change (runs.% was changed)', old.id, old.status, v_changed
        using errcode = 'OP001', hint = 'A finished run is history; queue a new run instead.';
    end if;
  end if;
  return new;
end
$$;

comment on function ops.runs_check_transition() is
'Trigger function: refuses a status change that ops.run_status_transitions() does not list, and any change '
'to a succeeded, failed or canceled run (OP001).';

revoke execute on function ops.runs_check_transition() from public, anon, authenticated;

revoke insert, update on ops.workflows from authenticated;
grant insert (
  id, project_id, name, description, steps, default_timeout_seconds, max_attempts, lease_seconds, enabled
), update (
  name, description, steps, default_timeout_seconds, max_attempts, lease_seconds, enabled
) on ops.workflows to authenticated;
