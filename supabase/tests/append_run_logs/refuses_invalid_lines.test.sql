-- ops.append_run_logs: every bad element is refused with 22023 naming p_lines[i].field; nothing of the batch is stored.
begin;
select plan(18);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');

create function pg_temp.bad(p_lines text, p_message text, p_description text)
returns text
language sql
as $$
  select throws_ok(
    format('select ops.append_run_logs(%L, %L, %L)', tests.q_id('r'), p_lines, 'worker-1'), '22023', p_message,
    p_description
  )
$$;

select pg_temp.bad('{"seq": 1}', 'p_lines must be a JSON array of line objects, got {"seq": 1}', 'An object instead of an array is refused.');
select pg_temp.bad('[{"seq": 1, "message": "a"}, 7]', 'p_lines[1] must be an object, got 7', 'An element that is not an object is refused.');
select pg_temp.bad('[{"message": "a"}]', 'p_lines[0].seq must be an integer >= 1, got null', 'A missing seq is refused.');
select pg_temp.bad('[{"seq": 0, "message": "a"}]', 'p_lines[0].seq must be an integer >= 1, got 0', 'seq 0 is refused.');
select pg_temp.bad('[{"seq": 1.5, "message": "a"}]', 'p_lines[0].seq must be an integer >= 1, got 1.5', 'A fractional seq is refused.');
select pg_temp.bad('[{"seq": "1", "message": "a"}]', 'p_lines[0].seq must be an integer >= 1, got "1"', 'A string seq is refused.');
select pg_temp.bad('[{"seq": 1, "message": "a", "level": "fatal"}]', 'p_lines[0].level must be one of debug, info, warning, error, got "fatal"', 'An unknown level is refused.');
select pg_temp.bad('[{"seq": 1, "message": "a", "stream": "Out"}]', 'p_lines[0].stream must match ^[a-z][a-z0-9_-]{0,31}$, got "Out"', 'A bad stream is refused.');
select pg_temp.bad('[{"seq": 1}]', 'p_lines[0].message must be a string of at most 16384 characters, got null', 'A missing message is refused.');
select pg_temp.bad('[{"seq": 1, "message": 5}]', 'p_lines[0].message must be a string of at most 16384 characters, got 5', 'A message that is not a string is refused.');
select pg_temp.bad('[{"seq": 1, "message": "a", "metadata": [1]}]', 'p_lines[0].metadata must be an object, got [1]', 'Metadata that is not an object is refused.');
select pg_temp.bad('[{"seq": 1, "message": "a", "timestamp": "yesterday"}]', 'p_lines[0].timestamp must be an ISO 8601 time, got "yesterday"', 'A time that is not ISO 8601 is refused.');
select pg_temp.bad('[{"seq": 1, "message": "a"}, {"seq": 2, "message": "b", "timestamp": "2026-02-30T00:00:00Z"}]', 'p_lines[1].timestamp must be an ISO 8601 time, got "2026-02-30T00:00:00Z"', 'An impossible date is refused and located.');
select pg_temp.bad('[{"seq": 1, "message": "a", "msg": "b"}]', 'p_lines[0].msg is not a known field (seq, level, stream, message, metadata, timestamp)', 'An unknown field is refused.');
select pg_temp.bad('[{"seq": 1, "message": "a"}, {"seq": 1, "message": "b"}]', 'p_lines[1].seq 1 repeats an earlier line of the batch', 'A seq used twice in one batch is refused.');
select pg_temp.bad(
  (select jsonb_agg(jsonb_build_object('seq', n, 'message', 'x'))::text from generate_series(1, 5001) as n),
  'p_lines may hold at most 5000 lines, got 5001', 'More than 5000 lines are refused.'
);

select is((select count(*)::integer from ops.run_logs), 0, 'No line of a refused batch is stored.');
select is((select last_log_seq from ops.runs where id = tests.q_id('r')), 0::bigint, 'last_log_seq did not move.');

select * from finish();
rollback;
