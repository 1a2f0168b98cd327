-- The console's main queries for `odooops bench console`, as console/lib/queries.ts and the pages make
-- them, run by the member under row-level security with EXPLAIN ANALYZE: the bench shows the plan of the
-- slowest. Each starts with `-- name: <key>`; parameters are %(project)s, %(cursor_ts)s, %(cursor_id)s,
-- %(run)s.

-- name: projects list (each project's newest run)
select p.slug, p.name, r.status, r.created_at
from ops.projects as p
left join lateral (
  select x.status, x.created_at from ops.runs as x
  where x.project_id = p.id order by x.created_at desc, x.id desc limit 1
) as r on true
order by p.slug
limit 500;

-- name: runs page, newest
select r.id::text, r.status::text, r.branch, r.commit_sha, r.stage::text, w.name as workflow, r.created_at
from ops.runs as r
inner join ops.workflows as w on w.id = r.workflow_id
where r.project_id = %(project)s
order by r.created_at desc, r.id desc
limit 51;

-- name: runs page, deep in history (keyset)
select r.id::text, r.status::text, r.branch, r.commit_sha, r.stage::text, w.name as workflow, r.created_at
from ops.runs as r
inner join ops.workflows as w on w.id = r.workflow_id
where r.project_id = %(project)s and (r.created_at, r.id) < (%(cursor_ts)s::timestamptz, %(cursor_id)s::uuid)
order by r.created_at desc, r.id desc
limit 51;

-- name: branches by stage, each with its newest run
select b.name, b.stage::text, r.id::text as run_id, r.status::text as run_status
from ops.branches as b
left join lateral (
  select x.id, x.status, x.created_at from ops.runs as x
  where x.branch_id = b.id order by x.created_at desc limit 1
) as r on true
where b.project_id = %(project)s and b.deleted_at is null
order by case b.stage when 'production' then 0 when 'staging' then 1 else 2 end, b.last_push_at desc nulls last, b.name
limit 200;

-- name: run page, the last 500 log lines
select seq, level, stream, message, timestamp
from ops.run_logs
where run_id = %(run)s
order by seq desc
limit 500;

-- name: log search, one window (the body of ops.search_run_logs)
select l.seq, l.level, l.stream, l.message, l.timestamp
from ops.run_logs as l
where
  l.run_id = %(run)s and l.seq > 0 and l.seq <= 100000 and l.level >= 'debug'
  and strpos(lower(l.message), lower('needle')) > 0
order by l.seq
limit 200;

-- name: queue (ops.list_queued_runs)
select * from ops.list_queued_runs() order by "position" limit 200;
