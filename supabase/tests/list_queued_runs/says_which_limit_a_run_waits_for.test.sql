-- ops.list_queued_runs: wait_reason names the limit a run waits for, with the count of held runs.
begin;
select plan(2);

select tests.q_project('acme');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), 'deploy');
update ops.workflows set concurrency_limit = 1 where name = 'deploy';
select tests.q_remember('d1', (ops.enqueue_run('acme', 'deploy', 'main', tests.q_sha(1))).id);
select tests.q_remember('d2', (ops.enqueue_run('acme', 'deploy', 'main', tests.q_sha(2))).id);
select tests.q_remember('b1', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(3))).id);
select tests.q_remember('b2', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(4))).id);
update ops.runs as r set created_at = now() - make_interval(mins => (100 - o.n)::integer)
from (select id, row_number() over (order by commit_sha) as n from ops.runs) as o where o.id = r.id;
select ops.claim_next_run('w1');
select tests.authenticate_as_service_role();
select ops.register_worker('w2');

-- TEST: the workflow's limit on main.
select results_eq(
  $$select run_id, wait_reason from ops.list_queued_runs() order by "position"$$,
  $$values (tests.q_id('d2'), 'limit of 1 for workflow deploy on branch main reached (1 running)'),
           (tests.q_id('b1'), null), (tests.q_id('b2'), null)$$,
  'The second deploy of main says it waits for the deploy that holds the branch''s slot.'
);

-- TEST: the project's limit.
reset role;
update ops.project_schedules set max_running_runs = 2;
select ops.claim_next_run('w2');
select results_eq(
  $$select run_id, wait_reason from ops.list_queued_runs() order by "position"$$,
  $$values (tests.q_id('d2'), 'project limit 2 reached (2 running)'),
           (tests.q_id('b2'), 'project limit 2 reached (2 running)')$$,
  'With the project at its limit every queued run says so, with the count of held runs.'
);

select * from finish();
rollback;
