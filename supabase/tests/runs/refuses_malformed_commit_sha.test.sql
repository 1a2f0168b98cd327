-- runs.commit_sha is lowercase hex: 6 to 40 characters, or 64 (SHA-256
-- repositories). Anything else is refused by runs_commit_sha_is_hex (23514).
begin;
select plan(10);

-- SETUP
select tests.ops_project('sha') as project_id \gset
select tests.ops_workflow(:'project_id') as workflow_id \gset

-- TEST: malformed SHAs are refused, naming the constraint (and so the field).
select throws_ok(
  format(
    'insert into ops.runs (project_id, workflow_id, branch, commit_sha) values (%L, %L, %L, %L)',
    :'project_id', :'workflow_id', 'main', s.sha
  ),
  '23514',
  'new row for relation "runs" violates check constraint "runs_commit_sha_is_hex"',
  format('A commit SHA that is %s is refused.', s.what)
)
from (values
  ('uppercase', 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678'),
  ('too short', 'abc12'),
  ('41 characters long', repeat('a', 41)),
  ('not hex', 'g1b2c3d4'),
  ('a branch name', 'main'),
  ('padded with spaces', ' abc1234 '),
  ('empty', '')
) as s (what, sha);

-- TEST: well-formed SHAs are stored.
select lives_ok(
  format(
    'insert into ops.runs (project_id, workflow_id, branch, commit_sha) values (%L, %L, %L, %L)',
    :'project_id', :'workflow_id', 'main', s.sha
  ),
  format('A %s commit SHA is accepted.', s.what)
)
from (values
  ('short (7-character)', 'abc1234'),
  ('full SHA-1', 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'),
  ('SHA-256', repeat('0123456789abcdef', 4))
) as s (what, sha);

select * from finish();
rollback;
