// The member form posts: plain writes to ops.project_memberships as the user,
// so its row-level security policies decide (admins add, change and remove
// members below owner; owners any; nobody changes their own role) and its
// trigger keeps a last owner. A write that the policies filter out changes no
// row: that is reported as refused, never as done.
import { type NextRequest } from "next/server";
import { currentUser, isUuid } from "./auth";
import { asUser, refusal, type Tx } from "./db";
import { back, field, ROLES, sameOrigin } from "./http";

type Action = (tx: Tx, projectId: string, userId: string, role: string) => Promise<number>;

export async function memberPost(req: NextRequest, params: Promise<{ slug: string }>, needsRole: boolean, act: Action, done: string) {
  if (!sameOrigin(req)) return new Response("cross-origin request refused", { status: 403 });
  const { slug } = await params;
  const user = await currentUser();
  if (!user) return back("/sign-in", {});
  const page = `/projects/${encodeURIComponent(slug)}/members`;
  const f = await req.formData();
  const userId = field(f, "user_id", 100);
  const role = field(f, "role", 20);
  if (!isUuid(userId)) return back(page, { error: `user_id '${userId.slice(0, 40)}' is not a user id (a UUID).` });
  if (needsRole && !(ROLES as readonly string[]).includes(role)) {
    return back(page, { error: `role '${role}' is not one of ${ROLES.join(", ")}.` });
  }
  try {
    const changed = await asUser(user, async (tx) => {
      const p = await tx.$queryRaw<{ id: string }[]>`select id::text from ops.projects where slug = ${slug}`;
      if (p.length === 0) return null;
      return act(tx, p[0].id, userId, role);
    });
    if (changed === null) return new Response("Not Found", { status: 404 });
    if (changed === 0) {
      return back(page, {
        error: `Refused by the database: no membership of user ${userId} changed. Row-level security allows admins to manage members below owner and owners any, never their own role.`,
      });
    }
    return back(page, { ok: done });
  } catch (e) {
    return back(page, { error: refusal(e) });
  }
}
