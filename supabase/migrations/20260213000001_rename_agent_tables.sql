-- Week 1: rename the agent-tracking tables so that ops.runs and ops.run_events
-- can become the OdooOps run queue.
--
-- Objects: ops.runs -> ops.agent_runs, ops.run_events -> ops.agent_run_events,
-- with every dependent name: identity sequences, constraints (and so their
-- indexes), plain indexes, policies and the trigger. Data, grants, RLS and
-- foreign keys follow the tables (renames keep OIDs).
-- Locks: ACCESS EXCLUSIVE on both tables, for milliseconds (catalog-only
-- changes). lock_timeout makes the migration give up rather than queue behind
-- a long transaction and block every reader behind it; retry when it does.
-- Roll back: the same renames in reverse, in one transaction.

set local lock_timeout = '5s';

alter table ops.runs rename to agent_runs;
alter table ops.run_events rename to agent_run_events;

alter sequence ops.runs_id_seq rename to agent_runs_id_seq;
alter sequence ops.run_events_id_seq rename to agent_run_events_id_seq;

alter table ops.agent_runs rename constraint runs_pkey to agent_runs_pkey;
alter table ops.agent_runs rename constraint runs_external_id_key to agent_runs_external_id_key;
alter table ops.agent_runs rename constraint runs_created_by_fkey to agent_runs_created_by_fkey;
alter table ops.agent_runs rename constraint runs_status_is_known to agent_runs_status_is_known;
alter table ops.agent_runs rename constraint runs_metadata_is_object to agent_runs_metadata_is_object;
alter table ops.agent_run_events rename constraint run_events_pkey to agent_run_events_pkey;
alter table ops.agent_run_events rename constraint run_events_external_id_key to agent_run_events_external_id_key;
alter table ops.agent_run_events rename constraint run_events_run_id_fkey to agent_run_events_run_id_fkey;
alter table ops.agent_run_events rename constraint run_events_payload_is_object
to agent_run_events_payload_is_object;

alter index ops.runs_agent_id_idx rename to agent_runs_agent_id_idx;
alter index ops.runs_created_by_idx rename to agent_runs_created_by_idx;
alter index ops.run_events_run_id_idx rename to agent_run_events_run_id_idx;

alter trigger runs_set_updated_at on ops.agent_runs rename to agent_runs_set_updated_at;

alter policy "authenticated can select own runs" on ops.agent_runs
rename to "authenticated can select own agent runs";
alter policy "authenticated can select events of own runs" on ops.agent_run_events
rename to "authenticated can select events of own agent runs";

comment on table ops.agent_runs is 'Runs of coding agents, reported through the ops-ingest Edge Function.';
comment on table ops.agent_run_events is 'Events of an agent run (tool calls, messages, errors).';

-- Refuse to commit if any dependent object still carries an old name: the
-- new core tables need them all.
do $$
declare
  v_left text;
begin
  select string_agg(x.name, ', ' order by x.name) into v_left
  from (
    select c.relname::text as name
    from pg_class as c
    join pg_namespace as n on n.oid = c.relnamespace
    where n.nspname = 'ops' and (c.relname like 'runs\_%' or c.relname like 'run\_events\_%'
      or c.relname in ('runs', 'run_events'))
    union all
    select con.conname::text
    from pg_constraint as con
    join pg_namespace as n on n.oid = con.connamespace
    where n.nspname = 'ops' and (con.conname like 'runs\_%' or con.conname like 'run\_events\_%')
    union all
    select t.tgname::text
    from pg_trigger as t
    join pg_class as c on c.oid = t.tgrelid
    join pg_namespace as n on n.oid = c.relnamespace
    where n.nspname = 'ops' and not t.tgisinternal
      and (t.tgname like 'runs\_%' or t.tgname like 'run\_events\_%')
  ) as x;
  if v_left is not null then
    raise exception 'rename_agent_tables: objects still named after ops.runs/ops.run_events: %', v_left
      using errcode = 'P0001';
  end if;
end
$$;
