-- ops.lease_commit_statuses: the newest undelivered row of each (provider,
-- repository, commit, context), none while another of the key is in flight;
-- the older undelivered rows are superseded, never sent; a delivered row is
-- never leased again; an expired lease is taken over; a row waits for its
-- next_attempt_at.
begin;
select plan(10);

-- SETUP: acme on GitHub, a pushed build run queued, then running.
select tests.q_project('acme');
update ops.projects set repository_url = 'https://github.com/acme/addons' where slug = 'acme';
update ops.workflows set triggers = '{"push": {"stages": ["development"]}}';
select tests.authenticate_as_service_role();
create temporary table pushed on commit drop as
select r.id from ops.record_push((select id from ops.projects), 'feature/x', tests.q_sha(1), 'alice', 'd-1') as r;

-- TEST: one row queued: leased to n-1.
select results_eq(
  $$select state, description, leased_by from ops.lease_commit_statuses('n-1', 10, 60)$$,
  $$values ('pending', 'Queued', 'n-1')$$,
  'The queued status is leased to n-1.'
);
-- The run starts and succeeds while n-1 sends the pending.
update ops.runs set status = 'claimed', worker_id = 'w-1', claimed_at = now(),
  lease_expires_at = now() + interval '1 minute' where id = (select id from pushed);
select ops.start_workflow_run(id, 'w-1') from pushed;
select ops.complete_workflow_run(id, 0, null, 'w-1') from pushed;
select is_empty(
  $$select * from ops.lease_commit_statuses('n-2', 10, 60)$$,
  'While pending is in flight, no later status of the commit and context is leased (no overtaking).'
);
select is(
  (select delivered_at is not null from ops.complete_commit_status(
    (select id from ops.commit_status_outbox where run_status = 'queued'), 'n-1', 201)),
  true,
  'n-1 marks it delivered after a 2xx.'
);
select results_eq(
  $$select run_status::text, state from ops.lease_commit_statuses('n-2', 10, 60)$$,
  $$values ('succeeded', 'success')$$,
  'Then only the newest, success, is leased ...'
);
select results_eq(
  $$select run_status::text, superseded_at is not null, delivered_at is not null from ops.commit_status_outbox
    order by id$$,
  $$values ('queued', false, true), ('running', true, false), ('succeeded', false, false)$$,
  '... and the undelivered running status is superseded, never sent.'
);

-- TEST: an expired lease is taken over; the old holder is fenced.
update ops.commit_status_outbox set lease_expires_at = now() - interval '1 second' where run_status = 'succeeded';
select results_eq(
  $$select run_status::text, leased_by from ops.lease_commit_statuses('n-3', 10, 60)$$,
  $$values ('succeeded', 'n-3')$$,
  'A row whose holder died is leased again.'
);
select throws_ok(
  format('select ops.complete_commit_status(%s, %L, 201)',
    (select id from ops.commit_status_outbox where run_status = 'succeeded'), 'n-2'),
  'OP002', null, 'The former holder can no longer mark it delivered.'
);
select ops.complete_commit_status(id, 'n-3', 201) from ops.commit_status_outbox where run_status = 'succeeded';
select is_empty(
  $$select * from ops.lease_commit_statuses('n-4', 10, 60)$$,
  'A delivered row is never leased again.'
);

-- TEST: backoff.
select ops.record_push((select id from ops.projects), 'feature/y', tests.q_sha(2), 'alice', 'd-2');
select ops.retry_commit_status(id, 'n-1', 30, 'HTTP 502', 502)
from ops.lease_commit_statuses('n-1', 10, 60);
select is_empty(
  $$select * from ops.lease_commit_statuses('n-1', 10, 60)$$,
  'A row handed back with a delay waits for it.'
);
select results_eq(
  $$select attempts, last_http_status, last_error, leased_by, next_attempt_at > now() + interval '29 seconds'
    from ops.commit_status_outbox where commit_sha = tests.q_sha(2)$$,
  $$values (1, 502, 'HTTP 502', null::text, true)$$,
  'The failed attempt is counted, with the answer.'
);

select * from finish();
rollback;
