// The attacks on the routes that write to a run, played over HTTP against the
// migrated database: a caller without a token (or with a wrong one), and a
// runner with a token that leaves out its worker id, names another runner's,
// writes to a run that has finished, sends what no column can store, or sends
// a huge value to have it quoted back. Every write must name the worker that
// holds the run, input must never turn into a 500, and no error may echo more
// than a bounded part of a value.

import { createExecutorHandler, handler as executor } from "../executor/index.ts";
import { createIngestHandler, handler as ingest } from "../ops-ingest/index.ts";
import { connect } from "../_shared/db.ts";
import {
  admin,
  assert,
  assertEquals,
  assertError,
  closeClients,
  createProject,
  hold,
  post,
  type Reply,
  SERVICE_KEY,
  test,
  uid,
} from "./helpers.ts";

const sql = admin();
const SHA = "b".repeat(64);

type Handler = (req: Request) => Promise<Response>;
type FunctionName = "executor" | "ops-ingest";

/** Every route that writes to a run, with a body that is valid but for p_worker_id. */
function writeRoutes(runId: string): [FunctionName, string, Record<string, unknown>][] {
  const lines = [{ seq: 1, message: "written by whoever" }];
  return [
    ["executor", "executor/start", { p_run_id: runId }],
    ["executor", "executor/heartbeat", { p_run_id: runId }],
    ["executor", "executor/complete", { p_run_id: runId, p_exit_code: 0 }],
    ["executor", "executor/requeue", { p_run_id: runId }],
    ["executor", "executor/logs", { p_run_id: runId, p_lines: lines }],
    ["executor", "executor/artifacts", {
      p_run_id: runId,
      p_artifact_key: "stolen/report.txt",
      p_s3_url: "s3://odooops-artifacts/stolen/report.txt",
      p_sha256: SHA,
      p_size_bytes: 1,
    }],
    ["ops-ingest", "ops-ingest/run-logs", { p_run_id: runId, p_lines: lines }],
  ];
}

const HANDLERS: Record<FunctionName, Handler> = { executor, "ops-ingest": ingest };

/** A run held by a fresh worker and started, as a runner in the middle of a build has it. */
async function running(): Promise<{ runId: string; holder: string }> {
  const queue = await createProject(sql);
  const holder = uid("holder");
  const runId = await hold(sql, queue, holder);
  const started = await post(executor, "executor/start", { p_run_id: runId, p_worker_id: holder });
  assertEquals(started.status, 200, JSON.stringify(started.body));
  return { runId, holder };
}

async function complete(runId: string, worker: string): Promise<Reply> {
  return await post(executor, "executor/complete", {
    p_run_id: runId,
    p_worker_id: worker,
    p_exit_code: 0,
  });
}

/** What the run has: its status and holder, and how many log lines and artifacts. */
async function written(runId: string) {
  const [row] = await sql`
    select r.status::text, r.worker_id,
      (select count(*)::int from ops.run_logs as l where l.run_id = r.id) as logs,
      (select count(*)::int from ops.run_artifacts as a where a.run_id = r.id) as artifacts
    from ops.runs as r where r.id = ${runId}
  `;
  return { ...row };
}

test("without a token or with a wrong one, every write route is 401", async () => {
  for (const [fn, path, body] of writeRoutes(crypto.randomUUID())) {
    for (const token of [null, "", "not-the-token", SERVICE_KEY.slice(0, -1)]) {
      const reply = await post(HANDLERS[fn], path, body, { token });
      assertError(reply, 401);
      assertEquals(reply.body.error.code, "unauthorized");
    }
  }
});

// The handlers get a database that cannot be reached: a request that got as
// far as the database would be a 503, so a 400 shows nothing was sent to it.
test("a write without p_worker_id, or with null, empty or not a string, is 400 before any database call", async () => {
  const down = connect("postgresql://postgres@127.0.0.1:1/postgres", { connect_timeout: 2 });
  const handlers: Record<FunctionName, Handler> = {
    executor: createExecutorHandler({ sql: down }),
    "ops-ingest": createIngestHandler({ sql: down }),
  };
  try {
    for (const [fn, path, body] of writeRoutes(crypto.randomUUID())) {
      const bodies: [string, Record<string, unknown>][] = [
        ["absent", body],
        ["null", { ...body, p_worker_id: null }],
        ["empty", { ...body, p_worker_id: "" }],
        ["a number", { ...body, p_worker_id: 42 }],
        ["an array", { ...body, p_worker_id: ["holder"] }],
      ];
      for (const [what, b] of bodies) {
        const reply = await post(handlers[fn], path, b);
        assertError(reply, 400, "p_worker_id");
        const message: string = reply.body.error.message;
        assert(message.startsWith("p_worker_id "), `${path}, ${what}: ${message}`);
        if (["absent", "null", "empty"].includes(what)) {
          assert(message.includes("required"), `${path}, ${what}: ${message}`);
        }
      }
    }
  } finally {
    await down.end({ timeout: 1 });
  }
});

test("complete, logs and artifacts without p_worker_id leave another runner's run alone", async () => {
  const { runId, holder } = await running();
  for (const [fn, path, body] of writeRoutes(runId)) {
    assertError(await post(HANDLERS[fn], path, body), 400, "p_worker_id");
  }
  assertEquals(await written(runId), {
    status: "running",
    worker_id: holder,
    logs: 0,
    artifacts: 0,
  });
  assertEquals((await complete(runId, holder)).status, 200);
});

test("another runner's worker id on a held run is 409 OP002 on every write route", async () => {
  const { runId, holder } = await running();
  const intruder = uid("intruder");
  for (const [fn, path, body] of writeRoutes(runId)) {
    const reply = await post(HANDLERS[fn], path, { ...body, p_worker_id: intruder });
    assertError(reply, 409);
    assertEquals(reply.body.error.sqlstate, "OP002", `${path}: ${JSON.stringify(reply.body)}`);
    assertEquals(reply.body.error.code, "not_holder");
  }
  assertEquals(await written(runId), {
    status: "running",
    worker_id: holder,
    logs: 0,
    artifacts: 0,
  });
  // The holder is not disturbed by any of it.
  const done = await complete(runId, holder);
  assertEquals(done.status, 200, JSON.stringify(done.body));
  assertEquals(done.body.run.status, "succeeded");
});

// 409 whatever the SQLSTATE: OP002 today, a finished-run code once the
// database refuses writes to a finished run on its own.
test("the holder cannot log to or add an artifact to its run once it finished: 409", async () => {
  const { runId, holder } = await running();
  assertEquals((await complete(runId, holder)).status, 200);
  const lines = [{ seq: 1, message: "too late" }];
  const late: [Handler, string, Record<string, unknown>][] = [
    [executor, "executor/logs", { p_run_id: runId, p_worker_id: holder, p_lines: lines }],
    [ingest, "ops-ingest/run-logs", { p_run_id: runId, p_worker_id: holder, p_lines: lines }],
    [executor, "executor/artifacts", {
      p_run_id: runId,
      p_worker_id: holder,
      p_artifact_key: "late/report.txt",
      p_s3_url: "s3://odooops-artifacts/late/report.txt",
      p_sha256: SHA,
      p_size_bytes: 1,
    }],
  ];
  for (const [handler, path, body] of late) {
    const reply = await post(handler, path, body);
    assertEquals(reply.status, 409, `${path}: ${JSON.stringify(reply.body)}`);
  }
  assertEquals(await written(runId), {
    status: "succeeded",
    worker_id: holder,
    logs: 0,
    artifacts: 0,
  });
});

test("close clients", async () => {
  await closeClients();
});
