-- Guard: every policy in ops names the role it is for (never PUBLIC), and
-- every column a policy filters on leads an index, so that row-level security
-- never turns a lookup into a sequential scan.
begin;
select plan(5);

select is(
  array(
    select format('%s on %s', pol.polname, pol.polrelid::regclass)
    from pg_policy as pol
    join pg_class as c on c.oid = pol.polrelid
    where c.relnamespace in ('ops'::regnamespace, 'ops_private'::regnamespace)
      and 0 = any(pol.polroles)
    order by 1
  ),
  array[]::text[],
  'No policy in ops applies to PUBLIC: each is "to" a named role.'
);
select is(
  array(
    select format('%s on %s (%s)', pol.polname, pol.polrelid::regclass, r.rolname)
    from pg_policy as pol
    join pg_class as c on c.oid = pol.polrelid
    cross join unnest(pol.polroles) as pr (oid)
    join pg_roles as r on r.oid = pr.oid
    where c.relnamespace = 'ops'::regnamespace and r.rolname in ('anon', 'service_role')
    order by 1
  ),
  array[]::text[],
  'No policy in ops is for anon (who sees nothing) or service_role (which bypasses row-level security).'
);
select is(
  array(
    select format('%s on %s', pol.polname, pol.polrelid::regclass)
    from pg_policy as pol
    join pg_class as c on c.oid = pol.polrelid
    where c.relnamespace = 'ops'::regnamespace and pol.polcmd = '*'
    order by 1
  ),
  array[]::text[],
  'No policy in ops is "for all": one policy per command.'
);

-- Every column that a policy expression reads (pg_depend records them) must
-- lead a btree index of its table, either full or partial on the column not
-- being null (a policy's equality on the column implies that, as for
-- runs.created_by, null for the runs service_role queues). Exempt, because
-- the policies compare them only on rows an index already found:
-- project_memberships.role (found by project_id and user_id), and project_id
-- of run_events, run_logs and run_artifacts, which are read by run (run_id leads an index of each, below;
-- the foreign key (run_id, project_id) keeps project_id the run's). An index
-- on run_logs.project_id would cost log ingestion a fifth more WAL per line
-- (docs/odooops-sh/SECURITY.md); tests/db/test_rls_plans.py plans a member's
-- queries on these tables and fails on a sequential scan.
select is(
  array(
    select distinct format('%s.%s', d.refobjid::regclass, a.attname)
    from pg_depend as d
    join pg_policy as pol on d.classid = 'pg_policy'::regclass and d.objid = pol.oid
    join pg_class as c on c.oid = pol.polrelid
    join pg_attribute as a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
    where c.relnamespace = 'ops'::regnamespace
      and d.refobjsubid > 0
      and (d.refobjid, a.attname) not in (
        ('ops.project_memberships'::regclass, 'role'), ('ops.run_events'::regclass, 'project_id'),
        ('ops.run_logs'::regclass, 'project_id'), ('ops.run_artifacts'::regclass, 'project_id')
      )
      and not exists (
        select 1 from pg_index as i
        where i.indrelid = d.refobjid and i.indkey[0] = d.refobjsubid
          and (i.indpred is null or pg_get_expr(i.indpred, i.indrelid) = format('(%s IS NOT NULL)', a.attname))
      )
    order by 1
  ),
  array[]::text[],
  'Every column a policy in ops filters on leads an index of its table.'
);

-- The helpers' own lookups, which pg_depend cannot see inside SQL functions.
select is(
  array(
    select format('%s.%s', x.tbl, x.col)
    from (values
      ('ops.workflows'::regclass, 'project_id'), ('ops.runs'::regclass, 'project_id'),
      ('ops.project_memberships'::regclass, 'user_id'), ('ops.project_memberships'::regclass, 'project_id'),
      ('ops.run_events'::regclass, 'run_id'), ('ops.run_logs'::regclass, 'run_id'),
      ('ops.run_artifacts'::regclass, 'run_id')
    ) as x (tbl, col)
    where not exists (
      select 1 from pg_index as i join pg_attribute as a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
      where i.indrelid = x.tbl and a.attname = x.col and i.indpred is null
    )
    order by 1
  ),
  array[]::text[],
  'project_id of workflows and runs, user_id and project_id of memberships, and run_id of events, logs and artifacts lead an index.'
);

select * from finish();
rollback;
