-- ops.record_branch_deleted: marks the branch deleted, ends its queued runs
-- canceled and asks its held runs to stop, each saying why; other branches
-- are untouched; a redelivery returns the same runs and changes nothing.
begin;
select plan(9);

-- SETUP: feature/x has a queued run, a running run and a succeeded run; main has a queued run.
select tests.q_project('acme');
select tests.q_remember('acme', (select id from ops.projects where slug = 'acme'));
select tests.q_remember('queued', (ops.enqueue_run('acme', 'build', 'feature/x', tests.q_sha(1))).id);
select tests.q_remember('running', (ops.enqueue_run('acme', 'build', 'feature/x', tests.q_sha(2))).id);
select tests.q_remember('done', (ops.enqueue_run('acme', 'build', 'feature/x', tests.q_sha(3))).id);
select tests.q_remember('main', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(4))).id);
do $$ begin execute tests.ops_transition_sql(tests.q_id('running'), 'claimed');
  execute tests.ops_transition_sql(tests.q_id('running'), 'running');
  execute tests.ops_transition_sql(tests.q_id('done'), 'claimed');
  execute tests.ops_transition_sql(tests.q_id('done'), 'running');
  execute tests.ops_transition_sql(tests.q_id('done'), 'succeeded'); end $$;
select tests.authenticate_as_service_role();

-- TEST: the deletion.
create temporary table del on commit drop as
select * from ops.record_branch_deleted(tests.q_id('acme'), 'feature/x', 'gh-1');
select set_eq(
  $$select id, status::text, cancel_reason, cancel_requested_at is not null from del$$,
  format(
    $$values (%L::uuid, 'canceled', 'branch feature/x deleted', true), (%L::uuid, 'running', 'branch feature/x deleted', true)$$,
    tests.q_id('queued'), tests.q_id('running')
  ),
  'It returns the branch''s active runs: the queued one canceled, the running one asked to stop, each saying why.'
);
select is(
  (select deleted_at = now() from ops.branches where name = 'feature/x'), true, 'The branch is marked deleted.'
);
select is((select status::text from ops.runs where id = tests.q_id('done')), 'succeeded', 'Finished runs stay.');
select is((select status::text from ops.runs where id = tests.q_id('main')), 'queued', 'Other branches are untouched.');
select is(
  (select reason from ops.run_events where run_id = tests.q_id('queued') and to_status = 'canceled'),
  'branch feature/x deleted', 'The cancel event says why.'
);

-- TEST: a redelivery.
select results_eq(
  $$select id, status::text from ops.record_branch_deleted(tests.q_id('acme'), 'feature/x', 'gh-1')$$,
  $$select id, status::text from del$$,
  'A redelivery returns the same runs.'
);
select is(
  (select count(*)::integer from ops.run_events where run_id = tests.q_id('queued')), 2,
  'and changes nothing.'
);

-- TEST: a branch never seen.
select is(
  (select count(*)::integer from ops.record_branch_deleted(tests.q_id('acme'), 'never', 'gh-2')), 0,
  'Deleting an unknown branch returns no run.'
);
select is((select count(*)::integer from ops.branches where name = 'never'), 0, 'and creates no branch.');
select tests.clear_authentication();

select * from finish();
rollback;
