-- ops.workflows.supersede: none, queued or queued_and_running; anything else
-- is refused with 22023 naming the column. Admins set it, developers cannot.
begin;
select plan(9);

-- SETUP
select tests.q_project('acme');
select tests.create_supabase_user('admin');
select tests.create_supabase_user('developer');
insert into ops.project_memberships (project_id, user_id, role)
select p.id, tests.get_supabase_uid(m.who), m.role::ops.member_role
from ops.projects as p
cross join (values ('admin', 'admin'), ('developer', 'developer')) as m (who, role);

-- TEST: the three values are accepted.
select lives_ok(
  $$update ops.workflows set supersede = v from (values ('none'), ('queued_and_running'), ('queued')) as t (v)$$,
  'none, queued and queued_and_running are accepted.'
);

-- TEST: anything else is refused, naming the column and the value.
select throws_ok(
  $$update ops.workflows set supersede = 'sometimes'$$,
  '22023', 'workflows.supersede must be one of none, queued, queued_and_running, got ''sometimes''',
  'An unknown value is refused with 22023 naming workflows.supersede.'
);
select throws_ok(
  $$update ops.workflows set supersede = 'Queued'$$,
  '22023', 'workflows.supersede must be one of none, queued, queued_and_running, got ''Queued''',
  'Values are lowercase.'
);
select throws_ok(
  $$update ops.workflows set supersede = null$$,
  '22023', 'workflows.supersede must be one of none, queued, queued_and_running, got null',
  'null is refused with the same message.'
);
select throws_ok(
  format(
    $$insert into ops.workflows (project_id, name, steps, supersede)
      select id, 'ci', '[{"name": "b", "command": "true"}]', %L from ops.projects$$,
    repeat('x', 300)
  ),
  '22023',
  format(
    'workflows.supersede must be one of none, queued, queued_and_running, got %s... (300 characters)',
    quote_literal(repeat('x', 200))
  ),
  'A long value is quoted short, on insert too.'
);

-- TEST: admins set it; developers cannot change a workflow.
select tests.authenticate_as('admin');
select lives_ok(
  $$update ops.workflows set supersede = 'queued_and_running' where name = 'build'$$,
  'An admin sets the supersede of a workflow.'
);
select throws_ok(
  $$update ops.workflows set supersede = 'never' where name = 'build'$$,
  '22023', 'workflows.supersede must be one of none, queued, queued_and_running, got ''never''',
  'An admin gets the same error for a bad value.'
);
select tests.authenticate_as('developer');
update ops.workflows set supersede = 'none' where name = 'build';
select tests.clear_authentication();
select is(
  (select supersede from ops.workflows where name = 'build'), 'queued_and_running',
  'A developer''s update reaches no row (row-level security).'
);
select tests.authenticate_as_anon();
select throws_ok(
  $$update ops.workflows set supersede = 'none'$$, '42501', null, 'anon may not touch workflows.'
);
select tests.clear_authentication();

select * from finish();
rollback;
