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

/** A 303 to a path of the console with a message for the page to show. The
 * Location is relative: the browser stays on the host it used (behind a proxy,
 * next start's idea of its own origin may differ). */
export function back(path: string, params: Record<string, string>): NextResponse {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) q.set(k, v.slice(0, 400));
  const s = q.toString();
  return new NextResponse(null, { status: 303, headers: { location: s ? `${path}?${s}` : path } });
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

export const ROLES = ["viewer", "developer", "admin", "owner"] as const;
