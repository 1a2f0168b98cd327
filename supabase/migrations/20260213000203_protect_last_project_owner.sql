-- A project always keeps an owner.
--
-- Without this an owner could delete or demote their own membership (or the
-- last other owner's) and leave a project nobody can administer except the
-- service role. Deleting the project itself still removes every membership.
-- Objects: function ops.project_memberships_keep_an_owner(), trigger
-- project_memberships_keep_an_owner on ops.project_memberships.
-- Locks: SHARE ROW EXCLUSIVE on ops.project_memberships while the trigger is created.
-- Roll back: drop the trigger and the function.

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
  if not exists (
    select 1 from ops.project_memberships as m
    where m.project_id = old.project_id and m.role = 'owner' and m.id <> old.id
  ) then
    raise exception 'project %: user % is its last owner and cannot be removed or demoted', old.project_id, old.user_id
      using errcode = '23514', hint = 'Make another member owner first.';
  end if;
  return coalesce(new, old);
end
$$;

comment on function ops.project_memberships_keep_an_owner() is
'Trigger function: refuses (23514) to delete or demote the last owner of a project that still exists.';

revoke execute on function ops.project_memberships_keep_an_owner() from public, anon, authenticated;

create trigger project_memberships_keep_an_owner
before update or delete on ops.project_memberships
for each row execute function ops.project_memberships_keep_an_owner();
