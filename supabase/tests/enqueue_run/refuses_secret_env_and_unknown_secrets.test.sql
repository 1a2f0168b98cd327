-- ops.enqueue_run: p_params.secret_env is refused (22023), saying where secrets go; p_params.secrets names
-- project secrets (P0002 for a name the project does not have) and is stored as given.
begin;
select plan(5);

-- SETUP
select tests.q_project('acme');
select tests.create_supabase_user('developer');
insert into ops.project_memberships (project_id, user_id, role)
select id, tests.get_supabase_uid('developer'), 'developer' from ops.projects;
select ops.set_project_secret('acme', 'API_TOKEN', 'the-token');

-- TEST
select tests.authenticate_as('developer');
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'abcdef1', '{"secret_env": {"API_TOKEN": "s3cr3t"}}')$$,
  '22023',
  'p_params.secret_env is refused: secrets go in project secrets, set with ops.set_project_secret, '
  'and a run refers to them by name in p_params.secrets',
  'A developer''s p_params.secret_env is refused, saying where secrets go.'
);
select tests.authenticate_as_service_role();
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'abcdef1', '{"secret_env": {"API_TOKEN": "s3cr3t"}}')$$,
  '22023', null, 'So is service_role''s.'
);
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'abcdef1', '{"secrets": ["MISSING"]}')$$,
  'P0002', 'p_params.secrets[0]: the project has no secret MISSING for stage production nor for every stage',
  'A name the project has no secret of is refused at enqueue.'
);
select tests.authenticate_as('developer');
select is(
  (ops.enqueue_run('acme', 'build', 'main', 'abcdef1', '{"secrets": ["API_TOKEN"]}')).params,
  '{"secrets": ["API_TOKEN"]}'::jsonb,
  'A developer queues a run naming a project secret; the run stores the name only.'
);
select tests.clear_authentication();
select is((select count(*)::integer from ops.runs), 1, 'Only the valid call queued a run.');

select * from finish();
rollback;
