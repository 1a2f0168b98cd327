-- ops.verify_webhook: service_role only, SECURITY DEFINER with an empty
-- search_path, compares in constant time (ops_private.same_bytes), and returns
-- a project id: no API role reads a webhook secret.
begin;
select plan(10);

select ok(
  not has_function_privilege('anon', 'ops.verify_webhook(text, text, text, bytea)', 'execute')
  and not has_function_privilege('authenticated', 'ops.verify_webhook(text, text, text, bytea)', 'execute')
  and has_function_privilege('service_role', 'ops.verify_webhook(text, text, text, bytea)', 'execute'),
  'Only service_role may execute verify_webhook.'
);
select is(
  (select prosecdef and 'search_path=""' = any(proconfig) from pg_proc
   where oid = 'ops.verify_webhook(text, text, text, bytea)'::regprocedure),
  true,
  'verify_webhook is SECURITY DEFINER with an empty search_path.'
);
select is(
  (select prorettype::regtype::text from pg_proc where oid = 'ops.verify_webhook(text, text, text, bytea)'::regprocedure),
  'uuid',
  'verify_webhook returns a project id, nothing else.'
);
select ok(
  (select prosrc from pg_proc where oid = 'ops.verify_webhook(text, text, text, bytea)'::regprocedure)
  ~ 'ops_private\.same_bytes\(v_given, v_expected\)',
  'verify_webhook compares with ops_private.same_bytes.'
);
select ok(
  (select prosrc from pg_proc where oid = 'ops_private.same_bytes(bytea, bytea)'::regprocedure) ~ 'for i in 0'
  and (select prosrc from pg_proc where oid = 'ops_private.same_bytes(bytea, bytea)'::regprocedure) !~ 'exit|return false;\s*end if;\s*end loop',
  'same_bytes visits every byte: no early exit from its loop.'
);
select is(ops_private.same_bytes('\x0102'::bytea, '\x0102'::bytea), true, 'same_bytes: equal bytes.');
select is(ops_private.same_bytes('\x0102'::bytea, '\x0103'::bytea), false, 'same_bytes: a different last byte.');
select is(ops_private.same_bytes('\x01'::bytea, '\x0102'::bytea), false, 'same_bytes: different lengths.');

select ok(
  not has_table_privilege('authenticated', 'ops_private.webhook_secrets', 'select')
  and not has_table_privilege('service_role', 'ops_private.webhook_secrets', 'select')
  and not has_table_privilege('anon', 'ops_private.webhook_secrets', 'select'),
  'No API role may read ops_private.webhook_secrets.'
);
select ok(
  not has_function_privilege('service_role', 'ops_private.same_bytes(bytea, bytea)', 'execute')
  and not has_function_privilege('authenticated', 'ops_private.same_bytes(bytea, bytea)', 'execute'),
  'No API role may call same_bytes directly.'
);

select * from finish();
rollback;
