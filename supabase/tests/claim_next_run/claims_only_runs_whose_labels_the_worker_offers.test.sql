-- ops.claim_next_run with labels: a run is claimed only by a worker that offers every label it requires; a
-- worker without labels takes only runs that require none; among the runs it may take, the claim order holds.
begin;
select plan(12);

-- SETUP: workflows build (no label), odoo17 (docker, odoo-17.0) and arm (arm64); the arm run is queued first,
-- at the highest priority, so every claim that skips it has to look past it.
select tests.q_project('acme');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), w)
from unnest(array['odoo17', 'arm']) as w;
update ops.workflows set required_labels = '{odoo-17.0,docker}' where name = 'odoo17';
update ops.workflows set required_labels = '{arm64}' where name = 'arm';
select tests.q_remember('arm', (ops.enqueue_run('acme', 'arm', 'main', tests.q_sha(1), p_priority => 10)).id);
select tests.q_remember('odoo17', (ops.enqueue_run('acme', 'odoo17', 'main', tests.q_sha(2), p_priority => 5)).id);
select tests.q_remember('plain', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(3))).id);
select tests.q_remember('plain_old', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(4), p_priority => 5)).id);
select tests.q_remember('odoo17_new', (ops.enqueue_run('acme', 'odoo17', 'main', tests.q_sha(5), p_priority => 5)).id);
update ops.runs set created_at = now() - interval '1 hour' where id = tests.q_id('plain_old');
update ops.runs set created_at = now() - interval '30 minutes' where id = tests.q_id('odoo17');

-- TEST: the labels travel with the run.
select is(
  (select required_labels from ops.runs where id = tests.q_id('odoo17')), '{docker,odoo-17.0}'::text[],
  'A run requires its workflow''s labels, as a sorted set.'
);

-- TEST: a worker without labels.
select is(
  (ops.claim_next_run('plain-1')).id, tests.q_id('plain_old'),
  'A worker without labels skips runs that require labels and takes the best of the rest.'
);
select is(
  (ops.claim_next_run('plain-2', null, '{}')).id, tests.q_id('plain'),
  'An empty label list is the same as none.'
);
select is_empty($$select * from ops.claim_next_run('plain-3')$$, 'Then nothing is left for it.');

-- TEST: a worker that offers some of the labels only.
select is_empty(
  $$select * from ops.claim_next_run('docker-1', null, '{docker}')$$,
  'A worker with docker alone takes no run that also requires odoo-17.0.'
);

-- TEST: a worker with more labels than a run needs; labels in any order, with repeats.
select is(
  (ops.claim_next_run('x86-1', null, '{odoo-17.0,docker,docker,gpu}')).id, tests.q_id('odoo17'),
  'A worker offering every required label (and more) takes the run; the older of two of one priority first.'
);
select results_eq(
  $$select status::text, worker_id, attempt from ops.runs where id = tests.q_id('odoo17')$$,
  $$values ('claimed', 'x86-1', 1)$$,
  'It holds the run as any claim does.'
);
select is(
  (ops.claim_next_run('x86-2', null, '{docker,odoo-17.0}')).id, tests.q_id('odoo17_new'),
  'The next worker with those labels takes the next such run.'
);

-- TEST: the right worker takes the run every other worker skipped.
select is(
  (ops.claim_next_run('arm-1', null, array['arm64'])).id, tests.q_id('arm'),
  'A worker with arm64 takes the run that requires it.'
);
select is(
  (select count(*)::integer from ops.runs where status = 'queued'), 0, 'Every run went to a worker that fits it.'
);

-- TEST: across label sets the claim order is priority, then age.
select tests.q_remember('p1_old', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(6), p_priority => 1)).id);
select tests.q_remember('p1_new', (ops.enqueue_run('acme', 'odoo17', 'main', tests.q_sha(7), p_priority => 1)).id);
select tests.q_remember('p2', (ops.enqueue_run('acme', 'odoo17', 'main', tests.q_sha(8), p_priority => 2)).id);
update ops.runs set created_at = now() - interval '1 minute' where id = tests.q_id('p1_old');
select is(
  array(
    select (ops.claim_next_run('all-' || n, null, '{arm64,docker,odoo-17.0}')).id from generate_series(1, 3) as n
  ),
  array[tests.q_id('p2'), tests.q_id('p1_old'), tests.q_id('p1_new')],
  'A worker that may take several label sets claims by priority, then age, across them.'
);

-- TEST: the invariant, as the stress test checks it.
select is(
  (select count(*)::integer from ops.run_events as e
   inner join ops.runs as r on r.id = e.run_id
   where e.to_status = 'claimed'
     and not r.required_labels <@ (select w.labels from ops.workers as w where 'worker:' || w.id = e.actor)),
  0,
  'No run was claimed by a worker lacking one of its labels (from the events and the registry).'
);

select * from finish();
rollback;
