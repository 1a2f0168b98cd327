-- ops.upgrade_advisories.engine and detect_pattern: a regex advisory has a
-- detect_regex and the pattern {}; a python-ast, xml or manifest advisory an
-- empty detect_regex and a declarative pattern whose kind, keys and values fit
-- its engine. Anything else is refused with 23514 and a message naming the
-- advisory, the field and the value; nothing is written.
begin;
select plan(25);

-- SETUP: an insert of one advisory with the given engine, regex and pattern.
create function pg_temp.advisory(p_code text, p_engine text, p_regex text, p_pattern text)
returns text
language sql
as $$
  select format(
    'insert into ops.upgrade_advisories (code, from_series, to_series, area, severity, title, description, engine, '
    'detect_regex, detect_pattern, detect_globs, remediation, reference_url) values (%L, ''17.0'', ''18.0'', '
    '''views'', ''breaking'', ''t'', ''d'', %L, %L, %L::jsonb, array[''*.py''], ''r'', ''https://example.com/x'')',
    p_code, p_engine, p_regex, p_pattern
  )
$$;

-- TEST: every seeded row fits its engine; the rows written before engines stay regex.
select is(
  (select count(*)::int from ops.upgrade_advisories
    where ops.upgrade_advisory_pattern_problem(engine, detect_regex, detect_pattern) is not null),
  0,
  'Every seeded advisory''s pattern fits its engine.'
);
select set_eq(
  $$select distinct engine from ops.upgrade_advisories$$,
  array['regex', 'python-ast', 'xml', 'manifest'],
  'The seed uses the four engines.'
);
select is(
  (select engine from ops.upgrade_advisories where code = 'api-multi-one-removed'), 'regex',
  'An advisory inserted without an engine is a regex advisory.'
);

-- TEST: valid rows of each structured engine are accepted.
select lives_ok(
  pg_temp.advisory('t-ast', 'python-ast', '', '{"kind": "field_keyword", "keyword": "states"}'),
  'A python-ast field_keyword pattern is accepted.'
);
select lives_ok(
  pg_temp.advisory('t-xml', 'xml', '',
    '{"any": [{"kind": "element", "tag": "div", "class": "oe_chatter"}, {"kind": "xpath", "contains": "oe_chatter"}]}'),
  'An xml "any" of an element and an xpath pattern is accepted.'
);
select lives_ok(
  pg_temp.advisory('t-manifest', 'manifest', '', '{"kind": "assets_bundle", "bundle": "web.assets_common"}'),
  'A manifest assets_bundle pattern is accepted.'
);
select lives_ok(
  pg_temp.advisory('t-call', 'python-ast', '', '{"kind": "call", "name": "_read_group", "skip_super": true}'),
  'A python-ast call pattern with its optional keys is accepted.'
);

-- TEST: refusals, with the field and the value in the message.
select throws_ok(
  pg_temp.advisory('t-bad-1', 'semgrep', '', '{}'), '23514',
  'upgrade advisory ''t-bad-1'': engine must be one of regex, python-ast, xml, manifest, got ''semgrep''',
  'An unknown engine is refused.'
);
select throws_ok(
  pg_temp.advisory('t-bad-2', 'regex', 'states', '{"kind": "field_keyword", "keyword": "states"}'), '23514',
  'upgrade advisory ''t-bad-2'': detect_pattern must be {} for engine regex, got {"kind": "field_keyword", "keyword": "states"}',
  'A regex advisory with a pattern is refused.'
);
select throws_ok(
  pg_temp.advisory('t-bad-3', 'regex', '', '{}'), '23514',
  'upgrade advisory ''t-bad-3'': detect_regex must be a pattern for engine regex, got an empty string',
  'A regex advisory without a regex is refused.'
);
select throws_ok(
  pg_temp.advisory('t-bad-4', 'python-ast', 'states', '{"kind": "field_keyword", "keyword": "states"}'), '23514',
  'upgrade advisory ''t-bad-4'': detect_regex must be empty for engine python-ast (its pattern is detect_pattern), got ''states''',
  'A structured advisory with a regex is refused.'
);
select throws_ok(
  pg_temp.advisory('t-bad-5', 'python-ast', '', '{"kind": "element", "tag": "tree"}'), '23514',
  'upgrade advisory ''t-bad-5'': detect_pattern.kind must be one of attribute, call, field_keyword, hook_signature, '
  'import_from, method_def, view_type for engine python-ast, got "element"',
  'A kind of another engine is refused, with the kinds of this one.'
);
select throws_ok(
  pg_temp.advisory('t-bad-6', 'xml', '', '{"kind": "element", "tag": "tree", "regex": ".*"}'), '23514',
  'upgrade advisory ''t-bad-6'': detect_pattern.regex: not a key of a element pattern (keys: tag, class)',
  'A key the kind does not have is refused.'
);
select throws_ok(
  pg_temp.advisory('t-bad-7', 'python-ast', '', '{"kind": "import_from", "module": "odoo"}'), '23514',
  'upgrade advisory ''t-bad-7'': detect_pattern.name is required for a import_from pattern',
  'A missing key is refused.'
);
select throws_ok(
  pg_temp.advisory('t-bad-8', 'python-ast', '', '{"kind": "method_def", "name": "name get()"}'), '23514',
  'upgrade advisory ''t-bad-8'': detect_pattern.name is not a valid name, got "name get()"',
  'A value that is not an identifier is refused.'
);
select throws_ok(
  pg_temp.advisory('t-bad-9', 'python-ast', '', format('{"kind": "method_def", "name": "%s"}', repeat('n', 65))),
  '23514',
  format('upgrade advisory ''t-bad-9'': detect_pattern.name is not a valid name, got "%s', repeat('n', 59)),
  'A name longer than 64 characters is refused, and the message quotes it short.'
);
select throws_ok(
  pg_temp.advisory('t-bad-10', 'python-ast', '', '{"kind": "call", "name": "x", "skip_super": "yes"}'), '23514',
  'upgrade advisory ''t-bad-10'': detect_pattern.skip_super must be true or false, got "yes"',
  'A flag that is not a boolean is refused.'
);
select throws_ok(
  pg_temp.advisory('t-bad-11', 'python-ast', '', '{"kind": "attribute", "names": []}'), '23514',
  'upgrade advisory ''t-bad-11'': detect_pattern.names must be a list of 1 to 8 identifiers, got []',
  'An empty list of names is refused.'
);
select throws_ok(
  pg_temp.advisory('t-bad-12', 'xml', '', '{"any": [{"any": [{"kind": "element", "tag": "tree"}]}]}'), '23514',
  'upgrade advisory ''t-bad-12'': detect_pattern.any[0]: patterns do not nest',
  'Nested "any" patterns are refused.'
);
select throws_ok(
  pg_temp.advisory('t-bad-13', 'xml', '', format('{"any": [%s]}',
    array_to_string(array_fill('{"kind": "element", "tag": "tree"}'::text, array[9]), ', '))), '23514',
  null,
  'An "any" of more than 8 patterns is refused.'
);
select throws_ok(
  pg_temp.advisory('t-bad-14', 'xml', '', '{"any": [{"kind": "element", "tag": "tree"}, {"kind": "element"}]}'),
  '23514',
  'upgrade advisory ''t-bad-14'': detect_pattern.any[1].tag is required for a element pattern',
  'A wrong item of an "any" is refused, naming its index.'
);
select throws_ok(
  pg_temp.advisory('t-bad-15', 'xml', '', '{"kind": "xpath", "step": "tree", "contains": "tree"}'), '23514',
  'upgrade advisory ''t-bad-15'': detect_pattern: an xpath pattern has exactly one of step or contains',
  'An xpath pattern with both step and contains is refused.'
);

-- TEST: an update is checked the same way, and a refusal writes nothing.
select throws_ok(
  $$update ops.upgrade_advisories set detect_pattern = '{"kind": "field_keyword"}' where code = 'field-states-param'$$,
  '23514',
  'upgrade advisory ''field-states-param'': detect_pattern.keyword is required for a field_keyword pattern',
  'An update that breaks a pattern is refused.'
);
select is(
  (select count(*)::int from ops.upgrade_advisories where code like 't-bad-%'), 0,
  'No refused advisory was written.'
);

-- TEST: authenticated may ask what is wrong with a pattern, like the other validation helpers.
set local role authenticated;
select is(
  ops.upgrade_advisory_pattern_problem('xml', '', '{"kind": "element"}'),
  'detect_pattern.tag is required for a element pattern',
  'authenticated may call the validation helper, which names the field.'
);
reset role;

select * from finish();
rollback;
