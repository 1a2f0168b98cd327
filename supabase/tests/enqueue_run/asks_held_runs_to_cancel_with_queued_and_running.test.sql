-- ops.enqueue_run with supersede queued_and_running: a new commit also asks
-- the claimed and running runs of older commits of the branch to cancel; the
-- worker learns it from its heartbeat and ends the run canceled.
begin;
select plan(11);

-- SETUP
select tests.q_project('acme');
select tests.q_workflow(
  (select id from ops.projects where slug = 'acme'), 'ci', p_supersede => 'queued_and_running'
);
select tests.q_remember('running', (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(1))).id);
select ops.claim_next_run('worker-1');
select ops.start_workflow_run(tests.q_id('running'), 'worker-1');
select tests.q_remember('claimed', (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(2))).id);
select ops.claim_next_run('worker-2');
select tests.q_remember('queued', (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(3))).id);
select tests.q_remember(
  'other', (ops.enqueue_run('acme', 'ci', 'dev', tests.q_sha(1), p_priority => 1000)).id
);
select ops.claim_next_run('worker-3');
select ops.start_workflow_run(tests.q_id('other'), 'worker-3');

-- A push of the same branch came first, while the three were in the queue or
-- held: the queued one was canceled, the held ones asked to stop.
select results_eq(
  $$select id, status::text, cancel_reason from ops.runs where branch = 'main' order by created_at, commit_sha$$,
  format(
    $$values (%L::uuid, 'running', %L), (%L::uuid, 'claimed', %L), (%L::uuid, 'queued', null)$$,
    tests.q_id('running'), 'superseded by ' || tests.q_id('claimed'),
    tests.q_id('claimed'), 'superseded by ' || tests.q_id('queued'), tests.q_id('queued')
  ),
  'Each new run asked the run before it, held by then, to cancel.'
);

-- TEST: a fourth commit: the queued run ends canceled, the held runs keep the first request.
select tests.q_remember('newest', (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(4))).id);
select results_eq(
  $$select status::text, cancel_reason from ops.runs where id = tests.q_id('queued')$$,
  format($$values ('canceled', %L)$$, 'superseded by ' || tests.q_id('newest')),
  'The queued run ends canceled at once.'
);
select results_eq(
  $$select status::text, cancel_requested_at is not null, cancel_reason from ops.runs where id = tests.q_id('running')$$,
  format($$values ('running', true, %L)$$, 'superseded by ' || tests.q_id('claimed')),
  'A running run keeps running until its worker stops it, with the first reason it was given.'
);
select is(
  tests.q_events(tests.q_id('running')), array['>queued', 'queued>claimed', 'claimed>running'],
  'A cancel request is no status change: no event yet.'
);
select results_eq(
  $$select status::text, cancel_requested_at is not null from ops.runs where id = tests.q_id('other')$$,
  $$values ('running', false)$$,
  'A running run of another branch is not asked to cancel.'
);

-- TEST: the worker learns of it, and ends the run canceled.
select is(
  (select cancel_requested from ops.heartbeat_run(tests.q_id('running'), 'worker-1')), true,
  'The holder sees the request in its heartbeat.'
);
select is(
  (ops.complete_workflow_run(tests.q_id('running'), 137, 'canceled during step ''build''', 'worker-1')).status::text,
  'canceled',
  'Its completion ends the run canceled.'
);
select is(
  (select cancel_reason from ops.runs where id = tests.q_id('running')), 'superseded by ' || tests.q_id('claimed'),
  'The ended run still says why it was canceled.'
);
select ops.start_workflow_run(tests.q_id('claimed'), 'worker-2');
select is(
  (select cancel_requested from ops.heartbeat_run(tests.q_id('claimed'), 'worker-2')), true,
  'A claimed run asked to cancel sees it once started.'
);

-- TEST: a held run of the same commit as the new run is not asked to cancel.
select tests.q_remember('same', (ops.enqueue_run('acme', 'ci', 'feature', tests.q_sha(5), p_priority => 1000)).id);
select is((ops.claim_next_run('worker-4')).id, tests.q_id('same'), 'A worker takes the run of feature.');
select ops.enqueue_run('acme', 'ci', 'feature', tests.q_sha(5));
select is(
  (select cancel_requested_at from ops.runs where id = tests.q_id('same')), null,
  'Queueing the same commit again does not cancel its held run.'
);

select * from finish();
rollback;
