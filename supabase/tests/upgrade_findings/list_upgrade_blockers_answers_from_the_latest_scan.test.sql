-- ops.list_upgrade_blockers(p_target_series): for each project and branch the caller reads, the breaking
-- upgrade-scan findings up to the target series of the latest run that stored a scan report.
begin;
select plan(7);

select tests.q_project('acme');
select tests.q_project('other');
select tests.ops_member((select id from ops.projects where slug = 'acme'), 'acme-viewer', 'viewer');
select ops.register_artifact_store('s3://odooops-artifacts/');
-- Oldest first: main scanned with a finding, main scanned again clean, dev scanned, other scanned.
select tests.q_remember('main1', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select tests.q_remember('main2', (ops.enqueue_run('acme', 'build', 'main', 'abcdef2')).id);
select tests.q_remember('dev', (ops.enqueue_run('acme', 'build', 'dev', 'abcdef3')).id);
select tests.q_remember('build', (ops.enqueue_run('acme', 'build', 'dev', 'abcdef4')).id);
select tests.q_remember('other', (ops.enqueue_run('other', 'build', 'main', 'abcdef5')).id);
update ops.runs set created_at = created_at + make_interval(secs => n)
from (values (tests.q_id('main1'), 1), (tests.q_id('main2'), 2), (tests.q_id('dev'), 3), (tests.q_id('build'), 4),
  (tests.q_id('other'), 5)) as v (id, n)
where ops.runs.id = v.id;
select ops.claim_next_run('worker-' || n) from generate_series(1, 5) as n;

-- Every run but 'build' (a later run of dev that did not scan) stores the report.
select ops.add_run_artifact(
  r.id, 'upgrade-findings.json', tests.q_artifact_url(r.id, 'upgrade-findings.json'), repeat('a', 64), 10,
  'application/json', '{}', r.worker_id
)
from ops.runs as r where r.id <> tests.q_id('build');
select ops.add_upgrade_findings(tests.q_id('main1'),
  '[{"source": "upgrade-scan", "code": "tree-to-list", "file": "a/views/v.xml", "line": 3, "column": 5}]',
  (select worker_id from ops.runs where id = tests.q_id('main1')));
select ops.add_upgrade_findings(tests.q_id('main2'),
  '[{"source": "pylint-odoo", "code": "missing-readme", "severity": "convention", "file": "a/__manifest__.py", "line": 1, "column": 1}]',
  (select worker_id from ops.runs where id = tests.q_id('main2')));
select ops.add_upgrade_findings(tests.q_id('dev'), $$[
  {"source": "upgrade-scan", "code": "tree-to-list", "file": "a/views/v.xml", "line": 3, "column": 5},
  {"source": "upgrade-scan", "code": "sql-constraints", "file": "a/models/m.py", "line": 8, "column": 5},
  {"source": "upgrade-scan", "code": "name-get", "file": "a/models/m.py", "line": 20, "column": 9}
]$$, (select worker_id from ops.runs where id = tests.q_id('dev')));
select ops.add_upgrade_findings(tests.q_id('other'),
  '[{"source": "upgrade-scan", "code": "tree-to-list", "file": "b.xml", "line": 1, "column": 1}]',
  (select worker_id from ops.runs where id = tests.q_id('other')));

select tests.authenticate_as('acme-viewer');
select results_eq(
  $$select project_slug, branch, code, to_series, file, line from ops.list_upgrade_blockers('18.0')$$,
  $$values ('acme', 'dev', 'tree-to-list', '18.0', 'a/views/v.xml', 3)$$,
  'Blocked from 18.0: dev by its breaking finding; main''s latest scan is clean; deprecations and 19.0 do not count.'
);
select results_eq(
  $$select code, run_id from ops.list_upgrade_blockers('19.0')$$,
  format($q$values ('tree-to-list', %1$L::uuid), ('sql-constraints', %1$L::uuid)$q$, tests.q_id('dev')),
  'Blocked from 19.0: the 18.0 and 19.0 findings, from the scan run, in series order.'
);
select is(
  (select count(*)::integer from ops.list_upgrade_blockers('17.0')), 0, 'Nothing breaking up to 17.0.'
);
select throws_ok(
  $$select * from ops.list_upgrade_blockers('eighteen')$$, '22023',
  'p_target_series must be an Odoo series such as 18.0, got ''eighteen''', 'A target that is not a series is refused.'
);
select tests.clear_authentication();
select tests.authenticate_as_service_role();
select results_eq(
  $$select project_slug, branch from ops.list_upgrade_blockers('18.0')$$,
  $$values ('acme', 'dev'), ('other', 'main')$$,
  'service_role sees every project''s blockers.'
);
select tests.clear_authentication();
select ok(has_function_privilege('authenticated', 'ops.list_upgrade_blockers(text)', 'execute'), 'authenticated may ask.');
select ok(not has_function_privilege('anon', 'ops.list_upgrade_blockers(text)', 'execute'), 'anon may not.');

select * from finish();
rollback;
