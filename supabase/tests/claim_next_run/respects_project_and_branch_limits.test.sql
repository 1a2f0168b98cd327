-- ops.claim_next_run: a project holds at most max_running_runs runs, a workflow at most concurrency_limit runs
-- on one branch; runs beyond wait queued and the claim takes the next one that has a slot.
begin;
select plan(9);

-- SETUP: acme may hold two runs; its workflow deploy is exclusive per branch. beta has no limit.
select tests.q_project('acme');
select tests.q_project('beta');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), 'deploy');
update ops.workflows set concurrency_limit = 1 where name = 'deploy';
update ops.project_schedules set max_running_runs = 2
where project_id = (select id from ops.projects where slug = 'acme');
select tests.q_remember('d1', (ops.enqueue_run('acme', 'deploy', 'main', tests.q_sha(1))).id);
select tests.q_remember('d2', (ops.enqueue_run('acme', 'deploy', 'main', tests.q_sha(2))).id);
select tests.q_remember('d3', (ops.enqueue_run('acme', 'deploy', 'staging', tests.q_sha(3))).id);
select tests.q_remember('a4', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(4))).id);
select tests.q_remember('b1', (ops.enqueue_run('beta', 'build', 'main', tests.q_sha(5))).id);
select tests.q_remember('b2', (ops.enqueue_run('beta', 'build', 'main', tests.q_sha(6))).id);
select tests.q_remember('b3', (ops.enqueue_run('beta', 'build', 'main', tests.q_sha(7))).id);
update ops.runs as r set created_at = now() - make_interval(mins => (100 - o.n)::integer)
from (select id, row_number() over (order by commit_sha) as n from ops.runs) as o where o.id = r.id;
update ops.project_queues set last_served_at = now() - interval '1 hour'
where project_id = (select id from ops.projects where slug = 'acme');
update ops.project_queues set last_served_at = now() - interval '30 minutes'
where project_id = (select id from ops.projects where slug = 'beta');

-- TEST: the first deploy of main, then the deploy of staging: the second deploy of main waits for the first.
select is((ops.claim_next_run('w1')).id, tests.q_id('d1'), 'acme''s oldest run first.');
select is((ops.claim_next_run('w2')).id, tests.q_id('b1'), 'Then beta''s turn.');
select is((ops.claim_next_run('w3')).id, tests.q_id('d3'),
  'Then acme''s deploy of staging: the deploy of main holds main''s only slot.');

-- TEST: acme holds two runs, its limit: only beta is served.
select is(
  array(select (select c.id from ops.claim_next_run('w' || n) as c) from generate_series(4, 6) as n),
  array[tests.q_id('b2'), tests.q_id('b3'), null],
  'With two runs held, acme gets no more: beta''s runs, then nothing.'
);
select is(
  (select status::text from ops.runs where id = tests.q_id('a4')), 'queued', 'acme''s other runs stay queued.'
);

-- TEST: a finished run frees a slot.
select ops.start_workflow_run(tests.q_id('d3'), 'w3');
select ops.complete_workflow_run(tests.q_id('d3'), 0, p_worker_id => 'w3');
select is((ops.claim_next_run('w7')).id, tests.q_id('a4'),
  'When one of them ends, the next run that has a slot is claimed: the build, not the second deploy of main.');
select is_empty($$select * from ops.claim_next_run('w8')$$, 'Then acme is at its limit again.');
select ops.start_workflow_run(tests.q_id('d1'), 'w1');
select ops.complete_workflow_run(tests.q_id('d1'), 0, p_worker_id => 'w1');
select is((ops.claim_next_run('w9')).id, tests.q_id('d2'), 'When the deploy of main ends, the next one runs.');

-- TEST: the bounds.
select throws_ok(
  $$update ops.project_schedules set max_running_runs = 0$$, '23514', null,
  'max_running_runs is from 1 to 1000.'
);

select * from finish();
rollback;
