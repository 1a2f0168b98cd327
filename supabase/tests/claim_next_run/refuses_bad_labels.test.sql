-- ops.claim_next_run: malformed labels are refused with 22023 naming p_labels[i] or p_labels, before any claim.
begin;
select plan(7);

select tests.q_project('acme');
select ops.enqueue_run('acme', 'build', 'main', 'abcdef1');

select throws_ok(
  $$select ops.claim_next_run('worker-1', null, '{docker,Arm64}')$$,
  '22023',
  'p_labels[2] must be a label of 1 to 63 lowercase letters, digits, ".", "_" or "-", starting with a letter or '
  || 'digit, got ''Arm64''',
  'An uppercase label is refused, naming its place.'
);
select throws_ok(
  $$select ops.claim_next_run('worker-1', null, array['docker', null])$$,
  '22023',
  'p_labels[2] must be a label of 1 to 63 lowercase letters, digits, ".", "_" or "-", starting with a letter or '
  || 'digit, got null',
  'A null label is refused.'
);
select throws_ok(
  $$select ops.claim_next_run('worker-1', null, array[repeat('a', 64)])$$,
  '22023', null, 'A label of 64 characters is refused.'
);
select throws_ok(
  $$select ops.claim_next_run('worker-1', null, array['-docker'])$$,
  '22023', null, 'A label starting with a dash is refused.'
);
select throws_ok(
  $$select ops.claim_next_run('worker-1', null, array(select 'l' || n from generate_series(1, 33) as n))$$,
  '22023', 'p_labels may hold at most 32 labels, got 33', 'More than 32 labels are refused.'
);
select throws_ok(
  $$select ops.claim_next_run('worker-1', null, '{{a,b},{c,d}}')$$,
  '22023', 'p_labels must be a one-dimensional array of labels, got ''{{a,b},{c,d}}''',
  'A two-dimensional array is refused.'
);
select results_eq(
  $$select (select status::text from ops.runs), (select count(*)::integer from ops.workers)$$,
  $$values ('queued', 0)$$,
  'Refused calls claimed nothing and recorded no worker.'
);

select * from finish();
rollback;
