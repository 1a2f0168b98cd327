-- Every text and JSON column a client can write has an upper bound, and error
-- messages quote at most 200 characters of an offending value.
--
-- The limits (also in docs/odooops-sh/SECURITY.md, "Limits"):
--   projects.repository_url 2048 characters, projects.settings 64 KiB of JSON,
--   workflows.description 4000 characters, workflows.steps 100 steps and 256 KiB,
--   runs.params 64 KiB, run_logs.metadata and run_artifacts.metadata 16 KiB,
--   run_artifacts.storage_url 2048 characters, tools.description 4000,
--   agent runs: external_id and agent_id 200, task 10000, metadata 64 KiB;
--   agent run events: external_id 200, event_type 100, payload 64 KiB
--   (the same limits the ops-ingest Edge Function checks).
-- JSON sizes are measured on the text form (octet_length(x::text)), which is
-- what a client sends.
-- Objects: functions ops_private.quote_short(text),
-- ops_private.check_json_object(text, jsonb, integer); check constraints on
-- ops.projects, ops.workflows, ops.runs, ops.run_logs, ops.run_artifacts,
-- ops.tools, ops.agent_runs, ops.agent_run_events.
-- Locks: ACCESS EXCLUSIVE on each of those tables while its constraint is
-- added; ops.run_logs gets its constraint NOT VALID (new rows are checked,
-- its history is not scanned).
-- Roll back: drop the constraints named *_is_bounded added here and the two functions.

set local lock_timeout = '5s';

create or replace function ops_private.quote_short(p_value text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case
    when p_value is null then 'null'
    when length(p_value) <= 200 then quote_literal(p_value)
    else quote_literal(left(p_value, 200)) || format('... (%s characters)', length(p_value))
  end
$$;

comment on function ops_private.quote_short(text) is
'A value quoted for an error message: at most its first 200 characters, then its length; null as null.';

revoke execute on function ops_private.quote_short(text) from public, anon;
grant execute on function ops_private.quote_short(text) to authenticated, service_role;

create or replace function ops_private.check_json_object(p_field text, p_value jsonb, p_max_bytes integer)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_value is null or jsonb_typeof(p_value) <> 'object' then
    raise exception '% must be a JSON object, got %', p_field, coalesce(left(p_value::text, 80), 'null')
      using errcode = '22023';
  end if;
  if octet_length(p_value::text) > p_max_bytes then
    raise exception '% must be at most % bytes of JSON, got %', p_field, p_max_bytes, octet_length(p_value::text)
      using errcode = '22023';
  end if;
end
$$;

comment on function ops_private.check_json_object(text, jsonb, integer) is
'Raises 22023 naming the field when a value is not a JSON object of at most p_max_bytes bytes (its text form).';

revoke execute on function ops_private.check_json_object(text, jsonb, integer) from public, anon;
grant execute on function ops_private.check_json_object(text, jsonb, integer) to authenticated, service_role;

alter table ops.projects
add constraint projects_repository_url_is_bounded check (length(repository_url) <= 2048),
add constraint projects_settings_is_bounded check (octet_length(settings::text) <= 65536);

alter table ops.workflows
add constraint workflows_description_is_bounded check (length(description) <= 4000),
add constraint workflows_steps_is_bounded check (
  jsonb_array_length(steps) <= 100 and octet_length(steps::text) <= 262144
);

alter table ops.runs
add constraint runs_params_is_bounded check (octet_length(params::text) <= 65536);

alter table ops.run_logs
add constraint run_logs_metadata_is_bounded check (octet_length(metadata::text) <= 16384) not valid;

alter table ops.run_artifacts
add constraint run_artifacts_storage_url_is_bounded check (length(storage_url) <= 2048),
add constraint run_artifacts_metadata_is_bounded check (octet_length(metadata::text) <= 16384);

alter table ops.tools
add constraint tools_description_is_bounded check (length(description) <= 4000);

alter table ops.agent_runs
add constraint agent_runs_text_is_bounded check (
  length(external_id) <= 200 and length(agent_id) <= 200 and length(task) <= 10000
),
add constraint agent_runs_metadata_is_bounded check (octet_length(metadata::text) <= 65536);

alter table ops.agent_run_events
add constraint agent_run_events_text_is_bounded check (length(external_id) <= 200 and length(event_type) <= 100),
add constraint agent_run_events_payload_is_bounded check (octet_length(payload::text) <= 65536);
