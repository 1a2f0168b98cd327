-- ops.claim_runs as service_role writes its batch at once (one claim statement, one events statement), yet
-- takes the runs that as many claim_next_run calls would take, in the same order. The last project left
-- gives the rest of the batch at once when it has no limit and one label set the worker may take.
begin;
select plan(9);

-- SETUP: as in takes_runs_in_turn_within_labels_and_limits: acme may hold two runs and its deploy is
-- exclusive per branch; beta has no limit and a docker workflow. gamma has five builds, two of them docker.
select tests.q_project(p) from unnest(array['acme', 'beta', 'gamma']) as p;
select tests.q_workflow((select id from ops.projects where slug = 'acme'), 'deploy');
select tests.q_workflow((select id from ops.projects where slug = p), 'image') from unnest(array['beta', 'gamma']) as p;
update ops.workflows set concurrency_limit = 1 where name = 'deploy';
update ops.workflows set required_labels = '{docker}' where name = 'image';
update ops.project_schedules set max_running_runs = 2
where project_id = (select id from ops.projects where slug = 'acme');
select tests.q_remember(k, (ops.enqueue_run(p, w, b, tests.q_sha(n))).id)
from (values
  ('d1', 'acme', 'deploy', 'main', 1), ('d2', 'acme', 'deploy', 'main', 2), ('d3', 'acme', 'deploy', 'staging', 3),
  ('a4', 'acme', 'build', 'main', 4), ('b1', 'beta', 'build', 'main', 5), ('b2', 'beta', 'image', 'main', 6),
  ('b3', 'beta', 'build', 'main', 7),
  ('g1', 'gamma', 'build', 'main', 8), ('g2', 'gamma', 'image', 'main', 9), ('g3', 'gamma', 'build', 'main', 10),
  ('g4', 'gamma', 'image', 'main', 11), ('g5', 'gamma', 'build', 'main', 12)
) as v (k, p, w, b, n);
update ops.runs as r set created_at = now() - make_interval(mins => (100 - o.n)::integer)
from (select id, row_number() over (order by commit_sha) as n from ops.runs) as o where o.id = r.id;
update ops.project_queues as s set last_served_at = now() - make_interval(mins => v.m)
from (values ('acme', 60), ('beta', 30), ('gamma', 20)) as v (slug, m)
join ops.projects as p on p.slug = v.slug
where s.project_id = p.id;

select tests.authenticate_as_service_role();

-- TEST: the same pick as the owner's batch in takes_runs_in_turn_within_labels_and_limits, gamma included.
select is(
  array(select c.id from ops.claim_runs('w1', null, 6) as c),
  array[tests.q_id('d1'), tests.q_id('b1'), tests.q_id('g1'), tests.q_id('d3'), tests.q_id('b3'), tests.q_id('g3')],
  'Turns go acme, beta, gamma, then round again; limits and labels hold as for single claims.'
);
select is(
  (select array_agg(distinct array_to_string(tests.q_events(id), ' ')) from ops.runs where worker_id = 'w1'),
  array['>queued queued>claimed'], 'Every run of the batch has its claim event.'
);
select results_eq(
  $$select distinct e.actor, e.payload from ops.run_events as e where e.to_status = 'claimed'$$,
  $$values ('worker:w1', '{"attempt": 1, "worker_id": "w1", "cancel_requested": false}'::jsonb)$$,
  'The events name the worker and carry the payload a single claim''s event carries.'
);
select ok(
  (select bool_and(s.last_served_at > now()) from ops.project_queues as s where s.has_queued),
  'Each project was marked served...'
);
select is(
  array(select p.slug from ops.project_queues as s join ops.projects as p on p.id = s.project_id
    where s.has_queued group by p.slug order by max(s.last_served_at)),
  array['acme', 'beta', 'gamma'], '...in the order the batch served them last.'
);

-- TEST: gamma is the last project with runs for a worker without labels: the rest at once, best first.
select is(
  array(select c.id::text || ':' || c.status::text from ops.claim_runs('w2', null, 10, p_start => true) as c),
  array[tests.q_id('g5')::text || ':running'],
  'Acme is at its limit, beta has only its docker run: gamma''s last build, started.'
);
update ops.runs set priority = -1 where id = tests.q_id('g2');
select is(
  array(select c.id from ops.claim_runs('w3', '{docker}', 10) as c),
  array[tests.q_id('b2'), tests.q_id('g4'), tests.q_id('g2')],
  'A docker worker: beta''s turn first, then gamma''s two docker runs, the newer first for its higher priority.'
);
select is(
  array(select tests.q_events(tests.q_id('g5'))), array['{>queued,queued>claimed,claimed>running}'::text[]],
  'A run claimed and started at once has both events.'
);
select is_empty($$select * from ops.claim_runs('w4', '{docker}', 100)$$, 'Nothing left that a worker may take.');

select * from finish();
rollback;
