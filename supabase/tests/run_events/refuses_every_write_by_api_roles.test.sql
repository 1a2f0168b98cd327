-- Nobody writes ops.run_events but the trigger: service_role (the workers)
-- and authenticated users may read it, never insert, update, delete or truncate (42501).
begin;
select plan(10);

-- SETUP: a run with events, in a project where alice is owner.
select tests.ops_project('events-writes') as project_id \gset
select tests.ops_workflow(:'project_id');
select tests.ops_member(:'project_id', 'alice', 'owner');
select tests.ops_run(:'project_id') as run_id \gset

-- TEST: service_role reads, but writes nothing.
select tests.authenticate_as_service_role();
select is(
  (select count(*)::integer from ops.run_events where run_id = :'run_id'), 1,
  'service_role can read run events.'
);
select throws_ok(
  format(
    $q$insert into ops.run_events (run_id, from_status, to_status, actor) values (%L, 'queued', 'succeeded', 'forged')$q$,
    :'run_id'
  ),
  '42501', 'permission denied for table run_events',
  'service_role cannot insert a run event by hand.'
);
select throws_ok(
  format($q$update ops.run_events set actor = 'forged' where run_id = %L$q$, :'run_id'),
  '42501', 'permission denied for table run_events',
  'service_role cannot update a run event.'
);
select throws_ok(
  format('delete from ops.run_events where run_id = %L', :'run_id'),
  '42501', 'permission denied for table run_events',
  'service_role cannot delete a run event.'
);
select throws_ok(
  'truncate ops.run_events', '42501', 'permission denied for table run_events',
  'service_role cannot truncate ops.run_events.'
);

-- TEST: neither does a member of the project, even its owner.
select tests.authenticate_as('alice');
select is(
  (select count(*)::integer from ops.run_events where run_id = :'run_id'), 1,
  'The project owner can read the events of its runs.'
);
select throws_ok(
  format(
    $q$insert into ops.run_events (run_id, from_status, to_status, actor) values (%L, 'queued', 'succeeded', 'forged')$q$,
    :'run_id'
  ),
  '42501', 'permission denied for table run_events',
  'An authenticated user cannot insert a run event by hand.'
);
select throws_ok(
  format($q$update ops.run_events set actor = 'forged' where run_id = %L$q$, :'run_id'),
  '42501', 'permission denied for table run_events',
  'An authenticated user cannot update a run event.'
);
select throws_ok(
  format('delete from ops.run_events where run_id = %L', :'run_id'),
  '42501', 'permission denied for table run_events',
  'An authenticated user cannot delete a run event.'
);

-- TEST: the events are untouched.
select tests.clear_authentication();
select results_eq(
  format('select from_status::text, to_status::text, actor from ops.run_events where run_id = %L', :'run_id'),
  $$values (null::text, 'queued'::text, 'role:postgres'::text)$$,
  'The one event of the run is as the trigger wrote it.'
);

select * from finish();
rollback;
