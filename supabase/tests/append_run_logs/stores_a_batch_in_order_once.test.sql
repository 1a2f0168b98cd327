-- ops.append_run_logs: a batch in order, by client seq; a retried batch is stored once.
begin;
select plan(9);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');

select is(
  ops.append_run_logs(tests.q_id('r'), $$[
    {"seq": 1, "message": "first"},
    {"seq": 2, "level": "warning", "stream": "install", "message": "second", "metadata": {"k": 1}},
    {"seq": 3, "level": "error", "message": "third", "timestamp": "2026-02-13T10:00:00.5Z"}
  ]$$, 'worker-1'),
  3, 'A batch of three new lines returns 3.'
);
select results_eq(
  $$select seq, level::text, stream, message, metadata from ops.run_logs where run_id = tests.q_id('r') order by id$$,
  $$values (1::bigint, 'info', 'build', 'first', '{}'::jsonb), (2, 'warning', 'install', 'second', '{"k": 1}'),
           (3, 'error', 'build', 'third', '{}')$$,
  'Lines are stored in order (ids follow the array), with defaults for omitted fields.'
);
select is(
  (select timestamp from ops.run_logs where run_id = tests.q_id('r') and seq = 3), '2026-02-13 10:00:00.5+00'::timestamptz,
  'A given timestamp is kept.'
);
select is((select last_log_seq from ops.runs where id = tests.q_id('r')), 3::bigint, 'last_log_seq is the highest seq.');

-- TEST: the retry.
select is(
  ops.append_run_logs(tests.q_id('r'), $$[
    {"seq": 1, "message": "first"},
    {"seq": 2, "level": "warning", "stream": "install", "message": "second", "metadata": {"k": 1}},
    {"seq": 3, "level": "error", "message": "third", "timestamp": "2026-02-13T10:00:00.5Z"}
  ]$$, 'worker-1'),
  0, 'The same batch again stores nothing and returns 0.'
);
select is(
  ops.append_run_logs(tests.q_id('r'), '[{"seq": 3, "message": "third"}, {"seq": 4, "message": "fourth"}]', 'worker-1'),
  1, 'A batch overlapping stored lines stores only the new ones.'
);
select is((select count(*)::integer from ops.run_logs where run_id = tests.q_id('r')), 4, 'Four lines in all.');

-- TEST: gaps and an empty batch; single-line appends continue after the highest seq.
select is(ops.append_run_logs(tests.q_id('r'), '[]', 'worker-1'), 0, 'An empty batch returns 0.');
select ops.append_run_logs(tests.q_id('r'), '[{"seq": 10, "message": "after a gap"}]', 'worker-1');
create temporary table single on commit drop as
select ops.append_run_log(tests.q_id('r'), 'info', 'single', p_worker_id => 'worker-1') as id;
select is(
  (select l.seq from ops.run_logs as l inner join single using (id)), 11::bigint,
  'append_run_log continues after the highest batch seq.'
);

select * from finish();
rollback;
