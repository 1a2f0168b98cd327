-- ops.archive_project: an owner archives a project (queued runs end canceled,
-- held runs get a cancel request, nothing can be queued) and restores it; other
-- members get 42501, non-members P0002; a project with runs is archived, never
-- deleted (2BP01).
begin;
select plan(27);

-- SETUP: project-a (owner, admin, developer, viewer) and project-b, each with a
-- run held by worker-1 and a queued run; a helper that returns the hint of the
-- error a statement raises.
select tests.ops_world();
select id as project_a from ops.projects where slug = 'project-a' \gset
select id as project_b from ops.projects where slug = 'project-b' \gset
select id as workflow_a from ops.workflows where project_id = :'project_a' \gset
select id as held_a from ops.runs where project_id = :'project_a' and status = 'running' \gset
select id as queued_a from ops.runs where project_id = :'project_a' and status = 'queued' \gset
select tests.get_supabase_uid('a-owner') as owner_id \gset

create function pg_temp.hint_of(p_sql text)
returns text
language plpgsql
as $$
declare
  v_hint text;
begin
  execute p_sql;
  return null;
exception
  when others then
    get stacked diagnostics v_hint = pg_exception_hint;
    return v_hint;
end
$$;

-- TEST: only an owner archives; other members are refused, non-members see no project.
select tests.authenticate_as('a-admin');
select throws_ok(
  $$select ops.archive_project('project-a')$$,
  '42501', 'archive_project: archiving project project-a needs the owner role', 'An admin cannot archive the project.'
);
select tests.authenticate_as('a-developer');
select throws_ok(
  $$select ops.archive_project('project-a')$$,
  '42501', 'archive_project: archiving project project-a needs the owner role', 'A developer cannot archive the project.'
);
select tests.authenticate_as('a-viewer');
select throws_ok(
  $$select ops.archive_project('project-a')$$,
  '42501', 'archive_project: archiving project project-a needs the owner role', 'A viewer cannot archive the project.'
);
select tests.authenticate_as('outsider');
select throws_ok(
  $$select ops.archive_project('project-a')$$,
  'P0002', 'project ''project-a'' not found', 'A user of no project is told the project does not exist.'
);
select tests.authenticate_as('a-owner');
select throws_ok(
  $$select ops.archive_project('project-b')$$,
  'P0002', 'project ''project-b'' not found', 'The owner of project A cannot archive project B.'
);
select throws_ok(
  $$select ops.archive_project('project-a', null)$$,
  '22023', 'p_archived must be true or false, got null', 'A null p_archived is refused.'
);
select tests.clear_authentication();
select results_eq(
  $$select slug, archived_at, (select count(*) from ops.runs as r where r.project_id = p.id and r.status = 'queued')
    from ops.projects as p order by slug$$,
  $$values ('project-a'::text, null::timestamptz, 1::bigint), ('project-b', null, 1)$$,
  'The refused calls archived nothing and canceled nothing.'
);

-- TEST: the owner archives project A.
select tests.authenticate_as('a-owner');
select is((ops.archive_project('project-a')).archived_at, now(), 'The owner archives the project: archived_at is now.');
select tests.clear_authentication();
select results_eq(
  format(
    'select status::text, cancel_requested_at, cancel_reason, finished_at from ops.runs where id = %L', :'queued_a'
  ),
  $$values ('canceled'::text, now(), 'project archived'::text, now())$$,
  'Its queued run ends canceled, with the reason.'
);
select results_eq(
  format(
    'select e.from_status::text, e.to_status::text, e.actor, e.reason from ops.run_events as e where e.run_id = %L '
    'order by e.id desc limit 1',
    :'queued_a'
  ),
  format('values (%L::text, %L::text, %L::text, %L::text)', 'queued', 'canceled', 'user:' || :'owner_id', 'project archived'),
  'The cancel is recorded as the owner''s, with the reason.'
);
select results_eq(
  format(
    'select status::text, worker_id, cancel_requested_at, cancel_reason, finished_at from ops.runs where id = %L',
    :'held_a'
  ),
  $$values ('running'::text, 'worker-1'::text, now(), 'project archived'::text, null::timestamptz)$$,
  'Its held run keeps running for its worker, with a cancel requested.'
);
select results_eq(
  format(
    $q$select p.archived_at, array_agg(r.status::text order by r.status), bool_or(r.cancel_requested_at is not null)
       from ops.projects as p join ops.runs as r on r.project_id = p.id where p.id = %L group by p.archived_at$q$,
    :'project_b'
  ),
  $$values (null::timestamptz, array['queued', 'running'], false)$$,
  'Project B is untouched.'
);

-- TEST: nothing can be queued in an archived project, by any way or role.
select tests.authenticate_as('a-developer');
select throws_ok(
  $$select ops.enqueue_run('project-a', 'build', 'main', 'abcdef1')$$,
  '22023', 'p_project_slug ''project-a'': the project is archived', 'enqueue_run refuses an archived project, naming p_project_slug.'
);
select throws_ok(
  format(
    $q$insert into ops.runs (project_id, workflow_id, branch, commit_sha) values (%L, %L, 'main', 'abcdef1')$q$,
    :'project_a', :'workflow_a'
  ),
  '22023', format('runs.project_id %s: the project is archived', :'project_a'),
  'A direct insert of a run into an archived project is refused.'
);
select tests.authenticate_as_service_role();
select throws_ok(
  $$select ops.enqueue_run('project-a', 'build', 'main', 'abcdef1')$$,
  '22023', 'p_project_slug ''project-a'': the project is archived', 'service_role cannot queue a run in it either.'
);

-- TEST: its history stays readable.
select tests.authenticate_as('a-viewer');
select results_eq(
  format(
    $q$select (select count(*) from ops.runs where project_id = %L),
              (select count(*) from ops.run_logs as l join ops.runs as r on r.id = l.run_id where r.project_id = %L)$q$,
    :'project_a', :'project_a'
  ),
  $$values (2::bigint, 2::bigint)$$,
  'A viewer still reads the runs and logs of the archived project.'
);

-- TEST: a repeat returns the project unchanged.
select tests.clear_authentication();
update ops.projects set archived_at = '2026-01-01 00:00:00+00' where id = :'project_a';
select tests.authenticate_as('a-owner');
select is(
  (ops.archive_project('project-a')).archived_at, '2026-01-01 00:00:00+00'::timestamptz,
  'Archiving an archived project returns it unchanged.'
);
select tests.clear_authentication();
select is(
  (select count(*)::integer from ops.run_events as e join ops.runs as r on r.id = e.run_id where r.project_id = :'project_a'),
  5,
  'The repeat recorded no event (held run: queued, claimed, running; queued run: queued, canceled).'
);

-- TEST: the owner restores it.
select tests.authenticate_as('a-owner');
select is((ops.archive_project('project-a', false)).archived_at, null, 'p_archived false restores the project.');
select is(
  (ops.archive_project('project-a', false)).archived_at, null, 'Restoring a project that is not archived changes nothing.'
);
select tests.authenticate_as('a-developer');
select is(
  (ops.enqueue_run('project-a', 'build', 'main', 'abcdef1')).status::text, 'queued',
  'Once restored, runs can be queued again.'
);
select tests.clear_authentication();
select is(
  (select status::text from ops.runs where id = :'queued_a'), 'canceled', 'The run canceled by the archive stays canceled.'
);

-- TEST: a project with runs is archived, never deleted.
select tests.authenticate_as('a-owner');
select throws_ok(
  format('delete from ops.projects where id = %L', :'project_a'),
  '2BP01', 'project project-a: it has runs, whose history cannot be deleted',
  'The owner cannot delete a project that has runs (2BP01).'
);
select tests.clear_authentication();
select is(
  pg_temp.hint_of(format('delete from ops.projects where id = %L', :'project_a')),
  'Archive it instead: select ops.archive_project(''project-a'');',
  'The hint says to archive it with ops.archive_project.'
);
select tests.ops_member(tests.ops_project('no-runs'), 'a-owner', 'owner');
select tests.authenticate_as('a-owner');
select results_eq(
  $$delete from ops.projects where slug = 'no-runs' returning slug$$,
  $$values ('no-runs'::text)$$,
  'A project without runs can still be deleted by its owner.'
);

-- TEST: who may call it.
select tests.clear_authentication();
select ok(
  has_function_privilege('authenticated', 'ops.archive_project(text, boolean)', 'execute')
  and has_function_privilege('service_role', 'ops.archive_project(text, boolean)', 'execute')
  and not has_function_privilege('anon', 'ops.archive_project(text, boolean)', 'execute'),
  'authenticated (owners) and service_role may execute archive_project, anon may not.'
);
select tests.authenticate_as_service_role();
select isnt(
  (ops.archive_project('project-b')).archived_at, null, 'service_role archives any project.'
);

select * from finish();
rollback;
