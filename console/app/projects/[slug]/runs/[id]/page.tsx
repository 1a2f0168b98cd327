import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { isUuid } from "@/lib/auth";
import { asUser, refusal } from "@/lib/db";
import { ENDED, LEVELS, ROLE_RANK } from "@/lib/http";
import { logLines, projectBySlug, runFindings, searchLog } from "@/lib/queries";
import { blobUrl, commitUrl } from "@/lib/repo";
import { pageUser } from "@/lib/session";
import { Notice } from "../../../../notice";
import { LogView } from "./log-view";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string; id: string }>; searchParams: Promise<Record<string, string | undefined>> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { slug, id } = await params;
  return { title: `Run ${id.slice(0, 8)} · ${slug}` };
}

function when(d: Date | null): string {
  return d ? d.toISOString().replace("T", " ").slice(0, 19) + " UTC" : "-";
}

function duration(a: Date | null, b: Date | null): string {
  if (!a) return "-";
  const s = Math.max(0, Math.round(((b ?? new Date()).getTime() - a.getTime()) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function size(n: bigint): string {
  const v = Number(n);
  return v < 1024 ? `${v} B` : v < 1048576 ? `${(v / 1024).toFixed(1)} KiB` : `${(v / 1048576).toFixed(1)} MiB`;
}

export default async function RunPage({ params, searchParams }: Params) {
  const user = await pageUser();
  const { slug, id } = await params;
  const sp = await searchParams;
  if (!isUuid(id)) notFound();
  const level = sp.level && (LEVELS as readonly string[]).includes(sp.level) ? sp.level : "debug";
  const data = await asUser(user, async (tx) => {
    const project = await projectBySlug(tx, slug, user.id);
    if (!project) return null;
    const run = await tx.run.findFirst({
      where: { id, projectId: project.id },
      include: {
        workflow: { select: { name: true } },
        events: { orderBy: { id: "asc" }, take: 200 },
        artifacts: { orderBy: { artifactKey: "asc" }, take: 200 },
      },
    });
    if (!run) return null;
    const lines = await logLines(tx, id, { tail: true, limit: 500, level });
    const findings = await runFindings(tx, id);
    return { project, run, lines, findings };
  });
  if (!data) notFound();
  const { project, run, lines, findings } = data;
  const search = await logSearch(user, id, sp, level);
  const role = project.role;
  const isDeveloper = role !== null && ROLE_RANK[role] >= ROLE_RANK.developer;
  const ended = ENDED.has(run.status);
  const link = commitUrl(project.repositoryUrl, run.commitSha);
  const base = `/projects/${project.slug}/runs/${run.id}`;
  return (
    <>
      <p className="muted"><Link href="/">Projects</Link> / <Link href={`/projects/${project.slug}`}>{project.slug}</Link> /</p>
      <h1>
        {run.workflow.name} <span className="mono">{run.branch}</span>{" "}
        <span className={`badge status-${run.status}`} data-testid="run-status">{run.status}</span>
      </h1>
      <Notice sp={sp} />
      {isDeveloper && (
        <div className="inline" style={{ display: "flex", gap: 8, flexWrap: "wrap" }}>
          {!ended && (
            <form method="post" action={`${base}/cancel`}>
              <button className="danger" type="submit">Cancel run</button>
            </form>
          )}
          {ended && !project.archivedAt && (
            <form method="post" action={`/projects/${project.slug}/runs/new`}>
              <input type="hidden" name="workflow" value={run.workflow.name} />
              <input type="hidden" name="branch" value={run.branch} />
              <input type="hidden" name="commit_sha" value={run.commitSha} />
              <input type="hidden" name="stage" value={run.stage} />
              <button type="submit">Rebuild</button>
            </form>
          )}
        </div>
      )}
      <section className="panel" aria-labelledby="facts">
        <h2 id="facts" className="skip">Run</h2>
        <dl className="facts">
          <dt>Run</dt><dd className="mono">{run.id}</dd>
          <dt>Commit</dt>
          <dd className="mono">{link ? <a href={link}>{run.commitSha}</a> : run.commitSha}</dd>
          <dt>Stage</dt><dd>{run.stage}</dd>
          <dt>Started by</dt><dd className="mono">{run.createdBy ?? "service_role"}</dd>
          <dt>Queued</dt><dd>{when(run.createdAt)}</dd>
          <dt>Started</dt><dd>{when(run.startedAt)}</dd>
          <dt>Finished</dt><dd>{when(run.finishedAt)}</dd>
          <dt>Waited / ran</dt><dd>{duration(run.createdAt, run.startedAt ?? run.finishedAt)} / {duration(run.startedAt, run.finishedAt)}</dd>
          <dt>Attempt</dt><dd>{run.attempt} of {run.maxAttempts}</dd>
          {run.exitCode !== null && (<><dt>Exit code</dt><dd>{run.exitCode}</dd></>)}
          {run.errorMessage && (<><dt>Error</dt><dd>{run.errorMessage}</dd></>)}
          {run.cancelRequestedAt && (<><dt>Cancel asked</dt><dd>{when(run.cancelRequestedAt)} {run.cancelReason}</dd></>)}
        </dl>
      </section>
      <h2 id="events">Timeline</h2>
      <ol className="timeline" aria-labelledby="events">
        {run.events.map((e) => (
          <li key={e.id.toString()} data-event={e.toStatus}>
            <time dateTime={e.createdAt.toISOString()}>{when(e.createdAt)}</time>{" "}
            {e.fromStatus ? `${e.fromStatus} → ` : ""}<strong>{e.toStatus}</strong>{" "}
            <span className="muted">by <span className="mono">{e.actor}</span>{e.reason ? `: ${e.reason}` : ""}</span>
          </li>
        ))}
      </ol>
      <h2 id="artifacts">Artifacts</h2>
      {run.artifacts.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="artifacts">
            <thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Type</th><th scope="col">SHA-256</th></tr></thead>
            <tbody>
              {run.artifacts.map((a) => (
                <tr key={a.id} data-artifact={a.artifactKey}>
                  <td className="mono">
                    {a.storageUrl.startsWith("file:///")
                      ? <a href={`${base}/artifacts/${a.artifactKey.split("/").map(encodeURIComponent).join("/")}`} download>{a.artifactKey}</a>
                      : a.artifactKey}
                  </td>
                  <td>{size(a.sizeBytes)}</td>
                  <td className="mono">{a.contentType}</td>
                  <td className="mono" style={{ overflowWrap: "anywhere" }}>{a.sha256}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Findings findings={findings} repo={project.repositoryUrl} sha={run.commitSha} />
      <LogSearch search={search} level={level} base={base} />
      <LogView
        logsUrl={`${base}/logs`}
        initial={lines}
        live={!ended}
        level={level}
        hiddenBefore={lines.length >= 500}
      />
    </>
  );
}

/** A search of the whole log (?q=, from line ?from=), in the database: its lines, or its refusal. */
async function logSearch(user: Awaited<ReturnType<typeof pageUser>>, runId: string, sp: Record<string, string | undefined>,
  level: string) {
  const q = sp.q ?? "";
  if (q === "") return null;
  const from = /^[0-9]{1,18}$/.test(sp.from ?? "") ? BigInt(sp.from as string) : 0n;
  try {
    return { q, ...(await asUser(user, (tx) => searchLog(tx, runId, q.slice(0, 1000), level, from))), error: null };
  } catch (e) {
    return { q, lines: [], from, searchedTo: from, next: null, error: refusal(e) };
  }
}

/** The search form (a GET: it works without JavaScript) and the lines found, with a link to search further. */
function LogSearch({ search, level, base }: { search: Awaited<ReturnType<typeof logSearch>>; level: string; base: string }) {
  const further = search?.next != null
    ? `${base}?${new URLSearchParams({ q: search.q, level, from: search.next.toString() })}#search` : null;
  return (
    <section aria-labelledby="search">
      <h2 id="search">Search the log</h2>
      <form method="get" action={base} className="inline" style={{ display: "flex", gap: 8, flexWrap: "wrap", alignItems: "end" }}>
        <label>
          Search all lines
          <input type="search" name="q" defaultValue={search?.q ?? ""} maxLength={200} required />
        </label>
        <input type="hidden" name="level" value={level} />
        <button type="submit">Search</button>
      </form>
      {search?.error && <p className="notice error" role="alert" data-testid="search-error">{search.error}</p>}
      {search && !search.error && (
        <>
          <p className="muted" role="status" data-testid="search-summary">
            {search.lines.length} {search.lines.length === 1 ? "line" : "lines"} containing “{search.q}” in lines{" "}
            {(search.from + 1n).toString()} to {search.searchedTo.toString()}
            {level !== "debug" ? `, ${level} and above` : ""}.
          </p>
          {search.lines.length > 0 && (
            <div className="log" tabIndex={0} role="region" aria-label="Lines found" data-testid="search-results">
              {search.lines.map((l) => (
                <div key={l.seq} className={`line lvl-${l.level}`} data-seq={l.seq}>
                  <span className="seq">{l.seq}</span><span className="msg">{l.message}</span>
                </div>
              ))}
            </div>
          )}
          {further && <p><a href={further} data-testid="search-further">Search further</a></p>}
        </>
      )}
    </section>
  );
}

const SOURCES = [
  { source: "upgrade-scan", title: "Upgrade findings", help: "grouped by advisory" },
  { source: "pylint-odoo", title: "pylint-odoo findings", help: "grouped by message" },
] as const;

/** The run's upgrade findings by source, then by code, each as file:line linked to the repository at the run's commit. */
function Findings({ findings, repo, sha }: { findings: Awaited<ReturnType<typeof runFindings>>; repo: string; sha: string }) {
  if (findings.total === 0) return null;
  return (
    <>
      {SOURCES.map(({ source, title, help }) => {
        const groups = findings.groups.filter((g) => g.source === source);
        if (groups.length === 0) return null;
        const n = groups.reduce((a, g) => a + g.count, 0);
        return (
          <section key={source} aria-labelledby={`findings-${source}`} data-source={source}>
            <h2 id={`findings-${source}`}>{title} <span className="muted">({n}, {help})</span></h2>
            {groups.map((g) => {
              const rows = findings.rows.filter((r) => r.source === source && r.code === g.code);
              return (
                <details key={g.code} className="finding-group" data-code={g.code} open={groups.length <= 10}>
                  <summary>
                    <span className="mono">{g.code}</span>{" "}
                    <span className={`badge severity-${g.severity}`}>{g.severity}</span>{" "}
                    {g.to_series && <span className="muted" data-to-series={g.to_series}>breaks in {g.to_series} · </span>}
                    <span className="muted" data-count={g.count}>{g.count} {g.count === 1 ? "finding" : "findings"}</span>
                  </summary>
                  <ul className="findings">
                    {rows.map((r) => {
                      const href = blobUrl(repo, sha, r.file, r.line);
                      const where = `${r.file}:${r.line}`;
                      return (
                        <li key={r.id} data-finding={where}>
                          {href ? <a className="mono" href={href}>{where}</a> : <span className="mono">{where}</span>}
                          {r.message && <span className="muted"> {r.message}</span>}
                          {r.excerpt && <pre className="excerpt"><code>{r.excerpt}</code></pre>}
                        </li>
                      );
                    })}
                  </ul>
                  {rows.length < g.count && <p className="muted">{g.count - rows.length} more not shown.</p>}
                </details>
              );
            })}
          </section>
        );
      })}
    </>
  );
}
