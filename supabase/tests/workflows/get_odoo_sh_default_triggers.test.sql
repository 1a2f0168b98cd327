-- A workflow inserted without triggers gets Odoo.sh's defaults for its name:
-- build on pushes to development and staging, test on pushes to development
-- and on pull requests, deploy on pushes to production, others by hand only.
-- "manual": false refuses runs queued by hand.
begin;
select plan(8);

-- SETUP
select tests.q_project('acme');
insert into ops.workflows (project_id, name, steps)
select p.id, w.name, '[{"name": "b", "command": "true"}]'::jsonb
from ops.projects as p cross join (values ('test'), ('deploy'), ('upgrade-scan')) as w (name);

-- TEST: the defaults.
select results_eq(
  $$select name, triggers from ops.workflows order by name$$,
  $$values
    ('build', '{"manual": true, "push": {"stages": ["development", "staging"]}}'::jsonb),
    ('deploy', '{"manual": true, "push": {"stages": ["production"]}}'::jsonb),
    ('test', '{"manual": true, "push": {"stages": ["development"]},
      "pull_request": {"actions": ["opened", "updated"]}}'::jsonb),
    ('upgrade-scan', '{"manual": true}'::jsonb)$$,
  'Each workflow has Odoo.sh''s defaults for its name.'
);
select is(ops.default_workflow_triggers('anything'), '{"manual": true}'::jsonb, 'Other names run by hand only.');

-- TEST: branch patterns.
select ok(ops.branch_matches('feature/x', 'feature/*'), '* matches within a segment.');
select ok(not ops.branch_matches('feature/x/y', 'feature/*'), '* does not cross a /.');
select ok(ops.branch_matches('feature/x/y', 'feature/**'), '** does.');
select ok(not ops.branch_matches('mainX', 'main') and not ops.branch_matches('m.in', 'm*n.x'), 'The rest is literal.');

-- TEST: manual false.
update ops.workflows set triggers = '{"manual": false, "push": {"stages": ["production"]}}' where name = 'deploy';
select throws_ok(
  $$select ops.enqueue_run('acme', 'deploy', 'main', 'abcdef1')$$,
  '22023', 'workflow ''deploy'' runs on its triggers only: its triggers say "manual": false',
  'A workflow whose triggers say "manual": false is not queued by hand.'
);
select lives_ok(
  $$select ops.enqueue_run('acme', 'test', 'main', 'abcdef1')$$, 'Others are.'
);

select * from finish();
rollback;
