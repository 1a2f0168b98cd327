-- Trigger runs_060_copy_required_labels: a run requires the labels its workflow requires when it is queued,
-- through ops.enqueue_run or a direct insert; a later edit of the workflow leaves queued runs as they are.
begin;
select plan(6);

select tests.q_project('acme');
select tests.ops_member((select id from ops.projects where slug = 'acme'), 'dev', 'developer');
update ops.workflows set required_labels = '{docker,odoo-17.0}' where name = 'build';

-- TEST
select tests.q_remember('before', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select is(
  (select required_labels from ops.runs where id = tests.q_id('before')), '{docker,odoo-17.0}'::text[],
  'ops.enqueue_run copies the workflow''s labels onto the run.'
);
update ops.workflows set required_labels = '{odoo-18.0}' where name = 'build';
select is(
  (select required_labels from ops.runs where id = tests.q_id('before')), '{docker,odoo-17.0}'::text[],
  'Editing the workflow leaves the queued run as it was queued.'
);
select tests.q_remember('after', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(2))).id);
select is(
  (select required_labels from ops.runs where id = tests.q_id('after')), '{odoo-18.0}'::text[],
  'A run queued after the edit requires the new labels.'
);
select tests.authenticate_as_service_role();
insert into ops.runs (project_id, workflow_id, branch, commit_sha, required_labels)
select w.project_id, w.id, 'direct', tests.q_sha(3), '{gpu}' from ops.workflows as w where w.name = 'build';
select is(
  (select required_labels from ops.runs where branch = 'direct'), '{odoo-18.0}'::text[],
  'A direct insert gets the workflow''s labels, whatever it passes.'
);
select ok(
  not has_column_privilege('authenticated', 'ops.runs', 'required_labels', 'INSERT')
  and not has_column_privilege('authenticated', 'ops.runs', 'required_labels', 'UPDATE'),
  'authenticated may not choose a run''s labels: they come from its workflow.'
);
select tests.authenticate_as('dev');
select is(
  (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(4))).required_labels, '{odoo-18.0}'::text[],
  'A developer''s run requires the workflow''s labels too.'
);

select * from finish();
rollback;
