-- ops.add_upgrade_findings: fenced by p_worker_id (OP002), P0002 for unknown runs, service_role only;
-- nobody writes the table directly.
begin;
select plan(10);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');

select throws_ok(
  format('select ops.add_upgrade_findings(%L, %L, %L)', tests.q_id('r'),
    '[{"source": "upgrade-scan", "code": "tree-to-list", "file": "a.xml", "line": 1, "column": 1}]', 'worker-2'),
  'OP002', format('run %s: worker worker-2 cannot add upgrade findings to it: the run is claimed and held by worker-1', tests.q_id('r')),
  'A worker that does not hold the run may not add findings.'
);
select throws_ok(
  $$select ops.add_upgrade_findings('00000000-0000-0000-0000-000000000000', '[]', 'worker-1')$$,
  'P0002', 'run 00000000-0000-0000-0000-000000000000 not found', 'An unknown run is no_data_found naming the id.'
);
select throws_ok(
  format('select ops.add_upgrade_findings(%L, %L, null)', tests.q_id('r'), '[]'),
  '22023', 'p_worker_id is required: the id of the worker holding the run, got null', 'A null worker id is refused.'
);
select ok(not has_function_privilege('authenticated', 'ops.add_upgrade_findings(uuid, jsonb, text)', 'execute'), 'authenticated may not execute it.');
select ok(not has_function_privilege('anon', 'ops.add_upgrade_findings(uuid, jsonb, text)', 'execute'), 'anon may not execute it.');
select ok(
  not has_function_privilege('authenticated', 'ops_private.add_upgrade_findings(uuid, jsonb, text)', 'execute'),
  'authenticated may not execute its definer body either.'
);

select tests.authenticate_as_service_role();
select is(
  ops.add_upgrade_findings(tests.q_id('r'),
    '[{"source": "upgrade-scan", "code": "tree-to-list", "file": "a.xml", "line": 1, "column": 1}]', 'worker-1'),
  1, 'service_role stores findings through the RPC.'
);
select throws_ok(
  format($q$insert into ops.upgrade_findings (run_id, project_id, source, code, severity, file, line, col)
            select id, project_id, 'pylint-odoo', 'x', 'info', 'a.py', 1, 1 from ops.runs where id = %L$q$, tests.q_id('r')),
  '42501', null, 'service_role may not insert directly: every write is fenced.'
);
select throws_ok(
  'delete from ops.upgrade_findings', '42501', null, 'service_role may not delete findings.'
);
select tests.clear_authentication();
select is((select count(*)::integer from ops.upgrade_findings), 1, 'Only the allowed batch was stored.');

select * from finish();
rollback;
