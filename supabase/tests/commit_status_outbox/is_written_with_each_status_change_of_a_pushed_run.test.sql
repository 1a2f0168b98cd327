-- ops.commit_status_outbox: a run queued by ops.record_push gets
-- push_delivery_id and one outbox row per status change but claimed, in the
-- same transaction, with the provider's state; a run queued by hand, or of a
-- project whose repository is on neither GitHub nor GitLab, reports nothing.
begin;
select plan(9);

-- SETUP: acme on GitHub, lab on a self-hosted GitLab (a subgroup), other on
-- another host; build runs on pushes to development branches.
select tests.q_project('acme');
select tests.q_project('lab');
select tests.q_project('other');
update ops.projects set repository_url = 'git@github.com:acme/addons.git' where slug = 'acme';
update ops.projects set repository_url = 'https://gitlab.example.com/group/sub/addons.git' where slug = 'lab';
update ops.workflows set triggers = '{"manual": true, "push": {"stages": ["development"]}}';
select tests.authenticate_as_service_role();

-- TEST: which runs report.
create temporary table pushed on commit drop as
select r.id, p.slug from ops.projects as p
cross join lateral ops.record_push(p.id, 'feature/x', tests.q_sha(1), 'alice', 'd-' || p.slug || ':1') as r;
select results_eq(
  $$select p.slug, r.push_delivery_id from pushed as p inner join ops.runs as r on r.id = p.id order by p.slug$$,
  $$values ('acme', 'd-acme:1'), ('lab', 'd-lab:1'), ('other', 'd-other:1')$$,
  'A run queued by a push carries the delivery id (which may hold colons).'
);
select is(
  (select push_delivery_id from ops.enqueue_run('acme', 'build', 'feature/y', tests.q_sha(2),
    p_idempotency_key => 'push:forged:build')),
  null,
  'A run queued by hand has none, even with a push-like idempotency key.'
);
select results_eq(
  $$select p.slug, o.provider, o.repository, o.commit_sha, o.context, o.run_status::text, o.state, o.description
    from ops.commit_status_outbox as o inner join pushed as p on p.id = o.run_id order by p.slug$$,
  format($$values
    ('acme', 'github', 'acme/addons', %L, 'odooops/build', 'queued', 'pending', 'Queued'),
    ('lab', 'gitlab', 'group/sub/addons', %1$L, 'odooops/build', 'queued', 'pending', 'Queued')$$, tests.q_sha(1)),
  'Queued: pending on GitHub and GitLab; the other host reports nothing.'
);
select is((select count(*)::int from ops.commit_status_outbox), 2, 'No row for the run queued by hand.');

-- TEST: the life of a run.
do $$
declare
  r record;
begin
  for r in select id from pushed where slug in ('acme', 'lab') loop
    update ops.runs set status = 'claimed', worker_id = 'w-1', claimed_at = now(),
      lease_expires_at = now() + interval '1 minute' where id = r.id;
    perform ops.start_workflow_run(r.id, 'w-1');
  end loop;
end
$$;
select is(
  (select count(*)::int from ops.commit_status_outbox where run_status = 'claimed'), 0,
  'Claimed writes no row: the provider still shows pending.'
);
select results_eq(
  $$select o.provider, o.state, o.description from ops.commit_status_outbox as o
    where o.run_status = 'running' order by o.provider$$,
  $$values ('github', 'pending', 'Running'), ('gitlab', 'running', 'Running')$$,
  'Running: pending on GitHub, running on GitLab.'
);
select ops.complete_workflow_run(id, 2, 'step compile failed', 'w-1') from pushed where slug = 'acme';
select ops.complete_workflow_run(id, 0, null, 'w-1') from pushed where slug = 'lab';
select results_eq(
  $$select o.provider, o.run_status::text, o.state, o.description from ops.commit_status_outbox as o
    where o.run_status in ('succeeded', 'failed') order by o.provider$$,
  $$values ('github', 'failed', 'failure', 'Failed: a step exited 2'), ('gitlab', 'succeeded', 'success', 'Succeeded')$$,
  'A failed step is failure (never its error message), a success success.'
);

-- TEST: canceled.
create temporary table pushed2 on commit drop as
select r.id, p.slug from ops.projects as p
cross join lateral ops.record_push(p.id, 'feature/z', tests.q_sha(3), 'alice', 'd-' || p.slug || ':2') as r
where p.slug in ('acme', 'lab');
select ops.cancel_run(id, 'not needed') from pushed2;
select results_eq(
  $$select o.provider, o.state, o.description from ops.commit_status_outbox as o
    inner join pushed2 as p on p.id = o.run_id where o.run_status = 'canceled' order by o.provider$$,
  $$values ('github', 'error', 'Canceled'), ('gitlab', 'canceled', 'Canceled')$$,
  'Canceled: error "Canceled" on GitHub (it has no canceled state), canceled on GitLab.'
);
select is(
  (select push_delivery_id from ops.runs where id = (select id from pushed where slug = 'acme')),
  'd-acme:1',
  'push_delivery_id stays through the run''s life.'
);

select * from finish();
rollback;
