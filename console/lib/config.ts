// The console's configuration, from the environment. Read once per process.
//
// ODOOOPS_CONSOLE_DATABASE_URL (or DATABASE_URL): a login that can take the
//   role `authenticated` and nothing more, on Supabase the `authenticator`
//   role. Every query for a user runs as `authenticated` (lib/db.ts).
// SUPABASE_JWT_SECRET: the project's JWT secret; access tokens are HS256.
// ODOOOPS_CONSOLE_AUTH_COOKIE: the cookie holding the session, default
//   `sb-<ref>-auth-token` with <ref> from SUPABASE_PROJECT_REF (default
//   `local`), as @supabase/ssr names it.
// ODOOOPS_CONSOLE_DEV_SIGNIN=1: enables the development sign-in
//   (/auth/dev-sign-in), which mints a token for a user id typed in. Only with
//   `next dev`: `next build` and `next start` (NODE_ENV=production) refuse to
//   run with it set.

export type ConsoleConfig = {
  databaseUrl: string;
  jwtSecret: string;
  cookieName: string;
  devSignIn: boolean;
};

export function devSignInEnabled(): boolean {
  return process.env.ODOOOPS_CONSOLE_DEV_SIGNIN === "1";
}

export function assertSafeConfig(): void {
  if (devSignInEnabled() && process.env.NODE_ENV === "production") {
    throw new Error(
      "ODOOOPS_CONSOLE_DEV_SIGNIN=1 is refused in production mode: the development sign-in lets anyone act as any user. " +
        "Unset it, or run `next dev`.",
    );
  }
}

export function config(): ConsoleConfig {
  assertSafeConfig();
  const databaseUrl = process.env.ODOOOPS_CONSOLE_DATABASE_URL ?? process.env.DATABASE_URL ?? "";
  const jwtSecret = process.env.SUPABASE_JWT_SECRET ?? "";
  if (!databaseUrl) throw new Error("ODOOOPS_CONSOLE_DATABASE_URL (or DATABASE_URL) is not set");
  if (jwtSecret.length < 32) throw new Error("SUPABASE_JWT_SECRET is not set or shorter than 32 characters");
  const ref = process.env.SUPABASE_PROJECT_REF ?? "local";
  return {
    databaseUrl,
    jwtSecret,
    cookieName: process.env.ODOOOPS_CONSOLE_AUTH_COOKIE ?? `sb-${ref}-auth-token`,
    devSignIn: devSignInEnabled(),
  };
}
