-- ops.heartbeat_run: a running run past its workflow's time_limit_seconds (from started_at) is asked to cancel,
-- whatever its heartbeats; the worker completes it and it ends canceled, its event saying why.
begin;
select plan(8);

-- SETUP: a limit of 60 s; one run started 61 s ago, one 59 s ago.
select tests.q_project('acme');
update ops.workflows set time_limit_seconds = 60;
select tests.q_remember('over', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select tests.q_remember('under', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(2))).id);
select ops.claim_next_run('w1');
select ops.claim_next_run('w2');
select ops.start_workflow_run(r.id, r.worker_id) from ops.runs as r;
update ops.runs set started_at = now() - interval '61 seconds' where id = tests.q_id('over');
update ops.runs set started_at = now() - interval '59 seconds' where id = tests.q_id('under');

-- TEST: the heartbeats.
select is(
  (select cancel_requested from ops.heartbeat_run(tests.q_id('over'), (select worker_id from ops.runs
    where id = tests.q_id('over')))),
  true, 'The heartbeat of a run past its time limit says a cancel is requested.'
);
select results_eq(
  $$select cancel_requested_at, cancel_reason, status::text from ops.runs where id = tests.q_id('over')$$,
  $$values (now(), 'time limit of 60 s exceeded', 'running')$$,
  'The run keeps running, with the cancel request and its reason.'
);
select is(
  (select cancel_requested from ops.heartbeat_run(tests.q_id('under'), (select worker_id from ops.runs
    where id = tests.q_id('under')))),
  false, 'A run within its limit is left alone.'
);

-- TEST: the worker ends it.
select is(
  (ops.complete_workflow_run(tests.q_id('over'), 143, null, (select worker_id from ops.runs
    where id = tests.q_id('over')))).status::text,
  'canceled', 'Completed after the request, it ends canceled.'
);
select is(
  (select reason from ops.run_events where run_id = tests.q_id('over') and to_status = 'canceled'),
  'time limit of 60 s exceeded', 'Its running -> canceled event says the time limit was exceeded.'
);

-- TEST: an earlier cancel keeps its reason; no limit, no cancel; the bounds.
update ops.runs set started_at = now() - interval '1 hour', cancel_requested_at = now(), cancel_reason = 'by hand'
where id = tests.q_id('under');
select ops.heartbeat_run(tests.q_id('under'), (select worker_id from ops.runs where id = tests.q_id('under')));
select is((select cancel_reason from ops.runs where id = tests.q_id('under')), 'by hand',
  'A cancel requested earlier keeps its reason.');
update ops.workflows set time_limit_seconds = null;
update ops.runs set cancel_requested_at = null, cancel_reason = null where id = tests.q_id('under');
select is(
  (select cancel_requested from ops.heartbeat_run(tests.q_id('under'), (select worker_id from ops.runs
    where id = tests.q_id('under')))),
  false, 'Without a time limit a run may run as long as it heartbeats.'
);
select throws_ok(
  $$update ops.workflows set time_limit_seconds = 0$$, '23514', null, 'time_limit_seconds is from 1 to 86400.'
);

select * from finish();
rollback;
