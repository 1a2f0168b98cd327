-- ops_private.check_log_lines: passes good lines of ops.append_run_logs, raises 22023 naming p_lines[i].field for
-- the first problem of the first bad line; a helper of the worker RPCs, closed to anon and authenticated.
begin;
select plan(21);

-- SETUP: the bad line comes after three good ones, so it is p_lines[3].
create function pg_temp.bad(p_line text, p_message text, p_description text)
returns text
language sql
as $$
  select throws_ok(
    format(
      'select ops_private.check_log_lines(%L::jsonb)',
      '[{"seq": 1, "message": "a"}, {"seq": 2, "message": "b"}, {"seq": 3, "message": "c"}, ' || p_line || ']'
    ),
    '22023', p_message, p_description
  )
$$;

-- TEST: good lines.
select lives_ok($$select ops_private.check_log_lines('[]')$$, 'An empty batch passes.');
select lives_ok(
  $$select ops_private.check_log_lines('[{"seq": 1, "message": "a"}]')$$,
  'A line with seq and message only passes.'
);
select lives_ok(
  $$select ops_private.check_log_lines(
    '[{"seq": 7, "level": "warning", "stream": "odoo-log", "message": "a", "metadata": {"k": 1},
       "timestamp": "2026-02-13T10:00:00.123+01:00"}]'
  )$$,
  'A line with every field passes.'
);
select lives_ok(
  $$select ops_private.check_log_lines(
    '[{"seq": 1, "level": null, "stream": null, "message": "", "metadata": null, "timestamp": null}]'
  )$$,
  'null level, stream, metadata and timestamp (defaulted when stored) pass.'
);

-- TEST: each check, naming the line by its index.
select pg_temp.bad('7', 'p_lines[3] must be an object, got 7', 'A line that is not an object is refused.');
select pg_temp.bad('null', 'p_lines[3] must be an object, got null', 'A JSON null line is refused.');
select pg_temp.bad(
  '{"seq": 1, "message": "a", "msg": "b"}',
  'p_lines[3].msg is not a known field (seq, level, stream, message, metadata, timestamp)', 'An unknown field is refused.'
);
select pg_temp.bad('{"message": "a"}', 'p_lines[3].seq must be an integer >= 1, got null', 'A missing seq is refused.');
select pg_temp.bad('{"seq": 0, "message": "a"}', 'p_lines[3].seq must be an integer >= 1, got 0', 'seq 0 is refused.');
select pg_temp.bad('{"seq": "1", "message": "a"}', 'p_lines[3].seq must be an integer >= 1, got "1"', 'A string seq is refused.');
select pg_temp.bad(
  '{"seq": 1, "message": "a", "level": "fatal"}',
  'p_lines[3].level must be one of debug, info, warning, error, got "fatal"', 'An unknown level is refused.'
);
select pg_temp.bad(
  '{"seq": 1, "message": "a", "stream": "Out"}',
  'p_lines[3].stream must match ^[a-z][a-z0-9_-]{0,31}$, got "Out"', 'A bad stream is refused.'
);
select pg_temp.bad(
  '{"seq": 1, "message": 5}', 'p_lines[3].message must be a string of at most 16384 characters, got 5',
  'A message that is not a string is refused.'
);
select pg_temp.bad(
  '{"seq": 1, "message": "a", "metadata": [1]}', 'p_lines[3].metadata must be an object, got [1]',
  'Metadata that is not an object is refused.'
);
select pg_temp.bad(
  jsonb_build_object('seq', 1, 'message', 'a', 'metadata', jsonb_build_object('k', repeat('x', 16384)))::text,
  'p_lines[3].metadata must be at most 16384 bytes of JSON, got 16393', 'Metadata over 16384 bytes is refused.'
);
select pg_temp.bad(
  '{"seq": 1, "message": "a", "timestamp": "yesterday"}', 'p_lines[3].timestamp must be an ISO 8601 time, got "yesterday"',
  'A time that is not ISO 8601 is refused.'
);
select pg_temp.bad(
  '{"seq": 0, "message": "a", "level": "fatal", "stream": "Out"}', 'p_lines[3].seq must be an integer >= 1, got 0',
  'Of several problems of a line, the first in the order above is reported.'
);
select throws_ok(
  $$select ops_private.check_log_lines('[{"seq": 1, "message": "a"}, {"seq": 2, "level": "x"}, {"seq": 0}]')$$,
  '22023', 'p_lines[1].level must be one of debug, info, warning, error, got "x"',
  'Of several bad lines, the first is reported.'
);

-- TEST: privileges.
select ok(not has_function_privilege('anon', 'ops_private.check_log_lines(jsonb)', 'execute'), 'anon may not execute it.');
select ok(
  not has_function_privilege('authenticated', 'ops_private.check_log_lines(jsonb)', 'execute'),
  'authenticated may not execute it.'
);
select ok(
  has_function_privilege('service_role', 'ops_private.check_log_lines(jsonb)', 'execute'),
  'service_role, which the worker RPCs run as, may.'
);

select * from finish();
rollback;
