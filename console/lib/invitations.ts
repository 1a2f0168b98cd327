// Invitations by e-mail: the reads of the members page and the home page, and
// the three form posts. Every call runs as the signed-in user, so the RPCs
// decide: ops.invite_project_member and ops.revoke_project_invitation check
// the caller's role, ops.accept_project_invitation the caller's confirmed
// address (lib/db.ts asUser).
import { type NextRequest } from "next/server";
import { currentUser, isUuid } from "./auth";
import { asUser, refusal, type Tx } from "./db";
import { back, field, ROLES, sameOrigin } from "./http";

export type InvitationRow = { id: string; email: string; role: string; created_at: Date; expires_at: Date };
export type MyInvitationRow = { id: string; project_slug: string; project_name: string; role: string; expires_at: Date };

/** The open invitations of a project (RLS: admins and owners see them, others none). */
export async function projectInvitations(tx: Tx, projectId: string) {
  return await tx.$queryRaw<InvitationRow[]>`
    select i.id::text, i.email, i.role::text, i.created_at, i.expires_at from ops.project_invitations i
     where i.project_id = ${projectId}::uuid and i.accepted_at is null and i.expires_at > now()
     order by i.created_at desc
     limit 200`;
}

/** The open invitations to the user's confirmed address. */
export async function myInvitations(tx: Tx) {
  return await tx.$queryRaw<MyInvitationRow[]>`
    select i.id::text, i.project_slug, i.project_name, i.role::text, i.expires_at from ops.my_project_invitations() i`;
}

async function post(req: NextRequest, page: string, act: (tx: Tx, f: FormData) => Promise<string | null>) {
  if (!sameOrigin(req)) return new Response("cross-origin request refused", { status: 403 });
  const user = await currentUser();
  if (!user) return back("/sign-in", {});
  const f = await req.formData();
  try {
    const done = await asUser(user, (tx) => act(tx, f));
    return done === null ? back(page, {}) : back(page, { ok: done });
  } catch (e) {
    return back(page, { error: refusal(e) });
  }
}

export async function invitePost(req: NextRequest, slug: string) {
  const page = `/projects/${encodeURIComponent(slug)}/members`;
  return post(req, page, async (tx, f) => {
    const email = field(f, "email", 300);
    const role = field(f, "role", 20);
    if (!(ROLES as readonly string[]).includes(role)) throw new Error(`role '${role.slice(0, 20)}' is not one of ${ROLES.join(", ")}.`);
    const rows = await tx.$queryRaw<{ email: string; expires_at: Date }[]>`
      select email, expires_at from ops.invite_project_member(${slug}, ${email}, ${role}::ops.member_role)`;
    return `Invited ${rows[0].email} as ${role}, until ${rows[0].expires_at.toISOString().slice(0, 10)}. They accept on their console home page, signed in with that address.`;
  });
}

export async function revokePost(req: NextRequest, slug: string) {
  const page = `/projects/${encodeURIComponent(slug)}/members`;
  return post(req, page, async (tx, f) => {
    const id = field(f, "invitation_id", 100);
    if (!isUuid(id)) throw new Error(`invitation_id '${id.slice(0, 40)}' is not an invitation id.`);
    const rows = await tx.$queryRaw<{ email: string }[]>`select email from ops.revoke_project_invitation(${id}::uuid)`;
    return `Invitation of ${rows[0].email} revoked.`;
  });
}

export async function acceptPost(req: NextRequest) {
  if (!sameOrigin(req)) return new Response("cross-origin request refused", { status: 403 });
  const user = await currentUser();
  if (!user) return back("/sign-in", {});
  const f = await req.formData();
  const id = field(f, "invitation_id", 100);
  if (!isUuid(id)) return back("/", { error: `invitation_id '${id.slice(0, 40)}' is not an invitation id.` });
  try {
    const rows = await asUser(user, (tx) => tx.$queryRaw<{ project_slug: string; role: string }[]>`
      select project_slug, role::text from ops.accept_project_invitation(${id}::uuid)`);
    const { project_slug, role } = rows[0];
    return back(`/projects/${encodeURIComponent(project_slug)}`, { ok: `You joined ${project_slug} as ${role}.` });
  } catch (e) {
    return back("/", { error: refusal(e) });
  }
}
