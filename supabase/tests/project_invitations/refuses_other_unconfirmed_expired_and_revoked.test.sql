-- ops.accept_project_invitation refuses an invitation to another address, to
-- an unconfirmed one, an expired one, and one whose sender lost the right to
-- invite; ops.revoke_project_invitation deletes an open invitation, and an
-- accepted one stays.
begin;
select plan(8);

select tests.ops_world();
select tests.create_supabase_user('carol', 'carol@example.test');
select tests.create_supabase_user('dave', 'dave@example.test');
update auth.users set email_confirmed_at = now() where email = 'carol@example.test';
select tests.authenticate_as('a-admin');
select ops.invite_project_member('project-a', 'carol@example.test', 'developer');
select ops.invite_project_member('project-a', 'dave@example.test', 'developer');
select tests.clear_authentication();
create temporary table inv on commit drop as select email, id from ops.project_invitations;
grant select on inv to authenticated;

-- TEST
select tests.authenticate_as('carol');
select throws_ok(
  format('select ops.accept_project_invitation(%L)', (select id from inv where email = 'dave@example.test')),
  '42501', format('invitation %s is for another e-mail address, or yours is not confirmed yet',
    (select id from inv where email = 'dave@example.test')),
  'Another address''s invitation is refused.'
);
select tests.authenticate_as('dave');
select throws_ok(
  format('select ops.accept_project_invitation(%L)', (select id from inv where email = 'dave@example.test')),
  '42501', null, 'An unconfirmed address cannot accept its own invitation.'
);
select tests.clear_authentication();
update ops.project_invitations set created_at = now() - interval '20 days', expires_at = now() - interval '1 day'
where email = 'dave@example.test';
update auth.users set email_confirmed_at = now() where email = 'dave@example.test';
select tests.authenticate_as('dave');
select throws_ok(
  format('select ops.accept_project_invitation(%L)', (select id from inv where email = 'dave@example.test')),
  'OP014', null, 'An expired invitation is refused.'
);
select tests.clear_authentication();
update ops.project_memberships set role = 'viewer'
where user_id = tests.get_supabase_uid('a-admin');
select tests.authenticate_as('carol');
select throws_ok(
  format('select ops.accept_project_invitation(%L)', (select id from inv where email = 'carol@example.test')),
  '42501', format('the sender of invitation %s may no longer invite with the role developer',
    (select id from inv where email = 'carol@example.test')),
  'An invitation whose sender is no longer an admin is refused.'
);
select is(
  (select count(*)::int from ops.project_memberships where user_id = tests.get_supabase_uid('carol')), 0,
  'No refusal made a member.'
);

select tests.authenticate_as('a-owner');
select results_eq(
  format('select email from ops.revoke_project_invitation(%L)', (select id from inv where email = 'dave@example.test')),
  $$values ('dave@example.test')$$,
  'An owner revokes an invitation.'
);
select tests.authenticate_as('a-developer');
select throws_ok(
  format('select ops.revoke_project_invitation(%L)', (select id from inv where email = 'carol@example.test')),
  'P0002', null, 'To a developer the invitation does not exist.'
);
select tests.clear_authentication();
select is((select count(*)::int from ops.project_invitations), 1, 'Only the revoked invitation is gone.');

select * from finish();
rollback;
