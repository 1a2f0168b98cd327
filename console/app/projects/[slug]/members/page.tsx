import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { asUser } from "@/lib/db";
import { ROLE_RANK, ROLES } from "@/lib/http";
import { projectInvitations } from "@/lib/invitations";
import { members, projectBySlug } from "@/lib/queries";
import { pageUser } from "@/lib/session";
import { Notice } from "../../../notice";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | undefined>> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: `Members · ${(await params).slug}` };
}

/** The roles a member of `role` may give: admins up to admin, owners any. */
function grantable(role: string | null): string[] {
  if (role === "owner") return [...ROLES];
  if (role === "admin") return ROLES.filter((r) => r !== "owner");
  return [];
}

export default async function MembersPage({ params, searchParams }: Params) {
  const user = await pageUser();
  const { slug } = await params;
  const sp = await searchParams;
  const data = await asUser(user, async (tx) => {
    const project = await projectBySlug(tx, slug, user.id);
    if (!project) return null;
    return { project, list: await members(tx, project.id), invitations: await projectInvitations(tx, project.id) };
  });
  if (!data) notFound();
  const { project, list, invitations } = data;
  const roles = grantable(project.role);
  const base = `/projects/${project.slug}/members`;
  // What the policies allow: an admin manages members below owner, an owner
  // any; nobody changes their own role, but an owner may leave (not the last one).
  const canManage = (m: { user_id: string; role: string }) =>
    roles.length > 0 && (project.role === "owner" || ROLE_RANK[m.role] < ROLE_RANK.owner);
  return (
    <>
      <p className="muted"><Link href="/">Projects</Link> / <Link href={`/projects/${project.slug}`}>{project.slug}</Link> /</p>
      <h1>Members <span className="muted mono">{project.slug}</span></h1>
      <Notice sp={sp} />
      <p className="muted">
        Members are shown by user id: the console reads as you, and no API role can read other users&apos; e-mail addresses.
      </p>
      <div className="table-wrap">
        <table className="members" aria-label="Members">
          <thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">Since</th>{roles.length > 0 && <th scope="col">Actions</th>}</tr></thead>
          <tbody>
            {list.map((m) => (
              <tr key={m.user_id} data-member={m.user_id} data-role={m.role}>
                <td className="mono">{m.user_id}{m.user_id === user.id && <span className="muted"> (you{user.email ? `, ${user.email}` : ""})</span>}</td>
                <td>{m.role}</td>
                <td>{m.created_at.toISOString().slice(0, 10)}</td>
                {roles.length > 0 && (
                  <td>
                    {canManage(m) && m.user_id !== user.id && (
                      <form method="post" action={`${base}/role`}>
                        <input type="hidden" name="user_id" value={m.user_id} />
                        <label className="skip" htmlFor={`role-${m.user_id}`}>Role of {m.user_id}</label>
                        <select id={`role-${m.user_id}`} name="role" defaultValue={m.role}>
                          {roles.map((r) => <option key={r} value={r}>{r}</option>)}
                        </select>
                        <button type="submit">Change role</button>
                      </form>
                    )}
                    {canManage(m) && (
                      <form method="post" action={`${base}/remove`}>
                        <input type="hidden" name="user_id" value={m.user_id} />
                        <button className="danger" type="submit" aria-label={`Remove ${m.user_id}`}>Remove</button>
                      </form>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {roles.length > 0 && (
        <section aria-labelledby="invite-email">
          <h2 id="invite-email">Invite by e-mail</h2>
          <p className="muted">
            Anyone, with or without an account yet: they join when they accept on their console home page, signed in
            with this address once it is confirmed. Valid 14 days; inviting the same address again renews it.
          </p>
          <form className="inline" method="post" action={`${base}/invite`}>
            <label>E-mail<input name="email" type="email" required maxLength={254} size={30} autoComplete="off" /></label>
            <label>Role
              <select name="role" defaultValue="developer">
                {roles.map((r) => <option key={r} value={r}>{r}</option>)}
              </select>
            </label>
            <button className="primary" type="submit">Invite</button>
          </form>
          {invitations.length > 0 && (
            <div className="table-wrap">
              <table aria-label="Open invitations">
                <thead><tr><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Until</th><th scope="col">Actions</th></tr></thead>
                <tbody>
                  {invitations.map((i) => (
                    <tr key={i.id} data-invitation={i.email}>
                      <td>{i.email}</td>
                      <td>{i.role}</td>
                      <td>{i.expires_at.toISOString().slice(0, 10)}</td>
                      <td>
                        {(project.role === "owner" || i.role !== "owner") && (
                          <form method="post" action={`${base}/invitations/revoke`}>
                            <input type="hidden" name="invitation_id" value={i.id} />
                            <button className="danger" type="submit" aria-label={`Revoke the invitation of ${i.email}`}>Revoke</button>
                          </form>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
      {roles.length > 0 && (
        <section aria-labelledby="invite">
          <h2 id="invite">Add a member by user id</h2>
          <p className="muted">An existing user of this Supabase project, by user id (Supabase Auth, Authentication → Users).</p>
          <form className="inline" method="post" action={`${base}/add`}>
            <label>User id<input name="user_id" required maxLength={36} size={38} className="mono" autoComplete="off" /></label>
            <label>Role
              <select name="role" defaultValue="developer">
                {roles.map((r) => <option key={r} value={r}>{r}</option>)}
              </select>
            </label>
            <button className="primary" type="submit">Add member</button>
          </form>
        </section>
      )}
    </>
  );
}
