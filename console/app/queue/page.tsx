import type { Metadata } from "next";
import Link from "next/link";
import { asUser } from "@/lib/db";
import { pageUser } from "@/lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Queue" };

type Queued = {
  position: bigint; run_id: string; project_slug: string; workflow_name: string; branch: string;
  commit_sha: string; priority: number; attempt: number; max_attempts: number; age: string; wait_reason: string | null;
};

/** The queue of the projects the user administers, in claim order, with why each run waits
 * (ops.list_queued_runs(): admins and owners see their projects' runs, others none). */
export default async function QueuePage() {
  const user = await pageUser();
  const rows = await asUser(user, (tx) => tx.$queryRaw<Queued[]>`
    select "position", run_id::text, project_slug, workflow_name, branch, commit_sha, priority, attempt, max_attempts,
           justify_interval(date_trunc('second', age))::text as age, wait_reason
      from ops.list_queued_runs()
     order by "position"
     limit 200`);
  return (
    <>
      <h1>Queue</h1>
      <p className="muted">
        Queued runs of the projects you administer (admin or owner), in the order workers take them, and why a run waits.
      </p>
      {rows.length === 0 ? (
        <p className="muted">No queued run in the projects you administer.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="skip">Queued runs in claim order</caption>
            <thead>
              <tr>
                <th scope="col">#</th><th scope="col">Run</th><th scope="col">Branch</th>
                <th scope="col" className="hide-narrow">Priority</th><th scope="col">Waiting</th><th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.run_id} data-queued={r.run_id}>
                  <td>{r.position.toString()}</td>
                  <td>
                    <Link href={`/projects/${r.project_slug}/runs/${r.run_id}`}>{r.project_slug} / {r.workflow_name}</Link>
                    {r.attempt > 0 && <span className="muted"> (attempt {r.attempt + 1} of {r.max_attempts})</span>}
                  </td>
                  <td className="mono">{r.branch} {r.commit_sha.slice(0, 10)}</td>
                  <td className="hide-narrow">{r.priority}</td>
                  <td>{r.age}</td>
                  <td className="wait">{r.wait_reason ?? "next free worker"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
