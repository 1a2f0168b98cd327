import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { asUser } from "@/lib/db";
import { ROLE_RANK, STAGES } from "@/lib/http";
import { projectBySlug, secrets } from "@/lib/queries";
import { pageUser } from "@/lib/session";
import { Notice } from "../../../notice";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | undefined>> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: `Settings · ${(await params).slug}` };
}

export default async function SettingsPage({ params, searchParams }: Params) {
  const user = await pageUser();
  const { slug } = await params;
  const sp = await searchParams;
  const data = await asUser(user, async (tx) => {
    const project = await projectBySlug(tx, slug, user.id);
    if (!project) return null;
    return { project, list: await secrets(tx, project.id) };
  });
  if (!data) notFound();
  const { project, list } = data;
  const isAdmin = project.role !== null && ROLE_RANK[project.role] >= ROLE_RANK.admin;
  const base = `/projects/${project.slug}/settings/secrets`;
  return (
    <>
      <p className="muted"><Link href="/">Projects</Link> / <Link href={`/projects/${project.slug}`}>{project.slug}</Link> /</p>
      <h1>Settings <span className="muted mono">{project.slug}</span></h1>
      <Notice sp={sp} />
      <h2 id="secrets">Secrets</h2>
      <p className="muted">
        Steps see a secret as an environment variable when their run names it. Values are write-only: nobody reads
        one back, here or through the API; setting a name again rotates it.
      </p>
      {list.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="secrets">
            <thead><tr><th scope="col">Name</th><th scope="col">Stage</th><th scope="col">Last set</th>{isAdmin && <th scope="col">Actions</th>}</tr></thead>
            <tbody>
              {list.map((s) => (
                <tr key={`${s.name}/${s.stage ?? ""}`} data-secret={s.name} data-stage={s.stage ?? ""}>
                  <td className="mono">{s.name}</td>
                  <td>{s.stage ?? "every stage"}</td>
                  <td>{s.updated_at.toISOString().replace("T", " ").slice(0, 19)} UTC</td>
                  {isAdmin && (
                    <td>
                      <form method="post" action={`${base}/delete`}>
                        <input type="hidden" name="name" value={s.name} />
                        <input type="hidden" name="stage" value={s.stage ?? ""} />
                        <button className="danger" type="submit" aria-label={`Delete ${s.name}${s.stage ? ` (${s.stage})` : ""}`}>Delete</button>
                      </form>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {isAdmin && (
        <form className="inline" method="post" action={`${base}/set`} autoComplete="off" style={{ marginTop: 12 }}>
          <label>Name<input name="name" required maxLength={128} pattern="[A-Z_][A-Z0-9_]*" className="mono" /></label>
          <label>Stage
            <select name="stage" defaultValue="">
              <option value="">every stage</option>
              {STAGES.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
          <label>Value<input name="value" type="password" required autoComplete="new-password" /></label>
          <button className="primary" type="submit">Set secret</button>
        </form>
      )}
      <h2 id="webhooks">Webhooks</h2>
      <p className="muted">
        Whether a GitHub or GitLab webhook secret is set is not readable by any API role (the secrets live in
        <code> ops_private</code>). An admin connects the repository from a shell with the database URL; the command
        sets the secret and prints it once, with the URL to paste into the repository&apos;s webhook settings.
      </p>
      <dl className="facts" data-testid="webhooks">
        <dt>Payload URL</dt><dd className="mono">https://&lt;project-ref&gt;.supabase.co/functions/v1/webhooks</dd>
        <dt>GitHub</dt><dd className="mono">odooops project connect github {project.slug} --url https://&lt;project-ref&gt;.supabase.co</dd>
        <dt>GitLab</dt><dd className="mono">odooops project connect gitlab {project.slug} --url https://&lt;project-ref&gt;.supabase.co</dd>
        <dt>Rotate</dt><dd className="mono">odooops project connect github|gitlab {project.slug} --rotate</dd>
      </dl>
    </>
  );
}
