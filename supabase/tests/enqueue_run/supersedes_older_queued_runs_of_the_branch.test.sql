-- ops.enqueue_run with a workflow's default supersede (queued): a new run of a
-- branch ends the queued runs of older commits of that branch canceled, saying
-- why; other branches, workflows, projects and held runs are left alone.
begin;
select plan(18);

-- SETUP: workflows made the way a project admin makes them, naming no supersede.
select tests.q_project('acme');
select tests.q_project('beta');
insert into ops.workflows (project_id, name, steps)
select p.id, w.name, '[{"name": "build", "command": "true"}]'::jsonb
from ops.projects as p cross join (values ('ci'), ('test')) as w (name)
where p.slug = 'acme';
insert into ops.workflows (project_id, name, steps)
select p.id, 'ci', '[{"name": "build", "command": "true"}]'::jsonb from ops.projects as p where p.slug = 'beta';

select is(
  (select supersede from ops.workflows as w inner join ops.projects as p on p.id = w.project_id
    where p.slug = 'acme' and w.name = 'ci'),
  'queued',
  'A workflow that names no supersede setting gets queued.'
);

-- TEST: the second commit of a branch supersedes the first.
select tests.q_remember('a', (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(1))).id);
create temporary table b on commit drop as select * from ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(2));
select tests.q_remember('b', (select id from b));
select is((select status::text from b), 'queued', 'The new run is queued and returned as usual.');
select results_eq(
  $$select status::text, cancel_reason, cancel_requested_at, finished_at, error_message, attempt
    from ops.runs where id = tests.q_id('a')$$,
  format(
    $$values ('canceled', %L, now(), now(), null::text, 0)$$, 'superseded by ' || tests.q_id('b')
  ),
  'The older queued run ends canceled, its cancel_reason naming the run that superseded it.'
);
select is(tests.q_events(tests.q_id('a')), array['>queued', 'queued>canceled'], 'One event for the cancel.');
select results_eq(
  $$select reason, actor from ops.run_events where run_id = tests.q_id('a') order by id desc limit 1$$,
  format($$values (%L, 'role:postgres')$$, 'superseded by ' || tests.q_id('b')),
  'The event says it was superseded, and by whom it was queued.'
);
select is(
  (select reason from ops.run_events where run_id = tests.q_id('b')), null,
  'The new run''s own event carries no reason.'
);

-- TEST: a third commit supersedes the second; the first is not touched again.
select tests.q_remember('c', (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(3))).id);
select is(
  (select cancel_reason from ops.runs where id = tests.q_id('b')), 'superseded by ' || tests.q_id('c'),
  'The second run is superseded by the third.'
);
select results_eq(
  $$select cancel_reason, (select count(*)::integer from ops.run_events where run_id = tests.q_id('a'))
    from ops.runs where id = tests.q_id('a')$$,
  format($$values (%L, 2)$$, 'superseded by ' || tests.q_id('b')),
  'An ended run keeps its reason and gets no second event.'
);
select is(
  (select array_agg(run_id) from ops.list_queued_runs() where branch = 'main'), array[tests.q_id('c')],
  'Only the newest run of the branch is in the queue.'
);

-- TEST: a run due later, or of a higher priority, is superseded as well: the commit decides.
select tests.q_remember('late', (ops.enqueue_run(
  'acme', 'ci', 'release', tests.q_sha(4), p_priority => 100, p_run_after => now() + interval '1 hour'
)).id);
select tests.q_remember('release', (ops.enqueue_run('acme', 'ci', 'release', tests.q_sha(5))).id);
select is(
  (select status::text from ops.runs where id = tests.q_id('late')), 'canceled',
  'A delayed run of higher priority is superseded by a newer commit.'
);

-- TEST: other branches, workflows and projects are untouched.
select tests.q_remember('dev', (ops.enqueue_run('acme', 'ci', 'dev', tests.q_sha(6))).id);
select tests.q_remember('test', (ops.enqueue_run('acme', 'test', 'main', tests.q_sha(7))).id);
select tests.q_remember('beta', (ops.enqueue_run('beta', 'ci', 'main', tests.q_sha(8))).id);
select tests.q_remember('build', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(9))).id);
select ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(10));
select is(
  (select status::text from ops.runs where id = tests.q_id('dev')), 'queued', 'Another branch is untouched.'
);
select is(
  (select status::text from ops.runs where id = tests.q_id('test')), 'queued',
  'Another workflow on the same branch is untouched.'
);
select is(
  (select status::text from ops.runs where id = tests.q_id('beta')), 'queued',
  'Another project''s branch of the same name is untouched.'
);
select is(
  (select status::text from ops.runs where id = tests.q_id('c')), 'canceled',
  'The newest commit of acme/ci/main superseded the one before.'
);

-- TEST: with queued, a held run of an older commit keeps running.
select tests.q_remember('held', (ops.enqueue_run('acme', 'ci', 'feature', tests.q_sha(11), p_priority => 1000)).id);
select is((ops.claim_next_run('worker-1')).id, tests.q_id('held'), 'A worker takes the run of the first commit.');
select ops.start_workflow_run(tests.q_id('held'), 'worker-1');
select ops.enqueue_run('acme', 'ci', 'feature', tests.q_sha(12));
select results_eq(
  $$select status::text, cancel_requested_at, cancel_reason from ops.runs where id = tests.q_id('held')$$,
  $$values ('running', null::timestamptz, null::text)$$,
  'A running run is not asked to cancel when the workflow says queued.'
);

-- TEST: a direct insert into ops.runs supersedes nothing (ops.enqueue_run does).
select tests.q_remember('direct', (ops.enqueue_run('acme', 'ci', 'hotfix', tests.q_sha(13))).id);
insert into ops.runs (project_id, workflow_id, branch, commit_sha)
select r.project_id, r.workflow_id, r.branch, tests.q_sha(14) from ops.runs as r where r.id = tests.q_id('direct');
select is(
  (select status::text from ops.runs where id = tests.q_id('direct')), 'queued',
  'A run inserted directly leaves the older runs of its branch queued.'
);

-- TEST: the supersede holds a lock on the branch until commit.
select ok(
  exists (select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and mode = 'ExclusiveLock'),
  'The transaction holds an advisory lock (the branch''s) until it ends.'
);

select * from finish();
rollback;
