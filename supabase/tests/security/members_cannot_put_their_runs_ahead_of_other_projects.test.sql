-- Attack: a developer of one project queues runs with a high priority so that
-- they are claimed before every other tenant's. The queue is shared: members
-- may only lower their runs (priority -1000 to 0); a positive priority is for
-- service_role, the operators' automation.
begin;
select plan(5);

-- SETUP
select tests.ops_world();
select id as project_a from ops.projects where slug = 'project-a' \gset
select id as workflow_a from ops.workflows where project_id = :'project_a' \gset
select tests.authenticate_as('a-developer');

-- TEST
select throws_ok(
  $$select ops.enqueue_run('project-a', 'build', 'main', 'abcdef1', p_priority => 1000)$$,
  '22023', 'p_priority must be from -1000 to 0 for project members, got 1000',
  'A developer cannot enqueue ahead of other projects.'
);
select throws_ok(
  format($q$insert into ops.runs (project_id, workflow_id, branch, commit_sha, priority)
            values (%L, %L, 'main', 'abcdef1', 5)$q$, :'project_a', :'workflow_a'),
  '22023', 'runs.priority must be from -1000 to 0 for project members, got 5',
  'Nor by inserting the run directly.'
);
select is(
  (ops.enqueue_run('project-a', 'build', 'main', 'abcdef2', p_priority => -10)).priority, -10,
  'A developer may lower their runs.'
);
select tests.clear_authentication();
select tests.authenticate_as_service_role();
select is(
  (ops.enqueue_run('project-a', 'build', 'main', 'abcdef3', p_priority => 1000)).priority, 1000,
  'service_role may raise a run.'
);
select throws_ok(
  $$select ops.enqueue_run('project-a', 'build', 'main', 'abcdef4', p_priority => 1001)$$,
  '22023', 'p_priority must be from -1000 to 1000, got 1001',
  'Even service_role stays within -1000 to 1000.'
);

select * from finish();
rollback;
