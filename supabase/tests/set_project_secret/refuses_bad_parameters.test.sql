-- ops.set_project_secret: 22023 naming the parameter for a bad slug, name or value (a value is never quoted);
-- P0002 for an unknown project.
begin;
select plan(14);

-- SETUP
select tests.q_project('acme');

-- TEST: p_project_slug.
select throws_ok(
  $$select ops.set_project_secret(null, 'API_TOKEN', 'v')$$,
  '22023', 'p_project_slug must be a project slug, got null', 'A null slug is refused.'
);
select throws_ok(
  $$select ops.set_project_secret('nope', 'API_TOKEN', 'v')$$,
  'P0002', 'project ''nope'' not found', 'An unknown slug is no_data_found naming it.'
);
select throws_ok(
  format('select ops.set_project_secret(%L, %L, %L)', repeat('x', 300), 'API_TOKEN', 'v'),
  'P0002', format('project %L... (300 characters) not found', repeat('x', 200)), 'A long unknown slug is quoted up to 200 characters.'
);

-- TEST: p_name.
select throws_ok(
  $$select ops.set_project_secret('acme', null, 'v')$$,
  '22023', 'p_name must be a secret name matching ^[A-Z_][A-Z0-9_]{0,127}$ and not starting with ODOOOPS_, got null',
  'A null name is refused.'
);
select throws_ok(
  $$select ops.set_project_secret('acme', 'api-token', 'v')$$,
  '22023',
  'p_name must be a secret name matching ^[A-Z_][A-Z0-9_]{0,127}$ and not starting with ODOOOPS_, got ''api-token''',
  'A name that is no environment variable name is refused, quoted.'
);
select throws_ok(
  $$select ops.set_project_secret('acme', 'ODOOOPS_RUN_ID', 'v')$$,
  '22023',
  'p_name must be a secret name matching ^[A-Z_][A-Z0-9_]{0,127}$ and not starting with ODOOOPS_, got ''ODOOOPS_RUN_ID''',
  'ODOOOPS_* names, which the worker sets, are refused.'
);
select throws_ok(
  format('select ops.set_project_secret(%L, %L, %L)', 'acme', repeat('A', 300), 'v'),
  '22023',
  format(
    'p_name must be a secret name matching ^[A-Z_][A-Z0-9_]{0,127}$ and not starting with ODOOOPS_, got %L... (300 characters)',
    repeat('A', 200)
  ),
  'A name over 128 characters is refused, quoted up to 200 characters.'
);

-- TEST: p_value, never quoted.
select throws_ok(
  $$select ops.set_project_secret('acme', 'API_TOKEN', null)$$,
  '22023', 'p_value must be a non-empty string, got null', 'A null value is refused.'
);
select throws_ok(
  $$select ops.set_project_secret('acme', 'API_TOKEN', '')$$,
  '22023', 'p_value must be a non-empty string, got an empty one', 'An empty value is refused.'
);
select throws_ok(
  format('select ops.set_project_secret(%L, %L, %L)', 'acme', 'API_TOKEN', repeat('s', 65537)),
  '22023', 'p_value must be at most 65536 bytes, got 65537 bytes', 'A value over 64 KiB is refused by its size only.'
);
select throws_ok(
  format('select ops.set_project_secret(%L, %L, %L)', 'acme', 'API_TOKEN', repeat('é', 32769)),
  '22023', 'p_value must be at most 65536 bytes, got 65538 bytes', 'The bound is in bytes, not characters.'
);
select is(
  (select count(*)::integer from ops.project_secrets), 0, 'The refused calls stored nothing.'
);
select lives_ok(
  format('select ops.set_project_secret(%L, %L, %L)', 'acme', 'API_TOKEN', repeat('s', 65536)),
  'A value of exactly 64 KiB is stored.'
);
select lives_ok(
  $$select ops.set_project_secret('acme', '_PRIVATE_KEY_2', e'-----BEGIN KEY-----\nabc\n-----END KEY-----\n')$$,
  'A multi-line value under a name starting with an underscore is stored.'
);

select * from finish();
rollback;
