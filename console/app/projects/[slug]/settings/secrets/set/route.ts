import { type NextRequest } from "next/server";
import { secretPost } from "@/lib/secrets";

export async function POST(req: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  return secretPost(req, params, async (tx, slug, name, stage, f) => {
    // The value as posted (not trimmed): up to 65536 bytes, which the database checks again.
    const v = f.get("value");
    const value = typeof v === "string" ? v.slice(0, 70000) : "";
    await tx.$queryRaw`select name from ops.set_project_secret(${slug}, ${name}, ${value}, ${stage}::ops.run_stage)`;
  }, "Secret set");
}
