-- The claim asks "has this label set of this project a queued run?" when it repairs flags a race left false and
-- before it clears a flag. The question is one probe of runs_project_queue_idx per row of ops.project_queues,
-- whatever the statistics say: with many queued runs in one set, PostgreSQL planned the former EXISTS as a
-- sequential scan of ops.runs joined by hash, and the claim keeps that plan for the session. The probe's answer
-- is exact where sets sort next to each other ({docker} and {docker,odoo-17.0}). When few sets have queued runs,
-- the repair lists them with a loose scan of the same index instead.
begin;
select plan(6);

-- SETUP: project acme with workflows build (no label), d (docker) and d17 (docker, odoo-17.0); 2000 queued
-- runs of build and one of d17, fresh statistics.
select tests.q_project('acme');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), w) from unnest(array['d', 'd17']) as w;
update ops.workflows set required_labels = '{docker}' where name = 'd';
update ops.workflows set required_labels = '{docker,odoo-17.0}' where name = 'd17';
select count(ops.enqueue_run('acme', 'build', 'main', tests.q_sha(g))) from generate_series(1, 2000) as g;
select tests.q_remember('d17', (ops.enqueue_run('acme', 'd17', 'main', tests.q_sha(2001))).id);
analyze ops.runs;

-- TEST
select ok(
  (select bool_and(p.line not like '%Seq Scan on runs%') and bool_or(p.line like '%runs_project_queue_idx%')
   from tests.plan_of(
     $$select x.ctid from ops.project_queues as x
       where not x.has_queued
         and (
           select (q.project_id, q.required_labels) from ops.runs as q
           where q.status = 'queued' and (q.project_id, q.required_labels) >= (x.project_id, x.required_labels)
           order by q.project_id, q.required_labels
           limit 1
         ) = (x.project_id, x.required_labels)
       for no key update skip locked$$
   ) as p (line)),
  'The repair probes each unflagged set through runs_project_queue_idx, never a scan of ops.runs.'
);
select ok(
  (select bool_and(p.line not like '%Seq Scan on runs%') and bool_or(p.line like '%runs_project_queue_idx%')
   from tests.plan_of(
     $$update ops.project_queues as x set has_queued = false
       where x.ctid = any('{"(0,1)"}'::tid[])
         and (
           select (q.project_id, q.required_labels) from ops.runs as q
           where q.status = 'queued' and (q.project_id, q.required_labels) >= (x.project_id, x.required_labels)
           order by q.project_id, q.required_labels
           limit 1
         ) is distinct from (x.project_id, x.required_labels)$$
   ) as p (line)),
  'So does the check before a flag is cleared.'
);

select ok(
  (select bool_and(p.line not like '%Seq Scan on runs%') and bool_and(p.line not like '%Sort%')
     and bool_or(p.line like '%runs_project_queue_idx%')
   from tests.plan_of(
     $$with recursive queued_sets (project_id, required_labels, n) as (
         (
           select q.project_id, q.required_labels, 1 from ops.runs as q
           where q.status = 'queued'
           order by q.project_id, q.required_labels
           limit 1
         )
         union all
         select nx.project_id, nx.required_labels, s.n + 1
         from queued_sets as s
         cross join lateral (
           select q.project_id, q.required_labels from ops.runs as q
           where q.status = 'queued' and (q.project_id, q.required_labels) > (s.project_id, s.required_labels)
           order by q.project_id, q.required_labels
           limit 1
         ) as nx
         where s.n <= 64
       )
       select count(*) from queued_sets$$
   ) as p (line)),
  'The repair lists the sets with queued runs by a loose scan of runs_project_queue_idx: no scan, no sort.'
);

-- As races would leave them: no set of acme is flagged.
update ops.project_queues set has_queued = false
where project_id = (select id from ops.projects where slug = 'acme');

-- A claim finds no flagged set, so it repairs the flags, then takes a run of a repaired set.
select is(
  (select w.name from ops.claim_next_run('w-arm', null, '{arm64}') as c join ops.workflows as w on w.id = c.workflow_id),
  'build',
  'A worker offering arm64 takes a run of build all the same.'
);
select is(
  (select array_agg(required_labels::text order by required_labels) from ops.project_queues as x
   where x.has_queued and x.project_id = (select id from ops.projects where slug = 'acme')),
  array['{}', '{docker,odoo-17.0}'],
  'Its claim flagged again the two sets of acme with queued runs.'
);
select is(
  (select has_queued from ops.project_queues as x
   where x.required_labels = '{docker}' and x.project_id = (select id from ops.projects where slug = 'acme')),
  false,
  'The set {docker}, which has no queued run, stays unflagged though {docker,odoo-17.0} sorts right after it.'
);

select * from finish();
rollback;
