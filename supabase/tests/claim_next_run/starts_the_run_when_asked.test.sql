-- ops.claim_next_run with p_start: the claimed run is started in the same call, with the events and outbox
-- rows of a claim followed by ops.start_workflow_run.
begin;
select plan(5);

select tests.q_project('acme');
select ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1));
select ops.enqueue_run('acme', 'build', 'main', tests.q_sha(2));
create temporary table claimed on commit drop as select * from ops.claim_next_run('w1', p_start => true);
select tests.q_remember('r1', (select id from claimed));

select is(
  (select c.status::text || ':' || c.worker_id || ':' || (c.started_at is not null)::text from claimed as c),
  'running:w1:true', 'The run comes back running, held by the worker, with its start time.'
);
select is(
  tests.q_events(tests.q_id('r1')), '{>queued,queued>claimed,claimed>running}'::text[],
  'Its events are the claim then the start, as with two calls.'
);
select is(
  (select array_agg(e.actor order by e.id) from ops.run_events as e where e.run_id = tests.q_id('r1') and e.from_status is not null),
  array['worker:w1', 'worker:w1'], 'Both events name the worker.'
);
select is(
  (select c.status::text from ops.claim_next_run('w2') as c), 'claimed', 'Without p_start the claim only claims.'
);
select is(
  (select c.status::text from ops.complete_workflow_run(tests.q_id('r1'), 0, p_worker_id => 'w1') as c), 'succeeded',
  'A run started by its claim completes as usual.'
);

select * from finish();
rollback;
