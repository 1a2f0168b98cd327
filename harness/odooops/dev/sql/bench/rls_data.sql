-- Data for `odooops bench rls` (never a migration): :projects projects, a
-- member who is a viewer of the first :member_of of them, and :runs finished
-- runs spread over the projects in creation order (80 % succeeded, 10 %
-- failed, 10 % canceled, by a hash of the run number), each with its final
-- event. :scale multiplies the runs of the other projects only: the member's
-- projects hold the same runs at every scale (about :runs * :member_of /
-- :projects). Log lines (:log_lines each) for about :log_runs * :scale runs
-- of other projects and for the latest :member_log_runs runs of each of the
-- member's projects; two artifacts each for those runs and for every tenth
-- run. Ids are derived from numbers, so the harness can name them without a
-- lookup. Written directly with triggers off (session_replication_role =
-- replica, superuser only): project_id is set on every child row here, as the
-- RPCs set it.
set session_replication_role = replica;

insert into auth.users (id, aud, role, email, raw_user_meta_data, raw_app_meta_data, created_at, updated_at)
values
  ('00000000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'member@bench.invalid', '{}', '{}',
    now(), now()),
  ('00000000-0000-4000-8000-000000000002', 'authenticated', 'authenticated', 'others@bench.invalid', '{}', '{}',
    now(), now());

insert into ops.projects (id, slug, name, odoo_series, repository_url, created_by)
select
  ('00000000-0000-4000-9000-' || lpad(to_hex(p), 12, '0'))::uuid, 'rls-' || p, 'RLS ' || p, '17.0',
  'https://git.test.invalid/rls-' || p || '.git', '00000000-0000-4000-8000-000000000002'
from generate_series(0, :projects - 1) as p;

insert into ops.workflows (id, project_id, name, steps, triggers)
select
  ('00000000-0000-4000-a000-' || lpad(to_hex(p), 12, '0'))::uuid,
  ('00000000-0000-4000-9000-' || lpad(to_hex(p), 12, '0'))::uuid,
  'build', '[{"name": "build", "command": "true"}]', ops.default_workflow_triggers('build')
from generate_series(0, :projects - 1) as p;

-- Each project's production branch, main, which every run builds (the
-- triggers that create it and set runs.branch_id are off).
insert into ops.branches (id, project_id, name, stage)
select
  ('00000000-0000-4000-c000-' || lpad(to_hex(p), 12, '0'))::uuid,
  ('00000000-0000-4000-9000-' || lpad(to_hex(p), 12, '0'))::uuid,
  'main', 'production'
from generate_series(0, :projects - 1) as p;

insert into ops.project_memberships (project_id, user_id, role)
select
  ('00000000-0000-4000-9000-' || lpad(to_hex(p), 12, '0'))::uuid,
  case when p < :member_of then '00000000-0000-4000-8000-000000000001'::uuid
  else '00000000-0000-4000-8000-000000000002'::uuid end,
  case when p < :member_of then 'viewer'::ops.member_role else 'owner'::ops.member_role end
from generate_series(0, :projects - 1) as p;

-- Run g belongs to member project g % (:projects * :scale) when that is below
-- :member_of, else to another project.
create temporary table bench_runs as
select
  g,
  ('00000000-0000-4000-b000-' || lpad(to_hex(g), 12, '0'))::uuid as id,
  case
    when g % (:projects * :scale) < :member_of then g % (:projects * :scale)
    else :member_of + g % (:projects - :member_of)
  end as p,
  timestamptz '2026-01-01 00:00:00+00' + g * (interval '30 seconds' / :scale) as t,
  (case (hashint8(g::bigint)::bigint + 2147483648) % 10 when 0 then 'failed' when 1 then 'canceled' else 'succeeded'
  end)::ops.run_status as status
from generate_series(1, :runs * :scale) as g;

insert into ops.runs (
  id, project_id, workflow_id, branch, branch_id, commit_sha, status, attempt, max_attempts, exit_code, created_at,
  claimed_at, started_at, finished_at, updated_at
)
select
  b.id,
  ('00000000-0000-4000-9000-' || lpad(to_hex(b.p), 12, '0'))::uuid,
  ('00000000-0000-4000-a000-' || lpad(to_hex(b.p), 12, '0'))::uuid,
  'main', ('00000000-0000-4000-c000-' || lpad(to_hex(b.p), 12, '0'))::uuid, lpad(to_hex(b.g), 40, '0'),
  b.status, 1, 3, case b.status when 'failed' then 1 when 'canceled' then null else 0 end,
  b.t, b.t, b.t, b.t + interval '1 minute', b.t + interval '1 minute'
from bench_runs as b
order by b.g;

insert into ops.run_events (run_id, project_id, from_status, to_status, actor, payload, created_at)
select
  b.id, ('00000000-0000-4000-9000-' || lpad(to_hex(b.p), 12, '0'))::uuid, 'running', b.status, 'bench', '{}',
  b.t + interval '1 minute'
from bench_runs as b
order by b.g;

create temporary table bench_log_runs as
select b.id, b.p
from bench_runs as b
where b.p >= :member_of and b.g % greatest(1, :runs / :log_runs) = :member_of
union all
select m.id, m.p
from (
  select b.id, b.p, row_number() over (partition by b.p order by b.g desc) as n
  from bench_runs as b
  where b.p < :member_of
) as m
where m.n <= :member_log_runs;

insert into ops.run_logs (run_id, project_id, seq, timestamp, level, stream, message)
select
  l.id, ('00000000-0000-4000-9000-' || lpad(to_hex(l.p), 12, '0'))::uuid, s,
  timestamptz '2026-01-01 00:00:00+00' + s * interval '10 milliseconds', 'info', 'build',
  'INFO odoo.modules.loading: loading 42 modules... (a typical Odoo log line of about 80 chars)'
from bench_log_runs as l
cross join generate_series(1, :log_lines) as s
order by l.id, s;

insert into ops.run_artifacts (run_id, project_id, artifact_key, storage_url, content_type, size_bytes, sha256)
select
  b.id, ('00000000-0000-4000-9000-' || lpad(to_hex(b.p), 12, '0'))::uuid, k.key,
  's3://odooops-artifacts/rls-' || b.p || '/' || b.id || '/' || k.key, 'application/gzip', 1048576, repeat('a', 64)
from bench_runs as b
cross join (values ('addons.tar.gz'), ('db.dump.gz')) as k (key)
where b.g % 10 = 5 or b.id in (select l.id from bench_log_runs as l)
order by b.g, k.key;

update ops.runs as r set last_log_seq = :log_lines
from bench_log_runs as l
where r.id = l.id;

set session_replication_role = origin;
