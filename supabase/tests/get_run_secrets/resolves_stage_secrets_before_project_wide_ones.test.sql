-- ops.get_run_secrets returns the secrets a run names in params.secrets, and only those: a secret set for
-- the run's stage wins over the project-wide one; a named secret deleted since the enqueue is P0002.
begin;
select plan(7);

-- SETUP
select tests.q_project('acme');
select tests.q_project('other');
select ops.set_project_secret('acme', 'A_TOKEN', 'a-everywhere');
select ops.set_project_secret('acme', 'B_TOKEN', 'b-everywhere');
select ops.set_project_secret('acme', 'C_TOKEN', 'c-everywhere');
select ops.set_project_secret('acme', 'A_TOKEN', 'a-production', 'production');
select ops.set_project_secret('acme', 'B_TOKEN', 'b-staging', 'staging');
select ops.set_project_secret('other', 'A_TOKEN', 'a-of-other');

create function pg_temp.run_secrets(p_stage ops.run_stage, p_secrets jsonb)
returns table (name text, value text)
language plpgsql
as $$
declare
  v_run_id uuid;
begin
  -- One run at a time in the queue: enqueue, claim, read, then finish it.
  v_run_id := (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(1), jsonb_build_object('secrets', p_secrets),
    p_stage => p_stage)).id;
  perform ops.claim_next_run('worker-1');
  return query select s.name, s.value from ops.get_run_secrets(v_run_id, 'worker-1') as s order by s.name;
  perform ops.start_workflow_run(v_run_id, 'worker-1');
  perform ops.complete_workflow_run(v_run_id, 0, null, 'worker-1');
end
$$;

-- TEST
select results_eq(
  $$select * from pg_temp.run_secrets('production', '["A_TOKEN", "B_TOKEN"]')$$,
  $$values ('A_TOKEN'::text, 'a-production'::text), ('B_TOKEN', 'b-everywhere')$$,
  'A production run gets the production A_TOKEN and the project-wide B_TOKEN.'
);
select results_eq(
  $$select * from pg_temp.run_secrets('staging', '["A_TOKEN", "B_TOKEN"]')$$,
  $$values ('A_TOKEN'::text, 'a-everywhere'::text), ('B_TOKEN', 'b-staging')$$,
  'A staging run gets the project-wide A_TOKEN and the staging B_TOKEN.'
);
select results_eq(
  $$select * from pg_temp.run_secrets('development', '["C_TOKEN", "A_TOKEN", "C_TOKEN"]')$$,
  $$values ('A_TOKEN'::text, 'a-everywhere'::text), ('C_TOKEN', 'c-everywhere')$$,
  'A development run gets project-wide secrets, each once, and never another project''s.'
);
select results_eq(
  $$select * from pg_temp.run_secrets('production', '["B_TOKEN"]')$$,
  $$values ('B_TOKEN'::text, 'b-everywhere'::text)$$,
  'A run gets only the secrets it names.'
);
select is_empty(
  $$select * from pg_temp.run_secrets('production', '[]')$$, 'A run that names no secret gets none.'
);

-- TEST: deleted after the enqueue.
select tests.q_remember('r', (ops.enqueue_run('acme', 'build', 'main', tests.q_sha(2), '{"secrets": ["B_TOKEN"]}',
  p_stage => 'staging')).id);
select ops.delete_project_secret('acme', 'B_TOKEN', 'staging');
select ops.delete_project_secret('acme', 'B_TOKEN');
select ops.claim_next_run('worker-1');
select throws_ok(
  format('select * from ops.get_run_secrets(%L, %L)', tests.q_id('r'), 'worker-1'),
  'P0002',
  format('run %s: secret ''B_TOKEN'' is set neither for stage staging nor for every stage of its project', tests.q_id('r')),
  'A secret deleted since the enqueue is no_data_found naming it: the worker fails the run with that message.'
);
select ops.set_project_secret('acme', 'B_TOKEN', 'b-again');
select results_eq(
  format('select name, value from ops.get_run_secrets(%L, %L)', tests.q_id('r'), 'worker-1'),
  $$values ('B_TOKEN'::text, 'b-again'::text)$$,
  'Set again, it is found: secrets are resolved when the worker asks, not when the run is queued.'
);

select * from finish();
rollback;
