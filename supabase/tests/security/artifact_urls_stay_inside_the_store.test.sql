-- Attack: a runner records an artifact whose URL points elsewhere on the
-- worker's disk (file:///etc/passwd, file:///../../etc/shadow) or in another
-- bucket, so that whatever later serves artifacts hands that file out. A URL
-- is accepted only as the run's place in a registered store:
-- <root><project slug>/<run id>/<artifact key>.
begin;
select plan(9);

-- SETUP
select tests.q_project('files') as project_id \gset
select tests.q_remember('run', (ops.enqueue_run('files', 'build', 'main', tests.q_sha(1))).id);
select ops.claim_next_run('w-1');
select ops.register_artifact_store('file:///var/lib/odooops/artifacts/');
select tests.authenticate_as_service_role();

-- TEST
select throws_ok(
  format($q$select ops.add_run_artifact(%L, 'passwd', 'file:///etc/passwd', repeat('a', 64), 1, p_worker_id => 'w-1')$q$,
    tests.q_id('run')),
  '22023',
  format('p_s3_url must be <artifact store root>files/%s/passwd in a registered artifact store, got ''file:///etc/passwd''',
    tests.q_id('run')),
  'file:///etc/passwd is refused, naming where the artifact must go.'
);
select throws_ok(
  format($q$select ops.add_run_artifact(%L, 'shadow', 'file:///../../etc/shadow', repeat('a', 64), 1, p_worker_id => 'w-1')$q$,
    tests.q_id('run')),
  '22023', null,
  'file:///../../etc/shadow is refused.'
);
select throws_ok(
  format(
    $q$select ops.add_run_artifact(%L, 'x', %L, repeat('a', 64), 1, p_worker_id => 'w-1')$q$,
    tests.q_id('run'), 'file:///var/lib/odooops/artifacts/files/' || tests.q_id('run') || '/../../../../../etc/x'
  ),
  '22023', null,
  'A key that climbs out of the store is refused.'
);
select throws_ok(
  format(
    $q$select ops.add_run_artifact(%L, 'x.tgz', %L, repeat('a', 64), 1, p_worker_id => 'w-1')$q$,
    tests.q_id('run'), 'file:///var/lib/odooops/artifacts/other-project/' || tests.q_id('run') || '/x.tgz'
  ),
  '22023', null,
  'The place of another project in the store is refused.'
);
select throws_ok(
  format(
    $q$select ops.add_run_artifact(%L, 'x.tgz', %L, repeat('a', 64), 1, p_worker_id => 'w-1')$q$,
    tests.q_id('run'), 's3://someone-elses-bucket/files/' || tests.q_id('run') || '/x.tgz'
  ),
  '22023', null,
  'A bucket that is not a registered store is refused.'
);
select throws_ok(
  $$select ops.register_artifact_store('file:///')$$,
  '22023', null,
  'The root of the file system cannot be registered as a store.'
);
select throws_ok(
  $$select ops.register_artifact_store('file:///%2e%2e/')$$,
  '22023', null,
  'Nor a root that climbs out through percent-encoded dots.'
);
select lives_ok(
  format(
    $q$select ops.add_run_artifact(%L, 'x.tgz', %L, repeat('a', 64), 1, p_worker_id => 'w-1')$q$,
    tests.q_id('run'), 'file:///var/lib/odooops/artifacts/files/' || tests.q_id('run') || '/x.tgz'
  ),
  'The run''s own place in the store is accepted.'
);
select tests.clear_authentication();
select tests.create_supabase_user('tenant');
select tests.authenticate_as('tenant');
select throws_ok(
  $$select ops.register_artifact_store('file:///etc/')$$,
  '42501', null,
  'A signed-in user cannot register a store.'
);

select * from finish();
rollback;
