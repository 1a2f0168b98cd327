// Renaming the agent tables (migration 20260213000001) must not disrupt agent tracking.
// On a database migrated only to 20260212000000 (agent tables still named
// ops.runs / ops.run_events), ops-ingest stores a batch; then the harness's own
// migration runner applies every later migration while a second request is
// queued behind the rename's lock; then a third batch is posted. All three
// end up in ops.agent_runs, and the first, posted again, is stored once.
//
// The tests run in order and share the database's state.

import { createIngestHandler } from "../ops-ingest/index.ts";
import { connect } from "../_shared/db.ts";
import { admin, assert, assertEquals, closeClients, env, post, test, uid } from "./helpers.ts";

const URL = env("ODOOOPS_TEST_PRE_RENAME_DB_URL");
const sql = admin(URL);
// The handler gets its own client, as the deployed function has its own.
const functionClient = connect(URL);
const ingest = createIngestHandler({ sql: functionClient });
const prefix = uid("rename");

function agentBatch(name: string) {
  const run = `${prefix}-${name}`;
  return {
    runs: [{ external_id: run, agent_id: "claude-code", task: `task ${name}` }],
    events: [0, 1, 2].map((i) => ({
      external_id: `${run}-e${i}`,
      run_external_id: run,
      event_type: "tool_call",
      payload: { i },
    })),
  };
}

async function until(what: string, check: () => Promise<boolean>, seconds = 15): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waiting(relation: number, mode: string): Promise<boolean> {
  const [row] = await sql`
    select count(*)::int as n from pg_catalog.pg_locks
    where locktype = 'relation' and relation = ${relation} and mode = ${mode} and not granted
  `;
  return (row?.n ?? 0) > 0;
}

test("before the rename: the agent tables are ops.runs / ops.run_events and a batch lands", async () => {
  const [shape] = await sql`
    select to_regclass('ops.agent_runs') is null as not_renamed,
      exists (select 1 from pg_catalog.pg_attribute
              where attrelid = to_regclass('ops.runs') and attname = 'agent_id') as agent_shape
  `;
  assertEquals(shape, { not_renamed: true, agent_shape: true });
  const reply = await post(ingest, "ops-ingest/agent-runs", agentBatch("before"));
  assertEquals(reply.status, 200, JSON.stringify(reply.body));
  assertEquals(reply.body.events, { received: 3, inserted: 3 });
  const [row] = await sql`
    select count(*)::int as n from ops.runs where external_id = ${prefix + "-before"}
  `;
  assertEquals(row?.n, 1);
});

test("during the migration: a request queued behind the rename lands in ops.agent_runs", async () => {
  const [rel] = await sql`select 'ops.runs'::regclass::oid as oid`;
  const oldRuns = Number(rel!.oid);

  // Hold the table so the rename has to wait for its lock, in full view.
  const blocker = connect(URL, { max: 1 });
  let release = () => {};
  const released = new Promise<void>((r) => release = r);
  let locked = () => {};
  const isLocked = new Promise<void>((r) => locked = r);
  const holding = blocker.begin(async (tx) => {
    await tx`lock table ops.runs in access share mode`;
    locked();
    await released;
  });
  await isLocked;

  const argv = JSON.parse(env("ODOOOPS_TEST_MIGRATE_CMD")) as string[];
  const migrate = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env: { DATABASE_URL: URL },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    await until("the rename waits for its lock", () => waiting(oldRuns, "AccessExclusiveLock"));
    const during = post(ingest, "ops-ingest/agent-runs", agentBatch("during"));
    await until("the request waits behind the rename", () => waiting(oldRuns, "RowExclusiveLock"));
    release();
    await holding;

    const reply = await during;
    assertEquals(reply.status, 200, JSON.stringify(reply.body));
    assertEquals(reply.body.runs, { received: 1, inserted: 1, updated: 0 });
  } finally {
    release();
    await blocker.end({ timeout: 5 });
    const out = await migrate.output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, `the migration runner failed:\n${text}`);
    assert(text.includes("20260213000001_rename_agent_tables.sql"), text);
  }
  const [row] = await sql`
    select count(*)::int as n from ops.agent_runs where external_id = ${prefix + "-during"}
  `;
  assertEquals(row?.n, 1);
});

test("after the migrations: batches land in ops.agent_runs, the one from before stored once", async () => {
  const again = await post(ingest, "ops-ingest/agent-runs", agentBatch("before"));
  assertEquals(again.status, 200, JSON.stringify(again.body));
  assertEquals(again.body, {
    runs: { received: 1, inserted: 0, updated: 0 },
    events: { received: 3, inserted: 0 },
  });
  const after = await post(ingest, "ops-ingest/agent-runs", agentBatch("after"));
  assertEquals(after.body.runs, { received: 1, inserted: 1, updated: 0 });

  const runs = await sql`
    select external_id from ops.agent_runs where external_id like ${prefix + "-%"} order by id
  `;
  assertEquals(
    runs.map((r) => r.external_id),
    ["before", "during", "after"].map((n) => `${prefix}-${n}`),
  );
  const [events] = await sql`
    select count(*)::int as n from ops.agent_run_events where external_id like ${prefix + "-%"}
  `;
  assertEquals(events?.n, 9);
  // ops.runs is now the run queue, and no agent data went there.
  const [queue] = await sql`select count(*)::int as n from ops.runs`;
  assertEquals(queue?.n, 0);
});

test("close clients", async () => {
  await functionClient.end({ timeout: 5 });
  await closeClients();
});
