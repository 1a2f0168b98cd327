-- ops.apply_workflow: creates or replaces a workflow from the JSON of a
-- workflow file; a field left out takes its default; the table's rules
-- validate it; admins and owners only.
begin;
select plan(11);

-- SETUP
select tests.q_project('acme');
select tests.create_supabase_user(w) from unnest(array['admin', 'developer']) as w;
insert into ops.project_memberships (project_id, user_id, role)
select p.id, tests.get_supabase_uid(m.who), m.who::ops.member_role
from ops.projects as p cross join unnest(array['admin', 'developer']) as m (who);

-- TEST: create, then replace.
select tests.authenticate_as('admin');
select results_eq(
  $$select name, steps, max_attempts, supersede, required_labels, triggers, enabled
    from ops.apply_workflow('acme', '{"name": "test", "steps": [{"name": "t", "command": "true"}],
      "required_labels": ["docker"], "max_attempts": 2}')$$,
  $$values ('test', '[{"name": "t", "command": "true"}]'::jsonb, 2, 'queued', array['docker'],
    ops.default_workflow_triggers('test'), true)$$,
  'An admin creates a workflow; fields left out take their defaults, triggers Odoo.sh''s for the name.'
);
select results_eq(
  $$select name, version, max_attempts, triggers, description
    from ops.apply_workflow('acme', '{"name": "test", "steps": [{"name": "t", "command": "make test"}],
      "triggers": {"manual": true}, "description": "Tests"}')$$,
  $$values ('test', 2, 3, '{"manual": true}'::jsonb, 'Tests')$$,
  'Applying it again replaces it: new steps bump the version; max_attempts left out is back to 3.'
);
select is((select count(*)::integer from ops.workflows where name = 'test'), 1, 'One workflow of that name.');

-- TEST: the table's rules validate it.
select throws_ok(
  $$select ops.apply_workflow('acme', '{"name": "test", "steps": [], "triggers": {"push": {"stages": ["prod"]}}}')$$,
  '22023', 'triggers.push.stages[0] must be one of development, staging, production, got ''"prod"''',
  'Bad triggers are named as in the table.'
);
select throws_ok(
  $$select ops.apply_workflow('acme', '{"name": "test", "steps": [], "supersede": "sometimes"}')$$,
  '22023', 'workflows.supersede must be one of none, queued, queued_and_running, got ''sometimes''',
  'A bad supersede setting too.'
);
select throws_ok(
  $$select ops.apply_workflow('acme', '{"name": "test", "steps": [{"name": "t", "command": "true"}], "retries": 3}')$$,
  '22023', 'p_workflow.''retries'' is not a workflow field', 'An unknown field is named.'
);
select throws_ok(
  $$select ops.apply_workflow('acme', '{"name": "Test", "steps": []}')$$,
  '22023',
  'p_workflow.name must be a workflow name (a lowercase letter, then up to 62 of a-z 0-9 _ -), got ''"Test"''',
  'A bad name is named.'
);
select throws_ok(
  $$select ops.apply_workflow('acme', '{"name": "test", "steps": [], "max_attempts": "many"}')$$,
  '22023', null, 'A number that is not one is 22023.'
);
select throws_ok(
  $$select ops.apply_workflow('nope', '{"name": "test", "steps": []}')$$,
  'P0002', 'project ''nope'' not found', 'An unknown project is P0002.'
);

-- TEST: developers may not.
select tests.authenticate_as('developer');
select throws_ok(
  $$select ops.apply_workflow('acme', '{"name": "test", "steps": [{"name": "t", "command": "true"}]}')$$,
  '42501', 'apply_workflow: changing the workflows of project acme needs the admin role or above',
  'A developer may not change workflows.'
);
select tests.clear_authentication();
select is((select version from ops.workflows where name = 'test'), 2, 'The refused calls changed nothing.');

select * from finish();
rollback;
