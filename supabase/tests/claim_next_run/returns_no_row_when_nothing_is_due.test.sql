-- ops.claim_next_run: an empty queue is not an error.
begin;
select plan(4);

select tests.q_project('acme');

-- TEST: nothing queued.
select is_empty($$select * from ops.claim_next_run('worker-1')$$, 'An empty queue gives no row.');
select lives_ok($$select ops.claim_next_run('worker-1')$$, 'An empty queue raises nothing.');

-- TEST: only held and ended runs.
select ops.enqueue_run('acme', 'build', 'main', 'abcdef1');
select ops.enqueue_run('acme', 'build', 'main', 'abcdef2');
select ops.claim_next_run('worker-1');
select ops.cancel_run(id) from ops.runs where status = 'queued';
select is_empty($$select * from ops.claim_next_run('worker-2')$$, 'Held and ended runs are never claimed.');
select is(
  (select count(*)::integer from ops.runs where worker_id = 'worker-2'), 0, 'The empty claim changed nothing.'
);

select * from finish();
rollback;
