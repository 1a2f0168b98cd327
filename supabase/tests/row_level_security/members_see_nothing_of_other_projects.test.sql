-- A member of project A sees all of A and nothing of project B, in every
-- table under a project, and cannot reach B's rows by id either.
begin;
select plan(17);

-- SETUP
select tests.ops_world();
select id as project_b from ops.projects where slug = 'project-b' \gset
select id as project_a from ops.projects where slug = 'project-a' \gset
select id as run_b from ops.runs where project_id = :'project_b' and status = 'queued' \gset
select id as workflow_b from ops.workflows where project_id = :'project_b' \gset

-- TEST: a-owner sees project A in every table, and nothing of B.
select tests.authenticate_as('a-owner');
select results_eq(
  $$select
      (select count(*) from ops.projects),
      (select count(*) from ops.workflows),
      (select count(*) from ops.runs),
      (select count(*) from ops.run_events),
      (select count(*) from ops.run_logs),
      (select count(*) from ops.run_artifacts),
      (select count(*) from ops.project_memberships)$$,
  $$values (1::bigint, 1::bigint, 2::bigint, 4::bigint, 2::bigint, 1::bigint, 4::bigint)$$,
  'a-owner sees project A, its workflow, its 2 runs, their 4 events, 2 log lines, 1 artifact and 4 memberships.'
);
select is_empty(
  format('select 1 from ops.projects where id = %L', :'project_b'), 'a-owner does not see project B.'
);
select is_empty(
  format('select 1 from ops.workflows where project_id = %L', :'project_b'), 'a-owner sees no workflow of B.'
);
select is_empty(
  format('select 1 from ops.runs where project_id = %L', :'project_b'), 'a-owner sees no run of B.'
);
select is_empty(
  format(
    'select 1 from ops.run_events where run_id in (select id from ops.runs where project_id = %L) or run_id = %L',
    :'project_b', :'run_b'
  ),
  'a-owner sees no run event of B, not even by run id.'
);
select is_empty(
  $$select 1 from ops.run_logs as l where l.run_id not in (select r.id from ops.runs as r)$$,
  'a-owner sees no log line of a run outside A.'
);
select is_empty(
  $$select 1 from ops.run_artifacts as a where a.run_id not in (select r.id from ops.runs as r)$$,
  'a-owner sees no artifact of a run outside A.'
);
select is_empty(
  format('select 1 from ops.project_memberships where project_id = %L', :'project_b'),
  'a-owner sees no membership of B.'
);

-- TEST: nor can a-owner change or add anything in B.
select is_empty(
  format($q$update ops.projects set name = 'taken' where id = %L returning id$q$, :'project_b'),
  'a-owner cannot rename project B.'
);
select is_empty(
  format('delete from ops.projects where id = %L returning id', :'project_b'), 'a-owner cannot delete project B.'
);
select is_empty(
  format('update ops.runs set cancel_requested_at = now() where id = %L returning id', :'run_b'),
  'a-owner cannot request a cancel of a run of B.'
);
select throws_ok(
  format(
    $q$insert into ops.runs (project_id, workflow_id, branch, commit_sha) values (%L, %L, 'main', 'abc1234')$q$,
    :'project_b', :'workflow_b'
  ),
  '42501', 'new row violates row-level security policy for table "runs"',
  'a-owner cannot enqueue a run in project B.'
);
select throws_ok(
  format(
    $q$insert into ops.workflows (project_id, name, steps) values (%L, 'steal', '[{"name": "x", "command": "y"}]')$q$,
    :'project_b'
  ),
  '42501', 'new row violates row-level security policy for table "workflows"',
  'a-owner cannot add a workflow to project B.'
);
select throws_ok(
  format(
    $q$insert into ops.project_memberships (project_id, user_id, role) values (%L, %L, 'viewer')$q$,
    :'project_b', tests.get_supabase_uid('a-viewer')
  ),
  '42501', 'new row violates row-level security policy for table "project_memberships"',
  'a-owner cannot add members to project B.'
);

-- TEST: and the other way round.
select tests.authenticate_as('b-owner');
select is_empty(
  format('select 1 from ops.runs where project_id = %L', :'project_a'), 'b-owner sees no run of A.'
);
select results_eq(
  $$select (select count(*) from ops.projects), (select count(*) from ops.project_memberships)$$,
  $$values (1::bigint, 1::bigint)$$,
  'b-owner sees only project B and its one membership.'
);

-- TEST: a user who belongs to no project sees nothing at all.
select tests.authenticate_as('outsider');
select results_eq(
  $$select
      (select count(*) from ops.projects) + (select count(*) from ops.workflows) + (select count(*) from ops.runs)
      + (select count(*) from ops.run_events) + (select count(*) from ops.run_logs)
      + (select count(*) from ops.run_artifacts) + (select count(*) from ops.project_memberships)$$,
  $$values (0::bigint)$$,
  'A user who is a member of nothing sees no row of any project table.'
);

select * from finish();
rollback;
