// The secret form posts: ops.set_project_secret and ops.delete_project_secret
// as the user (they check the caller is admin or owner). A value goes into the
// database and is never read back, logged or put in a redirect.
import { type NextRequest } from "next/server";
import { currentUser } from "./auth";
import { asUser, refusal, type Tx } from "./db";
import { back, field, sameOrigin, STAGES } from "./http";

export async function secretPost(
  req: NextRequest, params: Promise<{ slug: string }>,
  act: (tx: Tx, slug: string, name: string, stage: string | null, f: FormData) => Promise<unknown>, done: string,
) {
  if (!sameOrigin(req)) return new Response("cross-origin request refused", { status: 403 });
  const { slug } = await params;
  const user = await currentUser();
  if (!user) return back("/sign-in", {});
  const page = `/projects/${encodeURIComponent(slug)}/settings`;
  const f = await req.formData();
  const name = field(f, "name", 200);
  const stage = field(f, "stage", 20) || null;
  if (stage !== null && !(STAGES as readonly string[]).includes(stage)) {
    return back(page, { error: `stage '${stage.slice(0, 20)}' is not one of ${STAGES.join(", ")} (or empty for every stage).` });
  }
  try {
    await asUser(user, (tx) => act(tx, slug, name, stage, f));
    return back(page, { ok: `${done}: ${name}${stage ? ` (${stage})` : ""}.` });
  } catch (e) {
    return back(page, { error: refusal(e) });
  }
}
