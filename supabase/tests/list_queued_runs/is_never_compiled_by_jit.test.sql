-- ops.list_queued_runs is never JIT-compiled: on a long history the planner
-- estimates it far above jit_above_cost, and compiling it took 1.57 s of a
-- call that runs in milliseconds (PERFORMANCE.md, "The queue view at scale").
begin;
select plan(2);

select ok(
  (select 'jit=off' = any(proconfig) from pg_proc where oid = 'ops.list_queued_runs()'::regprocedure),
  'ops.list_queued_runs() sets jit = off for its own query.'
);
select ok(
  (select 'search_path=""' = any(proconfig) from pg_proc where oid = 'ops.list_queued_runs()'::regprocedure),
  'It still pins search_path to ''''.'
);

select * from finish();
rollback;
