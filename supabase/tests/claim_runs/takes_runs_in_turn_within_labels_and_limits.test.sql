-- ops.claim_runs: a batch takes the runs that as many claim_next_run calls would take, in the same order:
-- projects in turn, only runs whose labels the worker offers, never past a project or branch limit.
begin;
select plan(7);

-- SETUP: acme may hold two runs; its workflow deploy is exclusive per branch. beta has no limit and a
-- workflow that needs a docker worker.
select tests.q_project('acme');
select tests.q_project('beta');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), 'deploy');
select tests.q_workflow((select id from ops.projects where slug = 'beta'), 'image');
update ops.workflows set concurrency_limit = 1 where name = 'deploy';
update ops.workflows set required_labels = '{docker}' where name = 'image';
update ops.project_schedules set max_running_runs = 2
where project_id = (select id from ops.projects where slug = 'acme');
select tests.q_remember('d1', (ops.enqueue_run('acme', 'deploy', 'main', tests.q_sha(1))).id);
select tests.q_remember('d2', (ops.enqueue_run('acme', 'deploy', 'main', tests.q_sha(2))).id);
select tests.q_remember('d3', (ops.enqueue_run('acme', 'deploy', 'staging', tests.q_sha(3))).id);
select tests.q_remember('a4', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(4))).id);
select tests.q_remember('b1', (ops.enqueue_run('beta', 'build', 'main', tests.q_sha(5))).id);
select tests.q_remember('b2', (ops.enqueue_run('beta', 'image', 'main', tests.q_sha(6))).id);
select tests.q_remember('b3', (ops.enqueue_run('beta', 'build', 'main', tests.q_sha(7))).id);
update ops.runs as r set created_at = now() - make_interval(mins => (100 - o.n)::integer)
from (select id, row_number() over (order by commit_sha) as n from ops.runs) as o where o.id = r.id;
update ops.project_queues set last_served_at = now() - interval '1 hour'
where project_id = (select id from ops.projects where slug = 'acme');
update ops.project_queues set last_served_at = now() - interval '30 minutes'
where project_id = (select id from ops.projects where slug = 'beta');

-- TEST: a batch of 10 for a worker without labels.
select is(
  array(select c.id from ops.claim_runs('w1', null, 10) as c),
  array[tests.q_id('d1'), tests.q_id('b1'), tests.q_id('d3'), tests.q_id('b3')],
  'Turns alternate (acme, beta, acme, beta); acme stops at its two runs, the second deploy of main waits for '
  || 'the first, and the docker run is left to a docker worker.'
);
select is(
  (select array_agg(status::text || ':' || worker_id order by commit_sha) from ops.runs where worker_id is not null),
  array['claimed:w1', 'claimed:w1', 'claimed:w1', 'claimed:w1'],
  'Every run of the batch is claimed by the worker, not started.'
);
select is(
  array(select tests.q_events(tests.q_id('b3'))), array['{>queued,queued>claimed}'::text[]],
  'Each claimed run has its claim event, as a single claim writes it.'
);

-- TEST: a docker worker with p_start takes the docker run, started; then nothing is left it may take.
select is(
  array(select c.id::text || ':' || c.status::text from ops.claim_runs('w2', '{docker}', 5, p_start => true) as c),
  array[tests.q_id('b2')::text || ':running'],
  'A docker worker takes the docker run, started at once: acme is at its limit, nothing else is queued.'
);
select is(
  array(select tests.q_events(tests.q_id('b2'))), array['{>queued,queued>claimed,claimed>running}'::text[]],
  'A run claimed and started in one call has both events, claim then start.'
);

-- TEST: a finished run frees a slot for the next batch; a batch that finds nothing returns no row.
select ops.start_workflow_run(tests.q_id('d3'), 'w1');
select ops.complete_workflow_run(tests.q_id('d3'), 0, p_worker_id => 'w1');
select is(
  array(select c.id from ops.claim_runs('w3', null, 10) as c), array[tests.q_id('a4')],
  'One slot freed: one run, the build, not the second deploy of main.'
);
select is_empty($$select * from ops.claim_runs('w4', '{docker}', 100)$$, 'Nothing left that a worker may take.');

select * from finish();
rollback;
