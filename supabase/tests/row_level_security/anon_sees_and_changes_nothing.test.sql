-- anon (a request without a user) sees and changes nothing anywhere in ops:
-- every statement on every table, and every call, fails with 42501.
begin;
select plan(10);

-- SETUP: data in every table, and a helper that runs one statement on each
-- ops table and lists the tables where it was not refused with 42501.
select tests.ops_world();

create function pg_temp.tables_not_refused(p_template text)
returns text []
language plpgsql
as $$
declare
  v_table text;
  v_leaks text[] := '{}';
begin
  for v_table in
    select format('%I.%I', n.nspname, c.relname)
    from pg_catalog.pg_class as c
    join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
    where n.nspname = 'ops' and c.relkind in ('r', 'p')
    order by 1
  loop
    begin
      execute format(p_template, v_table);
      v_leaks := v_leaks || v_table;
    exception
      when insufficient_privilege then
        null;
      when others then
        v_leaks := v_leaks || (v_table || ' (' || sqlstate || ')');
    end;
  end loop;
  return v_leaks;
end
$$;
-- New functions are closed to PUBLIC by default (20261202000100): open this one to anon.
grant execute on function pg_temp.tables_not_refused(text) to anon;

select tests.authenticate_as_anon();

-- TEST: every table, every command.
select ok(
  (select count(*) from pg_class where relnamespace = 'ops'::regnamespace and relkind in ('r', 'p')) >= 11,
  'The checks below cover every table in ops (the nine core tables and the two agent tables at least).'
);
select is(pg_temp.tables_not_refused('select * from %s'), '{}', 'anon cannot select from any ops table.');
select is(
  pg_temp.tables_not_refused('insert into %s default values'), '{}', 'anon cannot insert into any ops table.'
);
select is(pg_temp.tables_not_refused('update %s set id = id'), '{}', 'anon cannot update any ops table.');
select is(pg_temp.tables_not_refused('delete from %s'), '{}', 'anon cannot delete from any ops table.');
select is(pg_temp.tables_not_refused('truncate %s cascade'), '{}', 'anon cannot truncate any ops table.');

-- TEST: the refusal is the schema itself, with the documented message.
select throws_ok(
  'select * from ops.projects', '42501', 'permission denied for schema ops',
  'anon has no usage on schema ops.'
);
select throws_ok(
  'select * from ops.run_status_transitions()', '42501', 'permission denied for schema ops',
  'anon cannot call ops functions.'
);
select throws_ok(
  'select * from ops_private.member_project_ids()', '42501', 'permission denied for schema ops_private',
  'anon cannot call the row-level security helpers.'
);

-- TEST: nothing changed.
select tests.clear_authentication();
select results_eq(
  $$select (select count(*) from ops.projects), (select count(*) from ops.runs), (select count(*) from ops.run_logs)$$,
  $$values (2::bigint, 4::bigint, 4::bigint)$$,
  'The projects, runs and logs are all still there.'
);

select * from finish();
rollback;
