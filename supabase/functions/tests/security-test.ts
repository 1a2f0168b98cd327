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
import { errorResponse } from "../_shared/http.ts";
import {
  admin,
  assert,
  assertEquals,
  assertError,
  capturingLog,
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
const MB = 1_000_000;
// A log line may be at most 64 KB of JSON; as much of it can reach the database.
const LINE_VALUE = 60_000;

type Handler = (req: Request) => Promise<Response>;
type FunctionName = "executor" | "ops-ingest";

/** Every route that writes to a run or reads what only its holder may, with a body that is valid but for p_worker_id. */
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
    ["executor", "executor/findings", {
      p_run_id: runId,
      p_findings: [{
        source: "pylint-odoo",
        code: "x",
        severity: "error",
        file: "a.py",
        line: 1,
        column: 1,
      }],
    }],
    ["executor", "executor/context", { p_run_id: runId }],
    ["executor", "executor/secrets", { p_run_id: runId }],
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

test("a NUL character or a lone surrogate anywhere in a body is 400 naming its JSON path", async () => {
  const { runId, holder } = await running();
  const line = (message: string) => ({ seq: 9, message });
  const lines = (bad: Record<string, unknown>) => [line("a"), line("b"), line("c"), bad];
  const cases: [Handler, string, unknown, string][] = [
    [executor, "executor/logs", {
      p_run_id: runId,
      p_worker_id: holder,
      p_lines: lines({ seq: 4, message: "nul \u0000 here" }),
    }, "p_lines[3].message"],
    [ingest, "ops-ingest/run-logs", {
      p_run_id: runId,
      p_worker_id: holder,
      p_lines: lines({ seq: 4, message: "\u0000" }),
    }, "p_lines[3].message"],
    [executor, "executor/logs", {
      p_run_id: runId,
      p_worker_id: holder,
      p_lines: [{ seq: 1, message: "m", metadata: { ["key\u0000"]: 1 } }],
    }, 'p_lines[0].metadata["key\\u0000"]'],
    [executor, "executor/logs", {
      p_run_id: runId,
      p_worker_id: holder,
      p_lines: [{ seq: 1, message: "half of an emoji \ud83d" }],
    }, "p_lines[0].message"],
    [executor, "executor/complete", {
      p_run_id: runId,
      p_worker_id: holder,
      p_exit_code: 1,
      p_error_message: "boom\u0000",
    }, "p_error_message"],
    [executor, "executor/heartbeat", { p_run_id: runId, p_worker_id: "w\u0000" }, "p_worker_id"],
    [ingest, "ops-ingest/agent-runs", {
      runs: [{ external_id: uid("nul"), agent_id: "a", task: "t\u0000" }],
    }, "runs[0].task"],
  ];
  for (const [handler, path, body, field] of cases) {
    const reply = await post(handler, path, body);
    assertError(reply, 400, field);
    const message: string = reply.body.error.message;
    assert(message.includes("\\u0000") || message.includes("Unicode"), message);
  }
  assertEquals(await written(runId), {
    status: "running",
    worker_id: holder,
    logs: 0,
    artifacts: 0,
  });
  assertEquals((await complete(runId, holder)).status, 200);
});

test("a body nested deeper than 64 levels is 400 naming where, not a database failure", async () => {
  const { runId, holder } = await running();
  const nest = (levels: number) => {
    let value: unknown = "leaf";
    for (let i = 0; i < levels; i++) value = [value];
    return { a: value };
  };
  // 60 KB of JSON, within a line's 64 KB, and deeper than PostgreSQL's parser
  // goes before "stack depth limit exceeded" (54001).
  // Written out by hand: JSON.stringify itself may run out of stack this deep.
  const levels = 30_000;
  const deep = await post(
    executor,
    "executor/logs",
    `{"p_run_id": ${JSON.stringify(runId)}, "p_worker_id": ${JSON.stringify(holder)}, ` +
      `"p_lines": [{"seq": 1, "message": "m", "metadata": {"a": ${"[".repeat(levels)}"leaf"${
        "]".repeat(levels)
      }}}]}`,
  );
  assertError(deep, 400);
  assert(deep.body.error.field.startsWith("p_lines[0].metadata.a[0][0]"), deep.body.error.field);
  assert(deep.body.error.field.length <= 250);
  assert(deep.body.error.message.includes("64"), deep.body.error.message);

  const fine = await post(executor, "executor/logs", {
    p_run_id: runId,
    p_worker_id: holder,
    p_lines: [{ seq: 1, message: "m", metadata: nest(20) }],
  });
  assertEquals(fine.status, 200, JSON.stringify(fine.body));
  assertEquals((await complete(runId, holder)).status, 200);
});

// Class 22 (data exception): the log line's zone offset +16:00 passes the
// RPC's pattern, and PostgreSQL refuses it on the cast, with 22009 (in no list).
test("a value the database refuses (class 22) is 400 with its SQLSTATE, not 500", async () => {
  const { runId, holder } = await running();
  const reply = await post(executor, "executor/logs", {
    p_run_id: runId,
    p_worker_id: holder,
    p_lines: [{ seq: 1, message: "m", timestamp: "2026-02-13T10:00:00+16:00" }],
  });
  assertError(reply, 400);
  assertEquals(reply.body.error.sqlstate, "22009");
  assertEquals(reply.body.error.code, "bad_request");
  assert(reply.body.error.message.includes("time zone"), reply.body.error.message);
  assertEquals((await written(runId)).logs, 0);
  assertEquals((await complete(runId, holder)).status, 200);
});

// Class 23 (integrity constraint violation): the routes check what the tables
// check, so the test gives ops.agent_runs a rule and a unique key of its own
// for a while, and a request breaks each of them for real.
test("a row the database refuses (class 23) is 400 with its SQLSTATE, a duplicate key 409", async () => {
  const tag = uid("sectest").replace("-", "_");
  const rule = `agent_runs_${tag}_is_allowed`;
  const index = `agent_runs_${tag}_idx`;
  // The tag is letters, digits and "_": safe to write into DDL, which takes no parameters.
  await sql.unsafe(
    `alter table ops.agent_runs add constraint ${rule} check (task <> 'refused ${tag}') not valid`,
  );
  await sql.unsafe(
    `create unique index ${index} on ops.agent_runs (task) where task = 'unique ${tag}'`,
  );
  try {
    const refused = await post(ingest, "ops-ingest/agent-runs", {
      runs: [{ external_id: uid("r"), agent_id: "a", task: `refused ${tag}` }],
    });
    assertError(refused, 400);
    assertEquals(refused.body.error.sqlstate, "23514");
    assertEquals(refused.body.error.message, `a value breaks the rule ${rule}`);

    const first = uid("u");
    const duplicate = await post(ingest, "ops-ingest/agent-runs", {
      runs: [
        { external_id: first, agent_id: "a", task: `unique ${tag}` },
        { external_id: uid("u"), agent_id: "a", task: `unique ${tag}` },
      ],
    });
    assertError(duplicate, 409);
    assertEquals(duplicate.body.error.sqlstate, "23505");
    const [row] = await sql`
      select count(*)::int as n from ops.agent_runs where external_id = ${first}
    `;
    assertEquals(row?.n, 0, "the batch stored nothing");
  } finally {
    await sql.unsafe(`drop index ops.${index}`);
    await sql.unsafe(`alter table ops.agent_runs drop constraint ${rule}`);
  }
});

// Errors the database really raises, each turned into the response a client
// would get: the status follows the SQLSTATE's class, not a list of codes.
test("every SQLSTATE of class 22 and 23 is a 400 (23505 a 409), every OPxxx a 409", async () => {
  const inTempTables = (setup: string, failing: string) => async () => {
    await sql.begin(async (tx) => {
      await tx.unsafe(setup);
      await tx.unsafe(failing);
    });
  };
  const cases: [string, number, () => Promise<unknown>][] = [
    ["22P05", 400, () => sql.unsafe(`select '"a\\u0000b"'::jsonb`)],
    ["22021", 400, () => sql`select ${"a\u0000b"}::text`],
    ["22001", 400, () => sql.unsafe(`do $$ declare v varchar(1); begin v := 'xx'; end $$`)],
    ["22003", 400, () => sql.unsafe(`select 2147483648::int4`)],
    ["22007", 400, () => sql.unsafe(`select 'yesterday at noon'::timestamptz`)],
    ["22008", 400, () => sql.unsafe(`select '2026-02-30'::date`)],
    ["22009", 400, () => sql.unsafe(`select '2026-01-01 00:00:00+16:00'::timestamptz`)],
    ["22012", 400, () => sql.unsafe(`select 1 / 0`)],
    ["22023", 400, () => sql`select ops_private.check_worker_id(${"has spaces"}, true)`],
    ["22P02", 400, () => sql.unsafe(`select 'not-a-uuid'::uuid`)],
    ["2201B", 400, () => sql.unsafe(`select 'a' ~ '('`)],
    [
      "23502",
      400,
      inTempTables(
        "create temp table t (a int not null) on commit drop",
        "insert into t values (null)",
      ),
    ],
    [
      "23503",
      400,
      inTempTables(
        "create temp table p (id int primary key) on commit drop; " +
          "create temp table c (p int references p) on commit drop",
        "insert into c values (1)",
      ),
    ],
    [
      "23514",
      400,
      inTempTables(
        "create temp table t (a int constraint a_is_positive check (a > 0)) on commit drop",
        "insert into t values (0)",
      ),
    ],
    [
      "23505",
      409,
      inTempTables(
        "create temp table t (a int unique) on commit drop",
        "insert into t values (1), (1)",
      ),
    ],
    ...["OP001", "OP002", "OP003", "OP004", "OP005", "OP999"].map((code) =>
      [
        code,
        409,
        () =>
          sql.unsafe(`do $$ begin raise exception 'run is done' using errcode = '${code}'; end $$`),
      ] as [string, number, () => Promise<unknown>]
    ),
  ];
  for (const [sqlstate, status, provoke] of cases) {
    let error: unknown;
    try {
      await provoke();
    } catch (err) {
      error = err;
    }
    assertEquals((error as { code?: string })?.code, sqlstate, `the database raised ${error}`);
    const res = errorResponse(error, "request-1");
    const body = await res.json();
    assertEquals([res.status, body.error.sqlstate], [status, sqlstate], JSON.stringify(body));
  }
  // What a request cannot cause stays a 500 that says nothing.
  let fault: unknown;
  try {
    await sql.unsafe(`select * from ops.no_such_table`);
  } catch (err) {
    fault = err;
  }
  const [res] = await capturingLog(() => Promise.resolve(errorResponse(fault, "request-2")));
  assertEquals(res.status, 500);
  assertEquals((await res.json()).error.message, "unexpected error");
});

test("a megabyte value comes back as at most 200 characters of it, in any error", async () => {
  const { runId, holder } = await running();
  const logs = (line: Record<string, unknown>) => ({
    p_run_id: runId,
    p_worker_id: holder,
    p_lines: [{ seq: 1, message: "m", ...line }],
  });
  const cases: [Handler, string, unknown, number, string | undefined][] = [
    [executor, "executor/claim", { p_worker_id: "w".repeat(MB) }, 400, "p_worker_id"],
    [
      executor,
      "executor/heartbeat",
      {
        p_run_id: runId,
        p_worker_id: "w".repeat(MB),
      },
      400,
      "p_worker_id",
    ],
    [
      executor,
      "executor/artifacts",
      {
        p_run_id: runId,
        p_worker_id: holder,
        p_artifact_key: "k".repeat(MB),
        p_s3_url: "s3://odooops-artifacts/k",
        p_sha256: SHA,
        p_size_bytes: 1,
      },
      400,
      "p_artifact_key",
    ],
    // Refused by the database, whose messages quote the whole value.
    [executor, "executor/logs", logs({ level: "x".repeat(LINE_VALUE) }), 400, "p_lines[0].level"],
    [
      executor,
      "executor/logs",
      logs({ stream: "a b ".repeat(LINE_VALUE / 4) }),
      400,
      "p_lines[0].stream",
    ],
    [executor, "executor/logs", logs({ seq: "9".repeat(LINE_VALUE) }), 400, "p_lines[0].seq"],
    [
      executor,
      "executor/logs",
      logs({ timestamp: "2".repeat(LINE_VALUE) }),
      400,
      "p_lines[0].timestamp",
    ],
    [
      ingest,
      "ops-ingest/agent-runs",
      {
        runs: [{ external_id: "e".repeat(MB), agent_id: "a", task: "t" }],
      },
      400,
      "runs[0].external_id",
    ],
    // Names the client chose: an unknown field, a route.
    [executor, "executor/claim", { p_worker_id: holder, ["k".repeat(MB)]: 1 }, 400, undefined],
    [executor, `executor/${"x".repeat(100_000)}`, {}, 404, undefined],
  ];
  for (const [handler, path, body, status, field] of cases) {
    const reply = await post(handler, path, body);
    assertError(reply, status, field);
    const size = JSON.stringify(reply.body).length;
    assert(size < 2048, `${path.slice(0, 30)}: an error body of ${size} characters`);
    const longest = Math.max(
      ...JSON.stringify(reply.body).split(/[\s"']/).map((part) => part.length),
    );
    assert(longest <= 250, `${path.slice(0, 30)}: a run of ${longest} characters`);
  }
  assertEquals(await written(runId), {
    status: "running",
    worker_id: holder,
    logs: 0,
    artifacts: 0,
  });
  assertEquals((await complete(runId, holder)).status, 200);
});

test("close clients", async () => {
  await closeClients();
});
