-- workflows.steps is a non-empty array of {name, command, tool?,
-- timeout_seconds?, env?, artifacts?, advisories?}; a malformed one is refused with 22023
-- and a message naming the step and field (workflows.steps[i].field).
begin;
select plan(20);

-- SETUP
select tests.ops_project('steps') as project_id \gset

-- TEST: each malformed step names its index and field.
select throws_ok(
  format(
    'insert into ops.workflows (project_id, name, steps) values (%L, %L, %L::jsonb)', :'project_id', 'build', s.steps
  ),
  '22023',
  s.message,
  format('Steps with %s are refused, naming the field.', s.what)
)
from (values
  ('no step at all', '[]', 'workflows.steps must be a non-empty JSON array, got []'),
  ('an object instead of an array', '{"name": "build"}', 'workflows.steps must be a non-empty JSON array, got {"name": "build"}'),
  ('a string as a step', '["make"]', 'workflows.steps[0] must be an object, got "make"'),
  ('an unknown field', '[{"name": "b", "command": "make", "image": "x"}]', 'workflows.steps[0].image is not a known step field'),
  ('no name', '[{"command": "make"}]', 'workflows.steps[0].name must match ^[a-z][a-z0-9_-]{0,62}$, got null'),
  ('an uppercase name', '[{"name": "Build", "command": "make"}]', 'workflows.steps[0].name must match ^[a-z][a-z0-9_-]{0,62}$, got "Build"'),
  (
    'a duplicate name', '[{"name": "b", "command": "make"}, {"name": "b", "command": "make test"}]',
    'workflows.steps[1].name b is used by an earlier step'
  ),
  ('an empty command', '[{"name": "b", "command": "  "}]', 'workflows.steps[0].command must be a non-empty string, got "  "'),
  ('a command that is not a string', '[{"name": "b", "command": ["make"]}]', 'workflows.steps[0].command must be a non-empty string, got ["make"]'),
  ('an invalid tool name', '[{"name": "b", "command": "make", "tool": "Odoo 17"}]', 'workflows.steps[0].tool must be a tool name, got "Odoo 17"'),
  (
    'a zero timeout', '[{"name": "b", "command": "make", "timeout_seconds": 0}]',
    'workflows.steps[0].timeout_seconds must be an integer from 1 to 86400, got 0'
  ),
  (
    'a fractional timeout', '[{"name": "b", "command": "make", "timeout_seconds": 1.5}]',
    'workflows.steps[0].timeout_seconds must be an integer from 1 to 86400, got 1.5'
  ),
  (
    'a timeout over a day', '[{"name": "b", "command": "make", "timeout_seconds": 86401}]',
    'workflows.steps[0].timeout_seconds must be an integer from 1 to 86400, got 86401'
  ),
  (
    'a non-string env value', '[{"name": "b", "command": "make", "env": {"WORKERS": 2}}]',
    'workflows.steps[0].env must be an object of NAME: "string" pairs, got {"WORKERS": 2}'
  ),
  (
    'an invalid env name', '[{"name": "b", "command": "make", "env": {"MY-VAR": "1"}}]',
    'workflows.steps[0].env must be an object of NAME: "string" pairs, got {"MY-VAR": "1"}'
  ),
  (
    'artifacts that are not strings', '[{"name": "b", "command": "make", "artifacts": [1]}]',
    'workflows.steps[0].artifacts must be an array of path strings, got [1]'
  ),
  (
    'advisories as a string', '[{"name": "b", "command": "make", "advisories": "yes"}]',
    'workflows.steps[0].advisories must be true or false, got "yes"'
  ),
  (
    'advisories as a number', '[{"name": "b", "command": "make", "advisories": 1}]',
    'workflows.steps[0].advisories must be true or false, got 1'
  )
) as s (what, steps, message);

-- TEST: the check also holds on update, and a valid definition is stored.
select lives_ok(
  format(
    $q$insert into ops.workflows (project_id, name, steps) values (%L, 'test', '[
      {"name": "install", "command": "odoo-bin -i base --stop-after-init", "tool": "odoo-17.0", "timeout_seconds": 900},
      {"name": "test", "command": "odoo-bin --test-enable", "env": {"PGHOST": "db"}, "artifacts": ["coverage.xml"]},
      {"name": "scan", "command": "./scan.sh", "advisories": true}
    ]')$q$,
    :'project_id'
  ),
  'A workflow with every optional step field is stored.'
);
select throws_ok(
  format(
    $q$update ops.workflows set steps = '[{"name": "install", "command": ""}]' where project_id = %L and name = 'test'$q$,
    :'project_id'
  ),
  '22023',
  'workflows.steps[0].command must be a non-empty string, got ""',
  'Steps are validated on update too.'
);

select * from finish();
rollback;
