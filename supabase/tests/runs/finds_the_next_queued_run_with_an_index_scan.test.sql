-- "Next queued run" reads runs_claimable_idx, however long the history of
-- finished runs grows: the claim query is an index scan on the partial index.
begin;
select plan(3);

-- SETUP: a long history (3000 finished runs) and a few queued ones, then fresh statistics.
select tests.ops_project('history') as project_id \gset
select tests.ops_workflow(:'project_id') as workflow_id \gset
insert into ops.runs (project_id, workflow_id, branch, commit_sha, priority)
select :'project_id', :'workflow_id', 'main', 'abc1234', g % 5
from generate_series(1, 3010) as g;
update ops.runs set status = 'canceled', finished_at = now()
where id in (select id from ops.runs where project_id = :'project_id' order by id offset 10);
analyze ops.runs;

-- TEST
select is(
  (select count(*)::integer from ops.runs where status = 'queued'), 10,
  'Ten runs are queued among 3010.'
);
select ok(
  exists (
    select 1 from tests.plan_of(
      $$select id from ops.runs where status = 'queued' and run_after <= now()
        order by priority desc, created_at, id limit 1 for update skip locked$$
    ) as p (line)
    where p.line like '%Index Scan using runs_claimable_idx on runs%'
  ),
  'The claim query (queued, ready, by priority then age) is an index scan on runs_claimable_idx.'
);
select ok(
  not exists (
    select 1 from tests.plan_of(
      $$select id from ops.runs where status = 'queued' order by priority desc, created_at, id limit 1$$
    ) as p (line)
    where p.line like '%Sort%' or p.line like '%Seq Scan%'
  ),
  'The claim order comes from the index: no sort and no sequential scan.'
);

select * from finish();
rollback;
