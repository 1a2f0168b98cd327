-- The rules of a run's fixed fields (branch, commit, params, priority,
-- attempt limit, idempotency key, labels, push, pull request) are checked by
-- runs_950_check_fixed_fields when an insert or an update writes them, and
-- reported like check constraints: 23514, the rule's name as the message's
-- constraint and the error's, the field and its value in the detail. Status
-- changes, heartbeats and completions do not evaluate them.
begin;
select plan(26);

-- SETUP
select tests.ops_project('fixed') as project_id \gset
select tests.ops_workflow(:'project_id') as workflow_id \gset
select tests.ops_run(:'project_id') as run_id \gset

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

-- TEST: an insert that breaks a rule is refused, naming the rule.
select throws_ok(
  format(
    'insert into ops.runs (project_id, workflow_id, branch, commit_sha, %s) values (%L, %L, %L, %L, %s)',
    c.field, :'project_id', :'workflow_id', 'main', 'abc1234', c.value
  ),
  '23514',
  format('new row for relation "runs" violates check constraint "%s"', c.rule),
  format('An insert with %s is refused by %s.', c.what, c.rule)
)
from (values
  ('runs_idempotency_key_is_valid', 'idempotency_key', quote_literal(''), 'an empty idempotency key'),
  ('runs_max_attempts_is_positive', 'max_attempts', '0', 'no attempt allowed'),
  ('runs_params_is_bounded', 'params', 'jsonb_build_object(''x'', repeat(''a'', 70000))', '70 kB of params'),
  ('runs_params_is_object', 'params', quote_literal('[1]') || '::jsonb', 'params that are an array'),
  ('runs_priority_is_bounded', 'priority', '1001', 'a priority over 1000')
) as c (rule, field, value, what);
-- The push's delivery id comes from the idempotency key of a run a push queues.
select set_config('ops.run_trigger', 'push', true);
select throws_ok(
  format(
    'insert into ops.runs (project_id, workflow_id, branch, commit_sha, idempotency_key) values (%L, %L, %L, %L, %L)',
    :'project_id', :'workflow_id', 'main', 'abc1234', 'push:' || repeat('d', 120) || ':build'
  ),
  '23514', 'new row for relation "runs" violates check constraint "runs_push_delivery_id_is_bounded"',
  'A run queued by a push with a delivery id of 120 characters is refused by runs_push_delivery_id_is_bounded.'
);
select set_config('ops.run_trigger', '', true);
select throws_ok(
  format(
    'insert into ops.runs (project_id, workflow_id, branch, commit_sha) values (%L, %L, %L, %L)',
    :'project_id', :'workflow_id', 'main', 'ABC1234'
  ),
  '23514', 'new row for relation "runs" violates check constraint "runs_commit_sha_is_hex"',
  'An insert with an uppercase commit SHA is refused by runs_commit_sha_is_hex.'
);

-- TEST: the error names the rule as its constraint, the table and the field,
-- and quotes the value short.
select is(
  pg_temp.error_of(format(
    'insert into ops.runs (project_id, workflow_id, branch, commit_sha) values (%L, %L, %L, %L)',
    :'project_id', :'workflow_id', 'main', repeat('Z', 300)
  )),
  jsonb_build_object(
    'sqlstate', '23514', 'constraint', 'runs_commit_sha_is_hex', 'schema', 'ops', 'table', 'runs',
    'column', 'commit_sha', 'detail', 'commit_sha is ' || left(quote_literal(repeat('Z', 300)), 100)
  ),
  'The error carries the rule''s name as its constraint, the table, the field, and its value cut to 100 characters.'
);

-- TEST: an update that writes a fixed field is checked too.
select throws_ok(
  format('update ops.runs set %s = %s where id = %L', c.field, c.value, :'run_id'),
  '23514',
  format('new row for relation "runs" violates check constraint "%s"', c.rule),
  format('An update to %s is refused by %s.', c.what, c.rule)
)
from (values
  ('runs_commit_sha_is_hex', 'commit_sha', quote_literal('xyz1234'), 'a commit SHA that is not hex'),
  ('runs_idempotency_key_is_valid', 'idempotency_key', quote_literal(repeat('k', 201)), 'a key of 201 characters'),
  ('runs_max_attempts_is_positive', 'max_attempts', '21', 'an attempt limit over 20'),
  ('runs_params_is_bounded', 'params', 'jsonb_build_object(''x'', repeat(''a'', 70000))', '70 kB of params'),
  ('runs_params_is_object', 'params', quote_literal('"sale"') || '::jsonb', 'params that are a string'),
  ('runs_priority_is_bounded', 'priority', '-1001', 'a priority under -1000'),
  ('runs_required_labels_is_valid', 'required_labels', quote_literal('{Docker}') || '::text[]',
    'a label that is not lowercase')
) as c (rule, field, value, what);

-- The branch's rule stands behind ops.branches' own (runs_070_set_branch_id
-- files the run under its branch first, and branches_name_is_valid refuses
-- the same names): without that trigger, the run's rule refuses it.
alter table ops.runs disable trigger runs_070_set_branch_id;
select throws_ok(
  format('update ops.runs set branch = %L where id = %L', 'feature..x', :'run_id'),
  '23514', 'new row for relation "runs" violates check constraint "runs_branch_is_valid"',
  'An update to a branch with two dots is refused by runs_branch_is_valid.'
);
alter table ops.runs enable trigger runs_070_set_branch_id;

-- TEST: the pull request's fields, which only ops.record_pull_request sets
-- (as the owner, with ops.run_trigger = 'pull_request').
select format(
  'insert into ops.runs (project_id, workflow_id, branch, commit_sha) values (%L, %L, %L, %L)',
  :'project_id', :'workflow_id', 'main', 'abc1234'
) as insert_request \gset
select set_config('ops.run_trigger', 'pull_request', true);
select set_config('ops.pull_request_number', '7', true), set_config('ops.pull_request_ref', '', true);
select throws_ok(
  :'insert_request', '23514', 'new row for relation "runs" violates check constraint "runs_pull_request_is_whole"',
  'A pull request run with a number and no ref is refused by runs_pull_request_is_whole.'
);
select set_config('ops.pull_request_number', '-7', true), set_config('ops.pull_request_ref', 'refs/pull/7/head', true);
select throws_ok(
  :'insert_request', '23514',
  'new row for relation "runs" violates check constraint "runs_pull_request_number_is_positive"',
  'A pull request run with a negative number is refused by runs_pull_request_number_is_positive.'
);
select set_config('ops.pull_request_number', '7', true), set_config('ops.pull_request_ref', 'refs/heads/main', true);
select throws_ok(
  :'insert_request', '23514',
  'new row for relation "runs" violates check constraint "runs_source_ref_is_a_request_ref"',
  'A pull request run with a branch as its ref is refused by runs_source_ref_is_a_request_ref.'
);
select set_config('ops.pull_request_ref', 'refs/pull/7/head', true);
select lives_ok(:'insert_request', 'A whole pull request run is stored.');
select set_config('ops.run_trigger', '', true);

-- TEST: a run written while the trigger was off (as a row from before a rule
-- came would be) goes through its whole life: claim, heartbeat, completion
-- do not evaluate the rules of its fixed fields. Check constraints would
-- have refused each of those updates.
alter table ops.runs disable trigger runs_950_check_fixed_fields;
insert into ops.runs (project_id, workflow_id, branch, commit_sha, priority)
values (:'project_id', :'workflow_id', 'main', 'NOT-HEX', 1001)
returning id as bad_id \gset
alter table ops.runs enable trigger runs_950_check_fixed_fields;
select tests.authenticate_as_service_role();
select is(
  (select array_agg(c.id) from ops.claim_runs('worker-1', null, 1, null, true) as c),
  array[:'bad_id'::uuid],
  'The run is claimed and started (it has the best priority).'
);
select lives_ok(
  format($q$select ops.heartbeat_run(%L, 'worker-1')$q$, :'bad_id'), 'Its heartbeat is taken.'
);
select is(
  (select c.status from ops.complete_workflow_runs(array[:'bad_id'::uuid], '{0}', 'worker-1') as c),
  'succeeded'::ops.run_status,
  'It is completed.'
);
select tests.clear_authentication();
select throws_ok(
  format('update ops.runs set commit_sha = commit_sha where id = %L', :'bad_id'),
  '23514', 'new row for relation "runs" violates check constraint "runs_commit_sha_is_hex"',
  'An update that names the field checks it, even when the value is unchanged.'
);

-- TEST: the trigger fires on exactly the fixed fields, after every other
-- BEFORE trigger that may set one of them.
select is(
  (
    select array_agg(a.attname::text order by a.attname)
    from pg_trigger as t
    join pg_attribute as a on a.attrelid = t.tgrelid and a.attnum = any(t.tgattr)
    where t.tgrelid = 'ops.runs'::regclass and t.tgname = 'runs_950_check_fixed_fields'
  ),
  array[
    'branch', 'commit_sha', 'idempotency_key', 'max_attempts', 'params', 'priority', 'pull_request_number',
    'push_delivery_id', 'required_labels', 'source_ref', 'untrusted'
  ],
  'runs_950_check_fixed_fields fires on inserts and on updates of the fixed fields only.'
);
select is(
  (
    select max(t.tgname::text) from pg_trigger as t
    where t.tgrelid = 'ops.runs'::regclass and not t.tgisinternal and t.tgtype & 2 = 2 and t.tgname ~ '^runs_[0-9]'
  ),
  'runs_950_check_fixed_fields',
  'It is the last numbered BEFORE trigger, so it sees what the others set.'
);

select * from finish();
rollback;
