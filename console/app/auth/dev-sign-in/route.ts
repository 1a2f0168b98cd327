// The development sign-in: mints an access token for a user id, exactly as
// Supabase Auth would for that user, and stores it in the session cookie.
// Only when ODOOOPS_CONSOLE_DEV_SIGNIN=1 (refused in production, lib/config.ts).
import { type NextRequest } from "next/server";
import { isUuid, mintAccessToken } from "@/lib/auth";
import { config, devSignInEnabled } from "@/lib/config";
import { back, field, sameOrigin } from "@/lib/http";

export async function POST(req: NextRequest) {
  if (!devSignInEnabled()) return new Response("Not Found", { status: 404 });
  if (!sameOrigin(req)) return new Response("cross-origin request refused", { status: 403 });
  const userId = field(await req.formData(), "user_id", 64).toLowerCase();
  if (!isUuid(userId)) return back("/sign-in", { error: `user_id must be a user id (uuid), got "${userId.slice(0, 40)}"` });
  const token = await mintAccessToken(userId);
  const res = back("/", {});
  res.cookies.set(config().cookieName, token, {
    httpOnly: true, sameSite: "lax", path: "/", secure: req.nextUrl.protocol === "https:", maxAge: 3600,
  });
  return res;
}
