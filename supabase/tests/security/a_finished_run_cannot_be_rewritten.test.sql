-- Attack: a developer rewrites the cancel columns (the only run columns their
-- grant allows) of a run that has already ended, to make its history say
-- something else. No column of a succeeded, failed or canceled run changes,
-- for any role.
begin;
select plan(5);

-- SETUP
select tests.ops_world();
select id as project_a from ops.projects where slug = 'project-a' \gset
select tests.ops_run_in('succeeded', :'project_a') as succeeded_run \gset
select tests.ops_run_in('canceled', :'project_a') as canceled_run \gset
select tests.authenticate_as('a-developer');

-- TEST
select throws_ok(
  format($q$update ops.runs set cancel_requested_at = now(), cancel_reason = 'forged' where id = %L$q$, :'succeeded_run'),
  'OP001', format('run %s: a succeeded run is final and cannot change (runs.cancel_reason was changed)', :'succeeded_run'),
  'A developer cannot write a cancel onto a succeeded run.'
);
select throws_ok(
  format($q$update ops.runs set cancel_reason = 'rewritten' where id = %L$q$, :'canceled_run'),
  'OP001', format('run %s: a canceled run is final and cannot change (runs.cancel_reason was changed)', :'canceled_run'),
  'A developer cannot rewrite the reason of a canceled run.'
);
select tests.clear_authentication();
select throws_ok(
  format($q$update ops.runs set params = '{"forged": true}' where id = %L$q$, :'succeeded_run'),
  'OP001', null,
  'Not even the table owner changes a finished run.'
);
select tests.authenticate_as_service_role();
select throws_ok(
  format($q$update ops.runs set last_log_seq = 99 where id = %L$q$, :'succeeded_run'),
  'OP001', null,
  'Nor does service_role.'
);
select tests.clear_authentication();
select results_eq(
  format('select cancel_requested_at is null, cancel_reason from ops.runs where id = %L', :'succeeded_run'),
  $$values (true, null::text)$$,
  'The succeeded run is as it ended.'
);

select * from finish();
rollback;
