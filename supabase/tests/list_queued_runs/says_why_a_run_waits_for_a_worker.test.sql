-- ops.list_queued_runs: wait_reason says when no live worker (seen within 60 seconds) can take a run:
-- 'waiting for a worker with labels ...', or, for a run that needs no label, that no worker is live.
begin;
select plan(7);

select tests.q_project('acme');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), w)
from unnest(array['odoo17', 'arm']) as w;
update ops.workflows set required_labels = '{odoo-17.0,docker}' where name = 'odoo17';
update ops.workflows set required_labels = '{arm64,odoo-18.0}' where name = 'arm';
select tests.q_remember('plain', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
select tests.q_remember('odoo17', (ops.enqueue_run('acme', 'odoo17', 'main', tests.q_sha(2))).id);
select tests.q_remember('arm', (ops.enqueue_run('acme', 'arm', 'main', tests.q_sha(3))).id);
select tests.ops_member((select id from ops.projects where slug = 'acme'), 'admin', 'admin');

create function pg_temp.reasons()
returns table (run text, wait_reason text)
language sql
as $$
  select case q.run_id
    when tests.q_id('plain') then 'plain' when tests.q_id('odoo17') then 'odoo17' else 'arm'
  end, q.wait_reason
  from ops.list_queued_runs() as q
$$;
grant execute on function pg_temp.reasons() to authenticated, service_role;

-- TEST: no worker at all.
select set_eq(
  'select * from pg_temp.reasons()',
  $$values ('plain', 'waiting for a worker: none seen in the last 60 seconds'),
           ('odoo17', 'waiting for a worker with labels docker, odoo-17.0'),
           ('arm', 'waiting for a worker with labels arm64, odoo-18.0')$$,
  'Without any live worker every run says what it waits for.'
);

-- TEST: a live worker with some labels.
select tests.authenticate_as_service_role();
select ops.register_worker('x86-1', '{docker,odoo-17.0,gpu}');
select set_eq(
  'select * from pg_temp.reasons()',
  $$values ('plain', null), ('odoo17', null), ('arm', 'waiting for a worker with labels arm64, odoo-18.0')$$,
  'A live worker with docker and odoo-17.0 can take two of them; the third still waits.'
);

-- TEST: a worker offering only part of a set does not count, nor does a gone one.
select ops.register_worker('arm-1', '{arm64}');
select ops.register_worker('arm-2', '{arm64,odoo-18.0}');
select tests.clear_authentication();
update ops.workers set last_seen_at = now() - interval '61 seconds' where id = 'arm-2';
select tests.authenticate_as_service_role();
select is(
  (select wait_reason from pg_temp.reasons() where run = 'arm'), 'waiting for a worker with labels arm64, odoo-18.0',
  'Neither a worker with arm64 alone nor a gone worker with both labels counts.'
);
select tests.clear_authentication();
update ops.workers set last_seen_at = now() - interval '59 seconds' where id = 'arm-2';
select tests.authenticate_as_service_role();
select is((select wait_reason from pg_temp.reasons() where run = 'arm'), null, 'A worker seen 59 seconds ago is live.');

-- TEST: admins see the reasons too, without reading the registry.
select tests.clear_authentication();
update ops.workers set last_seen_at = now() - interval '2 minutes';
select tests.authenticate_as('admin');
select set_eq(
  'select * from pg_temp.reasons()',
  $$values ('plain', 'waiting for a worker: none seen in the last 60 seconds'),
           ('odoo17', 'waiting for a worker with labels docker, odoo-17.0'),
           ('arm', 'waiting for a worker with labels arm64, odoo-18.0')$$,
  'An admin of the project sees the same reasons once every worker is gone.'
);
select throws_ok($$select * from ops.workers$$, '42501', null, 'The admin still cannot read ops.workers.');

-- TEST: the queue's columns are those it had, wait_reason last.
select tests.authenticate_as_service_role();
select is(
  (select proargnames from pg_proc where oid = 'ops.list_queued_runs()'::regprocedure),
  array[
    'position', 'run_id', 'project_slug', 'workflow_name', 'branch', 'commit_sha', 'priority', 'attempt',
    'max_attempts', 'run_after', 'age', 'wait_reason'
  ],
  'ops.list_queued_runs keeps its columns in their order and adds wait_reason at the end.'
);

select * from finish();
rollback;
