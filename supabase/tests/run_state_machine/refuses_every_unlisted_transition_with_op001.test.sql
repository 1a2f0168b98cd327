-- The run state machine: every (from, to) pair of distinct statuses that
-- ops.run_status_transitions() does not list raises OP001, naming the run and
-- both statuses, and changes nothing.
begin;
select plan(24);

-- SETUP: every pair of distinct statuses that is not an allowed transition,
-- generated from the enum, with one run in the source status.
create temporary table refused on commit drop as
select p.from_status, p.to_status, tests.ops_run_in(p.from_status) as run_id
from (
  select f.s as from_status, t.s as to_status
  from unnest(enum_range(null::ops.run_status)) as f (s)
  cross join unnest(enum_range(null::ops.run_status)) as t (s)
  where f.s <> t.s
  except
  select from_status, to_status from ops.run_status_transitions()
) as p;

create temporary table events_before on commit drop as
select e.run_id, count(*) as n from ops.run_events as e join refused as r using (run_id) group by e.run_id;

-- TEST: 6 statuses make 30 ordered pairs; 9 are allowed, 21 are refused.
select is((select count(*)::integer from refused), 21, 'Twenty-one status pairs are not allowed transitions.');

select throws_ok(
  tests.ops_transition_sql(r.run_id, r.to_status),
  'OP001',
  format('run %s: illegal status transition %s -> %s', r.run_id, r.from_status, r.to_status),
  format('A %s run cannot become %s (OP001).', r.from_status, r.to_status)
)
from refused as r
order by r.from_status, r.to_status;

-- TEST: nothing changed.
select is_empty(
  $$select 1 from refused as r join ops.runs as x on x.id = r.run_id where x.status <> r.from_status$$,
  'Every run kept its status after the refused transition.'
);
select is_empty(
  $$select 1 from events_before as b
    where b.n <> (select count(*) from ops.run_events as e where e.run_id = b.run_id)$$,
  'A refused transition leaves no event.'
);

select * from finish();
rollback;
