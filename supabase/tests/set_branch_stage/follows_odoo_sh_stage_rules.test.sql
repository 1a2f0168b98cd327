-- ops.set_branch_stage: development <-> staging; staging -> production when
-- the project has none; production -> development only. Every refused move
-- says why, with OP012; the rules hold for direct updates too.
begin;
select plan(14);

-- SETUP: acme has main (production); dev and stage are queued into existence.
select tests.q_project('acme');
select ops.enqueue_run('acme', 'build', 'dev', 'abcdef1');
select ops.enqueue_run('acme', 'build', 'stage', 'abcdef2');

-- TEST: development -> staging -> development -> staging.
select is((ops.set_branch_stage('acme', 'stage', 'staging')).stage::text, 'staging', 'development -> staging.');
select is((ops.set_branch_stage('acme', 'stage', 'development')).stage::text, 'development', 'staging -> development.');
select is((ops.set_branch_stage('acme', 'stage', 'staging')).stage::text, 'staging', 'and back to staging.');
select is((ops.set_branch_stage('acme', 'stage', 'staging')).stage::text, 'staging', 'The same stage again is a no-op.');

-- TEST: refused moves say why.
select throws_ok(
  $$select ops.set_branch_stage('acme', 'dev', 'production')$$,
  'OP012', 'branch ''dev'' is development: it moves to staging before production',
  'development -> production is refused: staging first.'
);
select throws_ok(
  $$select ops.set_branch_stage('acme', 'stage', 'production')$$,
  'OP012', 'branch ''stage'' cannot become production: ''main'' is the project''s production branch',
  'A second production branch is refused, naming the current one.'
);
select throws_ok(
  $$select ops.set_branch_stage('acme', 'main', 'staging')$$,
  'OP012', 'branch ''main'' is production: it moves back to development only, not to staging',
  'production -> staging is refused.'
);
select throws_ok(
  $$update ops.branches set stage = 'staging' where name = 'main'$$,
  'OP012', 'branch ''main'' is production: it moves back to development only, not to staging',
  'The rules hold for a direct update by the table owner too.'
);

-- TEST: production -> development, then staging -> production.
select is((ops.set_branch_stage('acme', 'main', 'development')).stage::text, 'development', 'production -> development.');
select is(
  (ops.set_branch_stage('acme', 'stage', 'production')).stage::text, 'production',
  'With no production branch left, a staging branch becomes production.'
);
select results_eq(
  $$select name, stage::text from ops.branches order by name$$,
  $$values ('dev', 'development'), ('main', 'development'), ('stage', 'production')$$,
  'One production branch in the end.'
);

-- TEST: deleted branches and bad parameters.
update ops.branches set deleted_at = now() where name = 'dev';
select throws_ok(
  $$select ops.set_branch_stage('acme', 'dev', 'staging')$$,
  'OP012', 'branch ''dev'' is deleted: its stage stays development', 'A deleted branch keeps its stage.'
);
select throws_ok(
  $$select ops.set_branch_stage('acme', 'nope', 'staging')$$,
  'P0002', 'branch ''nope'' not found in project acme', 'An unknown branch is P0002.'
);
select throws_ok(
  $$select ops.set_branch_stage('acme', '../x', 'staging')$$,
  '22023', 'p_branch must be a git branch name, got ''../x''', 'A bad branch name is 22023, quoted.'
);

select * from finish();
rollback;
