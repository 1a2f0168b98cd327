-- Data for `odooops bench console` (never a migration): a member who owns
-- project `big`, with :runs runs over 22 branches (main in production,
-- staging, 20 development branches; 80 % succeeded, 10 % failed, 10 %
-- canceled, by a hash of the run number; the newest :queued runs queued), and
-- is a viewer of four small projects; :others runs in five projects of
-- another user. The newest finished run of main has :log_lines log lines
-- (`needle` at line 42, a warning every 1000 lines) and its events. Ids are
-- derived from numbers, so the harness names them without a lookup. Written
-- directly with triggers off (session_replication_role = replica, superuser
-- only); project_id is set on every child row, as the RPCs set it.
set session_replication_role = replica;

insert into auth.users (id, aud, role, email, raw_user_meta_data, raw_app_meta_data, created_at, updated_at)
values
  ('00000000-0000-4000-8000-0000000000c1', 'authenticated', 'authenticated', 'member@bench.invalid', '{}', '{}',
    now(), now()),
  ('00000000-0000-4000-8000-0000000000c2', 'authenticated', 'authenticated', 'others@bench.invalid', '{}', '{}',
    now(), now());

-- Project 0 is `big`; 1 to 4 are the member's small ones; 5 to 9 are another user's.
insert into ops.projects (id, slug, name, odoo_series, repository_url, created_by)
select
  ('00000000-0000-4000-9000-' || lpad(to_hex(p), 12, '0'))::uuid,
  case p when 0 then 'big' else 'console-' || p end,
  case p when 0 then 'One million runs' else 'Console ' || p end, '17.0',
  'https://github.com/bench/console-' || p || '.git', '00000000-0000-4000-8000-0000000000c2'
from generate_series(0, 9) as p;

insert into ops.project_memberships (project_id, user_id, role)
select
  ('00000000-0000-4000-9000-' || lpad(to_hex(p), 12, '0'))::uuid,
  case when p < 5 then '00000000-0000-4000-8000-0000000000c1'::uuid
  else '00000000-0000-4000-8000-0000000000c2'::uuid end,
  case when p = 0 or p >= 5 then 'owner'::ops.member_role else 'viewer'::ops.member_role end
from generate_series(0, 9) as p;

insert into ops.workflows (id, project_id, name, steps, triggers)
select
  ('00000000-0000-4000-a000-' || lpad(to_hex(p), 12, '0'))::uuid,
  ('00000000-0000-4000-9000-' || lpad(to_hex(p), 12, '0'))::uuid,
  'build', '[{"name": "build", "command": "true"}]', ops.default_workflow_triggers('build')
from generate_series(0, 9) as p;

-- Branch b of project p: b = 0 main (production), 1 staging, 2 to 21 dev-NN (development).
insert into ops.branches (id, project_id, name, stage, last_push_at)
select
  ('00000000-0000-4000-c000-' || lpad(to_hex(p * 100 + b), 12, '0'))::uuid,
  ('00000000-0000-4000-9000-' || lpad(to_hex(p), 12, '0'))::uuid,
  case b when 0 then 'main' when 1 then 'staging' else 'dev-' || lpad(b::text, 2, '0') end,
  (case b when 0 then 'production' when 1 then 'staging' else 'development' end)::ops.run_stage,
  timestamptz '2026-06-01 00:00:00+00' + b * interval '1 hour'
from generate_series(0, 9) as p
cross join generate_series(0, 21) as b;

-- Run g: project big for g <= :runs, then the others round robin.
create temporary table bench_runs as
select
  g,
  ('00000000-0000-4000-b000-' || lpad(to_hex(g), 12, '0'))::uuid as id,
  case when g <= :runs then 0 else 1 + g % 9 end as p,
  g % 22 as b,
  timestamptz '2026-01-01 00:00:00+00' + g * interval '10 seconds' as t,
  (case
    when g > :runs - :queued and g <= :runs then 'queued'
    else case (hashint8(g::bigint)::bigint + 2147483648) % 10 when 0 then 'failed' when 1 then 'canceled'
      else 'succeeded' end
  end)::ops.run_status as status
from generate_series(1, :runs + :others) as g;

insert into ops.runs (
  id, project_id, workflow_id, branch, branch_id, stage, commit_sha, status, attempt, max_attempts, exit_code,
  created_at, claimed_at, started_at, finished_at, updated_at
)
select
  r.id,
  ('00000000-0000-4000-9000-' || lpad(to_hex(r.p), 12, '0'))::uuid,
  ('00000000-0000-4000-a000-' || lpad(to_hex(r.p), 12, '0'))::uuid,
  case r.b when 0 then 'main' when 1 then 'staging' else 'dev-' || lpad(r.b::text, 2, '0') end,
  ('00000000-0000-4000-c000-' || lpad(to_hex(r.p * 100 + r.b), 12, '0'))::uuid,
  (case r.b when 0 then 'production' when 1 then 'staging' else 'development' end)::ops.run_stage,
  lpad(to_hex(r.g), 40, '0'), r.status,
  case r.status when 'queued' then 0 else 1 end, 3,
  case r.status when 'failed' then 1 when 'succeeded' then 0 end,
  r.t,
  case when r.status <> 'queued' then r.t end,
  case when r.status <> 'queued' then r.t end,
  case when r.status <> 'queued' then r.t + interval '1 minute' end,
  r.t + interval '1 minute'
from bench_runs as r
order by r.g;

-- The log run: the newest finished run of big's main branch.
create temporary table bench_log_run as
select r.id from bench_runs as r
where r.p = 0 and r.b = 0 and r.status <> 'queued'
order by r.g desc
limit 1;

insert into ops.run_events (run_id, project_id, from_status, to_status, actor, payload, created_at)
select l.id, '00000000-0000-4000-9000-000000000000', e.f::ops.run_status, e.t::ops.run_status, 'bench', '{}',
  now() - (5 - e.n) * interval '1 minute'
from bench_log_run as l
cross join (values (1, null, 'queued'), (2, 'queued', 'claimed'), (3, 'claimed', 'running'),
  (4, 'running', 'succeeded')) as e (n, f, t);

insert into ops.run_logs (run_id, project_id, seq, timestamp, level, stream, message)
select
  l.id, '00000000-0000-4000-9000-000000000000', s,
  timestamptz '2026-01-01 00:00:00+00' + s * interval '10 milliseconds',
  (case when s % 1000 = 0 then 'warning' else 'info' end)::ops.log_level, 'build',
  case
    when s = 42 then 'INFO odoo.modules.loading: the needle, far before the lines a page loads'
    when s % 1000 = 0 then 'WARNING odoo.models: a field is deprecated (' || s || ')'
    else 'INFO odoo.modules.loading: loading 42 modules... (a typical Odoo log line of about 80 chars)'
  end
from bench_log_run as l
cross join generate_series(1, :log_lines) as s;

update ops.runs as r set last_log_seq = :log_lines, status = 'succeeded', exit_code = 0
from bench_log_run as l
where r.id = l.id;

set session_replication_role = origin;
