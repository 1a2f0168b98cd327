-- ops.get_run_context: service_role only, and only for the worker holding the run (claimed or running):
-- OP002 for another worker, a run nobody holds or one that has ended, P0002 for an unknown run, 22023 for
-- bad parameters. Like every worker RPC it is SECURITY INVOKER, pins search_path and documents its SQLSTATEs.
begin;
select plan(19);

-- SETUP
select tests.q_project('acme');
select tests.create_supabase_user('owner');
insert into ops.project_memberships (project_id, user_id, role)
select id, tests.get_supabase_uid('owner'), 'owner' from ops.projects;
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select tests.q_remember('q', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(2), p_priority => -1)).id);
select ops.claim_next_run('worker-1');

-- TEST: what it is, and who may call it.
select is(
  (select prosecdef from pg_proc where oid = 'ops.get_run_context(uuid, text)'::regprocedure), false,
  'It is SECURITY INVOKER, like the other worker RPCs.'
);
select ok(
  (select 'search_path=""' = any(proconfig) from pg_proc where oid = 'ops.get_run_context(uuid, text)'::regprocedure),
  'It sets search_path to the empty string.'
);
select matches(
  obj_description('ops.get_run_context(uuid, text)'::regprocedure, 'pg_proc'), 'SQLSTATEs: ',
  'Its comment names its SQLSTATEs.'
);
select ok(not has_function_privilege('public', 'ops.get_run_context(uuid, text)', 'execute'), 'PUBLIC may not execute it.');
select ok(not has_function_privilege('anon', 'ops.get_run_context(uuid, text)', 'execute'), 'anon may not execute it.');
select ok(
  not has_function_privilege('authenticated', 'ops.get_run_context(uuid, text)', 'execute'),
  'authenticated may not execute it.'
);
select ok(has_function_privilege('service_role', 'ops.get_run_context(uuid, text)', 'execute'), 'service_role may.');
select tests.authenticate_as('owner');
select throws_ok(
  format('select * from ops.get_run_context(%L, %L)', tests.q_id('r'), 'worker-1'), '42501', null,
  'Even the project owner may not read a run''s context.'
);

-- TEST: the holder, claimed then running.
select tests.authenticate_as_service_role();
select is(
  (select c.workflow ->> 'name' from ops.get_run_context(tests.q_id('r'), 'worker-1') as c), 'build',
  'The worker holding a claimed run gets its context.'
);
select ops.start_workflow_run(tests.q_id('r'), 'worker-1');
select is(
  (select c.project ->> 'slug' from ops.get_run_context(tests.q_id('r'), 'worker-1') as c), 'acme',
  'And of a running run.'
);

-- TEST: everyone else.
select throws_ok(
  format('select * from ops.get_run_context(%L, %L)', tests.q_id('r'), 'worker-2'),
  'OP002',
  format('run %s: worker worker-2 cannot read its context: the run is running and held by worker-1', tests.q_id('r')),
  'Another worker gets OP002 naming the holder.'
);
select throws_ok(
  format('select * from ops.get_run_context(%L, %L)', tests.q_id('q'), 'worker-1'),
  'OP002',
  format('run %s: worker worker-1 cannot read its context: the run is queued and held by no worker', tests.q_id('q')),
  'Nobody reads the context of a queued run.'
);
select ops.complete_workflow_run(tests.q_id('r'), 0, null, 'worker-1');
select throws_ok(
  format('select * from ops.get_run_context(%L, %L)', tests.q_id('r'), 'worker-1'),
  'OP002',
  format('run %s: worker worker-1 cannot read its context: the run has ended (succeeded)', tests.q_id('r')),
  'Its last holder no longer reads the context of a finished run.'
);
select throws_ok(
  $$select * from ops.get_run_context('00000000-0000-0000-0000-000000000000', 'worker-1')$$,
  'P0002', 'run 00000000-0000-0000-0000-000000000000 not found', 'An unknown run is no_data_found naming the id.'
);
select throws_ok(
  format('select * from ops.get_run_context(%L, null)', tests.q_id('r')),
  '22023', 'p_worker_id is required: the id of the worker holding the run, got null', 'A null worker id is refused.'
);
select throws_ok(
  format('select * from ops.get_run_context(%L, %L)', tests.q_id('r'), 'bad worker'),
  '22023', 'p_worker_id must match ^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$, got ''bad worker''',
  'An invalid worker id is refused, quoted.'
);
select throws_ok(
  $$select * from ops.get_run_context(null, 'worker-1')$$,
  '22023', 'p_run_id must be a run id, got null', 'A null run id is refused.'
);
select tests.authenticate_as_anon();
select throws_ok(
  format('select * from ops.get_run_context(%L, %L)', tests.q_id('q'), 'worker-1'), '42501', null,
  'anon may not call it.'
);
select tests.clear_authentication();
select is(
  tests.q_events(tests.q_id('q')), array['>queued'], 'Reading a context changes no run.'
);

select * from finish();
rollback;
