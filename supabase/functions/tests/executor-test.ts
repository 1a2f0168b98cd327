// executor against the migrated database: a runner drives a run from queued to
// succeeded through HTTP alone, and the RPCs' refusals come back as 404 / 409.

import { handler } from "../executor/index.ts";
import { transaction } from "../_shared/db.ts";
import {
  admin,
  assert,
  assertEquals,
  assertError,
  asService,
  closeClients,
  createProject,
  enqueue,
  post,
  SERVICE_KEY,
  test,
  uid,
} from "./helpers.ts";

const sql = admin();
const SHA = "a".repeat(64);

async function claimOwn(worker: string, runId: string) {
  const claimed = await post(handler, "executor/claim", { p_worker_id: worker });
  assertEquals(claimed.status, 200, JSON.stringify(claimed.body));
  assertEquals(claimed.body.run?.id, runId, "the claim takes the run this test queued");
  return claimed.body.run;
}

test("a runner takes a run from queued to succeeded through the executor alone", async () => {
  const queue = await createProject(sql);
  const runId = await enqueue(sql, queue);
  const worker = uid("runner");

  const run = await claimOwn(worker, runId);
  assertEquals(run.status, "claimed");
  assertEquals(run.worker_id, worker);
  assert(typeof run.lease_expires_at === "string", "timestamps come back as ISO strings");

  const started = await post(handler, "executor/start", { p_run_id: runId, p_worker_id: worker });
  assertEquals(started.status, 200, JSON.stringify(started.body));
  assertEquals(started.body.run.status, "running");

  const beat = await post(handler, "executor/heartbeat", {
    p_run_id: runId,
    p_worker_id: worker,
    p_lease_seconds: 120,
  });
  assertEquals(beat.status, 200, JSON.stringify(beat.body));
  assertEquals(beat.body.cancel_requested, false);
  assert(Date.parse(beat.body.lease_expires_at) > Date.now() + 100_000);

  const lines = [
    { seq: 1, message: "make: entering build" },
    { seq: 2, level: "warning", stream: "odoo", message: "deprecated field", metadata: { n: 1 } },
    { seq: 3, message: "done", timestamp: "2026-02-13T10:00:00Z" },
  ];
  const logged = await post(handler, "executor/logs", {
    p_run_id: runId,
    p_worker_id: worker,
    p_lines: lines,
  });
  assertEquals(logged.status, 200, JSON.stringify(logged.body));
  assertEquals(logged.body.stored, 3);

  // An artifact URL is the run's place in a registered store.
  await sql`select ops.register_artifact_store('s3://odooops-artifacts/')`;
  const url = `s3://odooops-artifacts/${queue.slug}/${runId}/build/addons.tar.gz`;
  const artifact = await post(handler, "executor/artifacts", {
    p_run_id: runId,
    p_worker_id: worker,
    p_artifact_key: "build/addons.tar.gz",
    p_s3_url: url,
    p_sha256: SHA,
    p_size_bytes: 1234,
    p_content_type: "application/gzip",
  });
  assertEquals(artifact.status, 200, JSON.stringify(artifact.body));
  assertEquals(artifact.body.artifact.storage_url, url);

  const done = await post(handler, "executor/complete", {
    p_run_id: runId,
    p_worker_id: worker,
    p_exit_code: 0,
  });
  assertEquals(done.status, 200, JSON.stringify(done.body));
  assertEquals(done.body.run.status, "succeeded");
  assertEquals(done.body.run.exit_code, 0);

  const history = await sql`
    select from_status, to_status, actor from ops.run_events where run_id = ${runId} order by id
  `;
  assertEquals(
    history.map((e) => `${e.from_status ?? "-"}>${e.to_status}`),
    ["->queued", "queued>claimed", "claimed>running", "running>succeeded"],
  );
  assertEquals(history[3]!.actor, `worker:${worker}`);
  const stored = await sql`
    select seq, level, stream, message from ops.run_logs where run_id = ${runId} order by seq
  `;
  assertEquals(stored.map((l) => [Number(l.seq), l.level, l.stream, l.message]), [
    [1, "info", "build", "make: entering build"],
    [2, "warning", "odoo", "deprecated field"],
    [3, "info", "build", "done"],
  ]);
  const [art] = await sql`select sha256, size_bytes from ops.run_artifacts where run_id = ${runId}`;
  assertEquals(art?.sha256, SHA);
});

test("the service-role key works as well as the runner token", async () => {
  const queue = await createProject(sql);
  const runId = await enqueue(sql, queue);
  const worker = uid("runner");
  const claimed = await post(handler, "executor/claim", { p_worker_id: worker }, {
    token: SERVICE_KEY,
  });
  assertEquals(claimed.status, 200, JSON.stringify(claimed.body));
  assertEquals(claimed.body.run?.id, runId);
  await post(handler, "executor/start", { p_run_id: runId, p_worker_id: worker });
  await post(handler, "executor/complete", {
    p_run_id: runId,
    p_worker_id: worker,
    p_exit_code: 0,
  });
});

test("a runner hands a run back with requeue, and it can be claimed again", async () => {
  const queue = await createProject(sql);
  const runId = await enqueue(sql, queue);
  const first = uid("runner");
  await claimOwn(first, runId);
  const back = await post(handler, "executor/requeue", {
    p_run_id: runId,
    p_worker_id: first,
    p_reason: "shutting down",
  });
  assertEquals(back.status, 200, JSON.stringify(back.body));
  assertEquals(back.body.run.status, "queued");
  const second = uid("runner");
  const again = await claimOwn(second, runId);
  assertEquals(again.worker_id, second);
  // Finish it so that no run is left for the other tests' claims.
  await post(handler, "executor/start", { p_run_id: runId, p_worker_id: second });
  const done = await post(handler, "executor/complete", {
    p_run_id: runId,
    p_worker_id: second,
    p_exit_code: 2,
    p_error_message: "tests failed",
  });
  assertEquals(done.body.run.status, "failed");
});

test("an unknown run is 404", async () => {
  const missing = crypto.randomUUID();
  const reply = await post(handler, "executor/heartbeat", {
    p_run_id: missing,
    p_worker_id: "runner-1",
  });
  assertError(reply, 404);
  assertEquals(reply.body.error.sqlstate, "P0002");
  assert(reply.body.error.message.includes(missing));
});

test("an illegal transition, a fenced-off worker and a conflicting repeat are 409", async () => {
  const queue = await createProject(sql);
  const runId = await enqueue(sql, queue);
  const holder = uid("runner");
  await claimOwn(holder, runId);

  // Completing a run that was claimed but never started: claimed -> succeeded is not allowed.
  const early = await post(handler, "executor/complete", {
    p_run_id: runId,
    p_worker_id: holder,
    p_exit_code: 0,
  });
  assertError(early, 409);
  assertEquals(early.body.error.sqlstate, "OP001");
  assertEquals(early.body.error.code, "illegal_transition");

  // Another worker may not start a run it does not hold.
  const intruder = await post(handler, "executor/start", {
    p_run_id: runId,
    p_worker_id: uid("intruder"),
  });
  assertError(intruder, 409);
  assertEquals(intruder.body.error.sqlstate, "OP002");

  await post(handler, "executor/start", { p_run_id: runId, p_worker_id: holder });
  const ok = await post(handler, "executor/complete", {
    p_run_id: runId,
    p_worker_id: holder,
    p_exit_code: 0,
  });
  assertEquals(ok.status, 200);
  // The same completion again is a no-op; a different one is refused.
  const same = await post(handler, "executor/complete", {
    p_run_id: runId,
    p_worker_id: holder,
    p_exit_code: 0,
  });
  assertEquals(same.status, 200);
  assertEquals(same.body.run.status, "succeeded");
  const other = await post(handler, "executor/complete", {
    p_run_id: runId,
    p_worker_id: holder,
    p_exit_code: 1,
  });
  assertError(other, 409);
  assertEquals(other.body.error.sqlstate, "OP003");
});

test("a runner claims with the labels it offers, and the worker registry records it", async () => {
  const queue = await createProject(sql);
  await sql`
    update ops.workflows set required_labels = '{executor-test,docker}'
    where project_id = (select id from ops.projects where slug = ${queue.slug})
  `;
  const runId = await enqueue(sql, queue);
  const worker = uid("runner");

  const partial = await post(handler, "executor/claim", {
    p_worker_id: worker,
    p_labels: ["docker"],
  });
  assertEquals(partial.status, 200, JSON.stringify(partial.body));
  assert(partial.body.run?.id !== runId, "a runner lacking one of the labels does not get the run");

  const claimed = await post(handler, "executor/claim", {
    p_worker_id: worker,
    p_labels: ["executor-test", "docker", "gpu"],
  });
  assertEquals(claimed.status, 200, JSON.stringify(claimed.body));
  assertEquals(claimed.body.run?.id, runId);
  assertEquals(claimed.body.run?.required_labels, ["docker", "executor-test"]);
  const [seen] = await sql`select labels from ops.workers where id = ${worker}`;
  assertEquals(
    seen?.labels,
    ["docker", "executor-test", "gpu"],
    "a claim records the runner with its labels",
  );

  await post(handler, "executor/start", { p_run_id: runId, p_worker_id: worker });
  const done = await post(handler, "executor/complete", {
    p_run_id: runId,
    p_worker_id: worker,
    p_exit_code: 0,
  });
  assertEquals(done.body.run.status, "succeeded");

  const bad = await post(handler, "executor/claim", {
    p_worker_id: worker,
    p_labels: ["docker", "Bad Label"],
  });
  assertError(bad, 400, "p_labels");
  assertEquals(bad.body.error.sqlstate, "22023");
  assert(bad.body.error.message.startsWith("p_labels[2] must be a label"), bad.body.error.message);
  const shape = await post(handler, "executor/claim", { p_worker_id: worker, p_labels: "docker" });
  assertError(shape, 400, "p_labels");
});

test("a bad parameter is 400 naming it, whether the function or the RPC refuses it", async () => {
  const shape = await post(handler, "executor/heartbeat", {
    p_run_id: "not-a-uuid",
    p_worker_id: "runner-1",
  });
  assertError(shape, 400, "p_run_id");

  const rule = await post(handler, "executor/claim", { p_worker_id: "has spaces" });
  assertError(rule, 400, "p_worker_id");
  assertEquals(rule.body.error.sqlstate, "22023");

  const missing = await post(handler, "executor/complete", {
    p_run_id: crypto.randomUUID(),
    p_worker_id: "runner-1",
  });
  assertError(missing, 400, "p_exit_code");
  assert(missing.body.error.message.includes("required"));
});

test("a retried log batch is stored once and a bad line stores nothing", async () => {
  const queue = await createProject(sql);
  const runId = await enqueue(sql, queue);
  const worker = uid("runner");
  await claimOwn(worker, runId);
  await post(handler, "executor/start", { p_run_id: runId, p_worker_id: worker });

  const batch = {
    p_run_id: runId,
    p_worker_id: worker,
    p_lines: Array.from({ length: 50 }, (_, i) => ({ seq: i + 1, message: `line ${i + 1}` })),
  };
  const first = await post(handler, "executor/logs", batch);
  const retry = await post(handler, "executor/logs", batch);
  assertEquals([first.body.stored, retry.body.stored], [50, 0]);

  const bad = await post(handler, "executor/logs", {
    p_run_id: runId,
    p_worker_id: worker,
    p_lines: [{ seq: 51, message: "fine" }, { seq: 52, level: "loud", message: "not fine" }],
  });
  assertError(bad, 400, "p_lines[1].level");
  const [count] = await sql`select count(*)::int as n from ops.run_logs where run_id = ${runId}`;
  assertEquals(count?.n, 50, "line 51 was not stored: the batch is all or nothing");

  await post(handler, "executor/complete", {
    p_run_id: runId,
    p_worker_id: worker,
    p_exit_code: 0,
  });
});

test("executor/secrets gives nothing to an untrusted run (a fork's pull request)", async () => {
  const queue = await createProject(sql);
  const [project] = await sql`select id from ops.projects where slug = ${queue.slug}`;
  await sql`
    update ops.workflows set triggers = ${
    sql.json({ pull_request: { actions: ["opened"], forks: true } })
  }
    where project_id = ${project!.id}
  `;
  const [run] = await asService(sql, async (tx) => {
    await tx`select ops.set_project_secret(${queue.slug}, 'API_TOKEN', 'the-token')`;
    return await tx`
      select id, untrusted from ops.record_pull_request(
        ${
      project!.id
    }, 'github', 12, 'opened', 'abcdef1', 'https://example.invalid/mallory/addons.git', 'main',
        'mallory', ${uid("delivery")}
      )
    `;
  });
  assertEquals(run?.untrusted, true);
  const runId = run!.id as string;
  // The run names the secret, as a workflow's run may: the database still gives nothing.
  await sql`
    update ops.runs set params = ${
    sql.json({ secrets: ["API_TOKEN"] })
  }, priority = 1000 where id = ${runId}
  `;
  const worker = uid("runner");
  await claimOwn(worker, runId);
  const secrets = await post(handler, "executor/secrets", { p_run_id: runId, p_worker_id: worker });
  assertEquals(secrets.status, 200, JSON.stringify(secrets.body));
  assertEquals(secrets.body.secrets, []);
  await post(handler, "executor/complete", {
    p_run_id: runId,
    p_worker_id: worker,
    p_exit_code: 0,
  });
});

test("a runner reads its run's context and secrets, and stores findings, as the holder only", async () => {
  const queue = await createProject(sql);
  const [run] = await asService(sql, async (tx) => {
    await tx`select ops.set_project_secret(${queue.slug}, 'API_TOKEN', 'the-token')`;
    return await tx`
      select (ops.enqueue_run(
        p_project_slug => ${queue.slug}, p_workflow_name => ${queue.workflow}, p_branch => 'main',
        p_commit_sha => 'abcdef1', p_params => ${
      sql.json({ secrets: ["API_TOKEN"] })
    }, p_priority => 1000
      )).id
    `;
  });
  const runId = run!.id as string;
  const worker = uid("runner");
  await claimOwn(worker, runId);
  const intruder = uid("intruder");

  const context = await post(handler, "executor/context", { p_run_id: runId, p_worker_id: worker });
  assertEquals(context.status, 200, JSON.stringify(context.body));
  assertEquals(context.body.context.project_slug ?? context.body.context.project?.slug, queue.slug);
  assert(
    JSON.stringify(context.body.context).includes("API_TOKEN"),
    "the context names the secret",
  );
  assert(!JSON.stringify(context.body.context).includes("the-token"), "but never holds its value");

  const secrets = await post(handler, "executor/secrets", { p_run_id: runId, p_worker_id: worker });
  assertEquals(secrets.status, 200, JSON.stringify(secrets.body));
  assertEquals(secrets.body.secrets, [{ name: "API_TOKEN", value: "the-token" }]);

  for (const route of ["executor/context", "executor/secrets"]) {
    const refused = await post(handler, route, { p_run_id: runId, p_worker_id: intruder });
    assertError(refused, 409);
    assertEquals(refused.body.error.sqlstate, "OP002");
    assert(
      !JSON.stringify(refused.body).includes("the-token"),
      `${route} tells an intruder nothing`,
    );
  }

  await post(handler, "executor/start", { p_run_id: runId, p_worker_id: worker });
  const [advisory] = await sql`
    select code from ops.upgrade_advisories where from_series = '17.0' order by code limit 1
  `;
  const findings = [
    {
      source: "upgrade-scan",
      code: advisory!.code,
      file: "views/a.xml",
      line: 3,
      column: 5,
      excerpt: "<tree>",
    },
    {
      source: "pylint-odoo",
      code: "manifest-required-author",
      severity: "error",
      file: "a/__manifest__.py",
      line: 1,
      column: 1,
    },
  ];
  const body = { p_run_id: runId, p_worker_id: worker, p_findings: findings };
  const first = await post(handler, "executor/findings", body);
  assertEquals(first.status, 200, JSON.stringify(first.body));
  const again = await post(handler, "executor/findings", body);
  assertEquals([first.body.stored, again.body.stored], [2, 0], "a retried batch lands once");

  const stolen = await post(handler, "executor/findings", { ...body, p_worker_id: intruder });
  assertError(stolen, 409);
  assertEquals(stolen.body.error.sqlstate, "OP002");
  const bad = await post(handler, "executor/findings", {
    ...body,
    p_findings: [{ ...findings[0], line: 4 }, { ...findings[0], line: 0 }],
  });
  assertError(bad, 400, "p_findings[1].line");
  const tooMany = await post(handler, "executor/findings", {
    ...body,
    p_findings: Array.from({ length: 1001 }, (_, i) => ({ ...findings[0], line: i + 1 })),
  });
  assertError(tooMany, 400, "p_findings");
  const [count] =
    await sql`select count(*)::int as n from ops.upgrade_findings where run_id = ${runId}`;
  assertEquals(count?.n, 2, "nothing of a refused batch was stored");

  await post(handler, "executor/complete", {
    p_run_id: runId,
    p_worker_id: worker,
    p_exit_code: 0,
  });
});

test("each request is one transaction as service_role, the role the RPCs are granted to", async () => {
  const [inside] = await transaction(sql, (tx) => tx`select current_user`);
  assertEquals(inside?.current_user, "service_role");
  const [outside] = await sql`select current_user`;
  assert(outside?.current_user !== "service_role", "set local: the role ends with the request");
});

test("close clients", async () => {
  await closeClients();
});
