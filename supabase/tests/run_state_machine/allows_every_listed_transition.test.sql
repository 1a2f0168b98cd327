-- The run state machine: ops.run_status_transitions() lists the allowed
-- transitions, exactly those of the lifecycle, and each of them succeeds.
begin;
select plan(13);

-- TEST: the one definition lists the documented lifecycle, nothing more.
select set_eq(
  $$select from_status::text, to_status::text from ops.run_status_transitions()$$,
  $$values
    ('queued', 'claimed'), ('queued', 'canceled'),
    ('claimed', 'running'), ('claimed', 'queued'), ('claimed', 'failed'),
    ('running', 'succeeded'), ('running', 'failed'), ('running', 'canceled'), ('running', 'queued')$$,
  'ops.run_status_transitions() lists the nine transitions of the run lifecycle.'
);
select is_empty(
  $$select 1 from ops.run_status_transitions() where cause is null or btrim(cause) = ''$$,
  'Every allowed transition says what causes it.'
);
select is_empty(
  $$select 1 from ops.run_status_transitions() where from_status in ('succeeded', 'failed', 'canceled')$$,
  'No transition leaves a terminal status.'
);

-- SETUP: one run in the source status of each allowed transition.
create temporary table allowed on commit drop as
select t.from_status, t.to_status, tests.ops_run_in(t.from_status) as run_id
from ops.run_status_transitions() as t;

-- TEST: each allowed transition succeeds as an UPDATE.
select lives_ok(
  tests.ops_transition_sql(a.run_id, a.to_status),
  format('A %s run can become %s.', a.from_status, a.to_status)
)
from allowed as a
order by a.from_status, a.to_status;

select is_empty(
  $$select 1 from allowed as a join ops.runs as r on r.id = a.run_id where r.status <> a.to_status$$,
  'Every run is in the status its transition led to.'
);

select * from finish();
rollback;
