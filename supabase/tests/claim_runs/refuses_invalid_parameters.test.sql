-- ops.claim_runs: bad limits, worker ids, leases, labels and p_start are refused with 22023, naming the field.
begin;
select plan(8);

select tests.q_project('acme');
select ops.enqueue_run('acme', 'build', 'main', 'abcdef1');

select throws_ok(
  $$select ops.claim_runs('worker-1', null, 0)$$,
  '22023', 'p_limit must be from 1 to 100, got 0', 'A batch of none is refused.'
);
select throws_ok(
  $$select ops.claim_runs('worker-1', null, 101)$$,
  '22023', 'p_limit must be from 1 to 100, got 101', 'A batch over 100 is refused.'
);
select throws_ok(
  $$select ops.claim_runs('worker-1', null, null)$$,
  '22023', 'p_limit must be from 1 to 100, got null', 'A null limit is refused.'
);
select throws_ok(
  $$select ops.claim_runs(null)$$,
  '22023', 'p_worker_id is required: the id of the worker holding the run, got null', 'A null worker id is refused.'
);
select throws_ok(
  $$select ops.claim_runs('worker-1', null, 10, 0)$$,
  '22023', 'p_lease_seconds must be from 1 to 86400, got 0', 'A zero lease is refused.'
);
select throws_ok(
  $$select ops.claim_runs('worker-1', '{"bad label"}')$$, '22023', null, 'A bad label is refused.'
);
select throws_ok(
  $$select ops.claim_runs('worker-1', null, 10, null, null)$$,
  '22023', 'p_start must be true or false, got null', 'A null p_start is refused.'
);
select is((select status::text from ops.runs), 'queued', 'Refused calls claimed nothing.');

select * from finish();
rollback;
