import { type NextRequest } from "next/server";
import { secretPost } from "@/lib/secrets";

export async function POST(req: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  return secretPost(req, params, async (tx, slug, name, stage) => {
    await tx.$queryRaw`select name from ops.delete_project_secret(${slug}, ${name}, ${stage}::ops.run_stage)`;
  }, "Secret deleted");
}
