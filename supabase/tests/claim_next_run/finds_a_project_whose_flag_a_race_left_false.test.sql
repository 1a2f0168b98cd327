-- ops.claim_next_run: has_queued is written without waiting, so a race can leave it false on a project with
-- queued runs; a claim that finds nothing else flags such a project again and takes its run.
begin;
select plan(3);

select tests.q_project('acme');
select tests.q_remember('r1', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1))).id);
-- As a race would leave it: the run is queued, the flag says nothing is.
update ops.project_queues set has_queued = false;

select is((ops.claim_next_run('w1')).id, tests.q_id('r1'), 'The run is claimed all the same.');
select is((select has_queued from ops.project_queues), true, 'The project''s label set was flagged again.');
select cmp_ok((select last_served_at from ops.project_queues), '>', '-infinity'::timestamptz, 'And served.');

select * from finish();
rollback;
