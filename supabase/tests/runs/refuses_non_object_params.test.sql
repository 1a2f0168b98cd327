-- runs.params is a JSON object (it becomes the steps' environment); arrays,
-- strings, numbers and null are refused by runs_params_is_object (23514).
begin;
select plan(6);

-- SETUP
select tests.ops_project('params') as project_id \gset
select tests.ops_workflow(:'project_id') as workflow_id \gset

-- TEST
select throws_ok(
  format(
    'insert into ops.runs (project_id, workflow_id, branch, commit_sha, params) values (%L, %L, %L, %L, %L::jsonb)',
    :'project_id', :'workflow_id', 'main', 'abc1234', p.params
  ),
  '23514',
  'new row for relation "runs" violates check constraint "runs_params_is_object"',
  format('Params that are %s are refused.', p.what)
)
from (values ('an array', '["sale"]'), ('a string', '"sale"'), ('a number', '42'), ('JSON null', 'null')) as p (what, params);
select throws_ok(
  format(
    'insert into ops.runs (project_id, workflow_id, branch, commit_sha, params) values (%L, %L, %L, %L, null)',
    :'project_id', :'workflow_id', 'main', 'abc1234'
  ),
  '23502',
  'null value in column "params" of relation "runs" violates not-null constraint',
  'SQL null params are refused, naming the column.'
);
select lives_ok(
  format(
    $q$insert into ops.runs (project_id, workflow_id, branch, commit_sha, params)
       values (%L, %L, 'main', 'abc1234', '{"modules": "sale,stock"}')$q$,
    :'project_id', :'workflow_id'
  ),
  'Object params are stored.'
);

select * from finish();
rollback;
