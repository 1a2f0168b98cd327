-- ops.enqueue_run(p_reuse_active => true): one active run per workflow, branch and commit.
begin;
select plan(7);

-- SETUP
select tests.q_project('acme');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), 'test');
select tests.q_remember('a', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1', p_reuse_active => true)).id);

-- TEST: the queued run is reused.
select is(
  (ops.enqueue_run('acme', 'build', 'main', 'abcdef1', p_reuse_active => true)).id, tests.q_id('a'),
  'A queued run of the same workflow, branch and commit is returned.'
);

-- TEST: a held run is reused too.
select ops.claim_next_run('worker-1');
select is(
  (ops.enqueue_run('acme', 'build', 'main', 'abcdef1', p_reuse_active => true)).id, tests.q_id('a'),
  'A claimed run is returned as well.'
);

-- TEST: anything different is a new run.
select isnt(
  (ops.enqueue_run('acme', 'build', 'main', 'abcdef2', p_reuse_active => true)).id, tests.q_id('a'),
  'Another commit gets its own run.'
);
select isnt(
  (ops.enqueue_run('acme', 'test', 'main', 'abcdef1', p_reuse_active => true)).id, tests.q_id('a'),
  'Another workflow gets its own run.'
);
select isnt(
  (ops.enqueue_run('acme', 'build', 'dev', 'abcdef1', p_reuse_active => true)).id, tests.q_id('a'),
  'Another branch gets its own run.'
);
select isnt(
  (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id, tests.q_id('a'),
  'Without p_reuse_active a second run is queued.'
);

-- TEST: an ended run is not reused.
select ops.start_workflow_run(tests.q_id('a'), 'worker-1');
select ops.complete_workflow_run(tests.q_id('a'), 0, null, 'worker-1');
select ops.cancel_run(id) from ops.runs where commit_sha = 'abcdef1' and status = 'queued';
select isnt(
  (ops.enqueue_run('acme', 'build', 'main', 'abcdef1', p_reuse_active => true)).id, tests.q_id('a'),
  'Once the runs of the commit ended, a new run is queued.'
);

select * from finish();
rollback;
