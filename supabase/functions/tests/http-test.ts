// What both functions do before and after the database: authentication, body
// limits, JSON parsing, routing, and errors that leak nothing.

import { createExecutorHandler, handler as executor } from "../executor/index.ts";
import { createIngestHandler, handler as ingest, MAX_BODY_BYTES } from "../ops-ingest/index.ts";
import { connect } from "../_shared/db.ts";
import {
  admin,
  assert,
  assertEquals,
  assertError,
  capturingLog,
  closeClients,
  env,
  post,
  SERVICE_KEY,
  test,
} from "./helpers.ts";

const AGENT_BATCH = {
  runs: [{ external_id: "http-test-run", agent_id: "a", task: "t" }],
};

test("401 without a bearer token, with another scheme, or with a wrong token", async () => {
  for (const handler of [ingest, executor]) {
    const path = handler === ingest ? "ops-ingest/agent-runs" : "executor/claim";
    const none = await post(handler, path, {}, { token: null });
    assertError(none, 401);
    assertEquals(none.headers.get("www-authenticate"), 'Bearer realm="odooops"');
    const basic = await post(handler, path, {}, {
      token: null,
      headers: { authorization: `Basic ${btoa("user:" + SERVICE_KEY)}` },
    });
    assertError(basic, 401);
    assertError(await post(handler, path, {}, { token: SERVICE_KEY + "x" }), 401);
    assertError(await post(handler, path, {}, { token: "" }), 401);
  }
});

test("every runner token of ODOOOPS_RUNNER_TOKEN is accepted (rotation)", async () => {
  const next = env("ODOOOPS_RUNNER_TOKEN").split(",")[1]!.trim();
  const reply = await post(executor, "executor/heartbeat", {}, { token: next });
  assertError(reply, 400, "p_run_id");
});

test("400 for a body that is not JSON, is empty, or is not UTF-8", async () => {
  const bad = await post(ingest, "ops-ingest/agent-runs", "{runs: [");
  assertError(bad, 400, "body");
  assert(bad.body.error.message.startsWith("the body is not valid JSON"));
  assertError(await post(ingest, "ops-ingest/agent-runs", ""), 400, "body");
  const latin1 = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new Uint8Array([0x7b, 0x22, 0xe9, 0x22, 0x7d])); // {"\xe9"}: e-acute in Latin-1, not UTF-8
      c.close();
    },
  });
  assertError(await post(ingest, "ops-ingest/agent-runs", latin1), 400, "body");
});

test("400 naming the field: wrong type, missing, unknown", async () => {
  const wrongType = await post(executor, "executor/claim", { p_worker_id: 42 });
  assertError(wrongType, 400, "p_worker_id");
  assertEquals(wrongType.body.error.message, "p_worker_id must be a string, got 42");
  assertError(await post(executor, "executor/claim", {}), 400, "p_worker_id");
  const typo = await post(executor, "executor/claim", { p_worker_id: "w", p_lease: 5 });
  assertError(typo, 400, "p_lease");
  assertError(await post(executor, "executor/complete", [1]), 400, "body");
});

test("413 for a body over the limit, declared or streamed", async () => {
  const big = JSON.stringify({
    runs: [{ external_id: "x", agent_id: "a", task: "t".repeat(MAX_BODY_BYTES) }],
  });
  assertError(await post(ingest, "ops-ingest/agent-runs", big), 413);

  const declared = await post(ingest, "ops-ingest/agent-runs", "{}", {
    headers: { "content-length": String(MAX_BODY_BYTES + 1) },
  });
  assertError(declared, 413);

  // Chunked, no Content-Length: counted while read, and reading stops at the limit.
  let sent = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(c) {
      sent += 65_536;
      c.enqueue(new Uint8Array(65_536).fill(0x20));
    },
  });
  assertError(await post(executor, "executor/logs", endless), 413);
  assert(sent <= MAX_BODY_BYTES + 4 * 65_536, `read ${sent} bytes of an endless body`);
});

test("404 for an unknown route, 405 for another method", async () => {
  const route = await post(executor, "executor/steal", {});
  assertError(route, 404);
  assert(route.body.error.message.includes("POST /executor/claim"));
  const get = await post(executor, "executor/claim", null, { method: "GET" });
  assertEquals(get.status, 405);
  assertEquals(get.headers.get("allow"), "POST");
});

// Handlers on a database that has the Supabase baseline but no migration:
// whatever the database says, the client gets a bare 500 and the request id.
test("500 for anything unexpected, without internals; the log has them", async () => {
  const empty = admin(env("ODOOOPS_TEST_EMPTY_DB_URL"));
  const [replies, log] = await capturingLog(async () => [
    await post(createIngestHandler({ sql: empty }), "ops-ingest/agent-runs", AGENT_BATCH),
    await post(createExecutorHandler({ sql: empty }), "executor/claim", { p_worker_id: "w1" }),
    await post(createIngestHandler({ sql: empty }), "ops-ingest/run-logs", {
      p_run_id: crypto.randomUUID(),
      p_worker_id: "w1",
      p_lines: [{ seq: 1, message: "m" }],
    }),
  ]);
  for (const reply of replies) {
    assertError(reply, 500);
    assertEquals(Object.keys(reply.body.error).sort(), ["code", "message", "status"]);
    assertEquals(reply.body.error.message, "unexpected error");
    assertEquals(reply.headers.get("x-request-id"), reply.body.request_id);
    const text = JSON.stringify(reply.body);
    for (const secret of ["ops", "agent", "schema", "relation", "postgres", "3F000"]) {
      assert(!text.includes(secret), `the 500 body leaks ${secret}: ${text}`);
    }
  }
  // The operator finds the cause under the request id the client was given.
  assertEquals(log.length, 3);
  assert(log[0]!.includes(replies[0]!.body.request_id) && log[0]!.includes("agent tracking"));
  assert(log[1]!.includes(replies[1]!.body.request_id) && log[1]!.includes("3F000"));
});

test("500 when no token is configured, rather than refusing every client as 401", async () => {
  const [reply, log] = await capturingLog(() =>
    post(createIngestHandler({ tokens: [] }), "ops-ingest/agent-runs", {})
  );
  assertError(reply, 500);
  assert(log[0]!.includes("ODOOOPS_RUNNER_TOKEN"));
});

test("503 with Retry-After when the database cannot be reached", async () => {
  const down = connect("postgresql://postgres@127.0.0.1:1/postgres", { connect_timeout: 2 });
  try {
    const [reply] = await capturingLog(() =>
      post(createExecutorHandler({ sql: down }), "executor/claim", { p_worker_id: "w1" })
    );
    assertError(reply, 503);
    assertEquals(reply.headers.get("retry-after"), "1");
    assert(!JSON.stringify(reply.body).includes("127.0.0.1"));
  } finally {
    await down.end({ timeout: 1 });
  }
});

test("close clients", async () => {
  await closeClients();
});
