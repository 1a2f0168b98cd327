-- ops.tools: Docker images that workflow steps run in. Its columns, types,
-- keys, named checks, indexes, triggers, grants, policies and row-level security.
begin;
select plan(26);

-- TEST: columns, types and nullability.
select has_table('ops', 'tools', 'ops.tools exists.');
select columns_are(
  'ops', 'tools',
  array[
    'id', 'name', 'image', 'tag', 'digest', 'odoo_series', 'description', 'run_locally', 'enabled', 'created_at',
    'updated_at'
  ],
  'ops.tools has exactly the documented columns.'
);
select col_type_is('ops', 'tools', c.name, c.type, format('tools.%s is %s.', c.name, c.type))
from (values
  ('id', 'uuid'), ('name', 'text'), ('image', 'text'), ('tag', 'text'), ('digest', 'text'), ('odoo_series', 'text'),
  ('description', 'text'), ('run_locally', 'boolean'), ('enabled', 'boolean'),
  ('created_at', 'timestamp with time zone'), ('updated_at', 'timestamp with time zone')
) as c (name, type);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.tools'::regclass and a.attnum > 0 and not a.attisdropped and not a.attnotnull
    order by a.attnum
  ),
  array['digest', 'odoo_series', 'description'],
  'Only tools.digest (until pinned), odoo_series (tools for every series) and description are nullable.'
);
select col_default_is('ops', 'tools', 'tag', 'latest', 'A tool''s tag defaults to latest.');
select col_default_is('ops', 'tools', 'run_locally', false, 'A tool runs in Docker unless marked otherwise.');

-- TEST: keys and named checks.
select col_is_pk('ops', 'tools', 'id', 'tools.id is the primary key.');
select col_is_unique('ops', 'tools', array['name'], 'A tool name is unique.');
select set_eq(
  $$select conname::text, contype::text from pg_constraint where conrelid = 'ops.tools'::regclass$$,
  $$values
    ('tools_pkey', 'p'), ('tools_name_key', 'u'), ('tools_name_is_valid', 'c'), ('tools_image_is_valid', 'c'),
    ('tools_tag_is_valid', 'c'), ('tools_digest_is_sha256', 'c'), ('tools_odoo_series_is_supported', 'c'),
    ('tools_description_is_bounded', 'c')$$,
  'ops.tools has exactly the documented constraints, named for their rule.'
);

-- TEST: indexes, triggers, row-level security, policies and grants.
select indexes_are('ops', 'tools', array['tools_pkey', 'tools_name_key'], 'ops.tools has exactly the documented indexes.');
select triggers_are('ops', 'tools', array['tools_set_updated_at'], 'ops.tools stamps updated_at.');
select is(
  (select relrowsecurity from pg_class where oid = 'ops.tools'::regclass), true,
  'ops.tools has row-level security enabled.'
);
select policies_are(
  'ops', 'tools', array['authenticated can select tools'], 'ops.tools has a select policy only.'
);
select table_privs_are('ops', 'tools', 'anon', array[]::text[], 'anon has no privilege on ops.tools.');
select table_privs_are('ops', 'tools', 'authenticated', array['SELECT'], 'authenticated may only select tools.');
select table_privs_are(
  'ops', 'tools', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'service_role may select, insert, update and delete tools.'
);

select * from finish();
rollback;
