-- Every run insert and every status change writes exactly one ops.run_events
-- row, in the same transaction, with the old and new status; other updates write none.
begin;
select plan(12);

-- SETUP
select tests.ops_project('events') as project_id \gset
select tests.ops_workflow(:'project_id');

-- TEST: inserting a run writes one event, from nothing to queued.
select tests.ops_run(:'project_id') as run_id \gset
select results_eq(
  format('select from_status::text, to_status::text, actor from ops.run_events where run_id = %L', :'run_id'),
  $$values (null::text, 'queued'::text, 'role:postgres'::text)$$,
  'Inserting a run writes one event: null -> queued, by the role that inserted it.'
);

-- TEST: updates that do not change the status write no event.
update ops.runs set priority = 10, params = '{"modules": "sale"}' where id = :'run_id';
select is(
  (select count(*)::integer from ops.run_events where run_id = :'run_id'), 1,
  'An update that keeps the status writes no event.'
);

-- TEST: each allowed transition writes exactly one event with its from and to.
create temporary table moved on commit drop as
select t.from_status, t.to_status, tests.ops_run_in(t.from_status) as run_id, 0::bigint as last_event_id
from ops.run_status_transitions() as t;
update moved as m set last_event_id = (select max(e.id) from ops.run_events as e where e.run_id = m.run_id);

do $$
declare
  v_move record;
begin
  for v_move in select m.run_id, m.to_status from moved as m loop
    execute tests.ops_transition_sql(v_move.run_id, v_move.to_status);
  end loop;
end
$$;

select results_eq(
  format(
    'select from_status::text, to_status::text from ops.run_events where run_id = %L and id > %s',
    m.run_id, m.last_event_id
  ),
  format('values (%L, %L)', m.from_status, m.to_status),
  format('The transition %s -> %s writes one event naming both statuses.', m.from_status, m.to_status)
)
from moved as m
order by m.from_status, m.to_status;

-- TEST: the event says who and why when the caller says so, and carries the attempt and worker.
select tests.ops_run_in('claimed', :'project_id') as held_id \gset
set local ops.actor = 'worker:w-42';
set local ops.reason = 'lease expired';
update ops.runs set status = 'queued', worker_id = null, lease_expires_at = null where id = :'held_id';
reset ops.actor;
reset ops.reason;
select results_eq(
  format(
    $q$select actor, reason, payload ->> 'attempt', payload ->> 'worker_id' from ops.run_events
       where run_id = %L and to_status = 'queued' and from_status = 'claimed'$q$,
    :'held_id'
  ),
  $$values ('worker:w-42'::text, 'lease expired'::text, '1'::text, 'worker-1'::text)$$,
  'An event records ops.actor, ops.reason, the attempt and the worker that held the run.'
);

select * from finish();
rollback;
