-- Nobody makes themselves a member of a project, and nobody raises their own
-- role: not an outsider, not a viewer, not a developer, not an admin.
begin;
select plan(8);

-- SETUP
select tests.ops_world();
select id as project_a from ops.projects where slug = 'project-a' \gset
select id as project_b from ops.projects where slug = 'project-b' \gset

-- TEST: an outsider cannot join.
select tests.authenticate_as('outsider');
select throws_ok(
  format(
    $q$insert into ops.project_memberships (project_id, user_id, role) values (%L, %L, 'viewer')$q$,
    :'project_a', tests.get_supabase_uid('outsider')
  ),
  '42501', 'new row violates row-level security policy for table "project_memberships"',
  'A user cannot add themselves to a project as viewer.'
);
select throws_ok(
  format(
    $q$insert into ops.project_memberships (project_id, user_id, role) values (%L, %L, 'owner')$q$,
    :'project_a', tests.get_supabase_uid('outsider')
  ),
  '42501', 'new row violates row-level security policy for table "project_memberships"',
  'A user cannot add themselves to a project as owner.'
);

-- TEST: an admin of A cannot join B.
select tests.authenticate_as('a-admin');
select throws_ok(
  format(
    $q$insert into ops.project_memberships (project_id, user_id, role) values (%L, %L, 'admin')$q$,
    :'project_b', tests.get_supabase_uid('a-admin')
  ),
  '42501', 'new row violates row-level security policy for table "project_memberships"',
  'An admin of one project cannot add themselves to another.'
);

-- TEST: nobody raises their own role.
select is_empty(
  format(
    $q$update ops.project_memberships set role = 'owner' where project_id = %L and user_id = %L returning id$q$,
    :'project_a', tests.get_supabase_uid('a-admin')
  ),
  'An admin cannot make themselves owner.'
);
select tests.authenticate_as('a-developer');
select is_empty(
  format(
    $q$update ops.project_memberships set role = 'admin' where project_id = %L and user_id = %L returning id$q$,
    :'project_a', tests.get_supabase_uid('a-developer')
  ),
  'A developer cannot make themselves admin.'
);
select tests.authenticate_as('a-viewer');
select is_empty(
  format(
    $q$update ops.project_memberships set role = 'developer' where project_id = %L and user_id = %L returning id$q$,
    :'project_a', tests.get_supabase_uid('a-viewer')
  ),
  'A viewer cannot make themselves developer.'
);

-- TEST: roles are as they were.
select tests.clear_authentication();
select results_eq(
  format(
    $q$select u.raw_user_meta_data ->> 'test_identifier', m.role::text
       from ops.project_memberships as m join auth.users as u on u.id = m.user_id
       where m.project_id = %L order by m.role$q$,
    :'project_a'
  ),
  $$values ('a-viewer', 'viewer'), ('a-developer', 'developer'), ('a-admin', 'admin'), ('a-owner', 'owner')$$,
  'Project A has the members and roles it started with.'
);
select is_empty(
  format($q$select 1 from ops.project_memberships where project_id = %L and role <> 'owner'$q$, :'project_b'),
  'Project B has its owner only.'
);

select * from finish();
rollback;
