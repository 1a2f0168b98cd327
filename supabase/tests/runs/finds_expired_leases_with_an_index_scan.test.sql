-- The lease recovery of every claim reads the held runs from runs_held_project_idx (claimed or running
-- runs only), however long the history of finished runs grows: runs_held_idx, the same rows by id, is gone.
begin;
select plan(2);

-- SETUP: a long history (3000 finished runs), a few held ones, then fresh statistics.
select tests.ops_project('history') as project_id \gset
select tests.ops_workflow(:'project_id') as workflow_id \gset
insert into ops.runs (project_id, workflow_id, branch, commit_sha)
select :'project_id', :'workflow_id', 'main', 'abc1234'
from generate_series(1, 3010) as g;
update ops.runs set status = 'canceled', finished_at = now()
where id in (select id from ops.runs where project_id = :'project_id' order by id offset 10);
update ops.runs set status = 'claimed', worker_id = 'w1', lease_expires_at = now() + interval '1 minute'
where status = 'queued';
analyze ops.runs;

-- TEST
select ok(
  exists (
    select 1 from tests.plan_of(
      $$select h.id from ops.runs as h where h.status in ('claimed', 'running') and h.lease_expires_at < now()
        for update skip locked$$
    ) as p (line)
    where p.line like '%Index Scan using runs_held_project_idx on runs%'
  ),
  'The recovery query (held runs whose lease ended) is an index scan on runs_held_project_idx.'
);
select hasnt_index('ops', 'runs', 'runs_held_idx', 'No second index holds the same held runs by id.');

select * from finish();
rollback;
