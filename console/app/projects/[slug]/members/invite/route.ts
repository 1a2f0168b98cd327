import { type NextRequest } from "next/server";
import { invitePost } from "@/lib/invitations";

export async function POST(req: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  return invitePost(req, (await params).slug);
}
