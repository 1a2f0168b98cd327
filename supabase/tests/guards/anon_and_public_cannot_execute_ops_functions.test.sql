-- Guard: PostgreSQL grants EXECUTE to PUBLIC on every new function unless
-- revoked. No function in ops or ops_private may be executable by PUBLIC or by anon.
begin;
select plan(4);

select ok(
  (select count(*) from pg_proc where pronamespace in ('ops'::regnamespace, 'ops_private'::regnamespace)) >= 14,
  'The checks below see the functions of ops and ops_private.'
);
select is(
  array(
    select p.oid::regprocedure::text
    from pg_proc as p
    where p.pronamespace in ('ops'::regnamespace, 'ops_private'::regnamespace)
      and exists (
        -- A null proacl means the default ACL, which grants EXECUTE to PUBLIC (grantee 0).
        select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) as a
        where a.grantee = 0 and a.privilege_type = 'EXECUTE'
      )
    order by 1
  ),
  array[]::text[],
  'No function in ops or ops_private is executable by PUBLIC.'
);
select is(
  array(
    select p.oid::regprocedure::text
    from pg_proc as p
    where p.pronamespace in ('ops'::regnamespace, 'ops_private'::regnamespace)
      and has_function_privilege('anon', p.oid, 'execute')
    order by 1
  ),
  array[]::text[],
  'No function in ops or ops_private is executable by anon.'
);
select is(
  array(
    select p.oid::regprocedure::text
    from pg_proc as p
    where p.pronamespace in ('ops'::regnamespace, 'ops_private'::regnamespace)
      and p.prorettype = 'trigger'::regtype
      and (has_function_privilege('authenticated', p.oid, 'execute')
        or has_function_privilege('service_role', p.oid, 'execute'))
    order by 1
  ),
  array[]::text[],
  'Trigger functions are executable by no API role: only their triggers run them.'
);

select * from finish();
rollback;
