-- ops.set_project_secret on an existing name rotates it: one row, a new value, updated_by and updated_at.
begin;
select plan(8);

-- SETUP
select tests.ops_world();
select tests.authenticate_as('a-admin');
select tests.q_remember('s', (ops.set_project_secret('project-a', 'API_TOKEN', 'first-value')).id);
select tests.clear_authentication();
-- now() is the same all along the transaction: age the first set by an hour.
update ops.project_secrets set created_at = now() - interval '1 hour', updated_at = now() - interval '1 hour';

-- TEST: the rotation.
select tests.authenticate_as('a-owner');
create temporary table rotated on commit drop as
select * from ops.set_project_secret('project-a', 'API_TOKEN', 'second-value');
select tests.clear_authentication();
select is((select id from rotated), tests.q_id('s'), 'A rotation returns the same secret.');
select results_eq(
  'select created_by, created_at, updated_by, updated_at from ops.project_secrets',
  format(
    'values (%L::uuid, now() - interval ''1 hour'', %L::uuid, now())',
    tests.get_supabase_uid('a-admin'), tests.get_supabase_uid('a-owner')
  ),
  'The row keeps its creator and creation time; updated_by and updated_at name the rotation.'
);
select results_eq('select * from rotated', 'select * from ops.project_secrets', 'It returns the stored row.');
select is(
  (select value from ops_private.project_secret_values), 'second-value', 'The value is replaced, and only one is kept.'
);
select is((select count(*)::integer from ops_private.project_secret_values), 1, 'One value row, for one secret.');

-- TEST: a stage secret of the same name is another secret.
select ops.set_project_secret('project-a', 'API_TOKEN', 'production-value', 'production');
select results_eq(
  'select stage::text from ops.project_secrets order by stage nulls first',
  $$values (null::text), ('production')$$,
  'The same name for one stage is a second secret beside the project-wide one.'
);
select ops.set_project_secret('project-a', 'API_TOKEN', 'production-value-2', 'production');
select is((select count(*)::integer from ops.project_secrets), 2, 'Rotating the stage secret adds no row.');
select results_eq(
  $$select s.stage::text, v.value from ops.project_secrets as s
    join ops_private.project_secret_values as v on v.secret_id = s.id order by s.stage nulls first$$,
  $$values (null::text, 'second-value'::text), ('production', 'production-value-2')$$,
  'Each keeps its own value.'
);

select * from finish();
rollback;
