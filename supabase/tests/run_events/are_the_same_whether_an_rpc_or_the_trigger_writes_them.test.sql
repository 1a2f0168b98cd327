-- The worker RPCs write the events of their own status changes when they run as service_role (one statement
-- for a whole batch); run by another role, the trigger writes them. Both give the same rows.
begin;
select plan(6);

-- SETUP: pairs of runs that go through the same steps, one as the owner (postgres: the trigger writes
-- the events) and one as service_role (the RPCs write them).
select tests.q_project('acme');
select tests.q_remember('t_' || s, (ops.enqueue_run('acme', 'build', 'trigger-' || s, tests.q_sha(n))).id),
  tests.q_remember('r_' || s, (ops.enqueue_run('acme', 'build', 'rpc-' || s, tests.q_sha(n + 10))).id)
from (values (1, 'ok'), (2, 'ko'), (3, 'cx'), (4, 'held')) as v (n, s);
-- Claim order: the owner's runs first, each set in the order ok, ko, cx, held.
update ops.runs set priority = case when branch like 'trigger-%' then 10 else 0 end
  + array_position(array['held', 'cx', 'ko', 'ok'], split_part(branch, '-', 2));

create function pg_temp.lifecycle(p_prefix text) returns void language plpgsql as $$
begin
  -- ok: claimed and started in one call, succeeds; ko: claimed, started apart, fails; cx: canceled while
  -- running; held: claimed only.
  perform ops.claim_next_run('w1', p_start => true);
  perform ops.claim_next_run('w1');
  perform ops.start_workflow_run(tests.q_id(p_prefix || 'ko'), 'w1');
  perform ops.claim_next_run('w1', p_start => true);
  perform ops.claim_next_run('w1');
  perform ops.complete_workflow_run(tests.q_id(p_prefix || 'ok'), 0, null, 'w1');
  perform ops.complete_workflow_run(tests.q_id(p_prefix || 'ko'), 3, 'tests failed', 'w1');
  perform ops.cancel_run(tests.q_id(p_prefix || 'cx'), 'a newer push');
  perform ops.complete_workflow_run(tests.q_id(p_prefix || 'cx'), 143, 'terminated', 'w1');
end
$$;
grant execute on function pg_temp.lifecycle(text) to service_role;
-- The owner's steps first, then the same steps as service_role.
select pg_temp.lifecycle('t_');
create temporary table owner_events on commit drop as select * from ops.run_events;
select tests.authenticate_as_service_role();
select pg_temp.lifecycle('r_');
select tests.clear_authentication();

create function pg_temp.events(p_prefix text, p_name text) returns table (
  from_status text, to_status text, actor text, reason text, payload jsonb
) language sql as $$
  select e.from_status::text, e.to_status::text, e.actor, e.reason, e.payload
  from ops.run_events as e where e.run_id = tests.q_id(p_prefix || p_name) order by e.id
$$;

-- TEST: the same events, step by step.
select results_eq(
  format('select * from pg_temp.events(%L, %L)', 'r_', s), format('select * from pg_temp.events(%L, %L)', 't_', s),
  format('Run %s: the RPCs wrote the events the trigger writes (statuses, actor, reason, payload).', s)
)
from unnest(array['ok', 'ko', 'cx', 'held']) as s;
select is(
  array(select tests.q_events(tests.q_id('r_cx'))),
  array['{>queued,queued>claimed,claimed>running,running>canceled}'::text[]],
  'A claim that starts records claimed, then running, though the row is written once.'
);
select is(
  (select reason from ops.run_events where run_id = tests.q_id('r_cx') and to_status = 'canceled'), 'a newer push',
  'The end of a canceled run carries the cancel''s reason.'
);

select * from finish();
rollback;
