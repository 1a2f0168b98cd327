-- ops.add_run_artifact: records an artifact; the same key and sha256 again returns the stored row.
begin;
select plan(6);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');
select ops.start_workflow_run(tests.q_id('r'), 'worker-1');
select ops.register_artifact_store('s3://odooops-artifacts/');

create temporary table a on commit drop as
select * from ops.add_run_artifact(
  tests.q_id('r'), 'dumps/db.tar.gz', tests.q_artifact_url(tests.q_id('r'), 'dumps/db.tar.gz'), repeat('a', 64), 1048576,
  'application/gzip', '{"odoo": "17.0"}', 'worker-1'
);
select results_eq(
  $$select artifact_key, storage_url, sha256, size_bytes, content_type, metadata from a$$,
  format(
    $$values ('dumps/db.tar.gz', %L, repeat('a', 64), 1048576::bigint, 'application/gzip', '{"odoo": "17.0"}'::jsonb)$$,
    's3://odooops-artifacts/acme/' || tests.q_id('r') || '/dumps/db.tar.gz'
  ),
  'The artifact is stored with p_s3_url as its storage_url.'
);
select results_eq('select * from a', 'select * from ops.run_artifacts', 'It returns the stored row.');

-- TEST: repeats.
select results_eq(
  format(
    'select * from ops.add_run_artifact(%L, %L, %L, %L, 1048576, %L, %L, %L)', tests.q_id('r'), 'dumps/db.tar.gz',
    tests.q_artifact_url(tests.q_id('r'), 'dumps/db.tar.gz'), repeat('a', 64), 'application/gzip', '{"odoo": "17.0"}',
    'worker-1'
  ),
  'select * from a',
  'The same key and content again returns the stored row.'
);
select is((select count(*)::integer from ops.run_artifacts), 1, 'A repeat stores nothing.');
select ops.complete_workflow_run(tests.q_id('r'), 0, null, 'worker-1');
select results_eq(
  format(
    'select * from ops.add_run_artifact(%L, %L, %L, %L, 1048576, p_worker_id => %L)', tests.q_id('r'), 'dumps/db.tar.gz',
    tests.q_artifact_url(tests.q_id('r'), 'dumps/db.tar.gz'), repeat('a', 64), 'worker-1'
  ),
  'select * from a',
  'A repeat by the worker that ran it, after the run ended, still returns the stored row.'
);
select throws_ok(
  format(
    'select ops.add_run_artifact(%L, %L, %L, %L, 0, p_worker_id => %L)', tests.q_id('r'), 'report.html',
    tests.q_artifact_url(tests.q_id('r'), 'report.html'), repeat('b', 64), 'worker-1'
  ),
  'OP002',
  format('run %s: worker worker-1 cannot add an artifact to it: the run has ended (succeeded)', tests.q_id('r')),
  'A new artifact cannot be added to an ended run, even by the worker that ran it (with the defaults).'
);

select * from finish();
rollback;
