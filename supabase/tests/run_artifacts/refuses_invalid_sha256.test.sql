-- run_artifacts.sha256 is 64 lowercase hex characters; anything else is
-- refused by run_artifacts_sha256_is_hex (23514).
begin;
select plan(6);

-- SETUP
select tests.ops_run_in('running') as run_id \gset

-- TEST
select throws_ok(
  format(
    'insert into ops.run_artifacts (run_id, artifact_key, storage_url, size_bytes, sha256) values (%L, %L, %L, 1, %L)',
    :'run_id', 'dump.zip', 's3://ops-artifacts/dump.zip', h.sha256
  ),
  '23514',
  'new row for relation "run_artifacts" violates check constraint "run_artifacts_sha256_is_hex"',
  format('A sha256 that is %s is refused.', h.what)
)
from (values
  ('uppercase', repeat('AB', 32)),
  ('63 characters long', repeat('a', 63)),
  ('65 characters long', repeat('a', 65)),
  ('prefixed with sha256:', 'sha256:' || repeat('ab', 32)),
  ('not hex', repeat('zz', 32))
) as h (what, sha256);
select lives_ok(
  format(
    'insert into ops.run_artifacts (run_id, artifact_key, storage_url, size_bytes, sha256) values (%L, %L, %L, 0, %L)',
    :'run_id', 'empty.txt', 's3://ops-artifacts/empty.txt',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
  ),
  'The sha256 of the empty file is accepted.'
);

select * from finish();
rollback;
