-- ops.get_run_context returns the upgrade advisories only when a step asks for them: "advisories": true,
-- or, without the key, a command that runs the built-in upgrade-scan step. "advisories": false never asks.
begin;
select plan(9);

-- SETUP
select tests.q_project('acme') as project_id \gset
insert into ops.workflows (project_id, name, steps)
select :'project_id', w.name, w.steps::jsonb
from (values
  ('explicit', '[{"name": "checkout", "command": "make"}, {"name": "scan", "command": "./scan.sh", "advisories": true}]'),
  ('module', '[{"name": "scan", "command": "python -m odooops.steps upgrade-scan --to 19.0"}]'),
  ('cli', '[{"name": "scan", "command": "odooops step upgrade-scan"}]'),
  ('bare', '[{"name": "scan", "command": "upgrade-scan"}]'),
  ('opted-out', '[{"name": "scan", "command": "python -m odooops.steps upgrade-scan", "advisories": false}]'),
  ('lookalike', '[{"name": "scan", "command": "echo my-upgrade-scan; ./upgrade-scanner"}]'),
  ('said-no', '[{"name": "scan", "command": "make", "advisories": false}]')
) as w (name, steps);

-- One run at a time in the queue: enqueue, claim, read, then end it.
create function pg_temp.advisories_of(p_workflow text)
returns jsonb
language plpgsql
as $$
declare
  v_run_id uuid;
  v_advisories jsonb;
begin
  v_run_id := (ops.enqueue_run('acme', p_workflow, 'main', tests.q_sha(1))).id;
  perform ops.claim_next_run('worker-1');
  select c.advisories into v_advisories from ops.get_run_context(v_run_id, 'worker-1') as c;
  perform ops.start_workflow_run(v_run_id, 'worker-1');
  perform ops.complete_workflow_run(v_run_id, 0, null, 'worker-1');
  return v_advisories;
end
$$;

create temporary table every_advisory on commit drop as
select jsonb_agg(jsonb_build_object(
  'code', a.code, 'from_series', a.from_series, 'to_series', a.to_series, 'area', a.area,
  'severity', a.severity::text, 'title', a.title, 'engine', a.engine, 'detect_regex', a.detect_regex,
  'detect_pattern', a.detect_pattern, 'detect_globs', a.detect_globs, 'remediation', a.remediation,
  'reference_url', a.reference_url
) order by a.code) as advisories
from ops.upgrade_advisories as a;

-- TEST
select ok((select jsonb_array_length(advisories) > 0 from every_advisory), 'The seed has advisories to give.');
select is(pg_temp.advisories_of('build'), '[]'::jsonb, 'A workflow whose steps do not ask gets none.');
select is(
  pg_temp.advisories_of('explicit'), (select advisories from every_advisory),
  'A step with "advisories": true gets every advisory, by code, with the fields the scan uses.'
);
select is(
  pg_temp.advisories_of('module'), (select advisories from every_advisory),
  'A step without the key that runs python -m odooops.steps upgrade-scan gets them.'
);
select is(
  pg_temp.advisories_of('cli'), (select advisories from every_advisory), 'So does odooops step upgrade-scan.'
);
select is(
  pg_temp.advisories_of('bare'), (select advisories from every_advisory), 'And a command that is upgrade-scan alone.'
);
select is(
  pg_temp.advisories_of('opted-out'), '[]'::jsonb, '"advisories": false wins over an upgrade-scan command.'
);
select is(
  pg_temp.advisories_of('lookalike'), '[]'::jsonb, 'A command that only contains the letters upgrade-scan does not ask.'
);
select is(pg_temp.advisories_of('said-no'), '[]'::jsonb, 'Nor does a step that says false.');

select * from finish();
rollback;
