-- ops.claim_next_run: at equal priority projects take turns (least recently served first), whatever their age;
-- priority orders runs within a project, and across projects only above 0 (service_role's priorities).
begin;
select plan(9);

-- SETUP: acme queues five runs first, then beta two, then gamma one; acme's are the oldest.
select tests.q_project(p) from unnest(array['acme', 'beta', 'gamma']) as p;
select tests.q_remember('a' || n, (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(n))).id)
from generate_series(1, 5) as n;
select tests.q_remember('b' || n, (ops.enqueue_run('beta', 'build', 'main', tests.q_sha(10 + n))).id)
from generate_series(1, 2) as n;
select tests.q_remember('g1', (ops.enqueue_run('gamma', 'build', 'main', tests.q_sha(21))).id);
update ops.runs as r set created_at = now() - make_interval(mins => (100 - n)::integer)
from (select id, row_number() over (order by commit_sha) as n from ops.runs) as o where o.id = r.id;
-- acme was served a minute ago, gamma two minutes ago, beta never.
update ops.project_queues set last_served_at = now() - interval '1 minute'
where project_id = (select id from ops.projects where slug = 'acme');
update ops.project_queues set last_served_at = now() - interval '2 minutes'
where project_id = (select id from ops.projects where slug = 'gamma');

-- TEST: the turns.
create temporary table claims (n serial, id uuid) on commit drop;
insert into claims (id) select (ops.claim_next_run('worker-' || n)).id from generate_series(1, 8) as n;
select is(
  array(select p.slug from claims as c join ops.runs as r on r.id = c.id join ops.projects as p on p.id = r.project_id
    order by c.n),
  array['beta', 'gamma', 'acme', 'beta', 'acme', 'acme', 'acme', 'acme'],
  'The never-served project first, then each project in turn, least recently served first, until only acme is left.'
);
select is(
  array(select c.id from claims as c join ops.runs as r on r.id = c.id where r.project_id =
    (select id from ops.projects where slug = 'acme') order by c.n),
  array[tests.q_id('a1'), tests.q_id('a2'), tests.q_id('a3'), tests.q_id('a4'), tests.q_id('a5')],
  'Within a project, the oldest first.'
);
select ok(
  (select bool_and(s.last_served_at > '-infinity') from ops.project_queues as s),
  'Every project served has last_served_at set.'
);
select is_empty($$select * from ops.claim_next_run('worker-0')$$, 'Then nothing is left.');
select is(
  (select count(*)::integer from ops.project_queues where has_queued), 0,
  'The claim that found nothing left cleared the projects'' has_queued.'
);

-- TEST: priority within a project, not across.
select tests.q_remember('a_low', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(31))).id);
select tests.q_remember('a_high', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(32), p_priority => 0)).id);
update ops.runs set priority = -5 where id = tests.q_id('a_low');
select tests.q_remember('b_low', (ops.enqueue_run('beta', 'build', 'main', tests.q_sha(33), p_priority => -100)).id);
update ops.project_queues set last_served_at = now() - interval '1 hour'
where project_id = (select id from ops.projects where slug = 'beta');
select is((ops.claim_next_run('worker-9')).id, tests.q_id('b_low'),
  'A project''s turn comes whatever the priority of its run (-100 against 0).');
select is((ops.claim_next_run('worker-10')).id, tests.q_id('a_high'), 'Within acme the higher priority first.');

-- TEST: a priority above 0 (service_role only) goes before the turns.
select tests.q_remember('g_urgent', (ops.enqueue_run('gamma', 'build', 'main', tests.q_sha(34), p_priority => 5)).id);
select tests.q_remember('b_next', (ops.enqueue_run('beta', 'build', 'main', tests.q_sha(35))).id);
update ops.project_queues set last_served_at = now() + interval '1 hour'
where project_id = (select id from ops.projects where slug = 'gamma');
select is((ops.claim_next_run('worker-11')).id, tests.q_id('g_urgent'),
  'A run above priority 0 is claimed first, though its project was served last.');
select is(
  (select bool_or(has_queued) from ops.project_queues where project_id = (select id from ops.projects where slug = 'beta')),
  true, 'Queuing a run marks its project as having queued runs.'
);

select * from finish();
rollback;
