-- Logs, artifacts, tools and advisories are written by the service role (the
-- workers) only: even the owner of a project cannot write its logs or artifacts.
begin;
select plan(11);

-- SETUP
select tests.ops_world();
select r.id as run_a from ops.runs as r join ops.projects as p on p.id = r.project_id
where p.slug = 'project-a' and r.status = 'running' \gset

-- TEST: the project owner cannot write logs or artifacts of its runs.
select tests.authenticate_as('a-owner');
select throws_ok(
  format($q$insert into ops.run_logs (run_id, seq, message) values (%L, 3, 'forged')$q$, :'run_a'),
  '42501', 'permission denied for table run_logs', 'A project owner cannot write a log line.'
);
select throws_ok(
  format($q$update ops.run_logs set message = 'forged' where run_id = %L$q$, :'run_a'),
  '42501', 'permission denied for table run_logs', 'A project owner cannot rewrite a log line.'
);
select throws_ok(
  format('delete from ops.run_logs where run_id = %L', :'run_a'),
  '42501', 'permission denied for table run_logs', 'A project owner cannot delete log lines.'
);
select throws_ok(
  format(
    $q$insert into ops.run_artifacts (run_id, artifact_key, storage_url, size_bytes, sha256)
       values (%L, 'forged.zip', 'https://evil.example/forged.zip', 1, repeat('0', 64))$q$,
    :'run_a'
  ),
  '42501', 'permission denied for table run_artifacts', 'A project owner cannot register an artifact.'
);
select throws_ok(
  format($q$update ops.run_artifacts set storage_url = 'https://evil.example/x' where run_id = %L$q$, :'run_a'),
  '42501', 'permission denied for table run_artifacts', 'A project owner cannot repoint an artifact.'
);
select throws_ok(
  format('delete from ops.run_artifacts where run_id = %L', :'run_a'),
  '42501', 'permission denied for table run_artifacts', 'A project owner cannot delete an artifact.'
);

-- TEST: the service role writes all four.
select tests.authenticate_as_service_role();
select lives_ok(
  format($q$insert into ops.run_logs (run_id, seq, level, stream, message) values (%L, 3, 'error', 'odoo', 'boom')$q$,
    :'run_a'),
  'service_role appends a log line.'
);
select lives_ok(
  format(
    $q$insert into ops.run_artifacts (run_id, artifact_key, storage_url, size_bytes, sha256)
       values (%L, 'report.html', 'file:///var/lib/odooops/artifacts/report.html', 2048, repeat('cd', 32))$q$,
    :'run_a'
  ),
  'service_role registers an artifact.'
);
select lives_ok(
  $$insert into ops.tools (name, image, tag, odoo_series) values ('odoo-17.0-enterprise', 'odoo', '17.0', '17.0')$$,
  'service_role adds a tool.'
);
select lives_ok(
  $$update ops.upgrade_advisories set remediation = remediation || ' See the changelog.' where code = 'tree-to-list'$$,
  'service_role edits an advisory.'
);
select results_eq(
  $$select (select count(*) from ops.projects), (select count(*) from ops.run_logs)$$,
  $$values (2::bigint, 5::bigint)$$,
  'service_role sees every project and every log line: it bypasses row-level security.'
);

select * from finish();
rollback;
