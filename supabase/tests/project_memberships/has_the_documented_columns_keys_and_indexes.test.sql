-- ops.project_memberships: who may see and do what in a project. Its columns,
-- types, keys, indexes, triggers, grants, policies and row-level security.
begin;
select plan(28);

-- TEST: columns, types and nullability.
select has_table('ops', 'project_memberships', 'ops.project_memberships exists.');
select columns_are(
  'ops', 'project_memberships',
  array['id', 'project_id', 'user_id', 'role', 'created_by', 'created_at', 'updated_at'],
  'ops.project_memberships has exactly the documented columns.'
);
select col_type_is(
  'ops', 'project_memberships', c.name, c.type, format('project_memberships.%s is %s.', c.name, c.type)
)
from (values
  ('id', 'uuid'), ('project_id', 'uuid'), ('user_id', 'uuid'), ('role', 'ops.member_role'), ('created_by', 'uuid'),
  ('created_at', 'timestamp with time zone'), ('updated_at', 'timestamp with time zone')
) as c (name, type);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.project_memberships'::regclass and a.attnum > 0 and not a.attisdropped
      and not a.attnotnull
  ),
  array['created_by'],
  'Only project_memberships.created_by is nullable.'
);
select enum_has_labels(
  'ops', 'member_role', array['viewer', 'developer', 'admin', 'owner'],
  'ops.member_role is ordered from least to most rights.'
);
select col_default_is('ops', 'project_memberships', 'role', 'viewer', 'A member is a viewer unless told otherwise.');

-- TEST: keys.
select col_is_pk('ops', 'project_memberships', 'id', 'project_memberships.id is the primary key.');
select col_is_unique(
  'ops', 'project_memberships', array['project_id', 'user_id'], 'A user is a member of a project once.'
);
select fk_ok(
  'ops', 'project_memberships', 'project_id', 'ops', 'projects', 'id',
  'project_memberships.project_id references ops.projects.'
);
select fk_ok(
  'ops', 'project_memberships', 'user_id', 'auth', 'users', 'id', 'project_memberships.user_id references auth.users.'
);
select fk_ok(
  'ops', 'project_memberships', 'created_by', 'auth', 'users', 'id',
  'project_memberships.created_by references auth.users.'
);
select set_eq(
  $$select conname::text, contype::text from pg_constraint where conrelid = 'ops.project_memberships'::regclass$$,
  $$values
    ('project_memberships_pkey', 'p'), ('project_memberships_project_id_user_id_key', 'u'),
    ('project_memberships_project_id_fkey', 'f'), ('project_memberships_user_id_fkey', 'f'),
    ('project_memberships_created_by_fkey', 'f')$$,
  'ops.project_memberships has exactly the documented constraints.'
);

-- TEST: indexes, triggers, row-level security, policies and grants.
select indexes_are(
  'ops', 'project_memberships',
  array['project_memberships_pkey', 'project_memberships_project_id_user_id_key', 'project_memberships_user_id_idx'],
  'ops.project_memberships has exactly the documented indexes.'
);
select has_index(
  'ops', 'project_memberships', 'project_memberships_user_id_idx', array['user_id', 'project_id'],
  'Memberships are looked up by user first, from an index led by user_id.'
);
select triggers_are(
  'ops', 'project_memberships', array['project_memberships_set_updated_at', 'project_memberships_keep_an_owner'],
  'ops.project_memberships stamps updated_at and keeps a last owner.'
);
select is(
  (select relrowsecurity from pg_class where oid = 'ops.project_memberships'::regclass), true,
  'ops.project_memberships has row-level security enabled.'
);
select policies_are(
  'ops', 'project_memberships',
  array[
    'authenticated can select memberships of member projects', 'admins can insert memberships',
    'admins can update memberships', 'admins can delete memberships'
  ],
  'ops.project_memberships has one policy per command.'
);
select table_privs_are(
  'ops', 'project_memberships', 'anon', array[]::text[], 'anon has no privilege on ops.project_memberships.'
);
select table_privs_are(
  'ops', 'project_memberships', 'authenticated', array['SELECT', 'DELETE'],
  'authenticated may select and delete memberships (insert and update by column).'
);
select table_privs_are(
  'ops', 'project_memberships', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'service_role may select, insert, update and delete memberships.'
);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.project_memberships'::regclass and a.attnum > 0 and not a.attisdropped
      and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT')
    order by a.attnum
  ),
  array['project_id', 'user_id', 'role'],
  'authenticated adds a member by project, user and role only.'
);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.project_memberships'::regclass and a.attnum > 0 and not a.attisdropped
      and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE')
    order by a.attnum
  ),
  array['role'],
  'authenticated can change a member''s role, not move a membership to another project or user.'
);

select * from finish();
rollback;
