// ops-ingest against the migrated database: agent batches are idempotent and
// all-or-nothing, run log batches go through ops.append_run_logs in order.

import { handler } from "../ops-ingest/index.ts";
import {
  admin,
  assert,
  assertEquals,
  assertError,
  asService,
  closeClients,
  createProject,
  hold,
  post,
  SERVICE_KEY,
  test,
  uid,
} from "./helpers.ts";

const sql = admin();

function batch(prefix: string) {
  const run = `${prefix}-run`;
  return {
    runs: [{
      external_id: run,
      agent_id: "claude-code",
      task: "port module sale_custom to 18.0",
      started_at: "2026-02-13T09:00:00Z",
      metadata: { model: "m1" },
    }],
    events: Array.from({ length: 5 }, (_, i) => ({
      external_id: `${prefix}-event-${i}`,
      run_external_id: run,
      event_type: i === 0 ? "message" : "tool_call",
      payload: { i },
      occurred_at: `2026-02-13T09:00:0${i}Z`,
    })),
  };
}

async function stored(prefix: string) {
  const runs = await sql`
    select external_id, status, metadata from ops.agent_runs where external_id like ${prefix + "-%"}
  `;
  const events = await sql`
    select e.external_id, e.payload from ops.agent_run_events as e
    where e.external_id like ${prefix + "-%"} order by e.id
  `;
  return { runs: [...runs], events: events.map((e) => e.external_id as string) };
}

test("an agent batch lands in ops.agent_runs and ops.agent_run_events, events in order", async () => {
  const prefix = uid("agent");
  const reply = await post(handler, "ops-ingest/agent-runs", batch(prefix));
  assertEquals(reply.status, 200, JSON.stringify(reply.body));
  assertEquals(reply.body, {
    runs: { received: 1, inserted: 1, updated: 0 },
    events: { received: 5, inserted: 5 },
  });
  const s = await stored(prefix);
  assertEquals(s.runs.length, 1);
  assertEquals(s.runs[0]!.status, "running");
  assertEquals(s.events, [0, 1, 2, 3, 4].map((i) => `${prefix}-event-${i}`));
});

test("the same agent batch posted twice is stored once", async () => {
  const prefix = uid("dup");
  const body = batch(prefix);
  const first = await post(handler, "ops-ingest/agent-runs", body);
  const second = await post(handler, "ops-ingest/agent-runs", body, { token: SERVICE_KEY });
  assertEquals(first.status, 200);
  assertEquals(second.status, 200, JSON.stringify(second.body));
  assertEquals(second.body, {
    runs: { received: 1, inserted: 0, updated: 0 },
    events: { received: 5, inserted: 0 },
  });
  const s = await stored(prefix);
  assertEquals([s.runs.length, s.events.length], [1, 5]);
});

test("a later report finishes a run; a stale one does not reopen it", async () => {
  const prefix = uid("finish");
  const start = batch(prefix);
  await post(handler, "ops-ingest/agent-runs", start);
  const run = { ...start.runs[0]!, metadata: { tokens: 1200 } };
  const finished = await post(handler, "ops-ingest/agent-runs", {
    runs: [{ ...run, status: "succeeded", finished_at: "2026-02-13T09:10:00Z" }],
  });
  assertEquals(finished.body.runs, { received: 1, inserted: 0, updated: 1 });
  const stale = await post(handler, "ops-ingest/agent-runs", { runs: [start.runs[0]] });
  assertEquals(stale.status, 200);
  assertEquals(stale.body.runs, { received: 1, inserted: 0, updated: 0 });
  const s = await stored(prefix);
  assertEquals(s.runs[0]!.status, "succeeded");
  assertEquals(s.runs[0]!.metadata, { model: "m1", tokens: 1200 });
});

test("an external_id that names another run is 409 and the batch stores nothing", async () => {
  const prefix = uid("clash");
  const first = batch(prefix);
  await post(handler, "ops-ingest/agent-runs", first);
  const fresh = `${prefix}-new-run`;
  const reply = await post(handler, "ops-ingest/agent-runs", {
    runs: [
      { external_id: fresh, agent_id: "codex", task: "t" },
      { ...first.runs[0]!, agent_id: "someone-else" },
    ],
  });
  assertError(reply, 409, "runs[1].external_id");
  const [row] =
    await sql`select count(*)::int as n from ops.agent_runs where external_id = ${fresh}`;
  assertEquals(row?.n, 0, "the first run of the refused batch was rolled back");
});

test("a request writes all its rows or none: an event of an unknown run is 404", async () => {
  const prefix = uid("atomic");
  const body = batch(prefix);
  body.events.push({
    external_id: `${prefix}-orphan`,
    run_external_id: `${prefix}-no-such-run`,
    event_type: "message",
    payload: { i: 99 },
    occurred_at: "2026-02-13T09:00:09Z",
  });
  const reply = await post(handler, "ops-ingest/agent-runs", body);
  assertError(reply, 404, "events[5].run_external_id");
  const s = await stored(prefix);
  assertEquals([s.runs.length, s.events.length], [0, 0], "neither the run nor its 5 events");
});

test("bad agent batches are 400 naming the field", async () => {
  const cases: [unknown, string][] = [
    [{ runs: [{ external_id: "x", agent_id: "a" }] }, "runs[0].task"],
    [{ runs: [{ external_id: "x", agent_id: "a", task: "t", status: "done" }] }, "runs[0].status"],
    [
      { runs: [{ external_id: "x", agent_id: "a", task: "t", started_at: "yesterday" }] },
      "runs[0].started_at",
    ],
    // Times Date.parse takes and PostgreSQL refuses (22008, 22009): named here, not by the database.
    [
      {
        runs: [{ external_id: "x", agent_id: "a", task: "t", started_at: "2026-02-30T10:00:00Z" }],
      },
      "runs[0].started_at",
    ],
    [
      {
        runs: [{ external_id: "x", agent_id: "a", task: "t", started_at: "0000-06-01T10:00:00Z" }],
      },
      "runs[0].started_at",
    ],
    [
      {
        runs: [{
          external_id: "x",
          agent_id: "a",
          task: "t",
          finished_at: "2026-01-01T10:00:00+16:00",
        }],
      },
      "runs[0].finished_at",
    ],
    [
      { events: [{ external_id: "e", run_external_id: "r", event_type: "m", payload: [] }] },
      "events[0].payload",
    ],
    [{ runs: [], events: [] }, "runs"],
    [{ run: [] }, "run"],
    [[1, 2], "body"],
    [{
      runs: [
        { external_id: "same", agent_id: "a", task: "t" },
        { external_id: "same", agent_id: "a", task: "t" },
      ],
    }, "runs[1].external_id"],
  ];
  for (const [body, field] of cases) {
    assertError(await post(handler, "ops-ingest/agent-runs", body), 400, field);
  }
});

test("run log batches keep their order and a retried batch is stored once", async () => {
  const queue = await createProject(sql);
  const worker = uid("runner");
  const runId = await hold(sql, queue, worker);

  const lines = Array.from({ length: 2000 }, (_, i) => ({
    seq: i + 1,
    level: i % 10 === 0 ? "warning" : "info",
    stream: "odoo",
    message: `line ${i + 1}`,
  }));
  const body = { p_run_id: runId, p_worker_id: worker, p_lines: lines };
  const first = await post(handler, "ops-ingest/run-logs", body);
  assertEquals(first.status, 200, JSON.stringify(first.body));
  assertEquals(first.body, { stored: 2000 });
  const again = await post(handler, "ops-ingest/run-logs", body);
  assertEquals(again.body, { stored: 0 });

  const rows = await sql`select seq, message from ops.run_logs where run_id = ${runId} order by id`;
  assertEquals(rows.length, 2000);
  assert(rows.every((r, i) => Number(r.seq) === i + 1 && r.message === `line ${i + 1}`));
  const [run] = await sql`select last_log_seq from ops.runs where id = ${runId}`;
  assertEquals(Number(run?.last_log_seq), 2000);
  await asService(sql, async (tx) => {
    await tx`select ops.start_workflow_run(${runId}, ${worker})`;
    await tx`select ops.complete_workflow_run(${runId}, 0, p_worker_id => ${worker})`;
  });
});

test("a log batch over the limit is 400 before it reaches the database", async () => {
  const lines = Array.from({ length: 5001 }, (_, i) => ({ seq: i + 1, message: "" }));
  const reply = await post(handler, "ops-ingest/run-logs", {
    p_run_id: crypto.randomUUID(),
    p_worker_id: "runner-1",
    p_lines: lines,
  });
  assertError(reply, 400, "p_lines");
  assert(reply.body.error.message.includes("5000"));
});

test("logs of an unknown run are 404", async () => {
  const reply = await post(handler, "ops-ingest/run-logs", {
    p_run_id: crypto.randomUUID(),
    p_worker_id: "runner-1",
    p_lines: [{ seq: 1, message: "hello" }],
  });
  assertError(reply, 404);
});

test("close clients", async () => {
  await closeClients();
});
