import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { asUser } from "@/lib/db";
import { ROLE_RANK, STAGES, STATUSES } from "@/lib/http";
import { branchesByStage, projectBySlug, runsPage } from "@/lib/queries";
import { pageUser } from "@/lib/session";
import { Notice } from "../../notice";

export const dynamic = "force-dynamic";

const STAGES_SHOWN = ["production", "staging", "development"] as const;

type Params = { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | undefined>> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: (await params).slug };
}

function pick<T extends string>(v: string | undefined, allowed: readonly T[]): T | undefined {
  return v && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
}

export default async function ProjectPage({ params, searchParams }: Params) {
  const user = await pageUser();
  const { slug } = await params;
  const sp = await searchParams;
  const filters = {
    status: pick(sp.status, STATUSES),
    stage: pick(sp.stage, STAGES),
    branch: sp.branch?.slice(0, 255) || undefined,
    workflow: sp.workflow?.slice(0, 100) || undefined,
    before: sp.before?.slice(0, 80) || undefined,
  };
  const data = await asUser(user, async (tx) => {
    const project = await projectBySlug(tx, slug, user.id);
    if (!project) return null;
    return {
      project,
      branches: await branchesByStage(tx, project.id),
      page: await runsPage(tx, project.id, filters),
    };
  });
  if (!data) notFound();
  const { project, branches, page } = data;
  const canRun = project.role !== null && ROLE_RANK[project.role] >= ROLE_RANK.developer && !project.archivedAt;
  const qs = (extra: Record<string, string | undefined>) => {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...filters, before: undefined, ...extra })) if (v) u.set(k, v);
    const s = u.toString();
    return s ? `?${s}` : "";
  };
  return (
    <>
      <p className="muted"><Link href="/">Projects</Link> /</p>
      <h1>{project.name} <span className="muted mono">{project.slug}</span></h1>
      <Notice sp={sp} />
      <dl className="facts">
        <dt>Odoo</dt><dd>{project.odooSeries}</dd>
        <dt>Repository</dt><dd className="mono">{project.repositoryUrl}</dd>
        <dt>Production branch</dt><dd className="mono">{project.productionBranch ?? "none yet"}</dd>
        <dt>Your role</dt><dd data-testid="role">{project.role ?? "-"}</dd>
      </dl>
      <p><Link href={`/projects/${project.slug}/members`}>Members</Link> · <Link href={`/projects/${project.slug}/settings`}>Settings</Link></p>
      <section aria-labelledby="branches">
        <h2 id="branches">Branches</h2>
        {branches.length === 0 ? (
          <p className="muted">No branch yet: a push or a run creates one.</p>
        ) : (
          <div className="stages">
            {STAGES_SHOWN.map((stage) => (
              <section key={stage} aria-labelledby={`stage-${stage}`} data-stage={stage}>
                <h3 id={`stage-${stage}`}>{stage[0].toUpperCase() + stage.slice(1)}</h3>
                <ul className="branches">
                  {branches.filter((b) => b.stage === stage).map((b) => (
                    <li key={b.name} data-branch={b.name} data-run={b.run_id ?? ""}>
                      <Link className="mono" href={`/projects/${project.slug}?branch=${encodeURIComponent(b.name)}`}>{b.name}</Link>{" "}
                      {b.run_id ? (
                        <Link href={`/projects/${project.slug}/runs/${b.run_id}`}>
                          <span className={`badge status-${b.run_status}`}>{b.run_status}</span>
                        </Link>
                      ) : <span className="muted">no build yet</span>}
                      {b.workflow && <span className="muted"> {b.workflow}</span>}
                      {b.head_commit && <span className="mono muted"> {b.head_commit.slice(0, 10)}</span>}
                    </li>
                  ))}
                </ul>
              </section>
            ))}
          </div>
        )}
      </section>
      {canRun && (
        <section className="panel" aria-labelledby="new-run">
          <h2 id="new-run">New run</h2>
          <form className="inline" method="post" action={`/projects/${project.slug}/runs/new`}>
            <label>
              Workflow
              <select name="workflow" required>
                {project.workflows.filter((w) => w.enabled).map((w) => <option key={w.id}>{w.name}</option>)}
              </select>
            </label>
            <label>Branch<input name="branch" required defaultValue={project.productionBranch ?? ""} maxLength={255} /></label>
            <label>Commit<input name="commit_sha" required pattern="[0-9a-fA-F]{6,64}" maxLength={64} className="mono" /></label>
            <label>
              Stage
              <select name="stage" defaultValue="">
                <option value="">from the branch</option>
                {STAGES.map((s) => <option key={s}>{s}</option>)}
              </select>
            </label>
            <button className="primary" type="submit">Queue run</button>
          </form>
        </section>
      )}
      <h2 id="runs">Runs</h2>
      <form className="inline" method="get" aria-label="Filter runs">
        <label>
          Status
          <select name="status" defaultValue={filters.status ?? ""}>
            <option value="">any</option>
            {STATUSES.map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <label>
          Workflow
          <select name="workflow" defaultValue={filters.workflow ?? ""}>
            <option value="">any</option>
            {project.workflows.map((w) => <option key={w.id}>{w.name}</option>)}
          </select>
        </label>
        <label>Branch<input name="branch" defaultValue={filters.branch ?? ""} maxLength={255} /></label>
        <label>
          Stage
          <select name="stage" defaultValue={filters.stage ?? ""}>
            <option value="">any</option>
            {STAGES.map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      {page.runs.length === 0 ? (
        <p className="muted">No run matches.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="skip">Runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Status</th><th scope="col">Workflow</th><th scope="col">Branch</th>
                <th scope="col">Commit</th><th scope="col" className="hide-narrow">Stage</th><th scope="col">Queued</th>
              </tr>
            </thead>
            <tbody>
              {page.runs.map((r) => (
                <tr key={r.id} data-run={r.id}>
                  <td><Link href={`/projects/${project.slug}/runs/${r.id}`}><span className={`badge status-${r.status}`}>{r.status}</span></Link></td>
                  <td>{r.workflow}</td>
                  <td className="mono">{r.branch}</td>
                  <td className="mono">{r.commit_sha.slice(0, 10)}</td>
                  <td className="hide-narrow">{r.stage}</td>
                  <td><time dateTime={r.created_at.toISOString()}>{r.created_at.toISOString().replace("T", " ").slice(0, 19)}</time></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages of runs">
        {filters.before && <Link href={`/projects/${project.slug}${qs({})}`}>Newest</Link>}
        {page.next && <Link href={`/projects/${project.slug}${qs({ before: page.next })}`} rel="next">Older runs</Link>}
      </nav>
    </>
  );
}
