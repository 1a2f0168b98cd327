-- A project always keeps an owner: its last owner can be neither removed nor
-- demoted (23514), by themselves or anyone; with a second owner both work;
-- deleting the project still removes every membership.
begin;
select plan(7);

-- SETUP
select tests.create_supabase_user('first');
select tests.create_supabase_user('second');
select tests.authenticate_as('first');
select (ops.create_project('keep-owner', 'Keep owner', '17.0', 'https://git.example.com/k.git')).id as project_id \gset
select tests.clear_authentication();

-- TEST: the only owner.
select tests.authenticate_as('first');
select throws_ok(
  format($q$delete from ops.project_memberships where project_id = %L and user_id = %L$q$,
    :'project_id', tests.get_supabase_uid('first')),
  '23514', format('project %s: user %s is its last owner and cannot be removed or demoted',
    :'project_id', tests.get_supabase_uid('first')),
  'The last owner cannot remove themselves.'
);
select tests.clear_authentication();
select throws_ok(
  format($q$update ops.project_memberships set role = 'admin' where project_id = %L$q$, :'project_id'),
  '23514', null,
  'Not even the table owner can demote the last owner.'
);

-- TEST: with a second owner, one may go.
insert into ops.project_memberships (project_id, user_id, role)
values (:'project_id', tests.get_supabase_uid('second'), 'owner');
select lives_ok(
  format($q$update ops.project_memberships set role = 'admin' where project_id = %L and user_id = %L$q$,
    :'project_id', tests.get_supabase_uid('second')),
  'An owner can be demoted while another owner remains.'
);
select lives_ok(
  format($q$update ops.project_memberships set role = 'owner' where project_id = %L and user_id = %L$q$,
    :'project_id', tests.get_supabase_uid('second')),
  'A member can be made owner again.'
);
select tests.authenticate_as('first');
select lives_ok(
  format($q$delete from ops.project_memberships where project_id = %L and user_id = %L$q$,
    :'project_id', tests.get_supabase_uid('second')),
  'An owner can remove another owner while they remain owner themselves.'
);

-- TEST: deleting the project takes its memberships along.
select lives_ok(
  format($q$delete from ops.projects where id = %L$q$, :'project_id'),
  'The owner can delete the project, last owner membership included.'
);
select tests.clear_authentication();
select is(
  (select count(*)::integer from ops.project_memberships where project_id = :'project_id'),
  0,
  'No membership of the deleted project is left.'
);

select * from finish();
rollback;
