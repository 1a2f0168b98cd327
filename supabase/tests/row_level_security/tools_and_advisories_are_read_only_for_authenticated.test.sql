-- Tools and upgrade advisories are shared reference data: every authenticated
-- user reads them, member of a project or not, and nobody but the service role writes them.
begin;
select plan(8);

-- SETUP
select tests.create_supabase_user('reader');
select id as tool_id from ops.tools where name = 'odoo-17.0' \gset
select id as advisory_id from ops.upgrade_advisories where code = 'tree-to-list' \gset
select tests.authenticate_as('reader');

-- TEST: reads.
select ok((select count(*) from ops.tools) >= 5, 'A user who is a member of nothing reads the seeded tools.');
select ok(
  (select count(*) from ops.upgrade_advisories) >= 20, 'A user who is a member of nothing reads the seeded advisories.'
);

-- TEST: tools are not writable.
select throws_ok(
  $$insert into ops.tools (name, image, tag) values ('evil', 'evil/image', 'latest')$$,
  '42501', 'permission denied for table tools', 'An authenticated user cannot add a tool.'
);
select throws_ok(
  format($q$update ops.tools set image = 'evil/image' where id = %L$q$, :'tool_id'),
  '42501', 'permission denied for table tools', 'An authenticated user cannot change a tool''s image.'
);
select throws_ok(
  format('delete from ops.tools where id = %L', :'tool_id'),
  '42501', 'permission denied for table tools', 'An authenticated user cannot delete a tool.'
);

-- TEST: advisories are not writable.
select throws_ok(
  $$insert into ops.upgrade_advisories (
      code, from_series, to_series, area, severity, title, description, detect_regex, detect_globs, remediation,
      reference_url
    ) values (
      'fake', '17.0', '18.0', 'orm', 'breaking', 'Fake', 'Fake.', 'x', array['*.py'], 'None.', 'https://example.com'
    )$$,
  '42501', 'permission denied for table upgrade_advisories', 'An authenticated user cannot add an advisory.'
);
select throws_ok(
  format($q$update ops.upgrade_advisories set detect_regex = 'x' where id = %L$q$, :'advisory_id'),
  '42501', 'permission denied for table upgrade_advisories', 'An authenticated user cannot change an advisory.'
);
select throws_ok(
  format('delete from ops.upgrade_advisories where id = %L', :'advisory_id'),
  '42501', 'permission denied for table upgrade_advisories', 'An authenticated user cannot delete an advisory.'
);

select * from finish();
rollback;
