// Tenancy by the database. Every query for a signed-in user runs in one
// interactive transaction that first takes the role `authenticated` and sets
// `request.jwt.claims` to the verified token's claims, both transaction-local:
// row-level security then decides what the user sees, exactly as PostgREST
// does for Supabase's API. The console's login (ODOOOPS_CONSOLE_DATABASE_URL,
// `authenticator` on Supabase) has no privileges of its own, so a query that
// forgot the role would read nothing; there is no service_role path here.
import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "@/generated/client/client";
import type { User } from "./auth";
import { config } from "./config";

export type Tx = Prisma.TransactionClient;

const globalForPrisma = globalThis as unknown as { consolePrisma?: PrismaClient };

function prisma(): PrismaClient {
  if (!globalForPrisma.consolePrisma) {
    const adapter = new PrismaPg({ connectionString: config().databaseUrl, max: 10 });
    globalForPrisma.consolePrisma = new PrismaClient({ adapter });
  }
  return globalForPrisma.consolePrisma;
}

/** Runs fn as `user` under row-level security, in one transaction. */
export async function asUser<T>(user: User, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const claims = JSON.stringify({ ...user.claims, sub: user.id, role: "authenticated" });
  return prisma().$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe("set local role authenticated");
      await tx.$executeRaw`select set_config('request.jwt.claims', ${claims}, true)`;
      return fn(tx);
    },
    { maxWait: 5000, timeout: 15000 },
  );
}

/** An error the database raised, with its SQLSTATE when there is one. */
export type DbError = { sqlstate: string | null; message: string };

export function dbError(e: unknown): DbError {
  const seen = new Set<unknown>();
  let cur: unknown = e;
  let sqlstate: string | null = null;
  let message = e instanceof Error ? e.message : String(e);
  // The adapter wraps the pg error: look for `code` (SQLSTATE) and `message`.
  while (cur && typeof cur === "object" && !seen.has(cur)) {
    seen.add(cur);
    const o = cur as Record<string, unknown>;
    const code = o.code ?? (o.meta as Record<string, unknown> | undefined)?.code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
      sqlstate = code;
      const m = o.message ?? (o.meta as Record<string, unknown> | undefined)?.message;
      if (typeof m === "string") message = m;
    }
    cur = o.cause ?? (o.meta as Record<string, unknown> | undefined)?.driverAdapterError;
  }
  // Prisma's P2010 (raw query failed) carries the database's code and message in its text.
  const raw = /Code: `([0-9A-Z]{5})`\. Message: `([\s\S]*)`/.exec(message);
  if (raw) return { sqlstate: raw[1], message: raw[2] };
  return { sqlstate: sqlstate && sqlstate.startsWith("P") ? null : sqlstate, message };
}

/** What a user is told when the database refuses a write. */
export function refusal(e: unknown): string {
  const { sqlstate, message } = dbError(e);
  if (sqlstate === "42501") return `Refused by the database (SQLSTATE 42501): your role in this project does not allow it. ${message}`;
  if (sqlstate) return `Refused by the database (SQLSTATE ${sqlstate}): ${message}`;
  return `The request failed: ${message}`;
}
