-- run_artifacts.metadata is a JSON object; anything else is refused by
-- run_artifacts_metadata_is_object (23514), as are negative sizes and bad keys.
begin;
select plan(6);

-- SETUP
select tests.ops_run_in('running') as run_id \gset

-- TEST
select throws_ok(
  format(
    $q$insert into ops.run_artifacts (run_id, artifact_key, storage_url, size_bytes, sha256, metadata)
       values (%L, 'dump.zip', 's3://ops-artifacts/dump.zip', 1, %L, %L::jsonb)$q$,
    :'run_id', repeat('ab', 32), m.metadata
  ),
  '23514',
  'new row for relation "run_artifacts" violates check constraint "run_artifacts_metadata_is_object"',
  format('Artifact metadata that is %s is refused.', m.what)
)
from (values ('an array', '[]'), ('a number', '1'), ('JSON null', 'null')) as m (what, metadata);
select throws_ok(
  format(
    $q$insert into ops.run_artifacts (run_id, artifact_key, storage_url, size_bytes, sha256)
       values (%L, 'dump.zip', 's3://ops-artifacts/dump.zip', -1, %L)$q$,
    :'run_id', repeat('ab', 32)
  ),
  '23514',
  'new row for relation "run_artifacts" violates check constraint "run_artifacts_size_is_positive"',
  'A negative size is refused.'
);
select throws_ok(
  format(
    $q$insert into ops.run_artifacts (run_id, artifact_key, storage_url, size_bytes, sha256)
       values (%L, '../etc/passwd', 's3://ops-artifacts/dump.zip', 1, %L)$q$,
    :'run_id', repeat('ab', 32)
  ),
  '23514',
  'new row for relation "run_artifacts" violates check constraint "run_artifacts_artifact_key_is_valid"',
  'An artifact key that starts outside the run (../) is refused.'
);
select lives_ok(
  format(
    $q$insert into ops.run_artifacts (run_id, artifact_key, storage_url, size_bytes, sha256, metadata)
       values (%L, 'dump.zip', 's3://ops-artifacts/dump.zip', 1, %L, '{"database": "prod"}')$q$,
    :'run_id', repeat('ab', 32)
  ),
  'Object metadata is stored.'
);

select * from finish();
rollback;
