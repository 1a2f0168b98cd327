-- ops.claim_next_run: highest priority first, then oldest, only runs that are due.
begin;
select plan(10);

-- SETUP: four runs; created_at is moved back by hand (in one transaction now() does not move).
select tests.q_project('acme');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), 'long', true, 3, 900);
select tests.q_remember('old_low', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select tests.q_remember('new_high', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(2), p_priority => 10)).id);
select tests.q_remember('old_high', (ops.enqueue_run('acme', 'long', 'main', tests.q_sha(3), p_priority => 10)).id);
select tests.q_remember('later', (ops.enqueue_run(
  'acme', 'build', 'main', tests.q_sha(4), p_priority => 100, p_run_after => now() + interval '1 minute'
)).id);
update ops.runs set created_at = now() - interval '1 hour' where id = tests.q_id('old_low');
update ops.runs set created_at = now() - interval '30 minutes' where id = tests.q_id('old_high');

-- TEST: the first claim.
create temporary table c1 on commit drop as select * from ops.claim_next_run('worker-1');
select is((select id from c1), tests.q_id('old_high'), 'The oldest run of the highest priority is claimed first.');
select results_eq(
  $$select status::text, worker_id, attempt, claimed_at, heartbeat_at, lease_expires_at from c1$$,
  $$values ('claimed', 'worker-1', 1, now(), now(), now() + interval '900 seconds')$$,
  'It is claimed by the worker, attempt 1, with the workflow''s lease.'
);
select results_eq(
  'select * from c1', $$select * from ops.runs where id = tests.q_id('old_high')$$,
  'The returned row is the stored one.'
);
select is(
  tests.q_events(tests.q_id('old_high')), array['>queued', 'queued>claimed'], 'The claim records one event.'
);
select is(
  (select actor from ops.run_events where run_id = tests.q_id('old_high') order by id desc limit 1), 'worker:worker-1',
  'The event names the worker.'
);

-- TEST: the next claims, and an explicit lease.
select is((ops.claim_next_run('worker-2', 5)).id, tests.q_id('new_high'), 'Then the newer run of the same priority.');
select is(
  (select lease_expires_at - now() from ops.runs where id = tests.q_id('new_high')), interval '5 seconds',
  'p_lease_seconds overrides the workflow''s lease.'
);
select is((ops.claim_next_run('worker-3')).id, tests.q_id('old_low'), 'Then the lower priority.');
select is(
  (select lease_expires_at - now() from ops.runs where id = tests.q_id('old_low')), interval '60 seconds',
  'The build workflow''s lease_seconds (60) is used.'
);

-- TEST: a run that is not due is left alone even at priority 100.
select is_empty($$select * from ops.claim_next_run('worker-4')$$, 'A run whose run_after is in the future is not claimed.');

select * from finish();
rollback;
