-- ops.upgrade_findings under row-level security: a member of any role reads the findings of their projects'
-- runs, another tenant and anon nothing; nobody but the RPC writes them.
begin;
select plan(8);

select tests.q_project('acme');
select tests.q_project('other');
select tests.ops_member((select id from ops.projects where slug = 'acme'), 'acme-viewer', 'viewer');
select tests.ops_member((select id from ops.projects where slug = 'other'), 'other-owner', 'owner');
select tests.q_remember('a', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select tests.q_remember('o', (ops.enqueue_run('other', 'build', 'main', 'abcdef2')).id);
select ops.claim_next_run('worker-1');
select ops.claim_next_run('worker-2');
select ops.add_upgrade_findings(
  r.id, '[{"source": "upgrade-scan", "code": "tree-to-list", "file": "a.xml", "line": 1, "column": 1}]', r.worker_id
)
from ops.runs as r;

select tests.authenticate_as('acme-viewer');
select results_eq(
  'select run_id from ops.upgrade_findings', format('values (%L::uuid)', tests.q_id('a')),
  'A viewer of acme reads acme''s findings only.'
);
select throws_ok(
  format($q$insert into ops.upgrade_findings (run_id, project_id, source, code, severity, file, line, col)
            values (%L, (select project_id from ops.runs where id = %1$L), 'pylint-odoo', 'x', 'info', 'a.py', 1, 1)$q$, tests.q_id('a')),
  '42501', null, 'A member may not insert findings.'
);
select throws_ok('update ops.upgrade_findings set line = 2', '42501', null, 'A member may not change findings.');
select tests.authenticate_as('other-owner');
select results_eq(
  'select run_id from ops.upgrade_findings', format('values (%L::uuid)', tests.q_id('o')),
  'The owner of another project reads only theirs.'
);
select tests.clear_authentication();
select is((select count(*)::integer from ops.upgrade_findings where line = 1), 2, 'Nothing was changed.');

select tests.create_supabase_user('stranger');
select tests.authenticate_as('stranger');
select is((select count(*)::integer from ops.upgrade_findings), 0, 'A user of no project reads nothing.');
select tests.authenticate_as_anon();
select throws_ok('select * from ops.upgrade_findings', '42501', null, 'anon may not read findings.');
select tests.clear_authentication();
select tests.authenticate_as_service_role();
select is((select count(*)::integer from ops.upgrade_findings), 2, 'service_role reads all findings.');
select tests.clear_authentication();

select * from finish();
rollback;
