-- ops.cancel_run: P0002 for an unknown run, 22023 for bad parameters.
begin;
select plan(3);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);

select throws_ok(
  $$select ops.cancel_run('00000000-0000-0000-0000-000000000000')$$,
  'P0002', 'run 00000000-0000-0000-0000-000000000000 not found', 'An unknown run is no_data_found naming the id.'
);
select throws_ok(
  format('select ops.cancel_run(%L, %L)', tests.q_id('r'), repeat('x', 1001)),
  '22023', 'p_reason must be at most 1000 characters, got 1001', 'A reason over 1000 characters is refused.'
);
select is((select status::text from ops.runs), 'queued', 'Refused calls changed nothing.');

select * from finish();
rollback;
