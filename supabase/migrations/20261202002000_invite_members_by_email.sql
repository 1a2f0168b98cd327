-- Invitations by e-mail: an admin invites someone to a project by address,
-- whether or not they have an account yet; they join when they accept,
-- signed in with that address confirmed.
--
-- Members could only be added by user id, because no API role reads
-- auth.users: looking an address up would tell any project admin (and anyone
-- can create a project) which addresses have accounts. An invitation says
-- nothing of the kind: it is written for any well-formed address, and only
-- the holder of that address, once confirmed (auth.users.email_confirmed_at),
-- sees and accepts it.
--
-- * ops.project_invitations: project, e-mail (lower case), role, who invited,
--   when, until when (14 days), accepted when and by whom. RLS: admins and
--   owners of the project read them; nobody writes them but the RPCs.
--   One open invitation per (project, e-mail).
-- * ops.invite_project_member(slug, email, role): admins invite below owner,
--   owners any role; inviting the same address again renews the open
--   invitation with the new role.
-- * ops.revoke_project_invitation(id): admins and owners of its project.
-- * ops.my_project_invitations(): the open invitations to the caller's
--   confirmed address, with the project's slug and name (which RLS hides from
--   a non-member).
-- * ops.accept_project_invitation(id): makes the caller a member with the
--   invited role, when the invitation is open, to the caller's confirmed
--   address, and its sender may still invite with that role. A member keeps
--   the role they have.
--
-- Objects: table ops.project_invitations (policy, grants, index
-- project_invitations_open_key); functions ops_private.invitation_problem,
-- ops_private.confirmed_email, ops_private.caller_bypasses_rls, ops.invite_project_member,
-- ops.revoke_project_invitation, ops.my_project_invitations,
-- ops.accept_project_invitation.
-- Locks: none on existing tables.
-- Roll back: drop the four RPCs, the two helpers and table
--   ops.project_invitations (memberships made by accepting stay).
--
-- SQLSTATEs:
--   22023 invalid parameter, naming it, the value quoted short
--   P0002 unknown project or invitation (or one the caller may not see)
--   42501 below admin; an owner invitation from a non-owner; an invitation
--         to another address, or to an unconfirmed one; a sender who may no
--         longer invite with that role
--   OP014 the invitation was accepted, revoked or has expired

set local lock_timeout = '5s';

create table ops.project_invitations (
  id uuid not null default extensions.gen_random_uuid(),
  project_id uuid not null,
  email text not null,
  role ops.member_role not null default 'viewer',
  invited_by uuid,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '14 days',
  accepted_at timestamptz,
  accepted_by uuid,
  constraint project_invitations_pkey primary key (id),
  constraint project_invitations_project_id_fkey foreign key (project_id)
  references ops.projects (id) on delete cascade,
  constraint project_invitations_invited_by_fkey foreign key (invited_by)
  references auth.users (id) on delete set null,
  constraint project_invitations_accepted_by_fkey foreign key (accepted_by)
  references auth.users (id) on delete set null,
  constraint project_invitations_email_is_an_address check (
    length(email) between 3 and 254 and email = lower(email) and email ~ '^[^@[:space:]]+@[^@[:space:]]+$'
  ),
  constraint project_invitations_expires_after_creation check (expires_at > created_at),
  constraint project_invitations_accepted_is_whole check ((accepted_at is null) = (accepted_by is null))
);

comment on table ops.project_invitations is
'Invitations to join a project, by e-mail address: written by ops.invite_project_member, read by the project''s '
'admins, accepted by the holder of the confirmed address (ops.accept_project_invitation).';
comment on column ops.project_invitations.email is 'The invited address, lower case.';
comment on column ops.project_invitations.role is 'The role the invitee gets on accepting.';
comment on column ops.project_invitations.invited_by is 'Who invited (null: service_role).';
comment on column ops.project_invitations.expires_at is 'Not accepted after then (14 days after the last invitation).';
comment on column ops.project_invitations.accepted_at is 'When it was accepted; an accepted invitation is kept.';
comment on column ops.project_invitations.accepted_by is 'The user who accepted it.';

-- One open invitation per address and project; also the invitee's lookup.
create unique index project_invitations_open_key on ops.project_invitations (email, project_id)
where accepted_at is null;
create index project_invitations_project_id_idx on ops.project_invitations (project_id, created_at desc);

alter table ops.project_invitations enable row level security;

revoke all on ops.project_invitations from anon, authenticated, service_role;
grant select on ops.project_invitations to authenticated;
grant select, insert, update, delete on ops.project_invitations to service_role;

create policy "admins can select invitations of their projects"
on ops.project_invitations
for select
to authenticated
using (project_id = any(array(select ops_private.member_project_ids('admin'))));

-- Helpers ---------------------------------------------------------------------------

create or replace function ops_private.invitation_problem(p_email text, p_role ops.member_role)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when p_email is null or length(btrim(p_email)) not between 3 and 254
      or btrim(p_email) !~ '^[^@[:space:]]+@[^@[:space:]]+$'
      then format('p_email must be an e-mail address of up to 254 characters, got %s', ops_private.quote_short(p_email))
    when p_role is null then 'p_role must be viewer, developer, admin or owner, got null'
  end
$$;

comment on function ops_private.invitation_problem(text, ops.member_role) is
'Why (email, role) cannot be invited, naming the parameter, or null.';

revoke execute on function ops_private.invitation_problem(text, ops.member_role) from public, anon;
grant execute on function ops_private.invitation_problem(text, ops.member_role) to authenticated, service_role;

create or replace function ops_private.caller_bypasses_rls()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(bool_or(r.rolbypassrls or r.rolsuper), false)
  from pg_catalog.pg_roles as r
  where r.rolname = ops_private.caller_role()
$$;

comment on function ops_private.caller_bypasses_rls() is
'Whether the role the caller acts as bypasses row-level security (service_role, postgres): such callers may act on '
'any project in the RPCs that check a project role themselves.';

revoke execute on function ops_private.caller_bypasses_rls() from public, anon;
grant execute on function ops_private.caller_bypasses_rls() to authenticated, service_role;

-- SECURITY DEFINER: no API role reads auth.users; this returns only the caller's own address.
create or replace function ops_private.confirmed_email()
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select lower(u.email) from auth.users as u
  where u.id = (select auth.uid()) and u.email_confirmed_at is not null
$$;

comment on function ops_private.confirmed_email() is
'The signed-in user''s own e-mail address, lower case, when it is confirmed; else null.';

revoke execute on function ops_private.confirmed_email() from public, anon;
grant execute on function ops_private.confirmed_email() to authenticated;

-- Inviting and revoking -----------------------------------------------------------------

-- SECURITY DEFINER: authenticated has no write privilege on the table; the caller's role
-- in the project is checked here (admins below owner, owners any; roles that bypass RLS any).
create or replace function ops.invite_project_member(
  p_project_slug text,
  p_email text,
  p_role ops.member_role default 'viewer'
)
returns ops.project_invitations
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_problem text := ops_private.invitation_problem(p_email, p_role);
  v_privileged boolean;
  v_project_id uuid;
  v_row ops.project_invitations;
begin
  if v_problem is not null then
    raise exception '%', v_problem using errcode = '22023';
  end if;
  if p_project_slug is null or length(p_project_slug) > 100 then
    raise exception 'p_project_slug must be a project slug, got %', ops_private.quote_short(p_project_slug)
      using errcode = '22023';
  end if;
  v_privileged := ops_private.caller_bypasses_rls();
  select p.id into v_project_id from ops.projects as p where p.slug = p_project_slug;
  if v_project_id is null or (not v_privileged and not ops_private.has_project_role(v_project_id, 'viewer')) then
    raise exception 'project % not found', ops_private.quote_short(p_project_slug)
      using errcode = 'P0002', hint = 'Check the slug, and that you are a member of the project.';
  end if;
  if not v_privileged and not ops_private.has_project_role(v_project_id, 'admin') then
    raise exception 'inviting members to project % needs the admin role or above', p_project_slug
      using errcode = '42501';
  end if;
  if p_role = 'owner' and not v_privileged and not ops_private.has_project_role(v_project_id, 'owner') then
    raise exception 'only owners of project % may invite owners', p_project_slug using errcode = '42501';
  end if;
  insert into ops.project_invitations as i (project_id, email, role, invited_by)
  values (v_project_id, lower(btrim(p_email)), p_role, (select auth.uid()))
  on conflict (email, project_id) where accepted_at is null do update
  set role = excluded.role, invited_by = excluded.invited_by, created_at = now(),
    expires_at = now() + interval '14 days'
  returning i.* into v_row;
  return v_row;
end
$$;

comment on function ops.invite_project_member(text, text, ops.member_role) is
'Invites an e-mail address to a project with a role, valid 14 days; the same address again renews the open '
'invitation. Admins invite below owner, owners any role. Says nothing of whether the address has an account. '
'SQLSTATEs: 22023 invalid parameter, P0002 unknown project or not a member, 42501 below admin, or an owner '
'invitation from a non-owner.';

revoke execute on function ops.invite_project_member(text, text, ops.member_role) from public, anon;
grant execute on function ops.invite_project_member(text, text, ops.member_role) to authenticated, service_role;

-- SECURITY DEFINER: same reason; the caller must be admin (owner for an owner invitation).
create or replace function ops.revoke_project_invitation(p_invitation_id uuid)
returns ops.project_invitations
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_privileged boolean;
  v_row ops.project_invitations;
begin
  if p_invitation_id is null then
    raise exception 'p_invitation_id must be an invitation id, got null' using errcode = '22023';
  end if;
  v_privileged := ops_private.caller_bypasses_rls();
  select i.* into v_row from ops.project_invitations as i where i.id = p_invitation_id for update;
  if v_row.id is null or (not v_privileged and not ops_private.has_project_role(v_row.project_id, 'admin')) then
    raise exception 'invitation % not found', p_invitation_id using errcode = 'P0002';
  end if;
  if v_row.role = 'owner' and not v_privileged and not ops_private.has_project_role(v_row.project_id, 'owner') then
    raise exception 'only owners may revoke an owner invitation' using errcode = '42501';
  end if;
  if v_row.accepted_at is not null then
    raise exception 'invitation % was accepted on %', p_invitation_id, v_row.accepted_at using errcode = 'OP014',
      hint = 'Change or remove the membership instead.';
  end if;
  delete from ops.project_invitations as i where i.id = p_invitation_id;
  return v_row;
end
$$;

comment on function ops.revoke_project_invitation(uuid) is
'Deletes an open invitation; returns it. Admins of its project (owners for an owner invitation). SQLSTATEs: '
'22023 invalid parameter, P0002 unknown or not an admin, 42501 an owner invitation from a non-owner, OP014 '
'already accepted.';

revoke execute on function ops.revoke_project_invitation(uuid) from public, anon;
grant execute on function ops.revoke_project_invitation(uuid) to authenticated, service_role;

-- The invitee ------------------------------------------------------------------------

-- SECURITY DEFINER: the invitee is not a member yet, so RLS hides the invitation and its project.
create or replace function ops.my_project_invitations()
returns table (
  id uuid, project_slug text, project_name text, role ops.member_role, created_at timestamptz,
  expires_at timestamptz
)
language sql
stable
security definer
set search_path = ''
as $$
  select i.id, p.slug, p.name, i.role, i.created_at, i.expires_at
  from ops.project_invitations as i
  inner join ops.projects as p on p.id = i.project_id
  where i.email = ops_private.confirmed_email() and i.accepted_at is null and i.expires_at > now()
  order by i.created_at desc
  limit 100
$$;

comment on function ops.my_project_invitations() is
'The open invitations to the signed-in user''s confirmed e-mail address (at most 100, newest first), with the '
'project''s slug and name. None while the address is not confirmed.';

revoke execute on function ops.my_project_invitations() from public, anon;
grant execute on function ops.my_project_invitations() to authenticated;

-- SECURITY DEFINER: writes a membership the invitee could not write; every condition is checked here.
create or replace function ops.accept_project_invitation(p_invitation_id uuid)
returns table (project_slug text, role ops.member_role)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_email text := ops_private.confirmed_email();
  v_row ops.project_invitations;
  v_sender_role ops.member_role;
begin
  if p_invitation_id is null then
    raise exception 'p_invitation_id must be an invitation id, got null' using errcode = '22023';
  end if;
  if v_uid is null then
    raise exception 'accepting an invitation needs a signed-in user' using errcode = '42501';
  end if;
  select i.* into v_row from ops.project_invitations as i where i.id = p_invitation_id for update;
  if v_row.id is null then
    raise exception 'invitation % not found', p_invitation_id using errcode = 'P0002';
  end if;
  if v_email is null or v_email <> v_row.email then
    raise exception 'invitation % is for another e-mail address, or yours is not confirmed yet', p_invitation_id
      using errcode = '42501', hint = 'Sign in with the invited address, confirmed.';
  end if;
  if v_row.accepted_at is not null or v_row.expires_at <= now() then
    raise exception 'invitation % was accepted or has expired', p_invitation_id
      using errcode = 'OP014', hint = 'Ask an admin of the project for a new one.';
  end if;
  if v_row.invited_by is not null then
    select m.role into v_sender_role from ops.project_memberships as m
    where m.project_id = v_row.project_id and m.user_id = v_row.invited_by;
    if v_sender_role is null or v_sender_role < 'admin' or (v_row.role = 'owner' and v_sender_role < 'owner') then
      raise exception 'the sender of invitation % may no longer invite with the role %', p_invitation_id, v_row.role
        using errcode = '42501', hint = 'Ask an admin of the project for a new one.';
    end if;
  end if;
  insert into ops.project_memberships (project_id, user_id, role, created_by)
  values (v_row.project_id, v_uid, v_row.role, v_row.invited_by)
  on conflict (project_id, user_id) do nothing;
  update ops.project_invitations as i set accepted_at = now(), accepted_by = v_uid where i.id = p_invitation_id;
  return query
  select p.slug, m.role from ops.project_memberships as m inner join ops.projects as p on p.id = m.project_id
  where m.project_id = v_row.project_id and m.user_id = v_uid;
end
$$;

comment on function ops.accept_project_invitation(uuid) is
'Makes the signed-in user a member of the invitation''s project with its role (a member keeps the role they have) '
'and marks it accepted; returns the project''s slug and the role held. SQLSTATEs: 22023 invalid parameter, P0002 '
'unknown invitation, 42501 not signed in, another or an unconfirmed address, or a sender who may no longer invite '
'with that role, OP014 accepted or expired.';

revoke execute on function ops.accept_project_invitation(uuid) from public, anon;
grant execute on function ops.accept_project_invitation(uuid) to authenticated;
