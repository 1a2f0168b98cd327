import { type NextRequest } from "next/server";
import { currentUser, isUuid } from "@/lib/auth";
import { asUser, refusal } from "@/lib/db";
import { back, sameOrigin } from "@/lib/http";

export async function POST(req: NextRequest, { params }: { params: Promise<{ slug: string; id: string }> }) {
  if (!sameOrigin(req)) return new Response("cross-origin request refused", { status: 403 });
  const { slug, id } = await params;
  const user = await currentUser();
  if (!user) return back("/sign-in", {});
  const page = `/projects/${encodeURIComponent(slug)}/runs/${id}`;
  if (!isUuid(id)) return new Response("Not Found", { status: 404 });
  try {
    const rows = await asUser(user, (tx) => tx.$queryRaw<{ status: string; cancel_requested_at: Date | null }[]>`
      select status::text, cancel_requested_at from ops.cancel_run(${id}::uuid, 'canceled from the console')`);
    const r = rows[0];
    return back(page, { ok: r.status === "canceled" ? "Run canceled." : "Cancel requested: the worker stops the run." });
  } catch (e) {
    return back(page, { error: refusal(e) });
  }
}
