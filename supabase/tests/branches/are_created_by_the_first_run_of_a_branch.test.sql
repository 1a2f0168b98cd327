-- Runs belong to a branch: queueing the first run of a branch creates it (a
-- development branch whose head is the run's commit); later runs reuse it;
-- runs.branch_id always names the branch of runs.branch.
begin;
select plan(9);

-- SETUP
select tests.q_project('acme');
select tests.q_project('beta');
select tests.create_supabase_user('developer');
insert into ops.project_memberships (project_id, user_id, role)
select id, tests.get_supabase_uid('developer'), 'developer' from ops.projects where slug = 'acme';

-- TEST: a new branch, by service_role.
select tests.authenticate_as_service_role();
select tests.q_remember('a', (ops.enqueue_run('acme', 'build', 'feature/x', 'abcdef1')).id);
select tests.clear_authentication();
select results_eq(
  $$select b.name, b.stage::text, b.head_commit, b.last_push_at, b.deleted_at from ops.branches as b
    inner join ops.runs as r on r.branch_id = b.id where r.id = tests.q_id('a')$$,
  $$values ('feature/x', 'development', 'abcdef1', null::timestamptz, null::timestamptz)$$,
  'The first run of a branch creates it: development, its head the run''s commit, never pushed.'
);

-- TEST: a new branch, by a developer who may not insert branches.
select tests.authenticate_as('developer');
select tests.q_remember('b', (ops.enqueue_run('acme', 'build', 'feature/y', 'abcdef2')).id);
select is(
  (select b.name from ops.branches as b inner join ops.runs as r on r.branch_id = b.id where r.id = tests.q_id('b')),
  'feature/y', 'A developer''s run creates its branch too, which the developer then sees.'
);
select throws_ok(
  $$insert into ops.branches (project_id, name) select id, 'feature/z' from ops.projects$$,
  '42501', null, 'A developer cannot insert a branch directly.'
);
select tests.clear_authentication();

-- TEST: the same branch again; another project's branch of the same name.
select tests.q_remember('c', (ops.enqueue_run('acme', 'build', 'feature/x', 'abcdef3')).id);
select is(
  (select count(distinct branch_id)::integer from ops.runs where id in (tests.q_id('a'), tests.q_id('c'))), 1,
  'A second run of the branch belongs to the same branch.'
);
select is(
  (select head_commit from ops.branches where name = 'feature/x'), 'abcdef1',
  'A run does not move the head: only a push does.'
);
select tests.q_remember('d', (ops.enqueue_run('beta', 'build', 'feature/x', 'abcdef4')).id);
select isnt(
  (select branch_id from ops.runs where id = tests.q_id('d')),
  (select branch_id from ops.runs where id = tests.q_id('a')),
  'A branch of the same name in another project is another branch.'
);

-- TEST: branch_id cannot disagree with branch.
select throws_ok(
  format(
    $$update ops.runs set branch_id = %L where id = %L$$,
    (select branch_id from ops.runs where id = tests.q_id('b')), tests.q_id('a')
  ),
  '22023',
  format('runs.branch_id must be the id of branch ''feature/x'', got %s', (select branch_id from ops.runs where id = tests.q_id('b'))),
  'Another branch''s id is refused with 22023.'
);
select throws_ok(
  format(
    $$update ops.runs set branch_id = %L where id = %L$$,
    (select branch_id from ops.runs where id = tests.q_id('d')), tests.q_id('a')
  ),
  '22023', null, 'So is the id of a branch of another project.'
);
select is(
  (select count(*)::integer from ops.runs where branch_id is null), 0, 'Every run has a branch.'
);

select * from finish();
rollback;
