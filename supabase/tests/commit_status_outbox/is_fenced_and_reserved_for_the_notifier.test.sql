-- The notifier's RPCs: service_role only; fenced by the holder's notifier id
-- (OP002); parameters checked (22023); the token is the project's
-- GITHUB_TOKEN (stage first), readable only by the holder; no run may name
-- it; members read their projects' outbox rows and nobody of the API writes
-- them.
begin;
select plan(16);

-- SETUP
select tests.q_project('acme');
select tests.q_project('beta');
update ops.projects set repository_url = 'https://github.com/' || slug || '/addons';
update ops.workflows set triggers = '{"push": {"stages": ["development"]}}';
select tests.create_supabase_user('viewer');
select tests.create_supabase_user('owner');
insert into ops.project_memberships (project_id, user_id, role)
select id, tests.get_supabase_uid('viewer'), 'viewer' from ops.projects where slug = 'acme';
insert into ops.project_memberships (project_id, user_id, role)
select id, tests.get_supabase_uid('owner'), 'owner' from ops.projects;
select tests.authenticate_as_service_role();
select ops.record_push(id, 'feature/x', tests.q_sha(1), 'alice', 'd-1') from ops.projects;
select ops.set_project_secret('acme', 'GITHUB_TOKEN', 'ghp_projectwide');
select ops.set_project_secret('acme', 'GITHUB_TOKEN', 'ghp_development', 'development');
create temporary table leased on commit drop as select * from ops.lease_commit_statuses('n-1', 10, 60);
select tests.clear_authentication();

-- TEST: privileges.
select ok(
  not has_function_privilege('authenticated', 'ops.lease_commit_statuses(text, integer, integer)', 'execute')
  and not has_function_privilege('anon', 'ops.lease_commit_statuses(text, integer, integer)', 'execute')
  and not has_function_privilege('authenticated', 'ops.get_commit_status_token(bigint, text)', 'execute')
  and not has_function_privilege('authenticated', 'ops.complete_commit_status(bigint, text, integer)', 'execute')
  and not has_function_privilege('authenticated',
    'ops.retry_commit_status(bigint, text, double precision, text, integer, boolean, boolean)', 'execute')
  and has_function_privilege('service_role', 'ops.get_commit_status_token(bigint, text)', 'execute'),
  'Only service_role executes the notifier''s RPCs.'
);
select ok(
  not has_table_privilege('authenticated', 'ops.commit_status_outbox', 'insert')
  and not has_table_privilege('authenticated', 'ops.commit_status_outbox', 'update')
  and not has_table_privilege('authenticated', 'ops.commit_status_outbox', 'delete')
  and not has_table_privilege('anon', 'ops.commit_status_outbox', 'select'),
  'No API role but service_role writes the outbox; anon does not read it.'
);
select tests.authenticate_as('viewer');
select results_eq(
  $$select repository from ops.commit_status_outbox$$,
  $$values ('acme/addons')$$,
  'A viewer reads the statuses of their projects only.'
);
select tests.authenticate_as('owner');
select throws_ok(
  $$select ops.lease_commit_statuses('n-9', 10, 60)$$, '42501', null, 'Not even an owner leases statuses.'
);
select throws_ok(
  $$select ops.enqueue_run('acme', 'build', 'main', 'abcdef1', p_params => '{"secrets": ["GITHUB_TOKEN"]}')$$,
  '22023', 'params.secrets may not name GITHUB_TOKEN or GITLAB_TOKEN: they are the commit status notifier''s',
  'No run may name the notifier''s token: no build step sees it.'
);
select tests.clear_authentication();

-- TEST: the token, for the holder only.
select tests.authenticate_as_service_role();
select is(
  ops.get_commit_status_token((select id from leased where repository = 'acme/addons'), 'n-1'),
  'ghp_development',
  'The holder reads the project''s token, the run''s stage first.'
);
select throws_ok(
  format('select ops.get_commit_status_token(%s, %L)', (select id from leased where repository = 'acme/addons'), 'n-2'),
  'OP002', null, 'Another notifier does not.'
);
select throws_ok(
  format('select ops.get_commit_status_token(%s, %L)', (select id from leased where repository = 'beta/addons'), 'n-1'),
  'P0002', null, 'A project without a GITHUB_TOKEN: P0002.'
);
select throws_ok(
  'select ops.get_commit_status_token(-1, ''n-1'')', 'P0002', 'commit status -1 not found', 'An unknown row: P0002.'
);

-- TEST: parameters.
select throws_ok(
  $$select ops.lease_commit_statuses(null, 10, 60)$$, '22023', null, 'p_notifier_id is required.'
);
select throws_ok(
  $$select ops.lease_commit_statuses('n-1', 101, 60)$$, '22023', 'p_limit must be 1 to 100, got 101', 'p_limit is bounded.'
);
select throws_ok(
  $$select ops.lease_commit_statuses('n-1', 1, 4)$$, '22023', 'p_lease_seconds must be 5 to 3600, got 4',
  'p_lease_seconds is bounded.'
);
select throws_ok(
  format('select ops.complete_commit_status(%s, %L, 500)', (select min(id) from leased), 'n-1'),
  '22023', 'p_http_status must be the provider''s 2xx answer, got 500', 'Delivered means a 2xx.'
);
select throws_ok(
  format('select ops.retry_commit_status(%s, %L, 90000, %L)', (select min(id) from leased), 'n-1', 'x'),
  '22023', 'p_delay_seconds must be 0 to 86400, got 90000', 'The delay is bounded.'
);
select throws_ok(
  format('select ops.retry_commit_status(%s, %L, 1, %L)', (select min(id) from leased), 'n-1', repeat('x', 501)),
  '22023', null, 'The error is bounded.'
);
select results_eq(
  $$select leased_by, attempts, delivered_at is null from ops.commit_status_outbox order by id$$,
  $$values ('n-1', 0, true), ('n-1', 0, true)$$,
  'Refused calls changed nothing.'
);

select * from finish();
rollback;
