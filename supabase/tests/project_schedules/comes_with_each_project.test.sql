-- ops.project_schedules: a project gets its row, without a limit, when it is created.
begin;
select plan(1);

select tests.q_project('acme');
select results_eq(
  $$select max_running_runs from ops.project_schedules
    where project_id = (select id from ops.projects where slug = 'acme')$$,
  $$values (null::integer)$$,
  'A new project has its row: no limit.'
);

select * from finish();
rollback;
