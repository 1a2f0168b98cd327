-- ops.claim_next_run with labels reads runs_claimable_labels_idx: one probe per label set of the queue, then
-- the best due run of a set, never the queued runs of the sets the worker cannot take one by one.
begin;
select plan(4);

-- SETUP: a history of 3000 finished runs and 10 queued runs in each of three label sets, fresh statistics.
select tests.ops_project('history') as project_id \gset
select tests.ops_workflow(:'project_id') as workflow_id \gset
insert into ops.runs (project_id, workflow_id, branch, commit_sha, priority)
select :'project_id', :'workflow_id', 'main', 'abc1234', g % 5
from generate_series(1, 3030) as g;
update ops.runs set status = 'canceled', finished_at = now()
where id in (select id from ops.runs where project_id = :'project_id' order by id offset 30);
update ops.runs set required_labels = case n % 3 when 0 then '{}' when 1 then '{docker}' else '{arm64}' end::text[]
from (select id, row_number() over (order by id) as n from ops.runs where status = 'queued') as q
where q.id = ops.runs.id;
analyze ops.runs;

-- TEST
select is(
  (select count(distinct required_labels)::integer from ops.runs where status = 'queued'), 3,
  'Thirty runs are queued in three label sets among 3030.'
);
select ok(
  exists (
    select 1 from tests.plan_of(
      $$select q.required_labels from ops.runs as q where q.status = 'queued' and q.required_labels > '{}'
        order by q.required_labels limit 1$$
    ) as p (line)
    where p.line like '%Index Only Scan using runs_claimable_labels_idx%'
  ),
  'The next label set of the queue is one probe of runs_claimable_labels_idx.'
);
select ok(
  exists (
    select 1 from tests.plan_of(
      $$select q.id from ops.runs as q
        where q.status = 'queued' and q.required_labels = '{docker}' and q.run_after <= now()
        order by q.priority desc, q.created_at, q.id limit 1 for update skip locked$$
    ) as p (line)
    where p.line like '%Index Scan using runs_claimable_labels_idx%'
  ),
  'The best due run of a set is an index scan on runs_claimable_labels_idx.'
);
select ok(
  not exists (
    select 1 from tests.plan_of(
      $$select q.id from ops.runs as q
        where q.status = 'queued' and q.required_labels = '{docker}'
        order by q.priority desc, q.created_at, q.id limit 1$$
    ) as p (line)
    where p.line like '%Sort%' or p.line like '%Seq Scan%'
  ),
  'Within a set the claim order comes from the index: no sort and no sequential scan.'
);

select * from finish();
rollback;
