-- A project's production branch is a row of ops.branches, created with the
-- project; the database keeps one per project, and projects.production_branch
-- follows it instead of being set by hand.
begin;
select plan(10);

-- SETUP
select tests.q_project('acme', 'master');
select tests.q_project('beta');

-- TEST: a new project gets its production branch.
select results_eq(
  $$select p.slug, b.name, b.stage::text from ops.branches as b inner join ops.projects as p on p.id = b.project_id
    order by p.slug$$,
  $$values ('acme', 'master', 'production'), ('beta', 'main', 'production')$$,
  'Each new project has one branch, its production branch, named by projects.production_branch.'
);
select is(
  (ops.create_project('gamma', 'Gamma', '17.0', 'https://git.test.invalid/gamma.git', 'prod')).production_branch,
  'prod', 'ops.create_project still takes the production branch.'
);
select is(
  (select b.stage::text from ops.branches as b inner join ops.projects as p on p.id = b.project_id
    where p.slug = 'gamma' and b.name = 'prod'),
  'production', 'and creates it as the production branch.'
);

-- TEST: one production branch per project, whoever writes.
alter table ops.branches disable trigger branches_check_stage;
select throws_ok(
  $$insert into ops.branches (project_id, name, stage) select id, 'other', 'production' from ops.projects
    where slug = 'acme'$$,
  '23505', null, 'A second production branch is refused by the unique index, even when the stage rules are off.'
);
alter table ops.branches enable trigger branches_check_stage;
select lives_ok(
  $$insert into ops.branches (project_id, name, stage) select id, 'other', 'staging' from ops.projects
    where slug = 'acme'$$,
  'Any number of staging branches.'
);

-- TEST: projects.production_branch follows the branch and cannot be set by hand.
select throws_ok(
  $$update ops.projects set production_branch = 'other' where slug = 'acme'$$,
  'OP012', 'projects.production_branch follows the production branch: it cannot be set to ''other''',
  'A direct change of projects.production_branch is refused with OP012.'
);
select ops.set_branch_stage('acme', 'master', 'development');
select is(
  (select production_branch from ops.projects where slug = 'acme'), null,
  'With the production branch moved to development, the project has none.'
);
select ops.set_branch_stage('acme', 'other', 'production');
select is(
  (select production_branch from ops.projects where slug = 'acme'), 'other',
  'A staging branch promoted to production becomes projects.production_branch.'
);
select is(
  (ops.enqueue_run('acme', 'build', 'other', 'abcdef1')).stage::text,
  'production', 'enqueue_run gives runs of the new production branch the production stage.'
);
select is(
  (ops.enqueue_run('acme', 'build', 'master', 'abcdef2')).stage::text,
  'development', 'and those of the former one the development stage.'
);

select * from finish();
rollback;
