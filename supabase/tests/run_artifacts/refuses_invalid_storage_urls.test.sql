-- run_artifacts.storage_url is s3://bucket/key, https://host/path or
-- file:///path; anything else is refused by run_artifacts_storage_url_is_valid (23514).
begin;
select plan(11);

-- SETUP
select tests.ops_run_in('running') as run_id \gset

-- TEST
select throws_ok(
  format(
    'insert into ops.run_artifacts (run_id, artifact_key, storage_url, size_bytes, sha256) values (%L, %L, %L, 1, %L)',
    :'run_id', 'dump.zip', u.url, repeat('ab', 32)
  ),
  '23514',
  'new row for relation "run_artifacts" violates check constraint "run_artifacts_storage_url_is_valid"',
  format('A storage URL that is %s is refused.', u.what)
)
from (values
  ('ftp', 'ftp://files.example.com/dump.zip'),
  ('plain http', 'http://files.example.com/dump.zip'),
  ('a relative path', 'artifacts/dump.zip'),
  ('a file URL with a host', 'file://host/dump.zip'),
  ('an s3 URL without a key', 's3://bucket'),
  ('an s3 URL with an uppercase bucket', 's3://Bucket/dump.zip'),
  ('a URL with spaces', 'https://files.example.com/my dump.zip'),
  ('javascript', 'javascript:alert(1)')
) as u (what, url);
select lives_ok(
  format(
    'insert into ops.run_artifacts (run_id, artifact_key, storage_url, size_bytes, sha256) values (%L, %L, %L, 1, %L)',
    :'run_id', u.artifact_key, u.url, repeat('ab', 32)
  ),
  format('A %s storage URL is accepted.', u.what)
)
from (values
  ('s3', 'a.zip', 's3://ops-artifacts/runs/1/dump.zip'),
  ('https', 'b.zip', 'https://storage.example.com/runs/1/dump.zip'),
  ('file', 'c.zip', 'file:///var/lib/odooops/artifacts/dump.zip')
) as u (what, artifact_key, url);

select * from finish();
rollback;
