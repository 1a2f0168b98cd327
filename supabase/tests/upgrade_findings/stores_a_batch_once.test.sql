-- ops.add_upgrade_findings: the holder stores a batch; the advisory gives severity and to_series; a repeat
-- stores nothing new; a pylint-odoo finding keeps its own severity.
begin;
select plan(8);

select tests.q_project('acme');
select tests.q_remember('acme', (select id from ops.projects where slug = 'acme'));
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');

select is(
  ops.add_upgrade_findings(tests.q_id('r'), $$[
    {"source": "upgrade-scan", "code": "tree-to-list", "file": "a/views/v.xml", "line": 3, "column": 5,
     "excerpt": "<tree string=\"X\">", "engine": "regex", "message": "<tree"},
    {"source": "upgrade-scan", "code": "name-get", "file": "a/models/m.py", "line": 10, "column": 9, "severity": "deprecation"},
    {"source": "pylint-odoo", "code": "manifest-required-author", "file": "a/__manifest__.py", "line": 1, "column": 1,
     "severity": "convention", "message": "One of the following authors must be present in manifest: 'Odoo Community Association (OCA)'"}
  ]$$, 'worker-1'),
  3, 'The holder stores three findings; the answer is how many were new.'
);
select results_eq(
  format($q$select code, severity, to_series, advisory_id is not null, project_id, engine, excerpt
            from ops.upgrade_findings where run_id = %L order by code$q$, tests.q_id('r')),
  format($q$values
    ('manifest-required-author', 'convention', null::text, false, %1$L::uuid, null::text, ''),
    ('name-get', 'deprecation', '17.0', true, %1$L::uuid, null, ''),
    ('tree-to-list', 'breaking', '18.0', true, %1$L::uuid, 'regex', '<tree string="X">')$q$, tests.q_id('acme')),
  'Each row carries the run''s project; scan findings get the advisory''s severity, to_series and id.'
);
select is(
  ops.add_upgrade_findings(tests.q_id('r'), $$[
    {"source": "upgrade-scan", "code": "tree-to-list", "file": "a/views/v.xml", "line": 3, "column": 5},
    {"source": "upgrade-scan", "code": "tree-to-list", "file": "a/views/v.xml", "line": 9, "column": 5}
  ]$$, 'worker-1'),
  1, 'A repeat is skipped: only the new finding is counted.'
);
select is((select count(*)::integer from ops.upgrade_findings), 4, 'Four findings in all.');
select is(ops.add_upgrade_findings(tests.q_id('r'), '[]', 'worker-1'), 0, 'An empty batch stores nothing.');

-- The run goes on: findings of a running run are taken too.
select ops.start_workflow_run(tests.q_id('r'), 'worker-1');
select is(
  ops.add_upgrade_findings(tests.q_id('r'),
    '[{"source": "upgrade-scan", "code": "tree-to-list", "file": "b.xml", "line": 1, "column": 1}]', 'worker-1'),
  1, 'A running run takes findings.'
);
select ops.complete_workflow_run(tests.q_id('r'), 0, null, 'worker-1');
select throws_ok(
  format('select ops.add_upgrade_findings(%L, %L, %L)', tests.q_id('r'),
    '[{"source": "upgrade-scan", "code": "tree-to-list", "file": "c.xml", "line": 1, "column": 1}]', 'worker-1'),
  'OP002', format('run %s: worker worker-1 cannot add upgrade findings to it: the run has ended (succeeded)', tests.q_id('r')),
  'A run that has ended takes no more findings.'
);
select is((select count(*)::integer from ops.upgrade_findings), 5, 'Nothing more was stored.');

select * from finish();
rollback;
