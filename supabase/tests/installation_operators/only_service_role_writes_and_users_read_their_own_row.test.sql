-- ops.installation_operators: service_role writes it; a signed-in user reads their own row only,
-- and ops.is_installation_operator() tells them whether they are one.
begin;
select plan(8);

select tests.create_supabase_user('op');
select tests.create_supabase_user('user');
select tests.authenticate_as_service_role();
insert into ops.installation_operators (user_id) values (tests.get_supabase_uid('op'));
select tests.clear_authentication();

-- TEST
select tests.authenticate_as('op');
select results_eq(
  $$select user_id from ops.installation_operators$$,
  $$select tests.get_supabase_uid('op')$$,
  'An operator reads their own row.'
);
select ok(ops.is_installation_operator(), 'An operator is told they are one.');
select throws_ok(
  $$insert into ops.installation_operators (user_id) values (tests.get_supabase_uid('user'))$$,
  '42501', null, 'An operator cannot add another one.'
);
select throws_ok(
  $$delete from ops.installation_operators$$, '42501', null, 'Nor remove one.'
);
select tests.clear_authentication();

select tests.authenticate_as('user');
select is_empty($$select * from ops.installation_operators$$, 'Another user reads no row.');
select ok(not ops.is_installation_operator(), 'Another user is told they are none.');
select tests.clear_authentication();

select tests.authenticate_as_service_role();
delete from ops.installation_operators where user_id = tests.get_supabase_uid('op');
select is_empty($$select * from ops.installation_operators$$, 'service_role removes an operator.');
select tests.clear_authentication();

select is(
  (select relrowsecurity from pg_class where oid = 'ops.installation_operators'::regclass), true,
  'Row-level security is on.'
);

select * from finish();
rollback;
