-- Terminal runs (succeeded, failed, canceled) never change: not their status
-- (see refuses_every_unlisted_transition_with_op001) and not their outcome.
begin;
select plan(29);

-- SETUP: one run in each terminal status.
create temporary table final_runs on commit drop as
select s.status, tests.ops_run_in(s.status) as run_id
from unnest(array['succeeded', 'failed', 'canceled']::ops.run_status []) as s (status);

-- TEST: no status can follow a terminal one.
select is_empty(
  $$select 1 from ops.run_status_transitions() as t join final_runs as f on f.status = t.from_status$$,
  'ops.run_status_transitions() lists no way out of succeeded, failed or canceled.'
);
select throws_ok(
  tests.ops_transition_sql(f.run_id, t.status),
  'OP001',
  format('run %s: illegal status transition %s -> %s', f.run_id, f.status, t.status),
  format('A %s run cannot become %s.', f.status, t.status)
)
from final_runs as f
cross join unnest(enum_range(null::ops.run_status)) as t (status)
where t.status <> f.status
order by f.status, t.status;

-- TEST: the outcome of a terminal run is final too.
select throws_ok(
  format('update ops.runs set %s where id = %L', c.assignment, f.run_id),
  'OP001',
  format('run %s: a %s run is final and cannot change (runs.%s was changed)', f.run_id, f.status, c.column_name),
  format('The %s of a %s run cannot be rewritten.', c.name, f.status)
)
from final_runs as f
cross join (values
  ('exit code', 'exit_code', 'exit_code = 137'),
  ('error message', 'error_message', 'error_message = ''rewritten'''),
  ('finish time', 'finished_at', 'finished_at = finished_at - interval ''1 hour'''),
  ('worker', 'worker_id', 'worker_id = ''worker-2''')
) as c (name, column_name, assignment)
order by f.status, c.name;

select is_empty(
  $$select 1 from final_runs as f join ops.runs as r on r.id = f.run_id
    where r.status <> f.status or r.worker_id is not null or r.error_message is not null$$,
  'Every terminal run is as it was.'
);

select * from finish();
rollback;
