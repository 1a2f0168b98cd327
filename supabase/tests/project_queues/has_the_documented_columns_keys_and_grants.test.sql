-- ops.project_queues: the turn order of the claim, one row per project and label set. Columns, keys, trigger,
-- indexes, grants, policy and row-level security: members read their projects' rows, service_role (the claim)
-- writes the flag and the turn, nobody else writes.
begin;
select plan(15);

-- TEST: columns and keys.
select columns_are(
  'ops', 'project_queues', array['id', 'project_id', 'required_labels', 'has_queued', 'last_served_at'],
  'ops.project_queues has exactly the documented columns.'
);
select col_type_is('ops', 'project_queues', c.name, c.type, format('project_queues.%s is %s.', c.name, c.type))
from (values
  ('id', 'bigint'), ('project_id', 'uuid'), ('required_labels', 'text[]'), ('has_queued', 'boolean'),
  ('last_served_at', 'timestamp with time zone')
) as c (name, type);
select set_eq(
  $$select conname::text, contype::text from pg_constraint where conrelid = 'ops.project_queues'::regclass$$,
  $$values ('project_queues_pkey', 'p'), ('project_queues_project_id_fkey', 'f'),
    ('project_queues_project_id_required_labels_key', 'u')$$,
  'ops.project_queues has exactly the documented constraints, named for their rule.'
);
select triggers_are(
  'ops', 'project_queues', array['project_queues_check_labels'],
  'Its one trigger checks the label set when it is written (the rule project_queues_required_labels_is_valid).'
);
select indexes_are(
  'ops', 'project_queues', array['project_queues_pkey', 'project_queues_project_id_required_labels_key', 'project_queues_turn_idx'],
  'ops.project_queues has its keys and the turn order of each label set with queued runs.'
);

-- TEST: row-level security and grants.
select is(
  (select relrowsecurity from pg_class where oid = 'ops.project_queues'::regclass), true,
  'ops.project_queues has row-level security enabled.'
);
select policies_are(
  'ops', 'project_queues', array['authenticated can select project_queues of member projects'],
  'Its one policy lets members read their projects'' rows.'
);
select table_privs_are('ops', 'project_queues', 'anon', array[]::text[], 'anon has no privilege on it.');
select table_privs_are('ops', 'project_queues', 'authenticated', array['SELECT'], 'authenticated only reads it.');
select is(
  array(
    select c.column_name::text from information_schema.column_privileges as c
    where c.table_schema = 'ops' and c.table_name = 'project_queues' and c.grantee = 'service_role'
      and c.privilege_type = 'UPDATE'
    order by 1
  ),
  array['has_queued', 'last_served_at'],
  'service_role (and the claim, which it calls) updates the flag and the turn, nothing else.'
);

-- TEST: what members see.
select tests.q_project('acme');
select tests.q_project('beta');
select tests.ops_member((select id from ops.projects where slug = 'acme'), 'dev', 'developer');
select tests.authenticate_as('dev');
select results_eq(
  'select project_id from ops.project_queues',
  $$select id from ops.projects where slug = 'acme'$$,
  'A member sees the rows of their projects only.'
);
select tests.clear_authentication();

select * from finish();
rollback;
