-- ops.project_schedules: the scheduler's limit per project. Columns, keys, checks, indexes, grants, policy and
-- row-level security: members read their projects' rows, service_role sets the limit, nobody else writes.
begin;
select plan(11);

-- TEST: columns and keys.
select columns_are(
  'ops', 'project_schedules', array['project_id', 'max_running_runs'],
  'ops.project_schedules has exactly the documented columns.'
);
select col_type_is('ops', 'project_schedules', c.name, c.type, format('project_schedules.%s is %s.', c.name, c.type))
from (values
  ('project_id', 'uuid'), ('max_running_runs', 'integer')
) as c (name, type);
select set_eq(
  $$select conname::text, contype::text from pg_constraint where conrelid = 'ops.project_schedules'::regclass$$,
  $$values ('project_schedules_pkey', 'p'), ('project_schedules_project_id_fkey', 'f'),
    ('project_schedules_max_running_runs_is_bounded', 'c')$$,
  'ops.project_schedules has exactly the documented constraints, named for their rule.'
);
select indexes_are(
  'ops', 'project_schedules', array['project_schedules_pkey'],
  'ops.project_schedules has its key only (the turns are in ops.project_queues).'
);

-- TEST: row-level security and grants.
select is(
  (select relrowsecurity from pg_class where oid = 'ops.project_schedules'::regclass), true,
  'ops.project_schedules has row-level security enabled.'
);
select policies_are(
  'ops', 'project_schedules', array['authenticated can select project_schedules of member projects'],
  'Its one policy lets members read their projects'' rows.'
);
select table_privs_are('ops', 'project_schedules', 'anon', array[]::text[], 'anon has no privilege on it.');
select table_privs_are('ops', 'project_schedules', 'authenticated', array['SELECT'], 'authenticated only reads it.');
select is(
  array(
    select c.column_name::text from information_schema.column_privileges as c
    where c.table_schema = 'ops' and c.table_name = 'project_schedules' and c.grantee = 'service_role'
      and c.privilege_type = 'UPDATE'
    order by 1
  ),
  array['max_running_runs'],
  'service_role updates the limit, nothing else.'
);

-- TEST: what members see.
select tests.q_project('acme');
select tests.q_project('beta');
select tests.ops_member((select id from ops.projects where slug = 'acme'), 'dev', 'developer');
select tests.authenticate_as('dev');
select results_eq(
  'select project_id from ops.project_schedules',
  $$select id from ops.projects where slug = 'acme'$$,
  'A member sees the rows of their projects only.'
);
select tests.clear_authentication();

select * from finish();
rollback;
