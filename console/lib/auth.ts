// Sign-in: the Supabase access token from the session cookie, verified with
// jose (HS256, the project's JWT secret) before any query is made.
import { jwtVerify, SignJWT } from "jose";
import { cookies } from "next/headers";
import { config } from "./config";

export type User = { id: string; email: string | null; claims: Record<string, unknown> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function key(): Uint8Array {
  return new TextEncoder().encode(config().jwtSecret);
}

/** The access token in a cookie value: @supabase/ssr stores the session as
 * JSON, optionally prefixed `base64-` and base64url-encoded; a bare JWT is
 * accepted too. Chunked cookies (`.0`, `.1`) are joined by the caller. */
export function accessTokenFromCookie(value: string): string | null {
  let v = value;
  if (v.startsWith("base64-")) {
    try {
      v = Buffer.from(v.slice(7), "base64url").toString("utf8");
    } catch {
      return null;
    }
  }
  if (v.startsWith("{")) {
    try {
      const session = JSON.parse(v) as { access_token?: unknown };
      return typeof session.access_token === "string" ? session.access_token : null;
    } catch {
      return null;
    }
  }
  return v.split(".").length === 3 ? v : null;
}

export async function verifyAccessToken(token: string): Promise<User | null> {
  try {
    const { payload } = await jwtVerify(token, key(), { algorithms: ["HS256"], audience: "authenticated" });
    if (payload.role !== "authenticated" || typeof payload.sub !== "string" || !UUID.test(payload.sub)) return null;
    return {
      id: payload.sub,
      email: typeof payload.email === "string" ? payload.email : null,
      claims: payload as Record<string, unknown>,
    };
  } catch {
    return null;
  }
}

/** The signed-in user of this request, or null. */
export async function currentUser(): Promise<User | null> {
  const jar = await cookies();
  const name = config().cookieName;
  let value = jar.get(name)?.value;
  if (value === undefined) {
    const chunks: string[] = [];
    for (let i = 0; ; i++) {
      const c = jar.get(`${name}.${i}`)?.value;
      if (c === undefined) break;
      chunks.push(c);
    }
    if (chunks.length > 0) value = chunks.join("");
  }
  if (!value) return null;
  const token = accessTokenFromCookie(value);
  return token ? verifyAccessToken(token) : null;
}

/** A Supabase-shaped access token for a user id (the development sign-in). */
export async function mintAccessToken(userId: string, ttlSeconds = 3600): Promise<string> {
  if (!UUID.test(userId)) throw new Error("not a user id");
  return new SignJWT({ role: "authenticated", aal: "aal1" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setAudience("authenticated")
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key());
}

export function isUuid(v: string): boolean {
  return UUID.test(v);
}
