-- Attack: an admin writes a workflow's audit columns (created_by, even as a
-- user of another project; created_at; version) to make it look like
-- someone else's or older. authenticated is granted only the columns a client
-- chooses; the database sets the rest.
begin;
select plan(8);

-- SETUP
select tests.ops_world();
select id as project_a from ops.projects where slug = 'project-a' \gset
select id as workflow_a from ops.workflows where project_id = :'project_a' \gset
select tests.get_supabase_uid('b-owner') as b_owner \gset
select tests.authenticate_as('a-admin');

-- TEST: on insert.
select throws_ok(
  format(
    $q$insert into ops.workflows (project_id, name, steps, created_by)
       values (%L, 'forged', '[{"name": "b", "command": "true"}]', %L)$q$,
    :'project_a', :'b_owner'
  ),
  '42501', 'permission denied for table workflows',
  'An admin cannot choose created_by of a new workflow.'
);
select throws_ok(
  format(
    $q$insert into ops.workflows (project_id, name, steps, created_at, version)
       values (%L, 'old', '[{"name": "b", "command": "true"}]', '2001-01-01', 7)$q$,
    :'project_a'
  ),
  '42501', 'permission denied for table workflows',
  'An admin cannot choose created_at or version of a new workflow.'
);
select lives_ok(
  format($q$insert into ops.workflows (project_id, name, steps) values (%L, 'honest', '[{"name": "b", "command": "true"}]')$q$,
    :'project_a'),
  'An admin adds a workflow with the columns a client chooses.'
);
select results_eq(
  $$select created_by, version, created_at = now() from ops.workflows where name = 'honest'$$,
  format($q$values (%L::uuid, 1, true)$q$, tests.get_supabase_uid('a-admin')),
  'The database sets its creator, version and creation time.'
);

-- TEST: on update.
select throws_ok(
  format($q$update ops.workflows set created_by = %L where id = %L$q$, :'b_owner', :'workflow_a'),
  '42501', 'permission denied for table workflows',
  'An admin cannot rewrite created_by.'
);
select throws_ok(
  format($q$update ops.workflows set version = 1000, updated_at = '2001-01-01' where id = %L$q$, :'workflow_a'),
  '42501', 'permission denied for table workflows',
  'An admin cannot rewrite version or updated_at.'
);
select lives_ok(
  format($q$update ops.workflows set steps = '[{"name": "b", "command": "make"}]' where id = %L$q$, :'workflow_a'),
  'An admin changes the steps.'
);
select results_eq(
  format('select version from ops.workflows where id = %L', :'workflow_a'),
  $$values (2)$$,
  'The version counts the change of steps.'
);

select * from finish();
rollback;
