-- Attack: a tenant sends 10 MB values through every RPC and table it can
-- write, to fill the database or to get 10 MB error messages back. Every
-- text and JSON input has an upper bound, refused with a SQLSTATE and a
-- message naming the field, which quotes at most 200 characters of the value.
begin;
select plan(14);

-- SETUP
select tests.ops_world();
select id as project_a from ops.projects where slug = 'project-a' \gset
select id as workflow_a from ops.workflows where project_id = :'project_a' \gset
select id as running_a from ops.runs where project_id = :'project_a' and status = 'running' \gset
select ops.register_artifact_store('s3://odooops-artifacts/');
create temporary table big (huge text, blob jsonb) on commit drop;
insert into big values (repeat('x', 10 * 1024 * 1024), jsonb_build_object('k', repeat('x', 10 * 1024 * 1024)));
grant select on big to authenticated, service_role;
-- The longest error message an RPC gives for a call.
create function pg_temp.message_length(p_sql text) returns integer language plpgsql as $$
begin
  execute p_sql;
  return 0;
exception when others then
  return length(sqlerrm);
end
$$;
-- New functions are closed by default (new_functions_are_closed_by_default): open this one.
grant execute on function pg_temp.message_length(text) to authenticated, service_role;

-- TEST: JSON inputs of tenants.
select tests.authenticate_as('a-developer');
select throws_ok(
  $$select ops.enqueue_run('project-a', 'build', 'main', 'abcdef1', (select blob from big))$$,
  '22023', 'p_params must be at most 65536 bytes of JSON, got 10485769',
  'A developer cannot queue a run with 10 MB of params.'
);
select throws_ok(
  format($q$insert into ops.runs (project_id, workflow_id, branch, commit_sha, params)
            select %L, %L, 'main', 'abcdef1', blob from big$q$, :'project_a', :'workflow_a'),
  '23514', null,
  'Nor insert one directly (runs_params_is_bounded).'
);
select tests.clear_authentication();
select tests.authenticate_as('outsider');
select throws_ok(
  $$select ops.create_project('big-settings', 'Big', '17.0', 'https://git.example.com/b.git', 'main', (select blob from big))$$,
  '22023', 'p_settings must be at most 65536 bytes of JSON, got 10485769',
  'Any signed-in user is refused 10 MB of project settings.'
);
select tests.clear_authentication();
select tests.authenticate_as('a-admin');
select throws_ok(
  format($q$update ops.workflows set description = (select huge from big) where id = %L$q$, :'workflow_a'),
  '23514', null,
  'An admin cannot store a 10 MB workflow description.'
);
select tests.clear_authentication();

-- TEST: the worker's inputs.
select tests.authenticate_as_service_role();
select throws_ok(
  format($q$select ops.append_run_log(%L, 'info', 'm', (select blob from big), 'build', 'worker-1')$q$, :'running_a'),
  '22023', 'p_metadata must be at most 16384 bytes of JSON, got 10485769',
  'A log line cannot carry 10 MB of metadata.'
);
select throws_ok(
  format(
    $q$select ops.append_run_logs(%L, jsonb_build_array(jsonb_build_object('seq', 1, 'message', 'm', 'metadata',
      (select blob from big))), 'worker-1')$q$,
    :'running_a'
  ),
  '22023', 'p_lines[0].metadata must be at most 16384 bytes of JSON, got 10485769',
  'Nor a line of a batch.'
);
select throws_ok(
  format(
    $q$select ops.add_run_artifact(%L, 'a.tgz', %L, repeat('a', 64), 1, 'application/gzip', (select blob from big),
      'worker-1')$q$,
    :'running_a', tests.q_artifact_url(:'running_a', 'a.tgz')
  ),
  '22023', 'p_metadata must be at most 16384 bytes of JSON, got 10485769',
  'Nor an artifact.'
);
select throws_ok(
  format($q$select ops.add_run_artifact(%L, 'a.tgz', (select huge from big), repeat('a', 64), 1, p_worker_id => 'worker-1')$q$,
    :'running_a'),
  '22023', null,
  'Nor a 10 MB artifact URL.'
);

-- TEST: error messages quote 200 characters at most, whatever the field.
select cmp_ok(
  pg_temp.message_length($$select ops.claim_next_run((select huge from big))$$), '<', 500,
  'A 10 MB worker id comes back quoted short.'
);
select cmp_ok(
  pg_temp.message_length(format(
    $q$select ops.add_run_artifact(%L, (select huge from big), 's3://b/k', repeat('a', 64), 1, p_worker_id => 'worker-1')$q$,
    :'running_a')), '<', 500,
  'A 10 MB artifact key comes back quoted short.'
);
select tests.clear_authentication();
select tests.authenticate_as('a-developer');
select cmp_ok(
  pg_temp.message_length($$select ops.enqueue_run((select huge from big), 'build', 'main', 'abcdef1')$$), '<', 500,
  'A 10 MB slug comes back quoted short.'
);
select cmp_ok(
  pg_temp.message_length($$select ops.enqueue_run('project-a', (select huge from big), 'main', 'abcdef1')$$), '<', 500,
  'A 10 MB workflow name comes back quoted short.'
);
select cmp_ok(
  pg_temp.message_length($$select ops.enqueue_run('project-a', 'build', (select huge from big), 'abcdef1')$$), '<', 500,
  'A 10 MB branch comes back quoted short.'
);
select tests.clear_authentication();
select tests.authenticate_as('outsider');
select cmp_ok(
  pg_temp.message_length($$select ops.create_project((select huge from big), 'Big', '17.0', 'https://git.example.com/b.git')$$),
  '<', 500,
  'A 10 MB project slug comes back quoted short.'
);
select tests.clear_authentication();

select * from finish();
rollback;
