-- run_logs.message holds one line of at most 16384 characters; a longer one
-- is refused by run_logs_message_is_bounded (23514), the bound itself is stored.
begin;
select plan(4);

-- SETUP
select tests.ops_run_in('running') as run_id \gset

-- TEST
select lives_ok(
  format('insert into ops.run_logs (run_id, seq, message) values (%L, 1, repeat(%L, 16384))', :'run_id', 'x'),
  'A message of exactly 16384 characters is stored.'
);
select throws_ok(
  format('insert into ops.run_logs (run_id, seq, message) values (%L, 2, repeat(%L, 16385))', :'run_id', 'x'),
  '23514',
  'new row for relation "run_logs" violates check constraint "run_logs_message_is_bounded"',
  'A message of 16385 characters is refused, naming the field.'
);
select throws_ok(
  format('insert into ops.run_logs (run_id, seq, message) values (%L, 2, repeat(%L, 16385))', :'run_id', 'é'),
  '23514',
  'new row for relation "run_logs" violates check constraint "run_logs_message_is_bounded"',
  'The bound counts characters, multi-byte ones included.'
);
select throws_ok(
  format('update ops.run_logs set message = message || %L where run_id = %L', 'y', :'run_id'),
  '23514',
  'new row for relation "run_logs" violates check constraint "run_logs_message_is_bounded"',
  'A stored message cannot grow past the bound either.'
);

select * from finish();
rollback;
