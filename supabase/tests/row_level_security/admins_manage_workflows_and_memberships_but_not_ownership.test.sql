-- An admin manages the workflows and memberships of their project, but only
-- an owner can make, unmake or remove an owner; deleting a project takes an owner.
begin;
select plan(14);

-- SETUP
select tests.ops_world();
select id as project_a from ops.projects where slug = 'project-a' \gset
select tests.get_supabase_uid('a-owner') as owner_id \gset
select tests.get_supabase_uid('a-viewer') as viewer_id \gset
select tests.get_supabase_uid('a-developer') as developer_id \gset
select tests.get_supabase_uid('outsider') as outsider_id \gset
select tests.authenticate_as('a-admin');

-- TEST: workflows.
select lives_ok(
  format(
    $q$insert into ops.workflows (project_id, name, steps) values (%L, 'test', '[{"name": "t", "command": "pytest"}]')$q$,
    :'project_a'
  ),
  'An admin adds a workflow.'
);
select results_eq(
  format(
    $q$update ops.workflows set steps = '[{"name": "t", "command": "pytest -x"}]'
       where project_id = %L and name = 'test' returning version$q$,
    :'project_a'
  ),
  $$values (2)$$,
  'An admin changes a workflow''s steps, which bumps its version.'
);
select results_eq(
  format($q$delete from ops.workflows where project_id = %L and name = 'test' returning name$q$, :'project_a'),
  $$values ('test'::text)$$,
  'An admin deletes a workflow.'
);

-- TEST: memberships below owner.
select results_eq(
  format(
    $q$insert into ops.project_memberships (project_id, user_id, role) values (%L, %L, 'developer')
       returning role::text, created_by$q$,
    :'project_a', :'outsider_id'
  ),
  format('values (%L::text, %L::uuid)', 'developer', tests.get_supabase_uid('a-admin')),
  'An admin adds a developer, and is recorded as who added them.'
);
select results_eq(
  format(
    $q$update ops.project_memberships set role = 'admin' where project_id = %L and user_id = %L returning role::text$q$,
    :'project_a', :'viewer_id'
  ),
  $$values ('admin'::text)$$,
  'An admin raises a viewer to admin.'
);
select results_eq(
  format(
    'delete from ops.project_memberships where project_id = %L and user_id = %L returning user_id',
    :'project_a', :'outsider_id'
  ),
  format('values (%L::uuid)', :'outsider_id'),
  'An admin removes a member.'
);

-- TEST: ownership is for owners.
select throws_ok(
  format(
    $q$insert into ops.project_memberships (project_id, user_id, role) values (%L, %L, 'owner')$q$,
    :'project_a', :'outsider_id'
  ),
  '42501', 'new row violates row-level security policy for table "project_memberships"',
  'An admin cannot add an owner.'
);
select throws_ok(
  format(
    $q$update ops.project_memberships set role = 'owner' where project_id = %L and user_id = %L$q$,
    :'project_a', :'developer_id'
  ),
  '42501', 'new row violates row-level security policy for table "project_memberships"',
  'An admin cannot make another member owner.'
);
select is_empty(
  format(
    $q$update ops.project_memberships set role = 'viewer' where project_id = %L and user_id = %L returning id$q$,
    :'project_a', :'owner_id'
  ),
  'An admin cannot demote the owner.'
);
select is_empty(
  format(
    'delete from ops.project_memberships where project_id = %L and user_id = %L returning id',
    :'project_a', :'owner_id'
  ),
  'An admin cannot remove the owner.'
);
select results_eq(
  format($q$update ops.projects set name = 'Renamed by admin' where id = %L returning name$q$, :'project_a'),
  $$values ('Renamed by admin'::text)$$,
  'An admin can rename the project.'
);
select is_empty(
  format('delete from ops.projects where id = %L returning id', :'project_a'), 'An admin cannot delete the project.'
);

-- TEST: an owner can hand out ownership.
select tests.authenticate_as('a-owner');
select results_eq(
  format(
    $q$update ops.project_memberships set role = 'owner' where project_id = %L and user_id = %L returning role::text$q$,
    :'project_a', :'developer_id'
  ),
  $$values ('owner'::text)$$,
  'An owner can make another member owner.'
);

-- TEST: the owner is still the owner.
select tests.clear_authentication();
select results_eq(
  format(
    $q$select role::text from ops.project_memberships where project_id = %L and user_id = %L$q$,
    :'project_a', :'owner_id'
  ),
  $$values ('owner'::text)$$,
  'a-owner is still an owner of project A.'
);

select * from finish();
rollback;
