-- The console's runs page (a project's runs, newest first, keyset on
-- (created_at, id)) reads runs_project_id_created_at_id_idx as a member, under
-- row-level security: no sort of the project's runs, whatever page it is.
begin;
select plan(4);

-- SETUP: a member's project with 3000 runs, 1000 of them sharing one created_at; another tenant's 2000.
select tests.ops_project('paged') as project_id \gset
select tests.ops_workflow(:'project_id') as workflow_id \gset
select tests.ops_member(:'project_id', 'pager', 'viewer') as pager_id \gset
select tests.ops_project('elsewhere') as other_id \gset
select tests.ops_workflow(:'other_id') as other_wf \gset
insert into ops.runs (project_id, workflow_id, branch, commit_sha, created_at)
select :'project_id', :'workflow_id', 'main', 'abc1234',
       case when g <= 1000 then timestamptz '2026-01-01' else timestamptz '2026-01-01' - make_interval(secs => g) end
from generate_series(1, 3000) as g;
insert into ops.runs (project_id, workflow_id, branch, commit_sha)
select :'other_id', :'other_wf', 'main', 'abc1234' from generate_series(1, 2000);
analyze ops.runs;

grant execute on function tests.plan_of(text) to authenticated;

-- The cursor after the 100th run (inside the 1000 that share a created_at), as the console makes it.
select created_at as cursor_ts, id as cursor_id from ops.runs where project_id = :'project_id'
order by created_at desc, id desc offset 99 limit 1 \gset

select tests.authenticate_as('pager');

-- TEST
select ok(
  exists (
    select 1 from tests.plan_of(format(
      $$select id, status, branch from ops.runs where project_id = %L and (created_at, id) < (%L::timestamptz, %L::uuid)
        order by created_at desc, id desc limit 51$$, :'project_id', :'cursor_ts', :'cursor_id'
    )) as p (line)
    where p.line like '%Index%Scan using runs_project_id_created_at_id_idx on runs%'
  ),
  'A page after a cursor is an index scan on runs_project_id_created_at_id_idx.'
);
select ok(
  not exists (
    select 1 from tests.plan_of(format(
      $$select id, status, branch from ops.runs where project_id = %L and (created_at, id) < (%L::timestamptz, %L::uuid)
        order by created_at desc, id desc limit 51$$, :'project_id', :'cursor_ts', :'cursor_id'
    )) as p (line)
    where p.line like '%Sort%' or p.line like '%Seq Scan%'
  ),
  'The page order comes from the index: no sort and no sequential scan.'
);
select is(
  (select array_agg(id) from (
    select id from ops.runs where project_id = :'project_id'
      and (created_at, id) < (:'cursor_ts'::timestamptz, :'cursor_id'::uuid)
    order by created_at desc, id desc limit 51) as page),
  (select array_agg(id) from (
    select id from ops.runs where project_id = :'project_id'
    order by created_at desc, id desc offset 100 limit 51) as page),
  'The page after the cursor is the next 51 runs: none skipped or repeated among runs sharing a created_at.'
);
select is(
  (select count(*)::integer from ops.runs),
  3000,
  'The member sees their project''s runs only.'
);

select tests.clear_authentication();
select * from finish();
rollback;
