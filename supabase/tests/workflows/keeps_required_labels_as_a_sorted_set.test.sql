-- ops.workflows.required_labels: stored sorted and without repeats; malformed labels are refused with 22023
-- naming workflows.required_labels[i], whoever writes; admins set them, developers cannot.
begin;
select plan(10);

select tests.ops_world();

-- TEST: normalized on insert and update.
insert into ops.workflows (project_id, name, steps, required_labels)
select id, 'labelled', '[{"name": "b", "command": "true"}]', '{odoo-17.0,docker,arm64,docker}'
from ops.projects where slug = 'project-a';
select is(
  (select required_labels from ops.workflows where name = 'labelled'), '{arm64,docker,odoo-17.0}'::text[],
  'Labels are stored sorted, each once.'
);
update ops.workflows set required_labels = null where name = 'labelled';
select is(
  (select required_labels from ops.workflows where name = 'labelled'), '{}'::text[], 'null is stored as no label.'
);
select is(
  (select required_labels from ops.workflows where name = 'build' limit 1), '{}'::text[],
  'A workflow requires no label unless told.'
);

-- TEST: refused.
select throws_ok(
  $$update ops.workflows set required_labels = '{docker,"odoo 18"}' where name = 'labelled'$$,
  '22023',
  'workflows.required_labels[2] must be a label of 1 to 63 lowercase letters, digits, ".", "_" or "-", starting '
  || 'with a letter or digit, got ''odoo 18''',
  'A label with a space is refused, naming its place.'
);
select throws_ok(
  $$update ops.workflows set required_labels = array(select 'l' || n from generate_series(1, 33) as n)
    where name = 'labelled'$$,
  '22023', 'workflows.required_labels may hold at most 32 labels, got 33', 'More than 32 labels are refused.'
);
select ok(
  not ops.is_label_set('{b,a}') and not ops.is_label_set('{a,a}') and not ops.is_label_set(array['a', null])
  and not ops.is_label_set(null) and ops.is_label_set('{}') and ops.is_label_set('{a,b}'),
  'The check constraint accepts only sorted sets without repeats or nulls.'
);
select throws_ok(
  $$alter table ops.workflows disable trigger workflows_normalize_required_labels;
    update ops.workflows set required_labels = '{docker,arm64}' where name = 'labelled'$$,
  '23514', null, 'Past the trigger, the table refuses an unsorted set.'
);

-- TEST: who may set them.
select tests.authenticate_as('a-admin');
update ops.workflows set required_labels = '{odoo-17.0}' where name = 'labelled';
select tests.authenticate_as_service_role();
select is(
  (select required_labels from ops.workflows where name = 'labelled'), '{odoo-17.0}'::text[],
  'An admin of the project sets the labels of its workflow.'
);
select tests.authenticate_as('a-developer');
update ops.workflows set required_labels = '{arm64}' where name = 'labelled';
select tests.authenticate_as_service_role();
select is(
  (select required_labels from ops.workflows where name = 'labelled'), '{odoo-17.0}'::text[],
  'A developer changes nothing (row-level security).'
);
select tests.authenticate_as('b-owner');
update ops.workflows set required_labels = '{arm64}' where name = 'labelled';
select tests.authenticate_as_service_role();
select is(
  (select required_labels from ops.workflows where name = 'labelled'), '{odoo-17.0}'::text[],
  'A member of another project changes nothing.'
);

select * from finish();
rollback;
