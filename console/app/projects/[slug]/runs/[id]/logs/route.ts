// Log lines of a run as JSON, for the live view: ?after=SEQ (lines after it,
// at most 1000) or ?tail=1 (the last 500); ?level= keeps that level and above.
import { type NextRequest } from "next/server";
import { currentUser, isUuid } from "@/lib/auth";
import { asUser } from "@/lib/db";
import { ENDED } from "@/lib/http";
import { logLines } from "@/lib/queries";

export async function GET(req: NextRequest, { params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  const user = await currentUser();
  if (!user) return Response.json({ error: "not signed in" }, { status: 401 });
  if (!isUuid(id)) return Response.json({ error: "not found" }, { status: 404 });
  const sp = req.nextUrl.searchParams;
  const afterRaw = sp.get("after") ?? "0";
  if (!/^[0-9]{1,18}$/.test(afterRaw)) return Response.json({ error: `after must be a line number, got "${afterRaw.slice(0, 20)}"` }, { status: 400 });
  const tail = sp.get("tail") === "1";
  const result = await asUser(user, async (tx) => {
    const run = await tx.run.findFirst({ where: { id, project: { slug } }, select: { status: true } });
    if (!run) return null;
    const lines = await logLines(tx, id, { after: tail ? undefined : BigInt(afterRaw), level: sp.get("level") ?? undefined, limit: tail ? 500 : 1000, tail });
    return { lines, status: run.status, ended: ENDED.has(run.status) };
  });
  if (!result) return Response.json({ error: "not found" }, { status: 404 });
  return Response.json(result, { headers: { "cache-control": "no-store" } });
}
