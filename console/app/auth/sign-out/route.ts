import { type NextRequest } from "next/server";
import { config } from "@/lib/config";
import { back, sameOrigin } from "@/lib/http";

export async function POST(req: NextRequest) {
  if (!sameOrigin(req)) return new Response("cross-origin request refused", { status: 403 });
  const res = back("/sign-in", {});
  res.cookies.delete(config().cookieName);
  return res;
}
