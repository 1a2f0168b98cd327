-- ops.enqueue_run: every refusal, with its SQLSTATE and a message naming the parameter and value.
begin;
select plan(16);

-- SETUP
select tests.q_project('acme');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), 'off', false);

-- TEST: unknown names.
select throws_ok(
  $$select ops.enqueue_run('nope', 'build', 'main', 'abcdef1')$$,
  'P0002', 'project ''nope'' not found', 'An unknown project slug is no_data_found naming the slug.'
);
select throws_ok(
  $$select ops.enqueue_run('acme', 'deploy', 'main', 'abcdef1')$$,
  'P0002', 'workflow ''deploy'' not found in project acme', 'An unknown workflow is no_data_found naming it.'
);
select throws_ok(
  $$select ops.enqueue_run('acme', 'off', 'main', 'abcdef1')$$,
  '22023', 'p_workflow_name ''off'': workflow is disabled in project acme', 'A disabled workflow is refused.'
);

-- TEST: malformed parameters.
select throws_ok(
  $$select ops.enqueue_run(null, 'build', 'main', 'abcdef1')$$,
  '22023', 'p_project_slug must be a project slug, got null', 'A null slug is refused.'
);
select throws_ok(
  $$select ops.enqueue_run('acme', '', 'main', 'abcdef1')$$,
  '22023', 'p_workflow_name must be a workflow name, got ''''', 'An empty workflow name is refused.'
);
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'bad..branch', 'abcdef1')$$,
  '22023', 'p_branch must be a git branch name, got ''bad..branch''', 'A branch git would refuse is refused.'
);
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', null, 'abcdef1')$$,
  '22023', 'p_branch must be a git branch name, got null', 'A null branch is refused.'
);
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'ABCDEF1')$$,
  '22023', 'p_commit_sha must be lowercase hex (6 to 40 or 64 characters), got ''ABCDEF1''',
  'An uppercase commit is refused.'
);
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'abc')$$,
  '22023', 'p_commit_sha must be lowercase hex (6 to 40 or 64 characters), got ''abc''',
  'A too short commit is refused.'
);
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'abcdef1', p_params => '[1]')$$,
  '22023', 'p_params must be a JSON object, got [1]', 'Parameters that are not an object are refused.'
);
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'abcdef1', p_params => null)$$,
  '22023', 'p_params must be a JSON object, got null', 'Null parameters are refused.'
);
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'abcdef1', p_priority => 1001)$$,
  '22023', 'p_priority must be from -1000 to 1000, got 1001', 'A priority above 1000 is refused.'
);
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'abcdef1', p_idempotency_key => '')$$,
  '22023', 'p_idempotency_key must be 1 to 200 characters, got 0 characters', 'An empty key is refused.'
);
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'abcdef1', p_idempotency_key => repeat('k', 201))$$,
  '22023', 'p_idempotency_key must be 1 to 200 characters, got 201 characters', 'A 201-character key is refused.'
);
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'abcdef1', p_reuse_active => null)$$,
  '22023', 'p_reuse_active must be true or false, got null', 'A null p_reuse_active is refused.'
);

select is((select count(*)::integer from ops.runs), 0, 'No refused call queued anything.');

select * from finish();
rollback;
