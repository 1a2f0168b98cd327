import Link from "next/link";
import { asUser } from "@/lib/db";
import { projectsWithLastRun } from "@/lib/queries";
import { pageUser } from "@/lib/session";
import { MyInvitations } from "./invitations";
import { Notice } from "./notice";
import { myInvitations } from "@/lib/invitations";

export const dynamic = "force-dynamic";

export default async function Projects({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const user = await pageUser();
  const sp = await searchParams;
  const invitations = await asUser(user, (tx) => myInvitations(tx));
  const projects = await asUser(user, (tx) => projectsWithLastRun(tx, user.id));
  return (
    <>
      <h1>Projects</h1>
      <Notice sp={sp} />
      <MyInvitations list={invitations} />
      {projects.length === 0 ? (
        <p className="muted">You are not a member of any project yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="skip">Your projects</caption>
            <thead>
              <tr><th scope="col">Project</th><th scope="col">Odoo</th><th scope="col">Your role</th><th scope="col">Last run</th></tr>
            </thead>
            <tbody>
              {projects.map((p) => (
                <tr key={p.slug} data-project={p.slug}>
                  <td>
                    <Link href={`/projects/${p.slug}`}>{p.name}</Link> <span className="muted mono">{p.slug}</span>
                    {p.archived_at && <span className="badge status-canceled"> archived</span>}
                  </td>
                  <td>{p.odoo_series}</td>
                  <td>{p.role ?? "-"}</td>
                  <td>
                    {p.run_status ? (
                      <>
                        <span className={`badge status-${p.run_status}`}>{p.run_status}</span>{" "}
                        <span className="mono">{p.run_branch}</span>
                      </>
                    ) : (
                      <span className="muted">none</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section className="panel" aria-labelledby="new-project">
        <h2 id="new-project">New project</h2>
        <form className="inline" method="post" action="/projects/new">
          <label>Slug<input name="slug" required maxLength={63} pattern="[a-z0-9][a-z0-9-]*" /></label>
          <label>Name<input name="name" required maxLength={200} /></label>
          <label>
            Odoo series
            <select name="odoo_series" defaultValue="17.0">
              {["16.0", "17.0", "18.0", "19.0"].map((s) => <option key={s}>{s}</option>)}
            </select>
          </label>
          <label>Repository URL<input name="repository_url" required maxLength={2048} /></label>
          <label>Production branch<input name="production_branch" defaultValue="main" maxLength={255} /></label>
          <button className="primary" type="submit">Create project</button>
        </form>
      </section>
    </>
  );
}
