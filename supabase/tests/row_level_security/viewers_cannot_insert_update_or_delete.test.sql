-- A viewer reads everything of their project and changes nothing: no insert,
-- update or delete of the project, its workflows, runs or memberships.
begin;
select plan(13);

-- SETUP
select tests.ops_world();
select id as project_a from ops.projects where slug = 'project-a' \gset
select id as workflow_a from ops.workflows where project_id = :'project_a' \gset
select id as queued_run from ops.runs where project_id = :'project_a' and status = 'queued' \gset
select tests.get_supabase_uid('a-developer') as developer_id \gset
select tests.authenticate_as('a-viewer');

-- TEST: the viewer reads.
select results_eq(
  $$select (select count(*) from ops.projects), (select count(*) from ops.workflows), (select count(*) from ops.runs)$$,
  $$values (1::bigint, 1::bigint, 2::bigint)$$,
  'A viewer sees their project, its workflow and its runs.'
);

-- TEST: workflows.
select throws_ok(
  format(
    $q$insert into ops.workflows (project_id, name, steps) values (%L, 'test', '[{"name": "t", "command": "pytest"}]')$q$,
    :'project_a'
  ),
  '42501', 'new row violates row-level security policy for table "workflows"',
  'A viewer cannot add a workflow.'
);
select is_empty(
  format('update ops.workflows set enabled = false where id = %L returning id', :'workflow_a'),
  'A viewer cannot update a workflow (no row is theirs to update).'
);
select is_empty(
  format('delete from ops.workflows where id = %L returning id', :'workflow_a'),
  'A viewer cannot delete a workflow.'
);

-- TEST: runs.
select throws_ok(
  format(
    $q$insert into ops.runs (project_id, workflow_id, branch, commit_sha) values (%L, %L, 'main', 'abc1234')$q$,
    :'project_a', :'workflow_a'
  ),
  '42501', 'new row violates row-level security policy for table "runs"',
  'A viewer cannot enqueue a run.'
);
select is_empty(
  format('update ops.runs set cancel_requested_at = now() where id = %L returning id', :'queued_run'),
  'A viewer cannot request a cancel.'
);
select throws_ok(
  format('delete from ops.runs where id = %L', :'queued_run'),
  '42501', 'permission denied for table runs',
  'A viewer cannot delete a run (nobody but the service role can).'
);

-- TEST: memberships.
select throws_ok(
  format(
    $q$insert into ops.project_memberships (project_id, user_id, role) values (%L, %L, 'viewer')$q$,
    :'project_a', tests.get_supabase_uid('outsider')
  ),
  '42501', 'new row violates row-level security policy for table "project_memberships"',
  'A viewer cannot add a member.'
);
select is_empty(
  format(
    $q$update ops.project_memberships set role = 'viewer' where project_id = %L and user_id = %L returning id$q$,
    :'project_a', :'developer_id'
  ),
  'A viewer cannot change another member''s role.'
);
select is_empty(
  format(
    'delete from ops.project_memberships where project_id = %L and user_id = %L returning id',
    :'project_a', :'developer_id'
  ),
  'A viewer cannot remove a member.'
);

-- TEST: the project itself.
select is_empty(
  format($q$update ops.projects set name = 'renamed' where id = %L returning id$q$, :'project_a'),
  'A viewer cannot rename the project.'
);
select is_empty(
  format('delete from ops.projects where id = %L returning id', :'project_a'), 'A viewer cannot delete the project.'
);

-- TEST: nothing changed.
select tests.clear_authentication();
select results_eq(
  format(
    $q$select
         (select count(*) from ops.workflows where project_id = %1$L and enabled),
         (select count(*) from ops.runs where project_id = %1$L and cancel_requested_at is null),
         (select count(*) from ops.project_memberships where project_id = %1$L),
         (select name from ops.projects where id = %1$L)$q$,
    :'project_a'
  ),
  $$values (1::bigint, 2::bigint, 4::bigint, 'Project project-a'::text)$$,
  'The workflow, runs, memberships and project are as they were.'
);

select * from finish();
rollback;
