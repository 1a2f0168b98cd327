-- The child tables' policies read their own project_id: it is always the
-- project of the row's run, however the row was written. The RPCs and the
-- event trigger set it; a direct insert that leaves it out gets it; a wrong
-- one, an unknown run or a run changing project is refused with 23503.
begin;
select plan(14);

-- SETUP
select tests.q_project('acme');
select tests.q_project('other');
select tests.q_remember('acme', (select id from ops.projects where slug = 'acme'));
select tests.q_remember('other', (select id from ops.projects where slug = 'other'));
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');
select ops.start_workflow_run(tests.q_id('r'), 'worker-1');
select ops.register_artifact_store('s3://odooops-artifacts/');

-- TEST: what the RPCs and the event trigger write.
select ops.append_run_logs(tests.q_id('r'), '[{"seq": 1, "message": "one"}, {"seq": 2, "message": "two"}]', 'worker-1');
select ops.append_run_log(tests.q_id('r'), 'info', 'three', p_worker_id => 'worker-1');
select ops.add_run_artifact(
  tests.q_id('r'), 'report.txt', tests.q_artifact_url(tests.q_id('r'), 'report.txt'), repeat('a', 64), 3,
  'text/plain', '{}', 'worker-1'
);
select results_eq(
  format('select distinct project_id from ops.run_logs where run_id = %L', tests.q_id('r')),
  format('values (%L::uuid)', tests.q_id('acme')),
  'ops.append_run_logs and ops.append_run_log store the run''s project on every line.'
);
select results_eq(
  format('select project_id from ops.run_artifacts where run_id = %L', tests.q_id('r')),
  format('values (%L::uuid)', tests.q_id('acme')),
  'ops.add_run_artifact stores the run''s project.'
);
select results_eq(
  format('select count(*), count(*) filter (where project_id = %L) from ops.run_events where run_id = %L',
    tests.q_id('acme'), tests.q_id('r')),
  $$values (3::bigint, 3::bigint)$$,
  'Every event the trigger wrote (queued, claimed, running) carries the run''s project.'
);

-- TEST: direct inserts by service_role.
select tests.authenticate_as_service_role();
select lives_ok(
  format($q$insert into ops.run_logs (run_id, seq, message) values (%L, 4, 'direct')$q$, tests.q_id('r')),
  'service_role may insert a log line without project_id.'
);
select is(
  (select project_id from ops.run_logs where run_id = tests.q_id('r') and seq = 4), tests.q_id('acme'),
  'It gets the run''s project.'
);
select lives_ok(
  format(
    $q$insert into ops.run_artifacts (run_id, artifact_key, storage_url, size_bytes, sha256)
       values (%L, 'direct.bin', 's3://odooops-artifacts/acme/direct.bin', 1, %L)$q$,
    tests.q_id('r'), repeat('b', 64)
  ),
  'service_role may insert an artifact without project_id ...'
);
select is(
  (select project_id from ops.run_artifacts where run_id = tests.q_id('r') and artifact_key = 'direct.bin'),
  tests.q_id('acme'),
  '... and it gets the run''s project.'
);
select lives_ok(
  format($q$insert into ops.run_logs (run_id, project_id, seq, message) values (%L, %L, 5, 'right')$q$,
    tests.q_id('r'), tests.q_id('acme')),
  'A direct insert naming the run''s own project is stored.'
);
select throws_ok(
  format($q$insert into ops.run_logs (run_id, project_id, seq, message) values (%L, %L, 6, 'forged')$q$,
    tests.q_id('r'), tests.q_id('other')),
  '23503', null,
  'A log line naming another project than its run''s is refused with 23503.'
);
select throws_ok(
  format(
    $q$insert into ops.run_artifacts (run_id, project_id, artifact_key, storage_url, size_bytes, sha256)
       values (%L, %L, 'forged.bin', 's3://odooops-artifacts/other/forged.bin', 1, %L)$q$,
    tests.q_id('r'), tests.q_id('other'), repeat('c', 64)
  ),
  '23503', null,
  'So is an artifact naming another project.'
);
select throws_ok(
  $q$insert into ops.run_logs (run_id, seq, message) values ('00000000-0000-4000-8000-00000000dead', 1, 'lost')$q$,
  '23503', 'run 00000000-0000-4000-8000-00000000dead: no such run',
  'A log line of an unknown run is refused with 23503, naming the run.'
);
select throws_ok(
  format('update ops.run_logs set project_id = %L where run_id = %L and seq = 1', tests.q_id('other'), tests.q_id('r')),
  '23503', null,
  'Moving a stored line to another project is refused with 23503.'
);
select throws_ok(
  format(
    'update ops.runs set project_id = %L, workflow_id = (select id from ops.workflows where project_id = %L) '
    'where id = %L',
    tests.q_id('other'), tests.q_id('other'), tests.q_id('r')
  ),
  '23503', null,
  'Moving a run with events, lines or artifacts to another project is refused with 23503.'
);
select tests.clear_authentication();

select is(
  (select count(*) from ops.run_logs where project_id <> tests.q_id('acme')), 0::bigint,
  'No line of the run ended up in another project.'
);

select * from finish();
rollback;
