import { type NextRequest } from "next/server";
import { memberPost } from "@/lib/members";

export async function POST(req: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  return memberPost(req, params, true, async (tx, projectId, userId, role) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      insert into ops.project_memberships (project_id, user_id, role)
      values (${projectId}::uuid, ${userId}::uuid, ${role}::ops.member_role) returning id::text`;
    return rows.length;
  }, "Member added.");
}
