-- The queue RPCs as a set: signatures, search_path, comments with SQLSTATEs, no PUBLIC or anon EXECUTE.
begin;
select plan(7);

create temporary table rpcs on commit drop as
select p.oid::regprocedure as fn, p.prosecdef, p.proconfig, obj_description(p.oid, 'pg_proc') as doc
from pg_proc as p
where p.oid in (
  'ops.enqueue_run(text, text, text, text, jsonb, ops.run_stage, integer, timestamptz, text, boolean)'::regprocedure,
  'ops.claim_next_run(text, integer, text[], boolean)'::regprocedure,
  'ops.claim_runs(text, text[], integer, integer, boolean)'::regprocedure,
  'ops.start_workflow_run(uuid, text)'::regprocedure,
  'ops.heartbeat_run(uuid, text, integer)'::regprocedure,
  'ops.complete_workflow_run(uuid, integer, text, text)'::regprocedure,
  'ops.requeue_run(uuid, text, text)'::regprocedure,
  'ops.append_run_log(uuid, text, text, jsonb, text, text)'::regprocedure,
  'ops.append_run_logs(uuid, jsonb, text)'::regprocedure,
  'ops.add_run_artifact(uuid, text, text, text, bigint, text, jsonb, text)'::regprocedure,
  'ops.cancel_run(uuid, text)'::regprocedure,
  'ops.list_queued_runs()'::regprocedure
);

select is((select count(*)::integer from rpcs), 12, 'All twelve queue RPCs exist with the contract''s signatures.');
select is_empty(
  $$select fn from rpcs where not coalesce('search_path=""' = any(proconfig), false)$$,
  'Every RPC sets search_path to the empty string.'
);
select is_empty($$select fn from rpcs where prosecdef$$, 'Every RPC is SECURITY INVOKER.');
select is_empty($$select fn from rpcs where doc is null or doc !~ 'SQLSTATEs: '$$, 'Every RPC is commented, with its SQLSTATEs.');
select is_empty(
  $$select fn from rpcs where has_function_privilege('anon', fn, 'execute')$$, 'anon may execute none of them.'
);
select is_empty(
  $$select r.fn from rpcs as r cross join lateral aclexplode(
      (select coalesce(proacl, acldefault('f', proowner)) from pg_proc where oid = r.fn::oid)
    ) as a where a.grantee = 0$$,
  'PUBLIC may execute none of them.'
);
select is_empty(
  $$select fn from rpcs where pg_get_functiondef(fn::oid) ~* '\mexecute\s+(format|'')'$$,
  'No RPC builds SQL at run time (static SQL keeps plans cached).'
);

select * from finish();
rollback;
