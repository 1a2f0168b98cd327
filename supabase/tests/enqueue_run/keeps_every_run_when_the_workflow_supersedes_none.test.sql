-- ops.enqueue_run with supersede none: every run of a branch is built, and no
-- lock is taken for the branch.
begin;
select plan(4);

-- SETUP
select tests.q_project('acme');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), 'ci', p_supersede => 'none');

-- TEST: both commits stay queued.
select tests.q_remember('a', (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(1))).id);
select tests.q_remember('b', (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(2))).id);
select results_eq(
  $$select id, status::text, cancel_reason from ops.runs order by commit_sha$$,
  format($$values (%L::uuid, 'queued', null::text), (%L::uuid, 'queued', null)$$, tests.q_id('a'), tests.q_id('b')),
  'Both runs of the branch stay queued.'
);
select is(tests.q_events(tests.q_id('a')), array['>queued'], 'The first run has no other event.');
select ok(
  not exists (
    select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and mode = 'ExclusiveLock'
  ),
  'No exclusive advisory lock is taken (the shared one is the archive check of every insert).'
);

-- TEST: switching the setting applies to the next run.
update ops.workflows set supersede = 'queued' where name = 'ci';
select tests.q_remember('c', (ops.enqueue_run('acme', 'ci', 'main', tests.q_sha(3))).id);
select set_eq(
  $$select id from ops.runs where status = 'canceled'$$, format('values (%L::uuid), (%L::uuid)', tests.q_id('a'), tests.q_id('b')),
  'Once the workflow says queued, the next run supersedes both.'
);

select * from finish();
rollback;
