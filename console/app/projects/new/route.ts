import { type NextRequest } from "next/server";
import { currentUser } from "@/lib/auth";
import { asUser, refusal } from "@/lib/db";
import { back, field, sameOrigin } from "@/lib/http";

export async function POST(req: NextRequest) {
  if (!sameOrigin(req)) return new Response("cross-origin request refused", { status: 403 });
  const user = await currentUser();
  if (!user) return back("/sign-in", {});
  const f = await req.formData();
  try {
    const rows = await asUser(user, (tx) => tx.$queryRaw<{ slug: string }[]>`
      select slug from ops.create_project(
        ${field(f, "slug", 100)}, ${field(f, "name", 300)}, ${field(f, "odoo_series", 20)},
        ${field(f, "repository_url", 2100)}, ${field(f, "production_branch", 300) || "main"})`);
    return back(`/projects/${rows[0].slug}`, { ok: "Project created." });
  } catch (e) {
    return back("/", { error: refusal(e) });
  }
}
