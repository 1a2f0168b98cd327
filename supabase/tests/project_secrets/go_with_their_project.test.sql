-- Deleting a project deletes its secrets and their values.
begin;
select plan(2);

-- SETUP
select tests.ops_member(tests.ops_project('gone'), 'gone-owner', 'owner');
select tests.ops_project('kept');
select ops.set_project_secret('gone', 'API_TOKEN', 'value-of-gone');
select ops.set_project_secret('kept', 'API_TOKEN', 'value-of-kept');

-- TEST
select tests.authenticate_as('gone-owner');
delete from ops.projects where slug = 'gone';
select tests.clear_authentication();
select results_eq(
  'select p.slug from ops.project_secrets as s join ops.projects as p on p.id = s.project_id',
  $$values ('kept'::text)$$,
  'The owner''s delete took the project''s secrets.'
);
select is(
  (select count(*)::integer from ops_private.project_secret_values), 1, 'And their values; the other project''s stays.'
);

select * from finish();
rollback;
