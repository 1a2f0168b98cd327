import { type NextRequest } from "next/server";
import { memberPost } from "@/lib/members";

export async function POST(req: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  return memberPost(req, params, true, async (tx, projectId, userId, role) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      update ops.project_memberships set role = ${role}::ops.member_role
       where project_id = ${projectId}::uuid and user_id = ${userId}::uuid returning id::text`;
    return rows.length;
  }, "Role changed.");
}
