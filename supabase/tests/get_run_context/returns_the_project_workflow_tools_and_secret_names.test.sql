-- ops.get_run_context returns, in one row, the run's project and workflow, the tools its steps name
-- (enabled or not, and no other) and the names of the secrets it asks for, never their values.
begin;
select plan(6);

-- SETUP
select tests.q_project('acme') as project_id \gset
insert into ops.tools (name, image, tag, run_locally, enabled)
values ('ctx-local', 'python', '3.12-slim', true, true), ('ctx-off', 'alpine', '3.20', false, false),
  ('ctx-unused', 'busybox', 'latest', true, true);
insert into ops.workflows (project_id, name, steps, default_timeout_seconds, lease_seconds)
values (:'project_id', 'tooled', '[
  {"name": "one", "command": "make", "tool": "ctx-local"},
  {"name": "two", "command": "make test", "tool": "ctx-off", "timeout_seconds": 60},
  {"name": "three", "command": "make again", "tool": "ctx-local"},
  {"name": "four", "command": "echo no tool"},
  {"name": "five", "command": "echo gone", "tool": "ctx-not-in-ops-tools"}
]', 900, 45);
select ops.set_project_secret('acme', 'B_TOKEN', 'b-value');
select ops.set_project_secret('acme', 'A_TOKEN', 'a-value');
select tests.q_remember(
  'r', (ops.enqueue_run('acme', 'tooled', 'main', tests.q_sha(1), '{"secrets": ["B_TOKEN", "A_TOKEN", "B_TOKEN"]}')).id
);
select ops.claim_next_run('worker-1');
set local role service_role;
create temporary table ctx on commit drop as
select * from ops.get_run_context(tests.q_id('r'), 'worker-1');

-- TEST
select is((select count(*)::integer from ctx), 1, 'One row.');
select is(
  (select project from ctx),
  '{"slug": "acme", "name": "Project acme", "odoo_series": "17.0", "repository_url": "https://git.test.invalid/acme.git"}'::jsonb,
  'The project: slug, name, series and repository.'
);
select is(
  (select workflow - 'steps' from ctx), '{"name": "tooled", "default_timeout_seconds": 900, "lease_seconds": 45}'::jsonb,
  'The workflow: name, default timeout and lease.'
);
select is(
  (select workflow -> 'steps' from ctx),
  (select w.steps from ops.workflows as w where w.name = 'tooled'),
  'With its steps as stored.'
);
select is(
  (select tools from ctx),
  '[
    {"name": "ctx-local", "image": "python", "tag": "3.12-slim", "digest": null, "run_locally": true, "enabled": true},
    {"name": "ctx-off", "image": "alpine", "tag": "3.20", "digest": null, "run_locally": false, "enabled": false}
  ]'::jsonb,
  'The tools the steps name, once each, disabled ones too, by name; no other tool, and none for a missing name.'
);
select is(
  (select secret_names from ctx), array['A_TOKEN', 'B_TOKEN'],
  'The names of the secrets the run asks for, once each and sorted; no value anywhere.'
);

select * from finish();
rollback;
