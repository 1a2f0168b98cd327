import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { currentUser } from "@/lib/auth";
import { asUser } from "@/lib/db";
import { isOperator } from "@/lib/queries";
import "./globals.css";

export const metadata: Metadata = { title: { default: "OdooOps console", template: "%s · OdooOps" } };
export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  // The workers link for installation operators only (the page itself asks the database again).
  const operator = user ? await asUser(user, (tx) => isOperator(tx)) : false;
  return (
    <html lang="en">
      <body>
        <a className="skip" href="#main">Skip to content</a>
        <header className="top">
          <Link className="brand" href="/">OdooOps</Link>
          <nav aria-label="Main">
            {user ? (
              <>
                <Link href="/">Projects</Link>
                <Link href="/queue">Queue</Link>
                {operator && <Link href="/workers">Workers</Link>}
                <span className="muted mono" title="Signed in as">{user.email ?? user.id}</span>
                <form method="post" action="/auth/sign-out">
                  <button type="submit">Sign out</button>
                </form>
              </>
            ) : (
              <Link href="/sign-in">Sign in</Link>
            )}
          </nav>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
