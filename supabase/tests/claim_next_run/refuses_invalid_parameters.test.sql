-- ops.claim_next_run: bad worker ids and leases are refused with 22023.
begin;
select plan(5);

select tests.q_project('acme');
select ops.enqueue_run('acme', 'build', 'main', 'abcdef1');

select throws_ok(
  $$select ops.claim_next_run(null)$$,
  '22023', 'p_worker_id is required: the id of the worker holding the run, got null', 'A null worker id is refused.'
);
select throws_ok(
  $$select ops.claim_next_run('-bad worker')$$,
  '22023', 'p_worker_id must match ^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$, got ''-bad worker''',
  'A worker id with a space is refused.'
);
select throws_ok(
  $$select ops.claim_next_run('worker-1', 0)$$,
  '22023', 'p_lease_seconds must be from 1 to 86400, got 0', 'A zero lease is refused.'
);
select throws_ok(
  $$select ops.claim_next_run('worker-1', 86401)$$,
  '22023', 'p_lease_seconds must be from 1 to 86400, got 86401', 'A lease over a day is refused.'
);
select is((select status::text from ops.runs), 'queued', 'Refused calls claimed nothing.');

select * from finish();
rollback;
