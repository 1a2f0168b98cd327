-- The rule of a row's label set (empty, or ops.is_label_set) is checked by the trigger
-- project_queues_check_labels when required_labels is written, and reported like the check constraint it
-- replaced: 23514, the rule's name as the message's constraint and the error's, the labels in the detail. The
-- claim, which moves the rows of the project it served to the back, and the enqueue, which flags a row, do not
-- evaluate it.
begin;
select plan(9);

-- SETUP: project acme with workflow d (docker); one queued run of it.
select tests.q_project('acme') as project_id \gset
select tests.q_workflow(:'project_id', 'd') as workflow_id \gset
update ops.workflows set required_labels = '{docker}' where id = :'workflow_id';

-- The fields of the error a statement raises, or null.
create function pg_temp.error_of(p_sql text)
returns jsonb
language plpgsql
as $$
declare
  v_state text;
  v_constraint text;
  v_schema text;
  v_table text;
  v_column text;
  v_detail text;
begin
  execute p_sql;
  return null;
exception when others then
  get stacked diagnostics
    v_state = returned_sqlstate, v_constraint = constraint_name, v_schema = schema_name,
    v_table = table_name, v_column = column_name, v_detail = pg_exception_detail;
  return jsonb_build_object(
    'sqlstate', v_state, 'constraint', v_constraint, 'schema', v_schema, 'table', v_table,
    'column', v_column, 'detail', v_detail
  );
end
$$;

-- TEST: a row with a label set that breaks the rule is refused, on insert and on update.
select throws_ok(
  format(
    'insert into ops.project_queues (project_id, required_labels, last_served_at) values (%L, %L, now())',
    :'project_id', '{odoo-17.0,docker}'
  ),
  '23514', 'new row for relation "project_queues" violates check constraint "project_queues_required_labels_is_valid"',
  'An insert of an unsorted label set is refused by project_queues_required_labels_is_valid.'
);
select throws_ok(
  format(
    'update ops.project_queues set required_labels = %L where project_id = %L and required_labels = %L',
    '{Docker}', :'project_id', '{docker}'
  ),
  '23514', 'new row for relation "project_queues" violates check constraint "project_queues_required_labels_is_valid"',
  'An update to an upper-case label is refused by it.'
);
select is(
  pg_temp.error_of(format(
    'insert into ops.project_queues (project_id, required_labels, last_served_at) values (%L, %L, now())',
    :'project_id', array['docker', repeat('x', 200)]
  )),
  jsonb_build_object(
    'sqlstate', '23514', 'constraint', 'project_queues_required_labels_is_valid', 'schema', 'ops',
    'table', 'project_queues', 'column', 'required_labels',
    'detail', 'required_labels is ' || left(quote_literal(array['docker', repeat('x', 200)]::text), 100)
  ),
  'The error names the rule as its constraint, the table and the field, and quotes the labels short.'
);
select lives_ok(
  format(
    'insert into ops.project_queues (project_id, required_labels, last_served_at) values (%L, %L, now())',
    :'project_id', '{arm64,odoo-18.0}'
  ),
  'A sorted set of valid labels is stored.'
);
select throws_ok(
  format(
    'insert into ops.project_queues (project_id, required_labels, last_served_at) values (%L, null, now())',
    :'project_id'
  ),
  '23502', null,
  'A null label set is refused as a null, as the constraint let the column''s NOT NULL say it.'
);

-- TEST: a row written while the trigger was off (as a row from before the rule would be) is moved to the back
-- by a claim that served its project: the claim does not evaluate the rule. The check constraint would have
-- refused that update, and the claim with it.
alter table ops.project_queues disable trigger project_queues_check_labels;
update ops.project_queues set required_labels = '{Docker}', has_queued = true
where project_id = :'project_id' and required_labels = '{docker}';
alter table ops.project_queues enable trigger project_queues_check_labels;
select tests.q_remember('build', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select tests.authenticate_as_service_role();
select is(
  (select array_agg(c.id) from ops.claim_runs('worker-1', null, 1, null, true) as c),
  array[tests.q_id('build')],
  'A claim takes the run of acme.'
);
select tests.clear_authentication();
select is(
  (select count(distinct last_served_at) from ops.project_queues where project_id = :'project_id' and has_queued),
  1::bigint,
  'It moved every flagged set of acme to the back, the one with the bad label too.'
);
select throws_ok(
  format(
    'update ops.project_queues set required_labels = required_labels where project_id = %L and required_labels = %L',
    :'project_id', '{Docker}'
  ),
  '23514', 'new row for relation "project_queues" violates check constraint "project_queues_required_labels_is_valid"',
  'An update that names the labels checks them, even when they are unchanged.'
);

-- TEST: the trigger fires on inserts and on updates of required_labels only.
select is(
  (
    select array_agg(a.attname::text order by a.attname)
    from pg_trigger as t
    join pg_attribute as a on a.attrelid = t.tgrelid and a.attnum = any(t.tgattr)
    where t.tgrelid = 'ops.project_queues'::regclass and t.tgname = 'project_queues_check_labels'
  ),
  array['required_labels'],
  'project_queues_check_labels fires on updates of required_labels only.'
);

select * from finish();
rollback;
