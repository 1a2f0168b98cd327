// The console's reads, each run inside asUser (row-level security decides).
import { Prisma } from "@/generated/client/client";
import type { Tx } from "./db";
import { isUuid } from "./auth";
import { LEVELS } from "./http";

export async function projectBySlug(tx: Tx, slug: string, userId: string) {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) return null;
  const p = await tx.project.findUnique({
    where: { slug },
    select: {
      id: true, slug: true, name: true, odooSeries: true, repositoryUrl: true, productionBranch: true, archivedAt: true,
      memberships: { where: { userId }, select: { role: true } },
      workflows: { orderBy: { name: "asc" }, select: { id: true, name: true, enabled: true } },
    },
  });
  return p ? { ...p, role: p.memberships[0]?.role ?? null } : null;
}

export type ProjectRow = {
  slug: string; name: string; odoo_series: string; archived_at: Date | null; role: string | null;
  run_status: string | null; run_branch: string | null; run_created_at: Date | null;
};

/** The user's projects by slug, each with the user's role and its newest run: one probe of
 * runs_project_id_created_at_id_idx per project (Prisma's nested `runs: { take: 1 }` reads every run
 * of every project to number them, seconds with 1,000,000 runs; measured by `odooops bench console`). */
export async function projectsWithLastRun(tx: Tx, userId: string, limit = 500) {
  return await tx.$queryRaw<ProjectRow[]>`
    select p.slug, p.name, p.odoo_series, p.archived_at,
           (select m.role::text from ops.project_memberships m where m.project_id = p.id and m.user_id = ${userId}::uuid)
             as role,
           r.status::text as run_status, r.branch as run_branch, r.created_at as run_created_at
      from ops.projects p
      left join lateral (
        select x.status, x.branch, x.created_at from ops.runs x
         where x.project_id = p.id order by x.created_at desc, x.id desc limit 1
      ) r on true
     order by p.slug
     limit ${limit}`;
}

export type RunRow = {
  id: string; status: string; branch: string; commit_sha: string; stage: string; workflow: string;
  created_at: Date; cursor: string; started_at: Date | null; finished_at: Date | null;
};

export type RunFilters = { status?: string; branch?: string; workflow?: string; stage?: string; before?: string };

/** One page of runs, newest first, by keyset on (created_at, id), an index scan on
 * runs_project_id_created_at_id_idx (migration 20261202001300): the cursor
 * carries created_at to the microsecond, so no run is skipped or repeated. */
export async function runsPage(tx: Tx, projectId: string, f: RunFilters, pageSize = 50) {
  const where: Prisma.Sql[] = [Prisma.sql`r.project_id = ${projectId}::uuid`];
  if (f.status) where.push(Prisma.sql`r.status = ${f.status}::ops.run_status`);
  if (f.stage) where.push(Prisma.sql`r.stage = ${f.stage}::ops.run_stage`);
  if (f.branch) where.push(Prisma.sql`r.branch = ${f.branch}`);
  if (f.workflow) where.push(Prisma.sql`w.name = ${f.workflow}`);
  if (f.before) {
    const [ts, id] = f.before.split("~");
    if (ts && id && isUuid(id) && !Number.isNaN(Date.parse(ts))) {
      where.push(Prisma.sql`(r.created_at, r.id) < (${ts}::timestamptz, ${id}::uuid)`);
    }
  }
  const rows = await tx.$queryRaw<RunRow[]>`
    select r.id::text, r.status::text, r.branch, r.commit_sha, r.stage::text, w.name as workflow,
           r.created_at, r.started_at, r.finished_at,
           to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '~' || r.id::text as cursor
      from ops.runs r
      join ops.workflows w on w.id = r.workflow_id
     where ${Prisma.join(where, " and ")}
     order by r.created_at desc, r.id desc
     limit ${pageSize + 1}`;
  return { runs: rows.slice(0, pageSize), next: rows.length > pageSize ? rows[pageSize - 1].cursor : null };
}

export type LogLine = { seq: string; level: string; stream: string; message: string; timestamp: string };

/** Log lines after `after` (at most `limit`), or the last `limit` lines when
 * `tail` is set; `level` keeps that level and the ones above it. */
export async function logLines(tx: Tx, runId: string, opts: { after?: bigint; level?: string; limit?: number; tail?: boolean }) {
  const limit = Math.min(Math.max(opts.limit ?? 500, 1), 2000);
  const levels = opts.level && (LEVELS as readonly string[]).includes(opts.level)
    ? LEVELS.slice(LEVELS.indexOf(opts.level as (typeof LEVELS)[number]))
    : [...LEVELS];
  const rows = await tx.runLog.findMany({
    where: { runId, level: { in: levels as (typeof LEVELS)[number][] }, ...(opts.after !== undefined ? { seq: { gt: opts.after } } : {}) },
    orderBy: { seq: opts.tail ? "desc" : "asc" },
    take: limit,
    select: { seq: true, level: true, stream: true, message: true, timestamp: true },
  });
  if (opts.tail) rows.reverse();
  return rows.map((r): LogLine => ({
    seq: r.seq.toString(), level: r.level, stream: r.stream, message: r.message, timestamp: r.timestamp.toISOString(),
  }));
}

export type BranchRow = {
  name: string; stage: string; head_commit: string | null; last_push_at: Date | null;
  run_id: string | null; run_status: string | null; workflow: string | null; run_created_at: Date | null;
};

/** The project's branches that exist, production first, then staging, then
 * development (most recently pushed first), each with its newest run: Odoo.sh's
 * main view. One probe of runs_branch_id_created_at_idx per branch. */
export async function branchesByStage(tx: Tx, projectId: string, limit = 200) {
  return await tx.$queryRaw<BranchRow[]>`
    select b.name, b.stage::text, b.head_commit, b.last_push_at,
           r.id::text as run_id, r.status::text as run_status, w.name as workflow, r.created_at as run_created_at
      from ops.branches b
      left join lateral (
        select x.id, x.status, x.workflow_id, x.created_at from ops.runs x
         where x.branch_id = b.id order by x.created_at desc limit 1
      ) r on true
      left join ops.workflows w on w.id = r.workflow_id
     where b.project_id = ${projectId}::uuid and b.deleted_at is null
     order by case b.stage when 'production' then 0 when 'staging' then 1 else 2 end,
              b.last_push_at desc nulls last, b.name
     limit ${limit}`;
}

export type FindingRow = {
  id: string; source: string; code: string; severity: string; to_series: string | null;
  file: string; line: number; col: number; excerpt: string; message: string;
};
export type FindingGroup = { source: string; code: string; severity: string; to_series: string | null; count: number };

/** A run's upgrade findings: every (source, code) group with its exact count,
 * and the first `limit` findings in (source, code, file, line, col) order (a run
 * holds up to 20000). Row-level security reads them as the run's. */
export async function runFindings(tx: Tx, runId: string, limit = 2000) {
  const groups = await tx.$queryRaw<FindingGroup[]>`
    select source, code, min(severity) as severity, min(to_series) as to_series, count(*)::int as count
      from ops.upgrade_findings where run_id = ${runId}::uuid
     group by source, code
     order by source desc, count(*) desc, code`;
  const rows = await tx.$queryRaw<FindingRow[]>`
    select id::text, source, code, severity, to_series, file, line, col, excerpt, message
      from ops.upgrade_findings where run_id = ${runId}::uuid
     order by source, code, file, line, col
     limit ${limit}`;
  return { groups, rows, total: groups.reduce((n, g) => n + g.count, 0) };
}

export type MemberRow = { user_id: string; role: string; created_at: Date };

/** The project's members, owners first (m.role: the enum's order, not the text's). */
export async function members(tx: Tx, projectId: string) {
  return await tx.$queryRaw<MemberRow[]>`
    select m.user_id::text, m.role::text, m.created_at from ops.project_memberships m
     where m.project_id = ${projectId}::uuid
     order by m.role desc, m.created_at, m.user_id
     limit 1000`;
}

export type SecretRow = { name: string; stage: string | null; updated_at: Date; updated_by: string | null };

export async function secrets(tx: Tx, projectId: string) {
  return await tx.$queryRaw<SecretRow[]>`
    select s.name, s.stage::text, s.updated_at, s.updated_by::text from ops.project_secrets s
     where s.project_id = ${projectId}::uuid
     order by s.name, s.stage nulls first
     limit 1000`;
}

/** Whether the signed-in user is an installation operator (their own row of ops.installation_operators). */
export async function isOperator(tx: Tx): Promise<boolean> {
  const rows = await tx.$queryRaw<{ operator: boolean }[]>`select ops.is_installation_operator() as operator`;
  return rows[0]?.operator === true;
}

export type WorkerRow = {
  worker_id: string; labels: string[]; version: string | null; host: string | null;
  started_at: Date | null; last_seen_at: Date; gone: boolean; held_runs: number;
};

/** The fleet, for an installation operator (ops.list_installation_workers refuses anyone else with 42501). */
export async function workers(tx: Tx) {
  return await tx.$queryRaw<WorkerRow[]>`
    select worker_id, labels, version, host, started_at, last_seen_at, gone, held_runs
      from ops.list_installation_workers()`;
}

/** The database's window of one search call (ops.search_run_logs). */
export const SEARCH_WINDOW = 100000n;
export const SEARCH_LIMIT = 200;

/** Lines of the run containing `q`, from line `after` on: one bounded call of ops.search_run_logs
 * (100,000 lines at most), and where the next call would start, or null at the end of the log. */
export async function searchLog(tx: Tx, runId: string, q: string, level: string, after: bigint) {
  const last = await tx.$queryRaw<{ seq: bigint }[]>`
    select coalesce(max(seq), 0) as seq from ops.run_logs where run_id = ${runId}::uuid`;
  const lastSeq = last[0]?.seq ?? 0n;
  const lvl = (LEVELS as readonly string[]).includes(level) ? level : "debug";
  const rows = await tx.$queryRaw<{ seq: bigint; level: string; stream: string; message: string; logged_at: Date }[]>`
    select seq, level::text, stream, message, logged_at
      from ops.search_run_logs(${runId}::uuid, ${q}, ${lvl}::ops.log_level, ${after}::bigint, ${SEARCH_LIMIT}::integer)`;
  const lines = rows.map((r): LogLine => ({
    seq: r.seq.toString(), level: r.level, stream: r.stream, message: r.message, timestamp: r.logged_at.toISOString(),
  }));
  const to = rows.length === SEARCH_LIMIT ? rows[rows.length - 1].seq : after + SEARCH_WINDOW;
  return { lines, from: after, searchedTo: to < lastSeq ? to : lastSeq, next: to < lastSeq ? to : null };
}
