-- ops.run_events is append-only for every role: its owner (postgres, the
-- migration role, with BYPASSRLS) cannot update, delete or truncate it (OP004).
begin;
select plan(7);

-- SETUP: a run with a few events.
select tests.ops_run_in('running') as run_id \gset
select count(*) as events_before from ops.run_events where run_id = :'run_id' \gset

-- TEST
select is(
  (select relowner::regrole::text from pg_class where oid = 'ops.run_events'::regclass), 'postgres',
  'These statements run as the owner of ops.run_events.'
);
select throws_ok(
  format($q$update ops.run_events set reason = 'rewritten' where run_id = %L$q$, :'run_id'),
  'OP004', 'ops.run_events is append-only: UPDATE is not allowed',
  'The owner cannot update a run event (OP004).'
);
select throws_ok(
  format('delete from ops.run_events where run_id = %L', :'run_id'),
  'OP004', 'ops.run_events is append-only: DELETE is not allowed',
  'The owner cannot delete a run event (OP004).'
);
select throws_ok(
  'truncate ops.run_events',
  'OP004', 'ops.run_events is append-only: TRUNCATE is not allowed',
  'The owner cannot truncate ops.run_events (OP004).'
);
select throws_ok(
  'truncate ops.runs cascade',
  'OP004', 'ops.run_events is append-only: TRUNCATE is not allowed',
  'Truncating ops.runs with cascade cannot empty ops.run_events either (OP004).'
);
select throws_ok(
  format('delete from ops.runs where id = %L', :'run_id'),
  '23503', null,
  'A run whose events exist cannot be deleted: history outlives nothing it describes.'
);
select is(
  (select count(*) from ops.run_events where run_id = :'run_id'), :'events_before'::bigint,
  'The events are all still there, unchanged in number.'
);

select * from finish();
rollback;
