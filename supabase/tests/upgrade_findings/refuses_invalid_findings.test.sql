-- ops.add_upgrade_findings: every bad element is refused with 22023 naming p_findings[i].field; nothing of the
-- batch is stored; a run holds at most 20000 findings (54000).
begin;
select plan(24);

select tests.q_project('acme');
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', 'abcdef1')).id);
select ops.claim_next_run('worker-1');

create function pg_temp.bad(p_findings text, p_message text, p_description text)
returns text
language sql
as $$
  select throws_ok(
    format('select ops.add_upgrade_findings(%L, %L, %L)', tests.q_id('r'), p_findings, 'worker-1'), '22023', p_message,
    p_description
  )
$$;

create function pg_temp.one(p_patch text)
returns text
language sql
as $$
  select jsonb_build_array(
    jsonb_build_object('source', 'upgrade-scan', 'code', 'tree-to-list', 'file', 'a.xml', 'line', 1, 'column', 1),
    jsonb_strip_nulls(
      jsonb_build_object('source', 'upgrade-scan', 'code', 'tree-to-list', 'file', 'a.xml', 'line', 2, 'column', 1)
      || p_patch::jsonb
    )
  )::text
$$;

select pg_temp.bad('{"code": "x"}', 'p_findings must be a JSON array of finding objects, got {"code": "x"}', 'An object instead of an array is refused.');
select pg_temp.bad('[7]', 'p_findings[0] must be an object, got 7', 'An element that is not an object is refused.');
select pg_temp.bad(pg_temp.one('{"sev": "x"}'), 'p_findings[1].sev is not a known field (source, code, file, line, column, severity, engine, excerpt, message)', 'An unknown field is refused.');
select pg_temp.bad(pg_temp.one('{"source": "flake8"}'), 'p_findings[1].source must be upgrade-scan or pylint-odoo, got "flake8"', 'An unknown source is refused.');
select pg_temp.bad(pg_temp.one('{"source": null}'), 'p_findings[1].source must be upgrade-scan or pylint-odoo, got null', 'A missing source is refused.');
select pg_temp.bad(pg_temp.one('{"code": "Tree_To_List"}'), 'p_findings[1].code must match ^[a-z0-9]+(-[a-z0-9]+)*$ (at most 64 characters), got "Tree_To_List"', 'A malformed code is refused.');
select pg_temp.bad(pg_temp.one('{"code": "no-such-advisory"}'), 'p_findings[1].code ''no-such-advisory'' is not an upgrade advisory (ops.upgrade_advisories.code)', 'An unknown advisory is refused.');
select pg_temp.bad(pg_temp.one('{"severity": "deprecation"}'), 'p_findings[1].severity must be the advisory''s, breaking, got "deprecation"', 'A severity other than the advisory''s is refused.');
select pg_temp.bad(pg_temp.one('{"source": "pylint-odoo", "code": "missing-readme"}'), 'p_findings[1].severity must be one of fatal, error, warning, convention, refactor, info, got null', 'A pylint finding needs a severity.');
select pg_temp.bad(pg_temp.one('{"source": "pylint-odoo", "code": "missing-readme", "severity": "breaking"}'), 'p_findings[1].severity must be one of fatal, error, warning, convention, refactor, info, got "breaking"', 'A pylint finding needs a pylint severity.');
select pg_temp.bad(pg_temp.one('{"file": "/etc/passwd"}'), 'p_findings[1].file must be a relative path of 1 to 1024 characters without .. segments, got "/etc/passwd"', 'An absolute path is refused.');
select pg_temp.bad(pg_temp.one('{"file": "a/../../b.py"}'), 'p_findings[1].file must be a relative path of 1 to 1024 characters without .. segments, got "a/../../b.py"', 'A path leaving the checkout is refused.');
select pg_temp.bad(pg_temp.one('{"file": ""}'), 'p_findings[1].file must be a relative path of 1 to 1024 characters without .. segments, got ""', 'An empty path is refused.');
select pg_temp.bad(pg_temp.one('{"line": 0}'), 'p_findings[1].line must be an integer from 1 to 100000000, got 0', 'Line 0 is refused.');
select pg_temp.bad(pg_temp.one('{"line": "3"}'), 'p_findings[1].line must be an integer from 1 to 100000000, got "3"', 'A string line is refused.');
select pg_temp.bad(pg_temp.one('{"line": 1.5}'), 'p_findings[1].line must be an integer from 1 to 100000000, got 1.5', 'A fractional line is refused.');
select pg_temp.bad(pg_temp.one('{"column": 0}'), 'p_findings[1].column must be an integer from 1 to 1000000, got 0', 'Column 0 is refused (columns are 1-based).');
select pg_temp.bad(pg_temp.one('{"engine": "AST"}'), 'p_findings[1].engine must match ^[a-z][a-z0-9-]{0,31}$, got "AST"', 'A malformed engine is refused.');
select pg_temp.bad(format('[{"source": "upgrade-scan", "code": "tree-to-list", "file": "a.xml", "line": 1, "column": 1, "excerpt": "%s"}]', repeat('x', 501)),
  format('p_findings[0].excerpt must be a string of at most 500 characters, got "%s', repeat('x', 79)), 'An excerpt over 500 characters is refused.');
select pg_temp.bad(pg_temp.one('{"message": 5}'), 'p_findings[1].message must be a string of at most 2000 characters, got 5', 'A message that is not a string is refused.');
select pg_temp.bad(
  (select jsonb_agg(jsonb_build_object('source', 'upgrade-scan', 'code', 'tree-to-list', 'file', 'a.xml', 'line', n, 'column', 1))::text
   from generate_series(1, 1001) as n),
  'p_findings may hold at most 1000 findings, got 1001', 'More than 1000 findings in a call are refused.'
);
select is((select count(*)::integer from ops.upgrade_findings), 0, 'No finding of a refused batch is stored.');

-- The cap per run: 20 batches of 1000 fill it; one more finding is refused, a repeat is not.
select ops.add_upgrade_findings(
  tests.q_id('r'),
  (select jsonb_agg(jsonb_build_object('source', 'upgrade-scan', 'code', 'tree-to-list', 'file', 'a.xml', 'line', b * 1000 + n, 'column', 1))
   from generate_series(1, 1000) as n),
  'worker-1'
)
from generate_series(0, 19) as b;
select throws_ok(
  format('select ops.add_upgrade_findings(%L, %L, %L)', tests.q_id('r'),
    '[{"source": "upgrade-scan", "code": "tree-to-list", "file": "a.xml", "line": 1, "column": 1}, {"source": "upgrade-scan", "code": "tree-to-list", "file": "b.xml", "line": 1, "column": 1}]',
    'worker-1'),
  '54000', format('run %s: at most 20000 upgrade findings per run, this batch would make 20001', tests.q_id('r')),
  'The 20001st finding of a run is refused.'
);
select is(
  ops.add_upgrade_findings(tests.q_id('r'),
    '[{"source": "upgrade-scan", "code": "tree-to-list", "file": "a.xml", "line": 1001, "column": 1}]', 'worker-1'),
  0, 'A repeat of a stored finding is still answered when the run is full.'
);

select * from finish();
rollback;
