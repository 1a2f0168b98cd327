-- A developer enqueues runs and requests cancels in their own project, not
-- in another, cannot drive the state machine, and cannot change memberships or workflows.
begin;
select plan(12);

-- SETUP
select tests.ops_world();
select id as project_a from ops.projects where slug = 'project-a' \gset
select id as project_b from ops.projects where slug = 'project-b' \gset
select id as workflow_a from ops.workflows where project_id = :'project_a' \gset
select id as workflow_b from ops.workflows where project_id = :'project_b' \gset
select id as queued_run from ops.runs where project_id = :'project_a' and status = 'queued' \gset
select tests.get_supabase_uid('a-developer') as developer_id \gset
select tests.get_supabase_uid('a-viewer') as viewer_id \gset
select tests.authenticate_as('a-developer');

-- TEST: enqueue in their project, as themselves.
select results_eq(
  format(
    $q$insert into ops.runs (project_id, workflow_id, branch, commit_sha, idempotency_key)
       values (%L, %L, 'feature/x', 'abc1234', 'push-1')
       returning status::text, created_by$q$,
    :'project_a', :'workflow_a'
  ),
  format('values (%L::text, %L::uuid)', 'queued', :'developer_id'),
  'A developer enqueues a run in their project; it is queued and theirs.'
);
select results_eq(
  $$select e.actor from ops.run_events as e join ops.runs as r on r.id = e.run_id where r.idempotency_key = 'push-1'$$,
  format('values (%L)', 'user:' || :'developer_id'),
  'The event of the new run names the developer as its actor.'
);

-- TEST: not in another project, not as someone else, not past the state machine.
select throws_ok(
  format(
    $q$insert into ops.runs (project_id, workflow_id, branch, commit_sha) values (%L, %L, 'main', 'abc1234')$q$,
    :'project_b', :'workflow_b'
  ),
  '42501', 'new row violates row-level security policy for table "runs"',
  'A developer cannot enqueue a run in a project they are not a member of.'
);
select throws_ok(
  format(
    $q$insert into ops.runs (project_id, workflow_id, branch, commit_sha, created_by)
       values (%L, %L, 'main', 'abc1234', %L)$q$,
    :'project_a', :'workflow_a', :'viewer_id'
  ),
  '42501', 'permission denied for table runs',
  'A developer cannot enqueue a run in someone else''s name.'
);
select throws_ok(
  format($q$update ops.runs set status = 'canceled', finished_at = now() where id = %L$q$, :'queued_run'),
  '42501', 'permission denied for table runs',
  'A developer cannot set a run''s status: only workers (service_role) move runs.'
);

-- TEST: request a cancel in their project.
select results_eq(
  format(
    $q$update ops.runs set cancel_requested_at = now(), cancel_reason = 'wrong branch' where id = %L
       returning cancel_reason$q$,
    :'queued_run'
  ),
  $$values ('wrong branch'::text)$$,
  'A developer can request the cancel of a run of their project.'
);

-- TEST: memberships and workflows are not theirs to manage.
select throws_ok(
  format(
    $q$insert into ops.project_memberships (project_id, user_id, role) values (%L, %L, 'viewer')$q$,
    :'project_a', tests.get_supabase_uid('outsider')
  ),
  '42501', 'new row violates row-level security policy for table "project_memberships"',
  'A developer cannot add a member.'
);
select is_empty(
  format(
    $q$update ops.project_memberships set role = 'developer' where project_id = %L and user_id = %L returning id$q$,
    :'project_a', :'viewer_id'
  ),
  'A developer cannot change another member''s role.'
);
select is_empty(
  format(
    'delete from ops.project_memberships where project_id = %L and user_id = %L returning id',
    :'project_a', :'viewer_id'
  ),
  'A developer cannot remove a member.'
);
select throws_ok(
  format(
    $q$insert into ops.workflows (project_id, name, steps) values (%L, 'test', '[{"name": "t", "command": "pytest"}]')$q$,
    :'project_a'
  ),
  '42501', 'new row violates row-level security policy for table "workflows"',
  'A developer cannot add a workflow.'
);
select is_empty(
  format('update ops.workflows set enabled = false where id = %L returning id', :'workflow_a'),
  'A developer cannot change a workflow.'
);

-- TEST: nothing changed but the new run and the cancel request.
select tests.clear_authentication();
select results_eq(
  format(
    $q$select
         (select role::text from ops.project_memberships where project_id = %1$L and user_id = %2$L),
         (select count(*) from ops.project_memberships where project_id = %1$L),
         (select count(*) from ops.runs where project_id = %3$L),
         (select status::text from ops.runs where id = %4$L)$q$,
    :'project_a', :'viewer_id', :'project_b', :'queued_run'
  ),
  $$values ('viewer'::text, 4::bigint, 2::bigint, 'queued'::text)$$,
  'Memberships, project B''s runs and the run''s status are as they were.'
);

select * from finish();
rollback;
