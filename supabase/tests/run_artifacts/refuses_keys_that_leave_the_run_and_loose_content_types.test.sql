-- run_artifacts.artifact_key becomes a storage path: no ".", ".." or empty
-- segments anywhere in it (run_artifacts_artifact_key_is_valid), and
-- content_type is a whole media type, optionally with parameters, and nothing
-- after it (run_artifacts_content_type_is_valid).
begin;
select plan(9);

-- SETUP
select tests.ops_run_in('running') as run_id \gset

-- TEST
select throws_ok(
  format(
    $q$insert into ops.run_artifacts (run_id, artifact_key, storage_url, size_bytes, sha256)
       values (%L, %L, 's3://ops-artifacts/x', 1, %L)$q$,
    :'run_id', k.key, repeat('ab', 32)
  ),
  '23514',
  'new row for relation "run_artifacts" violates check constraint "run_artifacts_artifact_key_is_valid"',
  format('The artifact key %s is refused.', k.key)
)
from (values ('a/../../etc/passwd'), ('a/./b'), ('a//b'), ('logs/'), ('a/..')) as k (key);

select throws_ok(
  format(
    $q$insert into ops.run_artifacts (run_id, artifact_key, storage_url, size_bytes, sha256, content_type)
       values (%L, 'x.txt', 's3://ops-artifacts/x', 1, %L, %L)$q$,
    :'run_id', repeat('ab', 32), c.content_type
  ),
  '23514',
  'new row for relation "run_artifacts" violates check constraint "run_artifacts_content_type_is_valid"',
  format('The content type %s is refused.', c.what)
)
from (values ('with a second line', E'text/plain\nX-Injected: 1'), ('with trailing text', 'text/plain junk')) as c (
  what, content_type
);

select lives_ok(
  format(
    $q$insert into ops.run_artifacts (run_id, artifact_key, storage_url, size_bytes, sha256, content_type)
       values (%L, 'reports/v1.0/scan..summary.json', 's3://ops-artifacts/x', 1, %L, 'text/plain; charset=utf-8')$q$,
    :'run_id', repeat('ab', 32)
  ),
  'Dots inside a segment and a content type with a parameter are fine.'
);
select is(
  (select count(*)::integer from ops.run_artifacts where run_id = :'run_id'),
  1,
  'Only the valid artifact was stored.'
);

select * from finish();
rollback;
