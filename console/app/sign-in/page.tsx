import type { Metadata } from "next";
import { config } from "@/lib/config";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignIn({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const { error } = await searchParams;
  const { devSignIn, cookieName } = config();
  return (
    <>
      <h1>Sign in</h1>
      {error && <p className="notice error" role="alert">{error}</p>}
      <p>
        The console reads the Supabase Auth session cookie <code>{cookieName}</code> (as <code>@supabase/ssr</code> sets it)
        and verifies its access token before any query. Sign in through your Supabase Auth front end, then come back.
      </p>
      {devSignIn && (
        <section className="panel" aria-labelledby="dev">
          <h2 id="dev">Development sign-in</h2>
          <p className="muted">Enabled by ODOOOPS_CONSOLE_DEV_SIGNIN=1: acts as an existing user of auth.users, by id.</p>
          <form className="inline" method="post" action="/auth/dev-sign-in">
            <label>
              User id
              <input name="user_id" required size={38} pattern="[0-9a-fA-F-]{36}" autoComplete="off" />
            </label>
            <button className="primary" type="submit">Sign in</button>
          </form>
        </section>
      )}
    </>
  );
}
