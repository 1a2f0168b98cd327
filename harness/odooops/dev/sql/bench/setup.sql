-- Benchmark fixtures (never a migration): a project and a no-op workflow to
-- queue runs of, and the table of the single-row UPDATE baseline. The bench
-- queues thousands of commits of one branch and runs each of them, so the
-- workflow supersedes nothing.
insert into ops.projects (slug, name, odoo_series, repository_url)
values ('bench', 'Benchmark', '17.0', 'https://git.test.invalid/bench.git')
on conflict (slug) do nothing;

insert into ops.workflows (project_id, name, steps, max_attempts, lease_seconds, supersede)
select p.id, 'noop', '[{"name": "noop", "command": "true"}]'::jsonb, 3, 60, 'none'
from ops.projects as p where p.slug = 'bench'
on conflict (project_id, name) do nothing;

-- The same no-op under labels: the bench's labelled worker offers docker and
-- odoo-17.0, so it takes noop, noop-docker and noop-odoo17, never noop-arm64.
insert into ops.workflows (project_id, name, steps, max_attempts, lease_seconds, required_labels, supersede)
select p.id, w.name, '[{"name": "noop", "command": "true"}]'::jsonb, 3, 60, w.labels, 'none'
from ops.projects as p
cross join (values
  ('noop-docker', '{docker}'::text[]),
  ('noop-odoo17', '{docker,odoo-17.0}'::text[]),
  ('noop-arm64', '{arm64,odoo-18.0}'::text[])
) as w (name, labels)
where p.slug = 'bench'
on conflict (project_id, name) do nothing;

create schema if not exists bench;

create table if not exists bench.counters (
  id integer primary key,
  n bigint not null default 0
);

insert into bench.counters (id)
select g from generate_series(1, 100000) as g
on conflict (id) do nothing;

vacuum analyze bench.counters;
