-- ops.workflows.triggers: validated by ops.validate_workflow_triggers, which
-- names the JSON path of the first problem (22023), on insert and update.
begin;
select plan(16);

-- SETUP
select tests.q_project('acme');

-- TEST: well-formed values.
select lives_ok(
  $$update ops.workflows set triggers = '{"manual": false, "push": {"stages": ["development", "staging"],
    "branches": ["feature/*", "release/**", "main"]}, "pull_request": {"actions": ["opened", "updated"],
    "branches": ["main"]}}'$$,
  'Every key at once is accepted.'
);
select lives_ok($$update ops.workflows set triggers = '{}'$$, 'So is no trigger at all.');

-- TEST: each kind of mistake, named by its path.
select throws_ok(
  $$update ops.workflows set triggers = '[]'$$, '22023', 'triggers must be a JSON object, got ''[]''',
  'An array is refused.'
);
select throws_ok(
  $$update ops.workflows set triggers = null$$, '22023', 'triggers must be a JSON object, got null', 'So is null.'
);
select throws_ok(
  $$update ops.workflows set triggers = '{"schedule": {}}'$$, '22023',
  'triggers.''schedule'' is not a trigger: expected manual, push or pull_request', 'An unknown trigger is named.'
);
select throws_ok(
  $$update ops.workflows set triggers = '{"manual": "yes"}'$$, '22023',
  'triggers.manual must be true or false, got ''"yes"''', 'manual is a boolean.'
);
select throws_ok(
  $$update ops.workflows set triggers = '{"push": ["development"]}'$$, '22023',
  'triggers.push must be a JSON object, got ''["development"]''', 'push is an object.'
);
select throws_ok(
  $$update ops.workflows set triggers = '{"push": {"branches": ["main"]}}'$$, '22023',
  'triggers.push.stages must be an array of 1 to 20 of development, staging, production, got ''nothing''',
  'push names its stages.'
);
select throws_ok(
  $$update ops.workflows set triggers = '{"push": {"stages": ["development", "prod"]}}'$$, '22023',
  'triggers.push.stages[1] must be one of development, staging, production, got ''"prod"''',
  'An unknown stage is named by its index.'
);
select throws_ok(
  $$update ops.workflows set triggers = '{"push": {"stages": ["staging"], "tags": ["v*"]}}'$$, '22023',
  'triggers.push.''tags'' is not known: expected stages and branches', 'An unknown key of push is named.'
);
select throws_ok(
  $$update ops.workflows set triggers = '{"push": {"stages": ["staging"], "branches": ["ok", "a b"]}}'$$, '22023',
  'triggers.push.branches[1] must be a branch pattern (letters, digits, . _ / - and *), got ''"a b"''',
  'A bad branch pattern is named by its index.'
);
select throws_ok(
  $$update ops.workflows set triggers = '{"pull_request": {"actions": ["closed"]}}'$$, '22023',
  'triggers.pull_request.actions[0] must be one of opened, updated, got ''"closed"''',
  'Pull requests trigger when opened or updated.'
);
select throws_ok(
  format(
    $$update ops.workflows set triggers = '{"push": {"stages": ["staging"], "branches": %s}}'$$,
    (select jsonb_agg('b' || i) from generate_series(1, 21) as i)
  ),
  '22023', null, 'At most 20 patterns.'
);
select throws_ok(
  $$insert into ops.workflows (project_id, name, steps, triggers)
    select id, 'ci', '[{"name": "b", "command": "true"}]', '{"push": {}}' from ops.projects$$,
  '22023', 'triggers.push.stages must be an array of 1 to 20 of development, staging, production, got ''nothing''',
  'Inserts are validated too.'
);
select throws_ok(
  $$update ops.workflows set triggers = '{"pull_request": {"actions": ["opened"], "forks": "yes"}}'$$, '22023',
  'triggers.pull_request.forks must be true or false, got ''"yes"''',
  'forks, the opt-in of requests from forks, is true or false.'
);
select lives_ok(
  $$update ops.workflows set triggers = '{"pull_request": {"actions": ["opened"], "forks": true}}'$$,
  'A workflow may opt in to requests from forks.'
);

select * from finish();
rollback;
