-- ops.projects: a workspace for one Odoo codebase. Its columns, types, keys,
-- named checks, indexes, triggers, grants, policies and row-level security.
begin;
select plan(30);

-- TEST: columns, types and nullability.
select has_table('ops', 'projects', 'ops.projects exists.');
select columns_are(
  'ops', 'projects',
  array[
    'id', 'slug', 'name', 'odoo_series', 'repository_url', 'production_branch', 'settings', 'created_by',
    'created_at', 'updated_at', 'archived_at'
  ],
  'ops.projects has exactly the documented columns.'
);
select col_type_is('ops', 'projects', c.name, c.type, format('projects.%s is %s.', c.name, c.type))
from (values
  ('id', 'uuid'), ('slug', 'text'), ('name', 'text'), ('odoo_series', 'text'), ('repository_url', 'text'),
  ('production_branch', 'text'), ('settings', 'jsonb'), ('created_by', 'uuid'),
  ('created_at', 'timestamp with time zone'), ('updated_at', 'timestamp with time zone'),
  ('archived_at', 'timestamp with time zone')
) as c (name, type);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.projects'::regclass and a.attnum > 0 and not a.attisdropped and not a.attnotnull
    order by a.attname
  ),
  array['archived_at', 'created_by', 'production_branch'],
  'Only projects.created_by, archived_at and production_branch are nullable (a deleted creator leaves the project; '
  'a live project has no archive time; a project whose production branch moved to development has none).'
);
select col_default_is('ops', 'projects', 'production_branch', 'main', 'The production branch defaults to main.');
select col_default_is('ops', 'projects', 'settings', '{}'::jsonb, 'Settings default to an empty object.');

-- TEST: keys and named checks.
select col_is_pk('ops', 'projects', 'id', 'projects.id is the primary key.');
select col_is_unique('ops', 'projects', array['slug'], 'A project slug is unique.');
select fk_ok('ops', 'projects', 'created_by', 'auth', 'users', 'id', 'projects.created_by references auth.users.');
select set_eq(
  $$select conname::text, contype::text from pg_constraint where conrelid = 'ops.projects'::regclass$$,
  $$values
    ('projects_pkey', 'p'), ('projects_slug_key', 'u'), ('projects_created_by_fkey', 'f'),
    ('projects_slug_is_valid', 'c'), ('projects_name_is_valid', 'c'), ('projects_odoo_series_is_supported', 'c'),
    ('projects_repository_url_is_valid', 'c'), ('projects_production_branch_is_valid', 'c'),
    ('projects_settings_is_object', 'c'), ('projects_repository_url_is_bounded', 'c'),
    ('projects_settings_is_bounded', 'c')$$,
  'ops.projects has exactly the documented constraints, named for their rule.'
);

-- TEST: indexes, triggers, row-level security, policies and grants.
select indexes_are(
  'ops', 'projects', array['projects_pkey', 'projects_slug_key', 'projects_created_by_idx'],
  'ops.projects has exactly the documented indexes.'
);
select has_index('ops', 'projects', 'projects_created_by_idx', array['created_by'], 'projects.created_by is indexed.');
select triggers_are(
  'ops', 'projects', array[
    'projects_set_updated_at', 'projects_100_refuse_delete_with_runs', 'projects_800_create_schedule',
    'projects_900_add_owner', 'projects_800_create_production_branch', 'projects_refuse_production_branch_change',
    'projects_sync_webhook_repository'
  ],
  'ops.projects stamps updated_at, refuses to delete a project with runs, gets its schedule row, makes its creator '
  'the owner, creates its production branch, keeps production_branch to the database and its webhook secrets '
  'to its repository_url.'
);
select is(
  (select relrowsecurity from pg_class where oid = 'ops.projects'::regclass), true,
  'ops.projects has row-level security enabled.'
);
select policies_are(
  'ops', 'projects',
  array[
    'authenticated can select member projects', 'authenticated can insert projects they create',
    'admins can update their projects', 'owners can delete their projects'
  ],
  'ops.projects has one policy per command.'
);
select table_privs_are('ops', 'projects', 'anon', array[]::text[], 'anon has no privilege on ops.projects.');
select table_privs_are(
  'ops', 'projects', 'authenticated', array['SELECT', 'DELETE'],
  'authenticated may select and delete projects (insert and update by column).'
);
select table_privs_are(
  'ops', 'projects', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'service_role may select, insert, update and delete projects.'
);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.projects'::regclass and a.attnum > 0 and not a.attisdropped
      and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT')
    order by a.attnum
  ),
  array['id', 'slug', 'name', 'odoo_series', 'repository_url', 'production_branch', 'settings'],
  'authenticated cannot choose created_by or the timestamps when creating a project.'
);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.projects'::regclass and a.attnum > 0 and not a.attisdropped
      and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE')
    order by a.attnum
  ),
  array['name', 'repository_url', 'settings'],
  'authenticated can update only the name, repository and settings (not slug, series or production branch).'
);

select * from finish();
rollback;
