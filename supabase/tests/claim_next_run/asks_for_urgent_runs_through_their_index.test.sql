-- A claim first asks whether any run above priority 0 is queued (those go first, across projects). It asks for the
-- first such run in the order of runs_urgent_idx, one probe of that index, whatever the statistics say. Asked
-- with EXISTS, PostgreSQL planned a sequential scan of ops.runs whenever such runs were a good share of the table,
-- and the claim kept that plan for the session: with runs above priority 0 that no worker offers the labels
-- for, every claim read the whole table.
begin;
select plan(3);

-- SETUP: project acme with workflows build (no label) and arm (arm64); 3,000 queued runs of build, then 1,000 of
-- arm above priority 0 (no worker here offers arm64), fresh statistics.
select tests.q_project('acme');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), 'arm');
update ops.workflows set required_labels = '{arm64}' where name = 'arm';
select count(ops.enqueue_run('acme', 'build', 'main', tests.q_sha(g))) from generate_series(1, 3000) as g;
select count(ops.enqueue_run('acme', 'arm', 'main', tests.q_sha(g), p_priority => 10))
from generate_series(3001, 4000) as g;
analyze ops.runs;

-- TEST: a worker without labels takes a run of build, reading ops.runs through its indexes only.
select tests.authenticate_as_service_role();
select seq_scan as seq_scans_before from pg_stat_xact_user_tables where relid = 'ops.runs'::regclass \gset
select is(
  (select w.name from ops.claim_next_run('worker-1') as c join ops.workflows as w on w.id = c.workflow_id),
  'build',
  'A worker without labels passes over the runs of arm, though they come first, and takes a run of build.'
);
select is(
  (select seq_scan from pg_stat_xact_user_tables where relid = 'ops.runs'::regclass) - :seq_scans_before,
  0::bigint,
  'Its claim scanned no part of ops.runs sequentially.'
);
select tests.clear_authentication();

select ok(
  (select bool_and(p.line not like '%Seq Scan on runs%') and bool_and(p.line not like '%Sort%')
     and bool_or(p.line like '%runs_urgent_idx%')
   from tests.plan_of(
     $$select u.id from ops.runs as u
       where u.status = 'queued' and u.priority > 0
       order by u.required_labels, u.priority desc, u.created_at, u.id
       limit 1$$
   ) as p (line)),
  'The question is one probe of runs_urgent_idx: no scan, no sort.'
);

select * from finish();
rollback;
