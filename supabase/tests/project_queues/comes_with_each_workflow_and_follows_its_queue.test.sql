-- ops.project_queues: each label set of a project's workflows gets its row when the workflow is created or its
-- labels change, with the project's turn; queuing a run, or a run going back to the queue, flags its label set
-- only; a claim that finds no run of a set clears that set's flag.
begin;
select plan(12);

-- SETUP: acme's build needs no label, its image needs docker.
select tests.q_project('acme');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), 'image');
update ops.workflows set required_labels = '{docker}' where name = 'image';

-- TEST: the rows.
select results_eq(
  $$select required_labels, has_queued, last_served_at from ops.project_queues order by required_labels$$,
  $$values ('{}'::text[], false, '-infinity'::timestamptz), ('{docker}', false, '-infinity')$$,
  'A row per label set of the workflows: nothing queued, never served.'
);

-- TEST: the flags follow the queue, per label set.
select tests.q_remember('r1', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select results_eq(
  $$select required_labels, has_queued from ops.project_queues order by required_labels$$,
  $$values ('{}'::text[], true), ('{docker}', false)$$,
  'Queuing a run flags its label set only.'
);
select is((ops.claim_next_run('w1')).id, tests.q_id('r1'), 'The run is claimed.');
select cmp_ok(
  (select last_served_at from ops.project_queues where required_labels = '{}'), '>', '-infinity'::timestamptz,
  'The claim moved the project''s turn.'
);
select is_empty($$select * from ops.claim_next_run('w2')$$, 'Nothing else is queued.');
select is(
  (select count(*)::integer from ops.project_queues where has_queued), 0,
  'The claim that found nothing cleared the flag.'
);
select ops.requeue_run(tests.q_id('r1'), 'w1', 'worker shutting down');
select is(
  (select has_queued from ops.project_queues where required_labels = '{}'), true,
  'A run back to the queue sets it again.'
);

-- TEST: a set flagged later takes the project's turn; a new set gets it too.
select tests.q_remember('i1', (ops.enqueue_run('acme', 'image', 'main', tests.q_sha(2))).id);
select results_eq(
  $$select count(distinct last_served_at)::integer from ops.project_queues where has_queued$$,
  $$values (1)$$,
  'The docker set, flagged now, has the project''s turn, not never-served.'
);
update ops.workflows set required_labels = '{arm64,docker}' where name = 'image';
select is(
  (select last_served_at from ops.project_queues where required_labels = '{arm64,docker}'),
  (select last_served_at from ops.project_queues where required_labels = '{}'),
  'Changing a workflow''s labels adds their set, with the project''s turn.'
);

-- TEST: a worker without docker does not clear the docker set: it never reads it.
select ops.complete_workflow_run(c.id, 0, null, 'w1') from ops.claim_next_run('w1', null, null, true) as c;
select is_empty($$select * from ops.claim_next_run('w3')$$, 'A worker without labels finds nothing it may take.');
select is(
  (select has_queued from ops.project_queues where required_labels = '{docker}'), true,
  'The docker set keeps its flag: its run is still queued.'
);

-- TEST: a run whose label set has no row (which no workflow's trigger left behind) gets one, flagged, with
-- the project's turn.
delete from ops.project_queues where required_labels = '{}';
select ops.enqueue_run('acme', 'build', 'main', tests.q_sha(3));
select results_eq(
  $$select has_queued, last_served_at from ops.project_queues where required_labels = '{}'$$,
  $$select true, max(last_served_at) from ops.project_queues where required_labels <> '{}'$$,
  'The enqueue created the row of its label set, flagged, with the project''s turn.'
);

select * from finish();
rollback;
