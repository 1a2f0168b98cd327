-- ops.record_push and ops.record_branch_deleted: service_role only; every
-- parameter checked first (22023 naming it, the value quoted short), an
-- unknown project P0002; nothing is written by a refused call.
begin;
select plan(13);

-- SETUP
select tests.q_project('acme');
select tests.q_remember('acme', (select id from ops.projects where slug = 'acme'));
select tests.create_supabase_user('owner');
insert into ops.project_memberships (project_id, user_id, role)
select id, tests.get_supabase_uid('owner'), 'owner' from ops.projects;

-- TEST: who may call.
select ok(
  not has_function_privilege('anon', 'ops.record_push(uuid, text, text, text, text)', 'execute')
  and not has_function_privilege('authenticated', 'ops.record_push(uuid, text, text, text, text)', 'execute')
  and has_function_privilege('service_role', 'ops.record_push(uuid, text, text, text, text)', 'execute'),
  'Only service_role may execute record_push.'
);
select ok(
  not has_function_privilege('anon', 'ops.record_branch_deleted(uuid, text, text)', 'execute')
  and not has_function_privilege('authenticated', 'ops.record_branch_deleted(uuid, text, text)', 'execute')
  and has_function_privilege('service_role', 'ops.record_branch_deleted(uuid, text, text)', 'execute'),
  'Only service_role may execute record_branch_deleted.'
);
select tests.authenticate_as('owner');
select throws_ok(
  $$select ops.record_push(tests.q_id('acme'), 'main', 'abcdef1', 'x', 'd-1')$$,
  '42501', null, 'Not even a project owner may record a push.'
);
select tests.clear_authentication();

-- TEST: parameters.
select tests.authenticate_as_service_role();
select throws_ok(
  $$select ops.record_push(null, 'main', 'abcdef1', 'x', 'd-1')$$,
  '22023', 'p_project_id must be a project id, got null', 'p_project_id is required.'
);
select throws_ok(
  $$select ops.record_push('00000000-0000-0000-0000-000000000001', 'main', 'abcdef1', 'x', 'd-1')$$,
  'P0002', 'project 00000000-0000-0000-0000-000000000001 not found', 'An unknown project is P0002.'
);
select throws_ok(
  $$select ops.record_push(tests.q_id('acme'), 'refs/heads/../main', 'abcdef1', 'x', 'd-1')$$,
  '22023', 'p_branch must be a git branch name, got ''refs/heads/../main''', 'A bad branch is named.'
);
select throws_ok(
  $$select ops.record_push(tests.q_id('acme'), 'main', 'ABCDEF1', 'x', 'd-1')$$,
  '22023', 'p_head_commit must be lowercase hex (6 to 40 or 64 characters), got ''ABCDEF1''',
  'A bad head commit is named.'
);
select throws_ok(
  format($$select ops.record_push(tests.q_id('acme'), 'main', 'abcdef1', %L, 'd-1')$$, repeat('x', 201)),
  '22023', 'p_pushed_by must be 1 to 200 characters, got 201 characters', 'p_pushed_by is bounded.'
);
select throws_ok(
  format($$select ops.record_push(tests.q_id('acme'), 'main', 'abcdef1', 'x', %L)$$, repeat('d', 300)),
  '22023',
  format('p_delivery_id must be 1 to 100 letters, digits and . _ : -, got %s... (300 characters)',
    quote_literal(repeat('d', 200))),
  'A long delivery id is refused, quoted short.'
);
select throws_ok(
  $$select ops.record_branch_deleted(tests.q_id('acme'), 'main', null)$$,
  '22023', 'p_delivery_id must be 1 to 100 letters, digits and . _ : -, got null',
  'record_branch_deleted checks the same parameters.'
);
select tests.clear_authentication();
select ops.archive_project('acme');
select tests.authenticate_as_service_role();
select throws_ok(
  $$select ops.record_push(tests.q_id('acme'), 'main', 'abcdef1', 'x', 'd-1')$$,
  '22023', 'project acme: the project is archived', 'An archived project takes no push.'
);
select tests.clear_authentication();
select is((select count(*)::integer from ops.webhook_deliveries), 0, 'No refused call recorded a delivery.');
select is((select count(*)::integer from ops.runs), 0, 'Nor a run.');

select * from finish();
rollback;
