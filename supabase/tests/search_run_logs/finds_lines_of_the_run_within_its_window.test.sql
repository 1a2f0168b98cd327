-- ops.search_run_logs: the lines of one run that contain the query, case-insensitive, at a level and
-- above, in order; at most p_limit; within (p_after_seq, p_after_seq + 100000]; a bounded index range scan.
begin;
select plan(9);

select tests.ops_world();
select tests.q_remember('run', tests.ops_run((select id from ops.projects where slug = 'project-a')));
insert into ops.run_logs (run_id, seq, level, message)
select tests.q_id('run'), s,
  case when s % 10 = 0 then 'error' else 'info' end::ops.log_level,
  case when s % 1000 = 0 then 'Traceback in module ' || s when s = 100001 then 'traceback past the window'
  else 'line ' || s || ' 100%_done' end
from generate_series(1, 100001) as s;

-- TEST
select tests.authenticate_as('a-viewer');
select results_eq(
  $$select seq from ops.search_run_logs(tests.q_id('run'), 'TRACEBACK', 'debug', 0, 3)$$,
  $$values (1000::bigint), (2000), (3000)$$,
  'A viewer finds the first matching lines of the run, in order, case-insensitive.'
);
select is(
  (select count(*)::integer from ops.search_run_logs(tests.q_id('run'), 'traceback', 'debug', 0, 500)), 100,
  'One call searches the 100,000 lines after p_after_seq, not past them.'
);
select results_eq(
  $$select seq, message from ops.search_run_logs(tests.q_id('run'), 'traceback', 'debug', 100000, 10)$$,
  $$values (100001::bigint, 'traceback past the window')$$,
  'The next window holds the rest.'
);
select is(
  (select count(*)::integer from ops.search_run_logs(tests.q_id('run'), '100%_', 'error', 0, 500)), 500,
  'The query is a plain substring (% and _ are characters) and the level keeps error lines only.'
);
select throws_ok(
  $$select * from ops.search_run_logs(tests.q_id('run'), repeat('x', 201))$$, '22023',
  'p_query must be 1 to 200 characters, got ''xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx''...',
  'A query longer than 200 characters is refused, quoted short.'
);
select throws_ok(
  $$select * from ops.search_run_logs(tests.q_id('run'), 'x', 'debug', 0, 501)$$, '22023',
  'p_limit must be 1 to 500, got 501', 'More than 500 lines is refused.'
);
select throws_ok(
  $$select * from ops.search_run_logs(tests.q_id('run'), 'x', 'debug', -1)$$, '22023',
  'p_after_seq must be 0 or more, got -1', 'A negative p_after_seq is refused.'
);
select tests.clear_authentication();

select tests.authenticate_as('b-owner');
select is_empty(
  $$select * from ops.search_run_logs(tests.q_id('run'), 'traceback')$$,
  'Another tenant finds nothing in the run.'
);
select tests.clear_authentication();

select ok(
  (select pg_get_functiondef('ops.search_run_logs(uuid, text, ops.log_level, bigint, integer)'::regprocedure)
    like '%l.seq <= p_after_seq + 100000%'),
  'The scan is bounded to a window of the run''s lines.'
);

select * from finish();
rollback;
