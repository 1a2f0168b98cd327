-- ops.register_worker: a worker announces its id, labels, version and host; registering again replaces the row.
-- For service_role only; bad input is refused with 22023 naming the parameter.
begin;
select plan(14);

-- TEST: register.
select tests.authenticate_as_service_role();
select results_eq(
  $$select id, labels, version, host, started_at, last_seen_at
    from ops.register_worker('build-1:42', '{odoo-17.0,docker,docker}', '0.1.0', 'build-1.example')$$,
  $$values ('build-1:42', '{docker,odoo-17.0}'::text[], '0.1.0', 'build-1.example', now(), now())$$,
  'It returns the row: labels sorted and without repeats, started and seen now.'
);
select is((select count(*)::integer from ops.workers), 1, 'One row per worker.');

-- TEST: again, as after a restart with other labels.
select tests.clear_authentication();
update ops.workers set started_at = now() - interval '1 day', last_seen_at = now() - interval '1 hour';
select tests.authenticate_as_service_role();
select results_eq(
  $$select labels, version, host, started_at, last_seen_at from ops.register_worker('build-1:42', null, '0.2.0')$$,
  $$values ('{}'::text[], '0.2.0', null::text, now(), now())$$,
  'Registering again replaces labels, version and host and restarts it.'
);
select is((select count(*)::integer from ops.workers), 1, 'Still one row.');

-- TEST: refused input.
select throws_ok(
  $$select ops.register_worker(null)$$, '22023',
  'p_worker_id is required: the id of the worker holding the run, got null', 'A null worker id is refused.'
);
select throws_ok(
  $$select ops.register_worker('w-1', '{Docker}')$$, '22023',
  'p_labels[1] must be a label of 1 to 63 lowercase letters, digits, ".", "_" or "-", starting with a letter or '
  || 'digit, got ''Docker''',
  'A bad label is refused, naming its place.'
);
select throws_ok(
  $$select ops.register_worker('w-1', null, '1.0 beta')$$, '22023',
  'p_version must be 1 to 100 printable characters without spaces, got ''1.0 beta''', 'A version with a space is refused.'
);
select throws_ok(
  $$select ops.register_worker('w-1', null, repeat('9', 101))$$, '22023', null, 'A version over 100 characters is refused.'
);
select throws_ok(
  $$select ops.register_worker('w-1', null, null, '')$$, '22023',
  'p_host must be 1 to 255 printable characters without spaces, got ''''', 'An empty host is refused.'
);
select is((select count(*)::integer from ops.workers), 1, 'Refused calls wrote nothing.');

-- TEST: privileges.
select is(
  (select prosecdef from pg_proc where oid = 'ops.register_worker(text, text[], text, text)'::regprocedure), false,
  'It is SECURITY INVOKER (the write is ops_private.register_worker''s).'
);
select tests.ops_member(tests.ops_project('acme'), 'owner', 'owner');
select tests.authenticate_as('owner');
select throws_ok($$select ops.register_worker('w-1')$$, '42501', null, 'Even a project owner may not register workers.');
select tests.authenticate_as_anon();
select throws_ok($$select ops.register_worker('w-1')$$, '42501', null, 'anon may not register workers.');
select tests.clear_authentication();
select ok(
  not has_function_privilege('public', 'ops.register_worker(text, text[], text, text)', 'execute')
  and not has_function_privilege('authenticated', 'ops_private.register_worker(text, text[], text, text)', 'execute')
  and not has_function_privilege('authenticated', 'ops_private.worker_seen(text, text[])', 'execute'),
  'Neither PUBLIC nor authenticated may execute it or the registry''s writers.'
);

select * from finish();
rollback;
