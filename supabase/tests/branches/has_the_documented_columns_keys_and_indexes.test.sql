-- ops.branches: the branches of a project, each in one stage. Its columns,
-- keys, indexes, triggers, grants, policies and row-level security.
begin;
select plan(17);

-- TEST: columns and types.
select columns_are(
  'ops', 'branches',
  array[
    'id', 'project_id', 'name', 'stage', 'head_commit', 'last_push_at', 'pushed_by', 'deleted_at', 'created_at',
    'updated_at'
  ],
  'ops.branches has exactly the documented columns.'
);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.branches'::regclass and a.attnum > 0 and not a.attisdropped and not a.attnotnull
    order by a.attname
  ),
  array['deleted_at', 'head_commit', 'last_push_at', 'pushed_by'],
  'Only what a push tells (head, time, pusher) and deleted_at are nullable.'
);
select col_type_is('ops', 'branches', 'stage', 'ops.run_stage', 'branches.stage is the run stage vocabulary.');
select col_default_is('ops', 'branches', 'stage', 'development', 'A new branch is a development branch.');

-- TEST: keys, checks and indexes.
select set_eq(
  $$select conname::text, contype::text from pg_constraint where conrelid = 'ops.branches'::regclass$$,
  $$values
    ('branches_pkey', 'p'), ('branches_project_id_name_key', 'u'), ('branches_id_project_id_key', 'u'),
    ('branches_project_id_fkey', 'f'), ('branches_name_is_valid', 'c'), ('branches_head_commit_is_hex', 'c'),
    ('branches_pushed_by_is_bounded', 'c')$$,
  'ops.branches has exactly the documented constraints, named for their rule.'
);
select indexes_are(
  'ops', 'branches',
  array[
    'branches_pkey', 'branches_project_id_name_key', 'branches_id_project_id_key',
    'branches_one_production_per_project_idx'
  ],
  'ops.branches has exactly the documented indexes.'
);
select is(
  pg_get_indexdef('ops.branches_one_production_per_project_idx'::regclass),
  'CREATE UNIQUE INDEX branches_one_production_per_project_idx ON ops.branches USING btree (project_id) '
  'WHERE (stage = ''production''::ops.run_stage)',
  'A unique partial index keeps one production branch per project.'
);
select fk_ok(
  'ops', 'runs', array['branch_id', 'project_id'], 'ops', 'branches', array['id', 'project_id'],
  'A run''s branch is a branch of the run''s project.'
);

-- TEST: triggers, row-level security, policies and grants.
select triggers_are(
  'ops', 'branches',
  array[
    'branches_set_updated_at', 'branches_check_stage', 'branches_110_keep_requests_in_development',
    'branches_900_sync_production_branch'
  ],
  'ops.branches stamps updated_at, applies the stage rules, keeps requests in development and keeps '
  'projects.production_branch.'
);
select is(
  (select relrowsecurity from pg_class where oid = 'ops.branches'::regclass), true,
  'ops.branches has row-level security enabled.'
);
select policies_are(
  'ops', 'branches',
  array['authenticated can select branches of member projects', 'admins can update branches of their projects'],
  'Members read branches; admins update them.'
);
select table_privs_are('ops', 'branches', 'anon', array[]::text[], 'anon has no privilege on ops.branches.');
select table_privs_are(
  'ops', 'branches', 'authenticated', array['SELECT'],
  'authenticated may select branches (and update their stage by column).'
);
select is(
  array(
    select a.attname::text from pg_attribute as a
    where a.attrelid = 'ops.branches'::regclass and a.attnum > 0 and not a.attisdropped
      and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE')
    order by a.attnum
  ),
  array['stage'],
  'authenticated may update the stage only (through the policy: admins).'
);
select ok(
  not has_column_privilege('authenticated', 'ops.branches', 'name', 'INSERT'),
  'authenticated may not insert branches: pushes and runs create them.'
);
select table_privs_are(
  'ops', 'branches', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'service_role may select, insert, update and delete branches.'
);
select table_privs_are(
  'ops', 'webhook_deliveries', 'authenticated', array['SELECT'], 'authenticated may only read webhook deliveries.'
);

select * from finish();
rollback;
