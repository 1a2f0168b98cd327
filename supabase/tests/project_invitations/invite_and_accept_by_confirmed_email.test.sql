-- ops.invite_project_member, ops.my_project_invitations and
-- ops.accept_project_invitation: an admin invites an address (with or
-- without an account); only its holder, once confirmed, sees and accepts;
-- accepting makes a member with the invited role, once; admins see their
-- projects' invitations and nobody else does.
begin;
select plan(16);

-- SETUP: project-a (a-owner, a-admin, a-developer, a-viewer), project-b (b-owner);
-- carol has an account, confirmed; dave's address is not confirmed.
select tests.ops_world();
select tests.create_supabase_user('carol', 'Carol@Example.test');
select tests.create_supabase_user('dave', 'dave@example.test');
update auth.users set email_confirmed_at = now() where email = 'Carol@Example.test';

-- TEST: inviting.
select tests.authenticate_as('a-admin');
select results_eq(
  $$select email, role::text from ops.invite_project_member('project-a', ' CAROL@example.TEST ', 'developer')$$,
  $$values ('carol@example.test', 'developer')$$,
  'An admin invites an address, trimmed and lower-cased.'
);
select lives_ok(
  $$select ops.invite_project_member('project-a', 'nobody-yet@example.test')$$,
  'An address without an account is invited the same way: nothing tells whether it has one.'
);
select results_eq(
  $$select role::text from ops.invite_project_member('project-a', 'carol@example.test', 'viewer')$$,
  $$values ('viewer')$$,
  'Inviting again renews the open invitation with the new role.'
);
select is((select count(*)::int from ops.project_invitations), 2, 'One open invitation per address.');
select throws_ok(
  $$select ops.invite_project_member('project-a', 'x@example.test', 'owner')$$,
  '42501', 'only owners of project project-a may invite owners', 'An admin may not invite an owner.'
);
select throws_ok(
  $$select ops.invite_project_member('project-a', 'not an address', 'viewer')$$,
  '22023', 'p_email must be an e-mail address of up to 254 characters, got ''not an address''',
  'A malformed address is refused, naming the field.'
);
select tests.authenticate_as('a-developer');
select throws_ok(
  $$select ops.invite_project_member('project-a', 'x@example.test')$$,
  '42501', 'inviting members to project project-a needs the admin role or above', 'A developer may not invite.'
);
select is((select count(*)::int from ops.project_invitations), 0, 'A developer does not see the invitations.');
select tests.authenticate_as('b-owner');
select throws_ok(
  $$select ops.invite_project_member('project-a', 'x@example.test')$$,
  'P0002', 'project ''project-a'' not found', 'To a non-member the project does not exist.'
);

-- TEST: the invitee.
select tests.authenticate_as('dave');
select is((select count(*)::int from ops.my_project_invitations()), 0, 'Another address sees nothing.');
select tests.authenticate_as('carol');
select results_eq(
  $$select project_slug, role::text from ops.my_project_invitations()$$,
  $$values ('project-a', 'viewer')$$,
  'The confirmed holder of the address sees the invitation and the project''s slug.'
);
select results_eq(
  format('select project_slug, role::text from ops.accept_project_invitation(%L)',
    (select i.id from ops.my_project_invitations() as i)),
  $$values ('project-a', 'viewer')$$,
  'Accepting makes her a viewer of project-a.'
);
select results_eq(
  $$select p.slug from ops.projects as p order by p.slug$$,
  $$values ('project-a')$$,
  'Row-level security now shows her the project.'
);
select is((select count(*)::int from ops.my_project_invitations()), 0, 'An accepted invitation is no longer open.');
select tests.clear_authentication();
select throws_ok(
  format('select ops.accept_project_invitation(%L)',
    (select id from ops.project_invitations where email = 'carol@example.test')),
  '42501', null, 'Nobody accepts without signing in.'
);
select ok(
  not has_table_privilege('authenticated', 'ops.project_invitations', 'insert')
  and not has_table_privilege('authenticated', 'ops.project_invitations', 'update')
  and not has_function_privilege('anon', 'ops.invite_project_member(text, text, ops.member_role)', 'execute')
  and not has_function_privilege('anon', 'ops.accept_project_invitation(uuid)', 'execute')
  and (select relrowsecurity from pg_class where oid = 'ops.project_invitations'::regclass),
  'Nobody writes invitations but the RPCs; anon calls none; RLS is on.'
);

select * from finish();
rollback;
