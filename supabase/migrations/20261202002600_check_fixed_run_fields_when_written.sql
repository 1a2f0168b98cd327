-- The rules of a run's fixed fields are checked when those fields are
-- written, not on every status change.
--
-- PostgreSQL evaluates every check constraint of a table on every UPDATE,
-- whatever columns it sets, and reads each one back from its stored form for
-- every statement. Twelve of the eighteen checks of ops.runs are on fields
-- that an insert sets and the lifecycle never writes: the branch, the commit,
-- the params, the priority, the attempt limit, the idempotency key, the
-- labels, the push and the pull request. A claim, a start, a heartbeat and a
-- completion paid for them all the same: the branch's plpgsql check, two
-- regular expressions, and the params serialized to text (up to 64 kB) to
-- measure them.
--
-- The twelve rules move, unchanged, into one BEFORE INSERT OR UPDATE OF
-- trigger on exactly those columns, named to fire after every other BEFORE
-- trigger that may write them (runs_060 to runs_110), as a check constraint
-- is evaluated after all of them. A broken rule is reported as before:
-- SQLSTATE 23514, the same message, the constraint's name as the error's
-- constraint (the Edge Functions quote it), and the field and its value,
-- quoted short, in the detail. The rules that name a lifecycle field (the
-- attempt, the worker, the lease, the finish, the messages) stay check
-- constraints. When several rules are broken at once, the first in the
-- order of their names is reported, as PostgreSQL does with check
-- constraints; a row that also breaks one of the remaining checks now
-- reports the fixed field's rule first.
--
-- Every existing row was checked by the constraints dropped here (the
-- labels' rule was NOT VALID; ops.is_label_set held for every row written
-- since it came).
--
-- Measured (PERFORMANCE.md, "Checks of the fixed fields, and the idle
-- claim"), one connection, alternating blocks, backend CPU per run: the
-- claim with p_start then completion 1,952 -> 1,632 µs (0.84), the batch of
-- 50 247 -> 239 µs (0.97), ops.enqueue_run 363 -> 315 µs (0.87).
--
-- Objects: function ops_private.runs_check_fixed_fields, trigger
-- runs_950_check_fixed_fields; twelve check constraints of ops.runs dropped.
-- Locks: ACCESS EXCLUSIVE on ops.runs for the drops and the trigger (no scan
-- of the table).

create function ops_private.runs_check_fixed_fields()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_rule text;
  v_field text;
  v_value text;
begin
  -- In the order of the constraint names. A rule that evaluates to null
  -- holds, as in a check constraint.
  if not ops.is_git_ref_name(new.branch) then
    v_rule := 'runs_branch_is_valid'; v_field := 'branch'; v_value := new.branch;
  elsif not (
    (length(new.commit_sha) between 6 and 40 or length(new.commit_sha) = 64) and new.commit_sha !~ '[^0-9a-f]'
  ) then
    v_rule := 'runs_commit_sha_is_hex'; v_field := 'commit_sha'; v_value := new.commit_sha;
  elsif not (length(new.idempotency_key) between 1 and 200) then
    v_rule := 'runs_idempotency_key_is_valid'; v_field := 'idempotency_key'; v_value := new.idempotency_key;
  elsif not (new.max_attempts between 1 and 20) then
    v_rule := 'runs_max_attempts_is_positive'; v_field := 'max_attempts'; v_value := new.max_attempts;
  elsif not (octet_length(new.params::text) <= 65536) then
    v_rule := 'runs_params_is_bounded'; v_field := 'params';
    v_value := octet_length(new.params::text) || ' bytes of JSON';
  elsif not (jsonb_typeof(new.params) = 'object') then
    v_rule := 'runs_params_is_object'; v_field := 'params'; v_value := new.params::text;
  elsif not (new.priority between -1000 and 1000) then
    v_rule := 'runs_priority_is_bounded'; v_field := 'priority'; v_value := new.priority;
  elsif not (
    (new.pull_request_number is null) = (new.source_ref is null)
    and (not new.untrusted or new.pull_request_number is not null)
  ) then
    v_rule := 'runs_pull_request_is_whole'; v_field := 'pull_request_number';
    v_value := format('%s, source_ref %s, untrusted %s', new.pull_request_number, new.source_ref, new.untrusted);
  elsif not (new.pull_request_number > 0) then
    v_rule := 'runs_pull_request_number_is_positive'; v_field := 'pull_request_number';
    v_value := new.pull_request_number;
  elsif not (length(new.push_delivery_id) between 1 and 100) then
    v_rule := 'runs_push_delivery_id_is_bounded'; v_field := 'push_delivery_id'; v_value := new.push_delivery_id;
  elsif not (cardinality(new.required_labels) = 0 or ops.is_label_set(new.required_labels)) then
    v_rule := 'runs_required_labels_is_valid'; v_field := 'required_labels'; v_value := new.required_labels::text;
  elsif not (new.source_ref ~ '^refs/(pull|merge-requests)/[1-9][0-9]{0,9}/head$') then
    v_rule := 'runs_source_ref_is_a_request_ref'; v_field := 'source_ref'; v_value := new.source_ref;
  else
    return new;
  end if;
  raise exception 'new row for relation "runs" violates check constraint "%"', v_rule
    using
      errcode = '23514',
      detail = format('%s is %s', v_field, coalesce(left(quote_literal(v_value), 100), 'null')),
      constraint = v_rule,
      schema = 'ops',
      table = 'runs',
      column = v_field;
end
$$;

comment on function ops_private.runs_check_fixed_fields() is
'Trigger: the rules of the fields an insert sets and the lifecycle never writes (runs_branch_is_valid, '
'runs_commit_sha_is_hex, runs_idempotency_key_is_valid, runs_max_attempts_is_positive, runs_params_is_bounded, '
'runs_params_is_object, runs_priority_is_bounded, runs_pull_request_is_whole, runs_pull_request_number_is_positive, '
'runs_push_delivery_id_is_bounded, runs_required_labels_is_valid, runs_source_ref_is_a_request_ref), checked '
'when they are written; a broken rule raises 23514 with its name as the constraint, as a check constraint would.';

revoke execute on function ops_private.runs_check_fixed_fields() from public;

create trigger runs_950_check_fixed_fields
before insert or update of branch, commit_sha, idempotency_key, max_attempts, params, priority, pull_request_number,
push_delivery_id, required_labels, source_ref, untrusted on ops.runs
for each row execute function ops_private.runs_check_fixed_fields();

comment on trigger runs_950_check_fixed_fields on ops.runs is
'Checks the rules of the fixed fields when an insert or an update writes them; after every other BEFORE trigger '
'that may set them, as a check constraint would be. Status changes, heartbeats and completions do not pay for them.';

alter table ops.runs
drop constraint runs_branch_is_valid,
drop constraint runs_commit_sha_is_hex,
drop constraint runs_idempotency_key_is_valid,
drop constraint runs_max_attempts_is_positive,
drop constraint runs_params_is_bounded,
drop constraint runs_params_is_object,
drop constraint runs_priority_is_bounded,
drop constraint runs_pull_request_is_whole,
drop constraint runs_pull_request_number_is_positive,
drop constraint runs_push_delivery_id_is_bounded,
drop constraint runs_required_labels_is_valid,
drop constraint runs_source_ref_is_a_request_ref;
