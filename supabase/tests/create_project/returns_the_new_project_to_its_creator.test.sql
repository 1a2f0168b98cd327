-- ops.create_project: the creator gets the new project back and owns it,
-- where a plain insert ... returning fails; bad parameters are named; anon may not call it.
begin;
select plan(10);

-- SETUP
select tests.create_supabase_user('founder');
select tests.create_supabase_user('stranger');

-- TEST: why the function exists.
select tests.authenticate_as('founder');
select throws_ok(
  $$insert into ops.projects (slug, name, odoo_series, repository_url)
    values ('direct', 'Direct', '17.0', 'https://git.example.com/direct.git') returning id$$,
  '42501', null,
  'A plain insert ... returning is refused to the creator (the select policy needs the membership first).'
);

-- TEST: the function returns the project to its creator, who owns it.
select is(
  (ops.create_project('acme-erp', 'Acme ERP', '17.0', 'https://git.example.com/acme/erp.git')).slug,
  'acme-erp',
  'create_project returns the new project to its creator.'
);
select is(
  (select m.role::text from ops.project_memberships as m join ops.projects as p on p.id = m.project_id
   where p.slug = 'acme-erp' and m.user_id = tests.get_supabase_uid('founder')),
  'owner',
  'The creator is the owner of the project.'
);
select is(
  (select production_branch || ' ' || settings::text from ops.projects where slug = 'acme-erp'),
  'main {}',
  'Defaults: production branch main, empty settings.'
);

-- TEST: refusals name the parameter.
select throws_ok(
  $$select ops.create_project('Bad Slug', 'x', '17.0', 'https://git.example.com/x.git')$$,
  '22023', 'p_slug must be lowercase letters, digits and inner dashes (at most 63), got ''Bad Slug''',
  'A malformed slug is refused, named.'
);
select throws_ok(
  $$select ops.create_project('legacy', 'x', '12.0', 'https://git.example.com/x.git')$$,
  '22023', 'p_odoo_series must be one of 16.0, 17.0, 18.0, 19.0, got ''12.0''',
  'An unknown Odoo series is refused, named.'
);
select throws_ok(
  $$select ops.create_project('acme-erp', 'x', '17.0', 'https://git.example.com/x.git')$$,
  '23505', 'p_slug ''acme-erp'' is taken by another project',
  'A slug in use is refused.'
);
select throws_ok(
  $$select ops.create_project('ftp-repo', 'x', '17.0', 'ftp://git.example.com/x.git')$$,
  '23514', 'new row for relation "projects" violates check constraint "projects_repository_url_is_valid"',
  'A repository URL the table refuses is refused with its constraint.'
);

-- TEST: a stranger does not see the project; anon may not call the function.
select tests.authenticate_as('stranger');
select is_empty($$select 1 from ops.projects where slug = 'acme-erp'$$, 'A stranger does not see the new project.');
select tests.clear_authentication();
select ok(
  not has_function_privilege('anon', 'ops.create_project(text, text, text, text, text, jsonb)', 'execute'),
  'anon may not execute create_project.'
);

select * from finish();
rollback;
