-- Trigger runs_050_check_secret_params: every insert into ops.runs, and every change of params, is refused
-- when params carries secret_env, or a params.secrets that is not an array of names of the project's secrets.
begin;
select plan(15);

-- SETUP
select tests.ops_world();
select ops.set_project_secret('project-a', 'API_TOKEN', 'the-token');
select ops.set_project_secret('project-a', 'DEPLOY_KEY', 'the-key', 'production');
select id as project_a from ops.projects where slug = 'project-a' \gset
create function pg_temp.insert_run(p_params jsonb, p_stage ops.run_stage default 'development')
returns uuid
language sql
as $$
  insert into ops.runs (project_id, workflow_id, stage, branch, commit_sha, params)
  select w.project_id, w.id, p_stage, 'main', 'abcdef1', p_params
  from ops.workflows as w join ops.projects as p on p.id = w.project_id
  where p.slug = 'project-a'
  returning id
$$;
grant execute on function pg_temp.insert_run(jsonb, ops.run_stage) to authenticated, service_role;

-- TEST: where the trigger sits.
select is(
  array(
    select tgname::text from pg_trigger
    where tgrelid = 'ops.runs'::regclass and not tgisinternal and tgtype & 2 = 2 -- BEFORE
    order by tgname
  ),
  array[
    'runs_050_check_secret_params', 'runs_055_refuse_notifier_secrets', 'runs_060_copy_required_labels',
    'runs_065_set_pull_request', 'runs_070_set_branch_id', 'runs_080_set_push_delivery_id', 'runs_100_before_insert',
    'runs_110_bound_member_priority', 'runs_200_check_transition', 'runs_950_check_fixed_fields',
    'runs_set_updated_at'
  ],
  'It is the first BEFORE trigger of ops.runs: parameters are checked before defaults are filled in.'
);

-- TEST: secret_env, for every writer.
select throws_ok(
  $$select pg_temp.insert_run('{"secret_env": {"API_TOKEN": "s3cr3t"}}')$$,
  '22023',
  'p_params.secret_env is refused: secrets go in project secrets, set with ops.set_project_secret, '
  'and a run refers to them by name in p_params.secrets',
  'A direct insert by the table owner with params.secret_env is refused, saying where secrets go.'
);
select tests.authenticate_as('a-developer');
select throws_ok(
  $$select pg_temp.insert_run('{"secret_env": {}}')$$,
  '22023', null, 'So is a developer''s direct insert, even with an empty secret_env.'
);
select tests.authenticate_as_service_role();
select throws_ok(
  $$select pg_temp.insert_run('{"env": {"MODE": "ci"}, "secret_env": {"API_TOKEN": "s3cr3t"}}')$$,
  '22023', null, 'So is service_role''s.'
);
select throws_ok(
  format(
    $q$update ops.runs set params = params || '{"secret_env": {"API_TOKEN": "s3cr3t"}}' where id = %L$q$,
    (select id from ops.runs where project_id = :'project_a' and status = 'queued')
  ),
  '22023', null, 'Nor can params gain a secret_env later.'
);

-- TEST: the shape of params.secrets (values are never quoted).
select throws_ok(
  $$select pg_temp.insert_run('{"secrets": {"API_TOKEN": "s3cr3t"}}')$$,
  '22023', 'p_params.secrets must be an array of secret names, got a JSON object',
  'params.secrets as an object of values is refused without echoing them.'
);
select throws_ok(
  $$select pg_temp.insert_run('{"secrets": "API_TOKEN"}')$$,
  '22023', 'p_params.secrets must be an array of secret names, got a JSON string', 'A single string is not an array.'
);
select throws_ok(
  $$select pg_temp.insert_run('{"secrets": ["API_TOKEN", {"name": "s3cr3t"}]}')$$,
  '22023', 'p_params.secrets[1] must be a secret name, got a JSON object', 'Each element must be a string.'
);
select throws_ok(
  $$select pg_temp.insert_run('{"secrets": ["api_token"]}')$$,
  '22023',
  'p_params.secrets[0] must be a secret name matching ^[A-Z_][A-Z0-9_]{0,127}$ and not starting with ODOOOPS_, '
  'got ''api_token''',
  'Each string must be a secret name, quoted when it is not.'
);
select throws_ok(
  format('select pg_temp.insert_run(%L)', jsonb_build_object('secrets', jsonb_build_array(repeat('A', 300)))),
  '22023',
  format(
    'p_params.secrets[0] must be a secret name matching ^[A-Z_][A-Z0-9_]{0,127}$ and not starting with ODOOOPS_, got %L... (300 characters)',
    repeat('A', 200)
  ),
  'An overlong name is quoted up to 200 characters.'
);
select throws_ok(
  format('select pg_temp.insert_run(%L)', jsonb_build_object('secrets', (
    select jsonb_agg('API_TOKEN'::text) from generate_series(1, 101)
  ))),
  '22023', 'p_params.secrets must name at most 100 secrets, got 101', 'At most 100 names.'
);

-- TEST: the names must be secrets of the project for the run's stage.
select throws_ok(
  $$select pg_temp.insert_run('{"secrets": ["API_TOKEN", "NOPE"]}')$$,
  'P0002', 'p_params.secrets[1]: the project has no secret NOPE for stage development nor for every stage',
  'An unknown name is refused when the run is queued.'
);
select throws_ok(
  $$select pg_temp.insert_run('{"secrets": ["DEPLOY_KEY"]}', 'staging')$$,
  'P0002', 'p_params.secrets[0]: the project has no secret DEPLOY_KEY for stage staging nor for every stage',
  'A production secret is no secret of a staging run.'
);
select lives_ok(
  $$select pg_temp.insert_run('{"secrets": ["API_TOKEN", "DEPLOY_KEY"]}', 'production')$$,
  'A production run may name the project-wide and the production secrets.'
);
select tests.clear_authentication();
select is(
  (select count(*)::integer from ops.runs where params ? 'secret_env'), 0, 'No run carries a secret_env.'
);

select * from finish();
rollback;
