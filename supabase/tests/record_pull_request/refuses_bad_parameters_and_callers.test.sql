-- ops.record_pull_request: service_role only; every parameter checked first
-- (22023 naming it, the value quoted short), an unknown project P0002;
-- nothing is written by a refused call.
begin;
select plan(16);

-- SETUP
select tests.q_project('acme');
select tests.q_remember('acme', (select id from ops.projects where slug = 'acme'));
select tests.create_supabase_user('owner');
insert into ops.project_memberships (project_id, user_id, role)
select id, tests.get_supabase_uid('owner'), 'owner' from ops.projects;
create temporary table counts on commit drop as
select (select count(*) from ops.runs) as runs, (select count(*) from ops.branches) as branches,
  (select count(*) from ops.webhook_deliveries) as deliveries;
grant select on counts to service_role;

-- TEST: who may call.
select ok(
  not has_function_privilege('anon', 'ops.record_pull_request(uuid, text, integer, text, text, text, text, text, text)',
    'execute')
  and not has_function_privilege('authenticated',
    'ops.record_pull_request(uuid, text, integer, text, text, text, text, text, text)', 'execute')
  and has_function_privilege('service_role',
    'ops.record_pull_request(uuid, text, integer, text, text, text, text, text, text)', 'execute'),
  'Only service_role may execute record_pull_request.'
);
select ok(
  not has_function_privilege('authenticated', 'ops_private.record_delivery(uuid, text, text, text)', 'execute')
  and not has_function_privilege('authenticated', 'ops_private.delivered_runs(uuid, text)', 'execute')
  and not has_function_privilege('authenticated',
    'ops_private.record_pull_request(uuid, text, integer, text, text, text, text, text, text)', 'execute'),
  'Nor may authenticated call the definer behind it, or record or read deliveries through the shared helpers.'
);
select tests.authenticate_as('owner');
select throws_ok(
  $$select ops.record_pull_request(tests.q_id('acme'), 'github', 1, 'opened', 'abcdef1', null, 'main', 'x', 'd-1')$$,
  '42501', null, 'Not even a project owner may record a pull request.'
);
select tests.clear_authentication();

-- TEST: parameters.
select tests.authenticate_as_service_role();
select throws_ok(
  $$select ops.record_pull_request(tests.q_id('acme'), 'bitbucket', 1, 'opened', 'abcdef1', null, 'main', 'x', 'd-1')$$,
  '22023', 'p_provider must be github or gitlab, got ''bitbucket''', 'An unknown provider is named.'
);
select throws_ok(
  $$select ops.record_pull_request(tests.q_id('acme'), 'github', 0, 'opened', 'abcdef1', null, 'main', 'x', 'd-1')$$,
  '22023', 'p_number must be a request number from 1, got 0', 'The request number is positive.'
);
select throws_ok(
  $$select ops.record_pull_request(tests.q_id('acme'), 'github', 1, 'labeled', 'abcdef1', null, 'main', 'x', 'd-1')$$,
  '22023', 'p_action must be opened, updated, reopened or closed, got ''labeled''', 'An unknown action is named.'
);
select throws_ok(
  $$select ops.record_pull_request(tests.q_id('acme'), 'github', 1, 'opened', 'XYZ', null, 'main', 'x', 'd-1')$$,
  '22023', 'p_head_commit must be lowercase hex (6 to 40 or 64 characters), got ''XYZ''', 'A bad head is named.'
);
select throws_ok(
  format($$select ops.record_pull_request(tests.q_id('acme'), 'github', 1, 'opened', 'abcdef1', %L, 'main', 'x',
    'd-1')$$, repeat('h', 2049)),
  '22023', null, 'The head repository is bounded.'
);
select throws_ok(
  $$select ops.record_pull_request(tests.q_id('acme'), 'github', 1, 'opened', 'abcdef1', null, 'a..b', 'x', 'd-1')$$,
  '22023', 'p_base_branch must be a git branch name, got ''a..b''', 'A bad base branch is named.'
);
select throws_ok(
  format($$select ops.record_pull_request(tests.q_id('acme'), 'github', 1, 'opened', 'abcdef1', null, 'main', %L,
    'd-1')$$, repeat('x', 201)),
  '22023', 'p_opened_by must be 1 to 200 characters, got 201 characters', 'p_opened_by is bounded.'
);
select throws_ok(
  $$select ops.record_pull_request(tests.q_id('acme'), 'github', 1, 'opened', 'abcdef1', null, 'main', 'x', 'd 1')$$,
  '22023', 'p_delivery_id must be 1 to 100 letters, digits and . _ : -, got ''d 1''', 'A bad delivery id is named.'
);
select throws_ok(
  $$select ops.record_pull_request(null, 'github', 1, 'opened', 'abcdef1', null, 'main', 'x', 'd-1')$$,
  '22023', 'p_project_id must be a project id, got null', 'p_project_id is required.'
);
select throws_ok(
  $$select ops.record_pull_request('00000000-0000-0000-0000-000000000001', 'github', 1, 'opened', 'abcdef1', null,
    'main', 'x', 'd-1')$$,
  'P0002', 'project 00000000-0000-0000-0000-000000000001 not found', 'An unknown project is P0002.'
);
select tests.clear_authentication();
update ops.projects set archived_at = now() where slug = 'acme';
select tests.authenticate_as_service_role();
select throws_ok(
  $$select ops.record_pull_request(tests.q_id('acme'), 'github', 1, 'opened', 'abcdef1', null, 'main', 'x', 'd-1')$$,
  '22023', 'project acme: the project is archived', 'An archived project builds no request.'
);
select is(
  (select count(*)::integer from ops.record_pull_request(
    tests.q_id('acme'), 'github', 1, 'closed', 'abcdef1', null, 'main', 'x', 'd-2')),
  0, 'A close of an archived project''s request is recorded (nothing to cancel).'
);
select results_eq(
  $$select (select count(*) from ops.runs), (select count(*) from ops.branches),
    (select count(*) from ops.webhook_deliveries) - 1$$,
  $$select runs, branches, deliveries from counts$$,
  'The refused calls wrote nothing: no run, no branch, no delivery (only the close''s).'
);
select tests.clear_authentication();

select * from finish();
rollback;
