-- Whoever creates a project becomes its owner, in the same statement, and
-- cannot create it in someone else's name.
begin;
select plan(4);

-- SETUP
select tests.create_supabase_user('creator') as creator_id \gset
select tests.create_supabase_user('someone-else') as other_id \gset
select tests.authenticate_as('creator');

-- TEST
select lives_ok(
  $$insert into ops.projects (slug, name, odoo_series, repository_url)
    values ('acme-erp', 'Acme ERP', '18.0', 'git@github.com:acme/erp.git')$$,
  'An authenticated user creates a project.'
);
select results_eq(
  $$select p.slug, p.created_by, m.user_id, m.role::text, m.created_by
    from ops.projects as p join ops.project_memberships as m on m.project_id = p.id$$,
  format('values (%L, %L::uuid, %L::uuid, %L, %L::uuid)', 'acme-erp', :'creator_id', :'creator_id', 'owner', :'creator_id'),
  'The creator is recorded on the project and is its one member, as owner.'
);
select lives_ok(
  format(
    $q$insert into ops.project_memberships (project_id, user_id, role)
       select id, %L, 'developer' from ops.projects where slug = 'acme-erp'$q$,
    :'other_id'
  ),
  'As owner, the creator can add members straight away.'
);
select throws_ok(
  format(
    $q$insert into ops.projects (slug, name, odoo_series, repository_url, created_by)
       values ('not-mine', 'Not mine', '18.0', 'https://git.example/x.git', %L)$q$,
    :'other_id'
  ),
  '42501', 'permission denied for table projects',
  'A user cannot create a project in someone else''s name.'
);

select * from finish();
rollback;
