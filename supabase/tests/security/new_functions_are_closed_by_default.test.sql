-- Attack: a signed-in user (or anon) calls a function that a later migration
-- adds to ops or ops_private and forgets to REVOKE. The migration role's
-- default privileges grant EXECUTE to nobody, so such a function is closed
-- until it is granted. The functions are created here as postgres, the role
-- migrations run as, and vanish with the rollback.
begin;
select plan(6);

-- SETUP
create function ops.forgot_to_revoke() returns integer language sql set search_path = '' as $$ select 42 $$;
create function ops_private.forgot_to_revoke() returns integer language sql set search_path = '' as $$ select 42 $$;
create function public.public_stays_callable() returns integer language sql set search_path = '' as $$ select 42 $$;

-- TEST
select ok(
  not has_function_privilege('authenticated', 'ops.forgot_to_revoke()', 'execute'),
  'authenticated cannot execute a new function of ops that nobody granted.'
);
select ok(
  not has_function_privilege('anon', 'ops.forgot_to_revoke()', 'execute'),
  'anon cannot execute a new function of ops that nobody granted.'
);
select ok(
  not has_function_privilege('authenticated', 'ops_private.forgot_to_revoke()', 'execute'),
  'authenticated cannot execute a new function of ops_private that nobody granted.'
);
select tests.authenticate_as_anon();
select throws_ok(
  'select ops_private.forgot_to_revoke()', '42501', null,
  'Calling it as anon fails with 42501.'
);
select tests.clear_authentication();
select tests.create_supabase_user('curious');
select tests.authenticate_as('curious');
select throws_ok(
  'select ops.forgot_to_revoke()', '42501', 'permission denied for function forgot_to_revoke',
  'Calling it as a signed-in user fails with 42501.'
);
select tests.clear_authentication();
select ok(
  has_function_privilege('authenticated', 'public.public_stays_callable()', 'execute'),
  'Functions in schema public keep PostgreSQL''s default (EXECUTE for PUBLIC), as Supabase expects.'
);

select * from finish();
rollback;
