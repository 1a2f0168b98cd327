-- Guard: a SECURITY DEFINER function that resolves names through the caller's
-- search_path can be hijacked. Every function in ops and ops_private must pin
-- search_path to '' (SECURITY DEFINER ones above all).
begin;
select plan(3);

select ok(
  (select count(*) from pg_proc where pronamespace = 'ops_private'::regnamespace and prosecdef) >= 2,
  'The check below sees the security definer helpers of ops_private.'
);
select is(
  array(
    select p.oid::regprocedure::text
    from pg_proc as p
    where p.pronamespace in ('ops'::regnamespace, 'ops_private'::regnamespace)
      and p.prosecdef
      and not coalesce('search_path=""' = any(p.proconfig), false)
    order by 1
  ),
  array[]::text[],
  'Every SECURITY DEFINER function in ops and ops_private sets search_path = ''''.'
);
select is(
  array(
    select p.oid::regprocedure::text
    from pg_proc as p
    where p.pronamespace in ('ops'::regnamespace, 'ops_private'::regnamespace)
      and not coalesce('search_path=""' = any(p.proconfig), false)
    order by 1
  ),
  array[]::text[],
  'Every function in ops and ops_private, invoker or definer, sets search_path = ''''.'
);

select * from finish();
rollback;
