-- ops_private.cancel_is_due: true for a run with a cancel requested that can end canceled now (queued or
-- running), false otherwise; a helper of the worker RPCs, closed to anon and authenticated.
begin;
select plan(11);

-- SETUP: runs are crafted in memory, one per status, with and without a cancel requested.
create function pg_temp.run(p_status text, p_cancel_requested_at timestamptz)
returns ops.runs
language sql
as $$
  select jsonb_populate_record(
    null::ops.runs, jsonb_build_object('status', p_status, 'cancel_requested_at', p_cancel_requested_at)
  )
$$;

-- TEST: the rule.
select results_eq(
  $$select u.s::text, ops_private.cancel_is_due(pg_temp.run(u.s::text, now()))
    from unnest(enum_range(null::ops.run_status)) as u (s) order by u.s$$,
  $$values ('queued', true), ('claimed', false), ('running', true),
    ('succeeded', false), ('failed', false), ('canceled', false)$$,
  'With a cancel requested, a queued or running run is due; a claimed or ended one is not.'
);
select is(
  array(
    select s::text from unnest(enum_range(null::ops.run_status)) as s
    where ops_private.cancel_is_due(pg_temp.run(s::text, null))
  ),
  array[]::text[],
  'Without a cancel requested no run is due, whatever its status.'
);
select set_eq(
  $$select s::text from unnest(enum_range(null::ops.run_status)) as s
    where ops_private.cancel_is_due(pg_temp.run(s::text, now()))$$,
  $$select from_status::text from ops.run_status_transitions() where to_status = 'canceled'$$,
  'It is due exactly in the statuses ops.run_status_transitions() lets go to canceled.'
);

-- TEST: on stored runs, as the worker RPCs see them.
select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select ops.claim_next_run('worker-1');
select ops.cancel_run(tests.q_id('r'));
select is(
  ops_private.cancel_is_due((select r from ops.runs as r where r.id = tests.q_id('r'))), false,
  'A claimed run whose cancel was requested is not due yet.'
);
select ops.start_workflow_run(tests.q_id('r'), 'worker-1');
select is(
  ops_private.cancel_is_due((select r from ops.runs as r where r.id = tests.q_id('r'))), true,
  'Once running it is due ...'
);
select is((ops.complete_workflow_run(tests.q_id('r'), 0, null, 'worker-1')).status::text, 'canceled', '... and ends canceled.');

-- TEST: privileges.
select ok(not has_function_privilege('anon', 'ops_private.cancel_is_due(ops.runs)', 'execute'), 'anon may not execute it.');
select ok(
  not has_function_privilege('authenticated', 'ops_private.cancel_is_due(ops.runs)', 'execute'),
  'authenticated may not execute it.'
);
select ok(
  has_function_privilege('service_role', 'ops_private.cancel_is_due(ops.runs)', 'execute'),
  'service_role, which the worker RPCs run as, may.'
);
select results_eq(
  $$select prosecdef, provolatile::text from pg_proc where oid = 'ops_private.cancel_is_due(ops.runs)'::regprocedure$$,
  $$values (false, 'i')$$,
  'It is SECURITY INVOKER and IMMUTABLE.'
);
select tests.create_supabase_user('dev');
select tests.authenticate_as('dev');
select throws_ok(
  $$select ops_private.cancel_is_due(null::ops.runs)$$, '42501', 'permission denied for function cancel_is_due',
  'A signed-in user calling it gets 42501.'
);
select tests.clear_authentication();

select * from finish();
rollback;
