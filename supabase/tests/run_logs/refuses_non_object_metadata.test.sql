-- run_logs.metadata is a JSON object; anything else is refused by
-- run_logs_metadata_is_object (23514). Other malformed fields are refused too.
begin;
select plan(7);

-- SETUP
select tests.ops_run_in('running') as run_id \gset

-- TEST
select throws_ok(
  format(
    'insert into ops.run_logs (run_id, seq, message, metadata) values (%L, 1, %L, %L::jsonb)',
    :'run_id', 'line', m.metadata
  ),
  '23514',
  'new row for relation "run_logs" violates check constraint "run_logs_metadata_is_object"',
  format('Log metadata that is %s is refused.', m.what)
)
from (values ('an array', '[1, 2]'), ('a string', '"odoo.modules"'), ('JSON null', 'null')) as m (what, metadata);
select throws_ok(
  format($q$insert into ops.run_logs (run_id, seq, message, stream) values (%L, 1, 'line', 'Build Output')$q$, :'run_id'),
  '23514',
  'new row for relation "run_logs" violates check constraint "run_logs_stream_is_valid"',
  'A stream name that is not a lowercase word is refused.'
);
select throws_ok(
  format($q$insert into ops.run_logs (run_id, seq, message) values (%L, 0, 'line')$q$, :'run_id'),
  '23514',
  'new row for relation "run_logs" violates check constraint "run_logs_seq_is_positive"',
  'A sequence number below 1 is refused.'
);
select throws_ok(
  format($q$insert into ops.run_logs (run_id, seq, message, level) values (%L, 1, 'line', 'fatal')$q$, :'run_id'),
  '22P02',
  'invalid input value for enum ops.log_level: "fatal"',
  'An unknown log level is refused, naming the type.'
);
select lives_ok(
  format(
    $q$insert into ops.run_logs (run_id, seq, message, metadata) values (%L, 1, 'line', '{"logger": "odoo.modules"}')$q$,
    :'run_id'
  ),
  'Object metadata is stored.'
);

select * from finish();
rollback;
