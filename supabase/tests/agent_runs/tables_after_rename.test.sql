-- Agent tracking lives in ops.agent_runs / ops.agent_run_events after the rename
-- (20260213000001_rename_agent_tables.sql), with every dependent object renamed
-- and still working.
begin;
select plan(20);

select has_table('ops', 'agent_runs', 'ops.agent_runs exists.');
select has_table('ops', 'agent_run_events', 'ops.agent_run_events exists.');
select col_is_pk('ops', 'agent_runs', 'id', 'agent_runs.id is the primary key.');
select col_is_pk('ops', 'agent_run_events', 'id', 'agent_run_events.id is the primary key.');
select col_type_is('ops', 'agent_runs', 'id', 'bigint', 'agent_runs.id is a bigint.');
select fk_ok('ops', 'agent_run_events', 'run_id', 'ops', 'agent_runs', 'id',
  'agent_run_events.run_id references agent_runs.id.');
select has_index('ops', 'agent_runs', 'agent_runs_agent_id_idx', 'The agent index was renamed with its table.');
select has_index('ops', 'agent_run_events', 'agent_run_events_run_id_idx', 'The events index was renamed.');
select has_trigger('ops', 'agent_runs', 'agent_runs_set_updated_at', 'The updated_at trigger was renamed.');
select policies_are('ops', 'agent_runs', array['authenticated can select own agent runs'],
  'agent_runs keeps its policy under the new name.');
select policies_are('ops', 'agent_run_events', array['authenticated can select events of own agent runs'],
  'agent_run_events keeps its policy under the new name.');
select is(
  (select relrowsecurity from pg_class where oid = 'ops.agent_runs'::regclass), true,
  'agent_runs keeps row-level security.'
);
select is(
  (select relrowsecurity from pg_class where oid = 'ops.agent_run_events'::regclass), true,
  'agent_run_events keeps row-level security.'
);
select is(
  pg_get_serial_sequence('ops.agent_runs', 'id'), 'ops.agent_runs_id_seq',
  'The identity sequence of agent_runs was renamed.'
);
select is(
  pg_get_serial_sequence('ops.agent_run_events', 'id'), 'ops.agent_run_events_id_seq',
  'The identity sequence of agent_run_events was renamed.'
);

-- SETUP
insert into ops.agent_runs (external_id, agent_id, task) values ('ext-1', 'agent-a', 'triage');

-- TEST: foreign key, check and trigger still act.
select throws_ok(
  $$insert into ops.agent_run_events (run_id, external_id, event_type) values (-1, 'e-x', 'note')$$,
  '23503', null, 'An event of an unknown run is refused by the foreign key.'
);
select throws_ok(
  $$insert into ops.agent_runs (external_id, agent_id, task, status) values ('ext-2', 'a', 't', 'lost')$$,
  '23514', null, 'An unknown agent run status is refused by its check.'
);
select lives_ok(
  $$insert into ops.agent_run_events (run_id, external_id, event_type)
    select id, 'e-1', 'note' from ops.agent_runs where external_id = 'ext-1'$$,
  'An event of a known run is stored.'
);
update ops.agent_runs set updated_at = '2000-01-01', task = 'triage again' where external_id = 'ext-1';
select ok(
  (select updated_at > '2001-01-01' from ops.agent_runs where external_id = 'ext-1'),
  'The renamed trigger still stamps updated_at.'
);

-- TEST: anon reads nothing.
select tests.authenticate_as_anon();
select throws_ok('select * from ops.agent_runs', '42501', null, 'anon cannot read agent runs.');

select * from finish();
rollback;
