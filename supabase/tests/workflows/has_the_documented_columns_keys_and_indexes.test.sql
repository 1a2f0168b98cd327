-- ops.workflows: named workflow definitions of a project. Its columns, types,
-- keys, named checks, indexes, triggers, grants, policies and row-level security.
begin;
select plan(45);

-- TEST: columns, types and nullability.
select has_table('ops', 'workflows', 'ops.workflows exists.');
select columns_are(
  'ops', 'workflows',
  array[
    'id', 'project_id', 'name', 'description', 'steps', 'default_timeout_seconds', 'max_attempts', 'lease_seconds',
    'enabled', 'version', 'created_by', 'created_at', 'updated_at', 'supersede', 'required_labels',
    'concurrency_limit', 'retry_backoff_seconds', 'time_limit_seconds', 'triggers'
  ],
  'ops.workflows has exactly the documented columns.'
);
select col_type_is('ops', 'workflows', c.name, c.type, format('workflows.%s is %s.', c.name, c.type))
from (values
  ('id', 'uuid'), ('project_id', 'uuid'), ('name', 'text'), ('description', 'text'), ('steps', 'jsonb'),
  ('default_timeout_seconds', 'integer'), ('max_attempts', 'integer'), ('lease_seconds', 'integer'),
  ('enabled', 'boolean'), ('version', 'integer'), ('created_by', 'uuid'),
  ('created_at', 'timestamp with time zone'), ('updated_at', 'timestamp with time zone'), ('supersede', 'text'),
  ('required_labels', 'text[]'), ('concurrency_limit', 'integer'), ('retry_backoff_seconds', 'integer'),
  ('time_limit_seconds', 'integer'), ('triggers', 'jsonb')
) as c (name, type);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.workflows'::regclass and a.attnum > 0 and not a.attisdropped and not a.attnotnull
    order by a.attname
  ),
  array['concurrency_limit', 'created_by', 'description', 'time_limit_seconds'],
  'Only workflows.description, created_by, concurrency_limit and time_limit_seconds are nullable.'
);
select col_default_is('ops', 'workflows', 'default_timeout_seconds', 3600, 'Steps time out after an hour by default.');
select col_default_is('ops', 'workflows', 'max_attempts', 3, 'A workflow allows three attempts by default.');
select col_default_is(
  'ops', 'workflows', 'retry_backoff_seconds', 2, 'A failed attempt waits from 2 seconds before the next by default.'
);
select col_default_is('ops', 'workflows', 'enabled', true, 'A new workflow is enabled.');
select col_default_is('ops', 'workflows', 'version', 1, 'A new workflow is at version 1.');
select col_default_is('ops', 'workflows', 'required_labels', '{}'::text[], 'A new workflow requires no label.');
select col_default_is(
  'ops', 'workflows', 'supersede', 'queued'::text,
  'A new run of a branch cancels the queued runs of its older commits by default.'
);

-- TEST: keys and named checks.
select col_is_pk('ops', 'workflows', 'id', 'workflows.id is the primary key.');
select col_is_unique('ops', 'workflows', array['project_id', 'name'], 'A workflow name is unique within its project.');
select col_is_unique(
  'ops', 'workflows', array['id', 'project_id'],
  '(id, project_id) is unique, so a run can reference a workflow of its own project.'
);
select fk_ok(
  'ops', 'workflows', 'project_id', 'ops', 'projects', 'id', 'workflows.project_id references ops.projects.'
);
select fk_ok('ops', 'workflows', 'created_by', 'auth', 'users', 'id', 'workflows.created_by references auth.users.');
select set_eq(
  $$select conname::text, contype::text from pg_constraint where conrelid = 'ops.workflows'::regclass$$,
  $$values
    ('workflows_pkey', 'p'), ('workflows_project_id_name_key', 'u'), ('workflows_id_project_id_key', 'u'),
    ('workflows_project_id_fkey', 'f'), ('workflows_created_by_fkey', 'f'), ('workflows_name_is_valid', 'c'),
    ('workflows_steps_is_array', 'c'), ('workflows_default_timeout_is_positive', 'c'),
    ('workflows_max_attempts_is_positive', 'c'), ('workflows_lease_seconds_is_sane', 'c'),
    ('workflows_version_is_positive', 'c'), ('workflows_description_is_bounded', 'c'),
    ('workflows_steps_is_bounded', 'c'), ('workflows_required_labels_is_valid', 'c'),
    ('workflows_concurrency_limit_is_bounded', 'c'), ('workflows_retry_backoff_seconds_is_bounded', 'c'),
    ('workflows_time_limit_seconds_is_bounded', 'c'),
    ('workflows_supersede_is_known', 'c')$$,
  'ops.workflows has exactly the documented constraints, named for their rule.'
);

-- TEST: indexes, triggers, row-level security, policies and grants.
select indexes_are(
  'ops', 'workflows', array['workflows_pkey', 'workflows_project_id_name_key', 'workflows_id_project_id_key'],
  'ops.workflows has exactly the documented indexes.'
);
select has_index(
  'ops', 'workflows', 'workflows_project_id_name_key', array['project_id', 'name'],
  'workflows.project_id, which policies filter on, leads an index.'
);
select triggers_are(
  'ops', 'workflows',
  array['workflows_normalize_required_labels', 'workflows_set_updated_at', 'workflows_validate',
        'workflows_check_supersede', 'workflows_set_triggers', 'workflows_800_add_project_queue'],
  'ops.workflows stores its labels as a set, stamps updated_at, validates its steps, its supersede setting and '
  'its triggers, and gives each label set its turn row.'
);
select is(
  (select relrowsecurity from pg_class where oid = 'ops.workflows'::regclass), true,
  'ops.workflows has row-level security enabled.'
);
select policies_are(
  'ops', 'workflows',
  array[
    'authenticated can select workflows of member projects', 'admins can insert workflows',
    'admins can update workflows', 'admins can delete workflows'
  ],
  'ops.workflows has one policy per command.'
);
select table_privs_are('ops', 'workflows', 'anon', array[]::text[], 'anon has no privilege on ops.workflows.');
select table_privs_are(
  'ops', 'workflows', 'authenticated', array['SELECT', 'DELETE'],
  'authenticated may select and delete workflows (insert and update by column; policies keep writes to admins).'
);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.workflows'::regclass and a.attnum > 0 and not a.attisdropped
      and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT')
    order by a.attnum
  ),
  array[
    'id', 'project_id', 'name', 'description', 'steps', 'default_timeout_seconds', 'max_attempts', 'lease_seconds',
    'enabled', 'supersede', 'required_labels', 'concurrency_limit', 'retry_backoff_seconds', 'time_limit_seconds',
    'triggers'
  ],
  'authenticated cannot choose created_by, the timestamps or the version when creating a workflow.'
);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.workflows'::regclass and a.attnum > 0 and not a.attisdropped
      and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE')
    order by a.attnum
  ),
  array[
    'name', 'description', 'steps', 'default_timeout_seconds', 'max_attempts', 'lease_seconds', 'enabled',
    'supersede', 'required_labels', 'concurrency_limit', 'retry_backoff_seconds', 'time_limit_seconds', 'triggers'
  ],
  'authenticated can update the definition of a workflow, not its project, creator, timestamps or version.'
);
select table_privs_are(
  'ops', 'workflows', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'service_role may select, insert, update and delete workflows.'
);

select * from finish();
rollback;
