import { type NextRequest } from "next/server";
import { acceptPost } from "@/lib/invitations";

export async function POST(req: NextRequest) {
  return acceptPost(req);
}
