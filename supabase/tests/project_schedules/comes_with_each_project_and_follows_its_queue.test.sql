-- ops.project_schedules: a project gets its row when it is created; queuing a run, or a run going back to the
-- queue, marks the project as having queued runs.
begin;
select plan(6);

select tests.q_project('acme');
select results_eq(
  $$select max_running_runs, has_queued, last_served_at from ops.project_schedules
    where project_id = (select id from ops.projects where slug = 'acme')$$,
  $$values (null::integer, false, null::timestamptz)$$,
  'A new project has its row: no limit, nothing queued, never served.'
);

select tests.q_remember('r1', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select is((select has_queued from ops.project_schedules), true, 'Queuing a run sets has_queued.');

select is((ops.claim_next_run('w1')).id, tests.q_id('r1'), 'The run is claimed.');
select is_empty($$select * from ops.claim_next_run('w2')$$, 'Nothing else is queued.');
select is((select has_queued from ops.project_schedules), false, 'The claim that found nothing cleared the flag.');

select ops.requeue_run(tests.q_id('r1'), 'w1', 'worker shutting down');
select is((select has_queued from ops.project_schedules), true, 'A run back to the queue sets it again.');

select * from finish();
rollback;
