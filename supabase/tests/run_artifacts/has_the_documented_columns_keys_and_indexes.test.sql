-- ops.run_artifacts: files a run produced. Its columns, types, keys, named
-- checks, indexes, grants, policies and row-level security.
begin;
select plan(24);

-- TEST: columns, types and nullability.
select has_table('ops', 'run_artifacts', 'ops.run_artifacts exists.');
select columns_are(
  'ops', 'run_artifacts',
  array[
    'id', 'run_id', 'artifact_key', 'storage_url', 'content_type', 'size_bytes', 'sha256', 'metadata', 'created_at',
    'project_id'
  ],
  'ops.run_artifacts has exactly the documented columns.'
);
select col_type_is('ops', 'run_artifacts', c.name, c.type, format('run_artifacts.%s is %s.', c.name, c.type))
from (values
  ('id', 'uuid'), ('run_id', 'uuid'), ('artifact_key', 'text'), ('storage_url', 'text'), ('content_type', 'text'),
  ('size_bytes', 'bigint'), ('sha256', 'text'), ('metadata', 'jsonb'), ('created_at', 'timestamp with time zone'),
  ('project_id', 'uuid')
) as c (name, type);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.run_artifacts'::regclass and a.attnum > 0 and not a.attisdropped and not a.attnotnull
  ),
  array[]::text[],
  'No column of ops.run_artifacts is nullable.'
);

-- TEST: keys and named checks.
select col_is_pk('ops', 'run_artifacts', 'id', 'run_artifacts.id is the primary key.');
select col_is_unique(
  'ops', 'run_artifacts', array['run_id', 'artifact_key'], 'An artifact key is unique within its run.'
);
select fk_ok(
  'ops', 'run_artifacts', array['run_id', 'project_id'], 'ops', 'runs', array['id', 'project_id'],
  'run_artifacts.(run_id, project_id) references ops.runs: an artifact''s project is its run''s.'
);
select set_eq(
  $$select conname::text, contype::text from pg_constraint where conrelid = 'ops.run_artifacts'::regclass$$,
  $$values
    ('run_artifacts_pkey', 'p'), ('run_artifacts_run_id_artifact_key_key', 'u'),
    ('run_artifacts_run_id_project_id_fkey', 'f'),
    ('run_artifacts_artifact_key_is_valid', 'c'), ('run_artifacts_storage_url_is_valid', 'c'),
    ('run_artifacts_content_type_is_valid', 'c'), ('run_artifacts_size_is_positive', 'c'),
    ('run_artifacts_sha256_is_hex', 'c'), ('run_artifacts_metadata_is_object', 'c'),
    ('run_artifacts_storage_url_is_bounded', 'c'), ('run_artifacts_metadata_is_bounded', 'c')$$,
  'ops.run_artifacts has exactly the documented constraints, named for their rule.'
);

-- TEST: indexes, row-level security, policies and grants.
select indexes_are(
  'ops', 'run_artifacts', array['run_artifacts_pkey', 'run_artifacts_run_id_artifact_key_key'],
  'ops.run_artifacts has exactly the documented indexes.'
);
select has_index(
  'ops', 'run_artifacts', 'run_artifacts_run_id_artifact_key_key', array['run_id', 'artifact_key'],
  'run_artifacts.run_id, which the policy filters on, leads an index.'
);
select is(
  (select relrowsecurity from pg_class where oid = 'ops.run_artifacts'::regclass), true,
  'ops.run_artifacts has row-level security enabled.'
);
select policies_are(
  'ops', 'run_artifacts', array['authenticated can select run artifacts of member projects'],
  'ops.run_artifacts has a select policy only.'
);
select table_privs_are('ops', 'run_artifacts', 'anon', array[]::text[], 'anon has no privilege on ops.run_artifacts.');
select table_privs_are(
  'ops', 'run_artifacts', 'authenticated', array['SELECT'], 'authenticated may only select run artifacts.'
);
select table_privs_are(
  'ops', 'run_artifacts', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'service_role may select, insert, update and delete run artifacts.'
);

select * from finish();
rollback;
