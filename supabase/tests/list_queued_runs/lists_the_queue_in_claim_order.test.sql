-- ops.list_queued_runs: every queued run, numbered in the order workers will claim them.
begin;
select plan(5);

select tests.q_project('acme');
select tests.q_project('beta');
select tests.q_remember('a', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select tests.q_remember('b', (ops.enqueue_run('beta', 'build', 'dev', tests.q_sha(2), p_priority => 5)).id);
select tests.q_remember('c', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(3))).id);
select tests.q_remember('d', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(4))).id);
update ops.runs set created_at = now() - interval '10 minutes' where id = tests.q_id('a');
update ops.runs set created_at = now() - interval '5 minutes' where id = tests.q_id('c');
select ops.cancel_run(tests.q_id('d'));

select results_eq(
  $$select "position", run_id, project_slug, workflow_name, branch, commit_sha, priority, attempt, max_attempts, age
    from ops.list_queued_runs()$$,
  $$values (1::bigint, tests.q_id('b'), 'beta', 'build', 'dev', tests.q_sha(2), 5, 0, 3, interval '0'),
           (2, tests.q_id('a'), 'acme', 'build', 'main', tests.q_sha(1), 0, 0, 3, interval '10 minutes'),
           (3, tests.q_id('c'), 'acme', 'build', 'main', tests.q_sha(3), 0, 0, 3, interval '5 minutes')$$,
  'Queued runs of all projects, by priority then age, with position, project, workflow, attempt and age.'
);
select is(
  (select run_id from ops.list_queued_runs() where "position" = 1), (ops.claim_next_run('worker-1')).id,
  'Position 1 is the run the next claim takes.'
);
select is((select count(*)::integer from ops.list_queued_runs()), 2, 'Claimed and canceled runs are not listed.');
select is(
  (select provolatile::text from pg_proc where oid = 'ops.list_queued_runs()'::regprocedure), 's', 'It is declared stable.'
);
select is(
  (select prosecdef from pg_proc where oid = 'ops.list_queued_runs()'::regprocedure), false, 'It is SECURITY INVOKER.'
);

select * from finish();
rollback;
