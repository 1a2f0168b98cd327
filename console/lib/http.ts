// Helpers of the console's form handlers (route handlers that answer POSTs of
// plain HTML forms, so every action works without JavaScript).
import { NextResponse, type NextRequest } from "next/server";

/** A same-origin check on top of the SameSite=Lax session cookie. */
export function sameOrigin(req: NextRequest): boolean {
  const origin = req.headers.get("origin");
  if (origin === null) return true; // not a browser form post from another site
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** A 303 to a path of the console with a message for the page to show. */
export function back(req: NextRequest, path: string, params: Record<string, string>): NextResponse {
  const url = new URL(path, req.nextUrl.origin);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v.slice(0, 400));
  return NextResponse.redirect(url, 303);
}

export function field(form: FormData, name: string, max = 400): string {
  const v = form.get(name);
  return typeof v === "string" ? v.trim().slice(0, max) : "";
}

export const ENDED = new Set(["succeeded", "failed", "canceled"]);
export const STATUSES = ["queued", "claimed", "running", "succeeded", "failed", "canceled"] as const;
export const STAGES = ["production", "staging", "development"] as const;
export const LEVELS = ["debug", "info", "warning", "error"] as const;
export const ROLE_RANK: Record<string, number> = { viewer: 0, developer: 1, admin: 2, owner: 3 };
