import { type NextRequest } from "next/server";
import { memberPost } from "@/lib/members";

export async function POST(req: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  return memberPost(req, params, false, async (tx, projectId, userId) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      delete from ops.project_memberships
       where project_id = ${projectId}::uuid and user_id = ${userId}::uuid returning id::text`;
    return rows.length;
  }, "Member removed.");
}
