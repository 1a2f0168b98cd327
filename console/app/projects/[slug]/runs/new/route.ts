import { type NextRequest } from "next/server";
import { currentUser } from "@/lib/auth";
import { asUser, refusal } from "@/lib/db";
import { back, field, sameOrigin, STAGES } from "@/lib/http";

export async function POST(req: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  if (!sameOrigin(req)) return new Response("cross-origin request refused", { status: 403 });
  const { slug } = await params;
  const user = await currentUser();
  if (!user) return back("/sign-in", {});
  const f = await req.formData();
  const stage = field(f, "stage", 20);
  try {
    const rows = await asUser(user, (tx) => tx.$queryRaw<{ id: string }[]>`
      select id::text from ops.enqueue_run(
        p_project_slug => ${slug.slice(0, 100)}, p_workflow_name => ${field(f, "workflow", 200)},
        p_branch => ${field(f, "branch", 300)}, p_commit_sha => ${field(f, "commit_sha", 100).toLowerCase()},
        p_stage => ${(STAGES as readonly string[]).includes(stage) ? stage : null}::ops.run_stage)`);
    return back(`/projects/${encodeURIComponent(slug)}/runs/${rows[0].id}`, { ok: "Run queued." });
  } catch (e) {
    return back(`/projects/${encodeURIComponent(slug)}`, { error: refusal(e) });
  }
}
