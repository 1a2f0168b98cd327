-- ops.add_run_artifact: OP003 for the same key with another sha256, 22023 naming the parameter, OP002, P0002, roles.
begin;
select plan(17);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');
select ops.register_artifact_store('s3://bucket-1/');
select ops.add_run_artifact(
  tests.q_id('r'), 'db.tgz', tests.q_artifact_url(tests.q_id('r'), 'db.tgz', 's3://bucket-1/'), repeat('a', 64), 10,
  p_worker_id => 'worker-1'
);

select throws_ok(
  format(
    'select ops.add_run_artifact(%L, %L, %L, %L, 10, p_worker_id => %L)', tests.q_id('r'), 'db.tgz',
    tests.q_artifact_url(tests.q_id('r'), 'db.tgz', 's3://bucket-1/'), repeat('b', 64), 'worker-1'
  ),
  'OP003', format('run %s: artifact db.tgz is already stored with sha256 %s, not %s', tests.q_id('r'), repeat('a', 64), repeat('b', 64)),
  'The same key with another sha256 is a conflict.'
);

create function pg_temp.bad(p_call text, p_message text, p_description text)
returns text
language sql
as $$
  select throws_ok(
    format('select ops.add_run_artifact(%L, %s, p_worker_id => %L)', tests.q_id('r'), p_call, 'worker-1'),
    '22023', p_message, p_description
  )
$$;
select pg_temp.bad($$'../etc', 's3://bucket-1/x', repeat('a', 64), 1$$, 'p_artifact_key must match ^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$ without empty, . or .. segments, got ''../etc''', 'A key starting with a dot is refused.');
select pg_temp.bad($$'a/../../etc/passwd', 's3://bucket-1/x', repeat('a', 64), 1$$, 'p_artifact_key must match ^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$ without empty, . or .. segments, got ''a/../../etc/passwd''', 'A key climbing out of the run with .. is refused.');
select pg_temp.bad($$'a//b', 's3://bucket-1/x', repeat('a', 64), 1$$, 'p_artifact_key must match ^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$ without empty, . or .. segments, got ''a//b''', 'A key with an empty segment is refused.');
select pg_temp.bad($$'k', 'ftp://host/x', repeat('a', 64), 1$$, format('p_s3_url must be <artifact store root>acme/%s/k in a registered artifact store, got ''ftp://host/x''', tests.q_id('r')), 'An ftp URL is refused.');
select pg_temp.bad($$'k', null, repeat('a', 64), 1$$, 'p_s3_url must be a URL of at most 2048 characters, got null', 'A null URL is refused.');
select pg_temp.bad($$'k', 's3://bucket-1/x', 'ABC', 1$$, 'p_sha256 must be 64 lowercase hex characters, got ''ABC''', 'A bad sha256 is refused.');
select pg_temp.bad($$'k', 's3://bucket-1/x', repeat('a', 64), -1$$, 'p_size_bytes must be >= 0, got -1', 'A negative size is refused.');
select pg_temp.bad($$'k', 's3://bucket-1/x', repeat('a', 64), 1, 'gzip'$$, 'p_content_type must be a media type such as application/gzip, got ''gzip''', 'A bad content type is refused.');
select pg_temp.bad($$'k', 's3://bucket-1/x', repeat('a', 64), 1, E'text/plain\nX-Injected: 1'$$, E'p_content_type must be a media type such as application/gzip, got ''text/plain\nX-Injected: 1''', 'A content type with trailing text is refused.');
select pg_temp.bad($$'k', 's3://bucket-1/x', repeat('a', 64), 1, 'text/plain', '"x"'$$, 'p_metadata must be a JSON object, got "x"', 'Metadata that is not an object is refused.');

select throws_ok(
  format('select ops.add_run_artifact(%L, %L, %L, %L, 1, p_worker_id => %L)', tests.q_id('r'), 'k', 's3://bucket-1/k', repeat('a', 64), 'worker-2'),
  'OP002', format('run %s: worker worker-2 cannot add an artifact to it: the run is claimed and held by worker-1', tests.q_id('r')),
  'A worker that does not hold the run may not add artifacts.'
);
select throws_ok(
  $$select ops.add_run_artifact('00000000-0000-0000-0000-000000000000', 'k', 's3://bucket-1/k', repeat('a', 64), 1, p_worker_id => 'worker-1')$$,
  'P0002', 'run 00000000-0000-0000-0000-000000000000 not found', 'An unknown run is no_data_found naming the id.'
);
select is((select count(*)::integer from ops.run_artifacts), 1, 'Refused calls stored nothing.');
select ok(not has_function_privilege('authenticated', 'ops.add_run_artifact(uuid, text, text, text, bigint, text, jsonb, text)', 'execute'), 'authenticated may not execute it.');
select ok(not has_function_privilege('anon', 'ops.add_run_artifact(uuid, text, text, text, bigint, text, jsonb, text)', 'execute'), 'anon may not execute it.');
select tests.authenticate_as_service_role();
select lives_ok(
  format(
    'select ops.add_run_artifact(%L, %L, %L, %L, 1, p_worker_id => %L)', tests.q_id('r'), 'k',
    tests.q_artifact_url(tests.q_id('r'), 'k', 's3://bucket-1/'), repeat('c', 64), 'worker-1'
  ),
  'service_role adds artifacts.'
);

select * from finish();
rollback;
