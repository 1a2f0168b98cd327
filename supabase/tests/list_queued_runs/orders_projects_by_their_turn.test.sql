-- ops.list_queued_runs: projects take their places by their turn, the newest last_served_at of their rows
-- in ops.project_queues (a row without queued runs keeps the older turn it had when its flag was cleared),
-- and the list is the order in which claims take the runs.
begin;
select plan(2);

select tests.q_project('acme');
select tests.q_project('beta');
select tests.q_project('gamma');
select tests.q_workflow((select id from ops.projects where slug = 'acme'), 'odoo17');
update ops.workflows set required_labels = '{odoo-17.0}' where name = 'odoo17';
select tests.q_remember(p || n, (ops.enqueue_run(p, 'build', 'main', tests.q_sha(n * 10 + length(p)))).id)
from unnest(array['acme', 'beta', 'gamma']) as p, generate_series(1, 2) as n;
update ops.runs set created_at = now() - interval '1 minute'
where id in (tests.q_id('acme1'), tests.q_id('beta1'), tests.q_id('gamma1'));

-- acme was served 10 minutes ago; its odoo17 set, with nothing queued, still has the turn of an hour ago.
update ops.project_queues as q set last_served_at = now() - case
  when p.slug = 'acme' and q.required_labels = '{}' then interval '10 minutes'
  when p.slug = 'acme' then interval '1 hour'
  when p.slug = 'beta' then interval '30 minutes'
  else interval '20 minutes'
end
from ops.projects as p where p.id = q.project_id;

select results_eq(
  $$select run_id from ops.list_queued_runs() order by "position"$$,
  $$values (tests.q_id('beta1')), (tests.q_id('gamma1')), (tests.q_id('acme1')),
           (tests.q_id('beta2')), (tests.q_id('gamma2')), (tests.q_id('acme2'))$$,
  'Projects by their newest turn (acme''s older odoo17 turn does not count), one run of each per round.'
);

create temporary table listed as select run_id, "position" from ops.list_queued_runs();
create temporary table claimed (n serial, run_id uuid);
insert into claimed (run_id) select (ops.claim_next_run('worker-1')).id from generate_series(1, 6);
select results_eq(
  'select run_id from claimed order by n',
  'select run_id from listed order by "position"',
  'Six claims in a row take the runs in the listed order.'
);

select * from finish();
rollback;
