-- ops.claim_next_run: the repair flags again every label set a race left
-- unflagged. With at most 64 label sets holding queued runs it looks only at
-- those (a loose scan of runs_project_queue_idx); with more, it probes every
-- unflagged row. Both ways, every such set is flagged, and a set without
-- queued runs is not.
begin;
select plan(4);

-- SETUP: 75 projects with one label set each (none); 70 of them queue a run.
select tests.q_project('p' || lpad(g::text, 3, '0')) from generate_series(1, 75) as g;
select count(ops.enqueue_run('p' || lpad(g::text, 3, '0'), 'build', 'main', tests.q_sha(g)))
from generate_series(1, 70) as g;
select is((select count(*)::integer from ops.project_queues), 75, 'There are 75 label sets, one per project.');

-- TEST: many sets with queued runs (70, more than 64). As a race would leave
-- them, no flag is set; a claim finds no project in turn and repairs them.
update ops.project_queues set has_queued = false;
select tests.authenticate_as_service_role();
select tests.q_remember('first', (ops.claim_next_run('w1')).id);
select tests.clear_authentication();
select is(
  (select count(*)::integer from ops.project_queues where has_queued),
  70,
  'With 70 sets holding queued runs, the claim flags all 70 again (the one it served keeps its flag until a probe).'
);

-- TEST: few sets with queued runs. Only p001 to p010 keep theirs.
select tests.authenticate_as_service_role();
select count(ops.cancel_run(r.id, 'test'))
from ops.runs as r
join ops.projects as p on p.id = r.project_id
where p.slug > 'p010' and r.status = 'queued';
select tests.clear_authentication();
update ops.project_queues set has_queued = false;
select tests.authenticate_as_service_role();
select tests.q_remember('second', (ops.claim_next_run('w1')).id);
select tests.clear_authentication();
select isnt(tests.q_id('second'), null, 'With few sets holding queued runs, the claim repairs them and takes a run.');
select set_eq(
  $$select q.project_id from ops.project_queues as q where q.has_queued$$,
  $$select r.project_id from ops.runs as r where r.status = 'queued'
    union select r.project_id from ops.runs as r where r.id = tests.q_id('second')$$,
  'The sets with queued runs are flagged again, and the one it served; no other.'
);
select * from finish();
rollback;
