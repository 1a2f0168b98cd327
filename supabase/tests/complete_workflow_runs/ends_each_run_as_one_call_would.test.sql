-- ops.complete_workflow_runs: the batch form of ops.complete_workflow_run. Each run ends as one call would
-- end it (succeeded, failed, canceled), with the same event; an identical repeat changes nothing.
begin;
select plan(9);

select tests.q_project('acme');
select tests.q_remember(s, (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(n))).id)
from (values (1, 'ok'), (2, 'ko'), (3, 'cx'), (4, 'long')) as v (n, s);
select tests.authenticate_as_service_role();
select count(*) from ops.claim_runs('w1', null, 10, p_start => true);
select ops.cancel_run(tests.q_id('cx'), 'a newer push');

-- TEST: four runs, each its own outcome.
create temporary table c on commit drop as
select * from ops.complete_workflow_runs(
  array[tests.q_id('ok'), tests.q_id('ko'), tests.q_id('cx'), tests.q_id('long')], array[0, 3, 143, 1], 'w1',
  array[null, 'tests failed', 'terminated', repeat('x', 9000)]
);
select results_eq(
  $$select id, status::text, exit_code, left(error_message, 20), lease_expires_at, finished_at, worker_id from c$$,
  $$values
    (tests.q_id('ok'), 'succeeded', 0, null::text, null::timestamptz, now(), 'w1'),
    (tests.q_id('ko'), 'failed', 3, 'tests failed', null, now(), 'w1'),
    (tests.q_id('cx'), 'canceled', 143, 'terminated', null, now(), 'w1'),
    (tests.q_id('long'), 'failed', 1, repeat('x', 20), null, now(), 'w1')$$,
  'Exit code 0 succeeds, another fails, a requested cancel ends canceled; the rows come back in p_run_ids order.'
);
select results_eq(
  'select * from c order by id', 'select * from ops.runs order by id', 'It returns the stored rows.'
);
select is(length((select error_message from c where id = tests.q_id('long'))), 8000, 'Messages are cut to 8000.');
select is(
  array(select tests.q_events(id) from c order by id),
  array(select array['>queued', 'queued>claimed', 'claimed>running', 'running>' || status::text] from c order by id),
  'One event per run.'
);
select results_eq(
  $$select e.actor, e.reason, e.payload from ops.run_events as e
    where e.run_id = tests.q_id('cx') and e.to_status = 'canceled'$$,
  $$values ('worker:w1', 'a newer push',
    '{"attempt": 1, "worker_id": "w1", "exit_code": 143, "error_message": "terminated", "cancel_requested": true}'::jsonb)$$,
  'The canceled run''s event names the worker, the cancel''s reason, and the run as it ended.'
);

-- TEST: the holder's identical repeat.
select results_eq(
  $$select * from ops.complete_workflow_runs(
    array[tests.q_id('long'), tests.q_id('ok')], array[1, 0], 'w1', array[repeat('x', 9000), null])$$,
  $$select * from ops.runs where id = tests.q_id('long')
    union all select * from ops.runs where id = tests.q_id('ok')$$,
  'An identical repeat returns the stored runs...'
);
select is((select count(*)::integer from ops.run_events), 16, '...and writes no event.');

-- TEST: the batch completion as another role than service_role (the owner): the trigger writes the events.
select tests.clear_authentication();
select tests.q_remember('owner', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(9))).id);
select ops.claim_next_run('w2', p_start => true);
select ops.cancel_run(tests.q_id('owner'), 'stop it');
select is(
  (select c.status::text from ops.complete_workflow_runs(array[tests.q_id('owner')], array[0], 'w2') as c), 'canceled',
  'Run by the owner, it ends the run the same way...'
);
select results_eq(
  $$select e.actor, e.reason from ops.run_events as e where e.run_id = tests.q_id('owner') and e.to_status = 'canceled'$$,
  $$values ('worker:w2', 'stop it')$$,
  '...and the trigger''s event carries the same actor and reason.'
);

select * from finish();
rollback;
