-- Guard: a table in ops without row-level security would be readable through
-- the API by grant alone. Fails on any such table, present or future.
begin;
select plan(2);

select is(
  array(
    select c.oid::regclass::text
    from pg_class as c
    where c.relnamespace = 'ops'::regnamespace and c.relkind in ('r', 'p') and not c.relrowsecurity
    order by 1
  ),
  array[]::text[],
  'Every table in ops has row-level security enabled.'
);
select is(
  array(
    select c.oid::regclass::text
    from pg_class as c
    where c.relnamespace = 'ops_private'::regnamespace and c.relkind in ('r', 'p') and not c.relrowsecurity
    order by 1
  ),
  array[]::text[],
  'Every table in ops_private (project_secret_values) has row-level security enabled.'
);

select * from finish();
rollback;
