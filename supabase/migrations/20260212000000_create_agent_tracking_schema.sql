-- Agent tracking as it exists before the OdooOps plan: the schema every later
-- migration starts from.
--
-- Objects: schema ops; tables ops.runs (agent runs) and ops.run_events (their
-- events), with identity keys, a foreign key, indexes, row-level security with
-- policies, and an updated_at trigger. Week 1 renames both tables to
-- ops.agent_runs / ops.agent_run_events to free the names for the run queue.
-- Locks: none on existing objects (everything is new).
-- Roll back: drop schema ops cascade (only on a database with no other ops objects).

create schema if not exists ops;

comment on schema ops is
'OdooOps control plane: projects, workflows, the run queue and its logs, plus agent tracking.';

-- Nothing in ops is executable by PUBLIC unless granted function by function.
alter default privileges in schema ops revoke execute on functions from public;

grant usage on schema ops to authenticated, service_role;

create or replace function ops.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

comment on function ops.set_updated_at() is
'Trigger function: stamps updated_at on every UPDATE.';

revoke execute on function ops.set_updated_at() from public, anon, authenticated;

create table ops.runs (
  id bigint generated always as identity,
  external_id text not null,
  agent_id text not null,
  task text not null,
  status text not null default 'running',
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  metadata jsonb not null default '{}'::jsonb,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint runs_pkey primary key (id),
  constraint runs_external_id_key unique (external_id),
  constraint runs_created_by_fkey foreign key (created_by) references auth.users (id) on delete set null,
  constraint runs_status_is_known check (status in ('running', 'succeeded', 'failed', 'canceled')),
  constraint runs_metadata_is_object check (jsonb_typeof(metadata) = 'object')
);

comment on table ops.runs is 'Runs of coding agents, reported through the ops-ingest Edge Function.';

create index runs_agent_id_idx on ops.runs (agent_id, started_at desc);
create index runs_created_by_idx on ops.runs (created_by);

create table ops.run_events (
  id bigint generated always as identity,
  run_id bigint not null,
  external_id text not null,
  event_type text not null,
  payload jsonb not null default '{}'::jsonb,
  occurred_at timestamptz not null default now(),
  constraint run_events_pkey primary key (id),
  constraint run_events_external_id_key unique (external_id),
  constraint run_events_run_id_fkey foreign key (run_id) references ops.runs (id) on delete cascade,
  constraint run_events_payload_is_object check (jsonb_typeof(payload) = 'object')
);

comment on table ops.run_events is 'Events of an agent run (tool calls, messages, errors).';

create index run_events_run_id_idx on ops.run_events (run_id, occurred_at);

create trigger runs_set_updated_at
before update on ops.runs
for each row execute function ops.set_updated_at();

alter table ops.runs enable row level security;
alter table ops.run_events enable row level security;

revoke all on ops.runs, ops.run_events from anon, authenticated;
grant select on ops.runs, ops.run_events to authenticated;
grant select, insert, update, delete on ops.runs, ops.run_events to service_role;

create policy "authenticated can select own runs"
on ops.runs
for select
to authenticated
using (created_by = (select auth.uid()));

create policy "authenticated can select events of own runs"
on ops.run_events
for select
to authenticated
using (
  run_id in (
    select r.id from ops.runs as r
    where r.created_by = (select auth.uid())
  )
);
