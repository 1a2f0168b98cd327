import { type NextRequest } from "next/server";
import { revokePost } from "@/lib/invitations";

export async function POST(req: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  return revokePost(req, (await params).slug);
}
