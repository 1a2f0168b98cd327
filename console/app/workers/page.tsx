import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { asUser, dbError } from "@/lib/db";
import { workers } from "@/lib/queries";
import { pageUser } from "@/lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Workers" };

function when(d: Date | null): string {
  return d ? d.toISOString().replace("T", " ").slice(0, 19) + " UTC" : "-";
}

/** The fleet, for installation operators (ops.list_installation_workers): anyone else gets the
 * database's 42501, answered as a page that does not exist. */
export default async function WorkersPage() {
  const user = await pageUser();
  let rows;
  try {
    rows = await asUser(user, (tx) => workers(tx));
  } catch (e) {
    if (dbError(e).sqlstate === "42501") notFound();
    throw e;
  }
  const live = rows.filter((w) => !w.gone).length;
  return (
    <>
      <h1>Workers</h1>
      <p className="muted">
        Every worker of the installation, live ones first: {live} live, {rows.length - live} gone (not seen for 60 seconds).
        You see this page as an installation operator.
      </p>
      {rows.length === 0 ? (
        <p className="muted">No worker has registered yet: start one with <code>odooops worker</code>.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="skip">Workers, live ones first</caption>
            <thead>
              <tr>
                <th scope="col">Worker</th><th scope="col">State</th><th scope="col">Labels</th>
                <th scope="col" className="hide-narrow">Version</th><th scope="col" className="hide-narrow">Host</th>
                <th scope="col">Last seen</th><th scope="col">Runs held</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((w) => (
                <tr key={w.worker_id} data-worker={w.worker_id} data-gone={w.gone ? "true" : "false"}>
                  <td className="mono">{w.worker_id}</td>
                  <td><span className={`badge ${w.gone ? "status-canceled" : "status-running"}`}>{w.gone ? "gone" : "live"}</span></td>
                  <td className="mono" data-labels={w.labels.join(",")}>{w.labels.length ? w.labels.join(", ") : "none"}</td>
                  <td className="mono hide-narrow" data-version={w.version ?? ""}>{w.version ?? "-"}</td>
                  <td className="mono hide-narrow" data-host={w.host ?? ""}>{w.host ?? "-"}</td>
                  <td><time dateTime={w.last_seen_at.toISOString()}>{when(w.last_seen_at)}</time></td>
                  <td>{w.held_runs}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
