-- ops.prune_commit_statuses: service_role only; deletes at most p_limit rows
-- delivered more than p_older_than_days ago, oldest first; keeps recent,
-- undelivered, superseded and given-up rows; bad bounds are 22023 naming them.
begin;
select plan(8);

-- SETUP: six statuses of pushed runs on a GitHub project.
select tests.q_project('acme');
update ops.projects set repository_url = 'https://github.com/acme/addons.git' where slug = 'acme';
update ops.workflows set triggers = '{"push": {"stages": ["development"]}}';
select tests.authenticate_as_service_role();
select ops.record_push((select id from ops.projects where slug = 'acme'), 'b' || n, tests.q_sha(n), 'alice', 'd-' || n)
from generate_series(1, 6) as n;
select tests.clear_authentication();
create temporary table statuses on commit drop as
select id, row_number() over (order by id) as n from ops.commit_status_outbox;
grant select on statuses to service_role;
-- 1-3 delivered 40, 50, 60 days ago; 4 delivered yesterday; 5 superseded long ago; 6 undelivered.
update ops.commit_status_outbox as o set delivered_at = now() - make_interval(days => 30 + 10 * r.n::integer)
from statuses as r where r.id = o.id and r.n <= 3;
update ops.commit_status_outbox as o set delivered_at = now() - interval '1 day'
from statuses as r where r.id = o.id and r.n = 4;
update ops.commit_status_outbox as o set superseded_at = now() - interval '90 days'
from statuses as r where r.id = o.id and r.n = 5;

-- TEST: who may call it.
select ok(
  not has_function_privilege('authenticated', 'ops.prune_commit_statuses(integer, integer)', 'execute')
  and not has_function_privilege('anon', 'ops.prune_commit_statuses(integer, integer)', 'execute')
  and has_function_privilege('service_role', 'ops.prune_commit_statuses(integer, integer)', 'execute'),
  'Only service_role may prune the outbox.'
);

-- TEST: bounded batches, oldest first.
select tests.authenticate_as_service_role();
select is(ops.prune_commit_statuses(30, 2), 2, 'A batch deletes at most p_limit rows.');
select is(
  (select array_agg(r.n order by r.n) from statuses as r where not exists (
    select 1 from ops.commit_status_outbox as o where o.id = r.id)),
  array[2, 3]::bigint[], 'The oldest delivered rows go first.'
);
select is(ops.prune_commit_statuses(30, 2), 1, 'The next batch takes the last old one and comes back short.');
select is(ops.prune_commit_statuses(30), 0, 'Then nothing is left to prune.');
select is(
  (select array_agg(r.n order by r.n) from statuses as r inner join ops.commit_status_outbox as o on o.id = r.id),
  array[4, 5, 6]::bigint[], 'Recent, superseded and undelivered rows are kept.'
);

-- TEST: bounds.
select throws_ok(
  $$select ops.prune_commit_statuses(0)$$, '22023', 'p_older_than_days must be from 1 to 3650, got 0',
  'p_older_than_days is bounded.'
);
select throws_ok(
  $$select ops.prune_commit_statuses(30, 10001)$$, '22023', 'p_limit must be from 1 to 10000, got 10001',
  'p_limit is bounded.'
);
select tests.clear_authentication();

select * from finish();
rollback;
