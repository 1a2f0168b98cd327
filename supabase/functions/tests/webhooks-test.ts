// webhooks against the migrated database: GitHub's own example payloads (the
// npm package @octokit/webhooks-examples) and GitLab's documented ones
// (fixtures/gitlab), signed with a project's webhook secret; every refusal.

import { createWebhookHandler, handler } from "../webhooks/index.ts";
import {
  admin,
  assert,
  assertEquals,
  assertError,
  closeClients,
  env,
  post,
  type Reply,
  test,
  uid,
} from "./helpers.ts";

const sql = admin();
const ROOT = env("ODOOOPS_ROOT");

// deno-lint-ignore no-explicit-any
type Payload = Record<string, any>;

interface Examples {
  name: string;
  examples: Payload[];
}

const octokit: Examples[] = JSON.parse(
  await Deno.readTextFile(
    `${ROOT}/node_modules/@octokit/webhooks-examples/api.github.com/index.json`,
  ),
);

function examples(name: string): Payload[] {
  const found = octokit.find((e) => e.name === name)?.examples ?? [];
  assert(found.length > 0, `@octokit/webhooks-examples has ${name} examples`);
  return found;
}

async function gitlabFixture(name: string): Promise<Payload> {
  const url = new URL(`./fixtures/gitlab/${name}.json`, import.meta.url);
  return JSON.parse(await Deno.readTextFile(url));
}

async function hmac(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)),
  );
  return "sha256=" + Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

interface Connected {
  id: string;
  slug: string;
  secret: string;
}

/** A project of `repository` with the default build workflow and a webhook secret. */
async function connected(
  repository: string,
  provider: "github" | "gitlab",
): Promise<Connected> {
  const slug = uid("wh").toLowerCase();
  const secret = `secret-${crypto.randomUUID()}`;
  const [project] = await sql`
    insert into ops.projects (slug, name, odoo_series, repository_url, production_branch)
    values (${slug}, ${"Webhooks " + slug}, '17.0', ${repository}, 'production')
    returning id
  `;
  // No triggers given: Odoo.sh's default for build (every push to development and staging).
  await sql`
    insert into ops.workflows (project_id, name, steps)
    values (${project!.id}, 'build', ${sql.json([{ name: "build", command: "make" }])})
  `;
  await sql`select ops.set_webhook_secret(${slug}, ${provider}, ${secret})`;
  return { id: project!.id as string, slug, secret };
}

async function github(
  event: string,
  payload: Payload | string,
  secret: string | null,
  delivery: string = crypto.randomUUID(),
  signWith?: string,
): Promise<Reply> {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = {
    "x-github-event": event,
    "x-github-delivery": delivery,
  };
  if (secret !== null) headers["x-hub-signature-256"] = await hmac(secret, signWith ?? body);
  return await post(handler, "webhooks", body, { token: null, headers });
}

async function gitlab(
  event: string,
  payload: Payload,
  token: string | null,
  delivery: string = crypto.randomUUID(),
): Promise<Reply> {
  const headers: Record<string, string> = {
    "x-gitlab-event": event,
    "x-gitlab-event-uuid": delivery,
  };
  if (token !== null) headers["x-gitlab-token"] = token;
  return await post(handler, "webhooks", JSON.stringify(payload), { token: null, headers });
}

async function runCount(projectId: string): Promise<number> {
  const [row] = await sql`select count(*)::int as n from ops.runs where project_id = ${projectId}`;
  return row!.n as number;
}

// -- GitHub -------------------------------------------------------------------------

const HELLO = "https://github.com/Codertocat/Hello-World.git";

test("every GitHub push example: a branch push queues its workflows, a tag push is ignored", async () => {
  const project = await connected(HELLO, "github");
  let queued = 0;
  for (const [i, payload] of examples("push").entries()) {
    const reply = await github("push", payload, project.secret);
    if (String(payload.ref).startsWith("refs/heads/")) {
      assertEquals(reply.status, 200, `push example ${i}: ${JSON.stringify(reply.body)}`);
      assertEquals(reply.body.project_id, project.id);
      assertEquals(reply.body.branch, payload.ref.slice("refs/heads/".length));
      assertEquals(reply.body.runs.length, 1, "the build workflow of a development branch");
      assertEquals(reply.body.runs[0].commit_sha, payload.after);
      queued++;
    } else {
      assertEquals(reply.status, 202, `push example ${i}: ${JSON.stringify(reply.body)}`);
      assert(/not a branch/.test(reply.body.ignored), reply.body.ignored);
    }
  }
  assert(queued > 0, "at least one example pushes a branch");
  const [branch] = await sql`
    select stage, head_commit, pushed_by from ops.branches
    where project_id = ${project.id} and name = 'master'
  `;
  assertEquals(branch?.stage, "development");
  assertEquals(branch?.pushed_by, "Codertocat");
});

test("a redelivery returns the same runs and creates nothing", async () => {
  const project = await connected(HELLO, "github");
  const payload = examples("push").find((p) => p.ref === "refs/heads/master")!;
  const delivery = crypto.randomUUID();
  const first = await github("push", payload, project.secret, delivery);
  assertEquals(first.status, 200, JSON.stringify(first.body));
  const before = await runCount(project.id);
  const again = await github("push", payload, project.secret, delivery);
  assertEquals(again.status, 200, JSON.stringify(again.body));
  assertEquals(again.body.runs, first.body.runs);
  assertEquals(await runCount(project.id), before);
});

test("a force push is a new head: a new run for the new commit", async () => {
  const project = await connected(HELLO, "github");
  const payload = examples("push").find((p) => p.ref === "refs/heads/master")!;
  const first = await github("push", payload, project.secret);
  const forced = { ...payload, forced: true, before: payload.after, after: "f".repeat(40) };
  const second = await github("push", forced, project.secret);
  assertEquals(second.status, 200, JSON.stringify(second.body));
  assertEquals(second.body.runs[0].commit_sha, "f".repeat(40));
  assert(second.body.runs[0].id !== first.body.runs[0].id);
  const [branch] = await sql`
    select head_commit from ops.branches where project_id = ${project.id} and name = 'master'
  `;
  assertEquals(branch?.head_commit, "f".repeat(40));
});

test("every GitHub delete and create example (tags) is ignored; a deleted branch cancels its runs", async () => {
  const project = await connected(HELLO, "github");
  for (const event of ["delete", "create"]) {
    for (const [i, payload] of examples(event).entries()) {
      const reply = await github(event, payload, project.secret);
      assertEquals(reply.status, 202, `${event} example ${i}: ${JSON.stringify(reply.body)}`);
      assertEquals(reply.body.project_id, project.id, "ignored only once the signature is checked");
    }
  }
  const push = examples("push").find((p) => p.ref === "refs/heads/master")!;
  const pushed = await github(
    "push",
    { ...push, ref: "refs/heads/feature-x" },
    project.secret,
  );
  assertEquals(pushed.status, 200, JSON.stringify(pushed.body));
  const deleted = await github(
    "delete",
    { ...examples("delete")[0], ref: "feature-x", ref_type: "branch" },
    project.secret,
  );
  assertEquals(deleted.status, 200, JSON.stringify(deleted.body));
  assertEquals(deleted.body.event, "branch_deleted");
  assertEquals(deleted.body.runs.map((r: { id: string }) => r.id), [pushed.body.runs[0].id]);
  assertEquals(deleted.body.runs[0].status, "canceled");
  const [branch] = await sql`
    select deleted_at from ops.branches where project_id = ${project.id} and name = 'feature-x'
  `;
  assert(branch?.deleted_at !== null, "the branch is marked deleted");

  // A push with deleted: true deletes too.
  await github("push", { ...push, ref: "refs/heads/feature-y" }, project.secret);
  const gone = await github(
    "push",
    { ...push, ref: "refs/heads/feature-y", deleted: true, after: "0".repeat(40) },
    project.secret,
  );
  assertEquals(gone.status, 200, JSON.stringify(gone.body));
  assertEquals(gone.body.event, "branch_deleted");
});

/** Adds a workflow; no triggers given: Odoo.sh's default for its name (test: pull requests). */
async function workflow(project: Connected, name: string, triggers?: Payload): Promise<void> {
  await sql`
    insert into ops.workflows (project_id, name, steps, triggers)
    values (
      ${project.id}, ${name}, ${sql.json([{ name: "t", command: "true" }])},
      ${triggers ? sql.json(triggers) : null}
    )
  `;
}

const QUEUEING = new Set(["opened", "synchronize", "reopened"]);

test("every GitHub pull_request example: opened, synchronize and reopened queue the request's ref, closed cancels, the rest is ignored", async () => {
  const project = await connected(HELLO, "github");
  await workflow(project, "test");
  const seen = new Map<string, number>();
  for (const [i, payload] of examples("pull_request").entries()) {
    const reply = await github("pull_request", payload, project.secret);
    const action = String(payload.action);
    seen.set(action, (seen.get(action) ?? 0) + 1);
    const where = `pull_request example ${i} (${action}): ${JSON.stringify(reply.body)}`;
    if (QUEUEING.has(action) || action === "closed") {
      assertEquals(reply.status, 200, where);
      assertEquals(reply.body.event, "pull_request");
      assertEquals(reply.body.project_id, project.id);
      assertEquals(reply.body.number, payload.number);
      assertEquals(reply.body.ref, `refs/pull/${payload.number}/head`);
      if (action === "closed") {
        for (const run of reply.body.runs) assertEquals(run.status, "canceled", where);
      } else {
        assertEquals(reply.body.runs.length, 1, `${where}: the default test workflow`);
        assertEquals(reply.body.runs[0].commit_sha, payload.pull_request.head.sha);
        assertEquals(reply.body.runs[0].untrusted, false, "the same repository: trusted");
      }
    } else {
      assertEquals(reply.status, 202, where);
      assert(/starts nothing/.test(reply.body.ignored), reply.body.ignored);
      assertEquals(reply.body.project_id, project.id, "ignored only once the signature is checked");
    }
  }
  for (const action of [...QUEUEING, "closed"]) {
    assert((seen.get(action) ?? 0) > 0, `the examples have a ${action} pull request`);
  }
  const branches = await sql`
    select name from ops.branches where project_id = ${project.id} order by name
  `;
  assertEquals(
    branches.map((b) => b.name),
    ["production", "refs/pull/2/head"],
    "the request's own row; no branch by the head's name (changes) or the base's (master)",
  );
  const [runs] = await sql`
    select count(*)::int as n, bool_and(branch = 'refs/pull/2/head') as ours,
      bool_and(source_ref = 'refs/pull/2/head' and pull_request_number = 2) as marked
    from ops.runs where project_id = ${project.id}
  `;
  assert(runs!.n > 0);
  assert(runs!.ours && runs!.marked, "every run builds the request's ref");
  const unsigned = await github("pull_request", examples("pull_request")[0]!, "wrong-secret-x");
  assertError(unsigned, 401);
});

test("a fork's pull request: nothing by default, untrusted runs where a workflow opts in, never the base's branch", async () => {
  const project = await connected(HELLO, "github");
  await workflow(project, "test");
  const opened = examples("pull_request").find((p) => p.action === "opened")!;
  const fork = {
    ...opened,
    pull_request: {
      ...opened.pull_request,
      head: {
        ...opened.pull_request.head,
        ref: "production",
        repo: {
          ...opened.pull_request.head.repo,
          id: 999999,
          full_name: "mallory/Hello-World",
          clone_url: "https://github.com/mallory/Hello-World.git",
        },
      },
    },
  };
  const ignored = await github("pull_request", fork, project.secret);
  assertEquals(ignored.status, 200, JSON.stringify(ignored.body));
  assertEquals(ignored.body.runs, [], "the default test workflow does not build forks");

  await workflow(project, "scan", {
    pull_request: { actions: ["opened", "updated"], forks: true },
  });
  const built = await github("pull_request", fork, project.secret);
  assertEquals(built.status, 200, JSON.stringify(built.body));
  assertEquals(built.body.runs.length, 1);
  assertEquals(built.body.runs[0].untrusted, true, "a fork's code runs untrusted");

  const gone = {
    ...fork,
    number: 3,
    pull_request: {
      ...fork.pull_request,
      number: 3,
      head: { ...fork.pull_request.head, repo: null },
    },
  };
  const deleted = await github("pull_request", gone, project.secret);
  assertEquals(deleted.status, 200, JSON.stringify(deleted.body));
  assertEquals(deleted.body.runs[0].untrusted, true, "a deleted fork is untrusted too");

  const [production] = await sql`
    select head_commit from ops.branches where project_id = ${project.id} and name = 'production'
  `;
  assertEquals(production?.head_commit, null, "the fork's production did not advance ours");
  const [built_production] = await sql`
    select count(*)::int as n from ops.runs where project_id = ${project.id} and branch = 'production'
  `;
  assertEquals(built_production!.n, 0, "nor build as it");
});

test("a pull_request redelivery returns the same runs and creates nothing", async () => {
  const project = await connected(HELLO, "github");
  await workflow(project, "test");
  const payload = examples("pull_request").find((p) => p.action === "synchronize")!;
  const delivery = crypto.randomUUID();
  const first = await github("pull_request", payload, project.secret, delivery);
  assertEquals(first.status, 200, JSON.stringify(first.body));
  const before = await runCount(project.id);
  const again = await github("pull_request", payload, project.secret, delivery);
  assertEquals(again.body.runs, first.body.runs);
  assertEquals(await runCount(project.id), before);
});

test("GitHub ping answers pong for a connected repository", async () => {
  const project = await connected("git@github.com:Octocoders/Hello-World.git", "github");
  for (const payload of examples("ping").filter((p) => p.repository)) {
    const reply = await github("ping", payload, project.secret);
    assertEquals(reply.status, 200, JSON.stringify(reply.body));
    assertEquals(reply.body, { pong: true, project_id: project.id });
  }
});

test("refusals: 401 missing or wrong signature, 404 unknown repository, 202 unhandled, 405", async () => {
  const project = await connected(HELLO, "github");
  const payload = examples("push").find((p) => p.ref === "refs/heads/master")!;
  const before = await runCount(project.id);

  const missing = await github("push", payload, null);
  assertError(missing, 401);
  assert(/X-Hub-Signature-256/.test(missing.body.error.message));
  assertError(await github("push", payload, "not-the-secret-of-any-project"), 401);
  const otherBody = await github("push", payload, project.secret, undefined, "{}");
  assertError(otherBody, 401);
  assert(/does not match/.test(otherBody.body.error.message), otherBody.body.error.message);
  const malformed = await post(handler, "webhooks", JSON.stringify(payload), {
    token: null,
    headers: { "x-github-event": "push", "x-hub-signature-256": "sha1=abc" },
  });
  assertError(malformed, 401);
  assertEquals(await runCount(project.id), before, "a refused delivery writes nothing");

  const elsewhere = {
    ...payload,
    repository: { ...payload.repository, clone_url: "https://github.com/nobody/nothing.git" },
  };
  const unknown = await github("push", elsewhere, project.secret);
  assertError(unknown, 404);
  assert(/github\.com\/nobody\/nothing/.test(unknown.body.error.message));

  // Signed, but neither verified nor written: nothing is done for it.
  const issues = await github("issues", { action: "opened" }, "any-secret-at-all");
  assertEquals(issues.status, 202);
  assertEquals(issues.body.ignored, "github event issues: not handled");

  const noEvent = await post(handler, "webhooks", "{}", { token: null });
  assertError(noEvent, 400);
  const get = await post(handler, "webhooks", null, {
    token: null,
    method: "GET",
    headers: { "x-github-event": "push" },
  });
  assertEquals(get.status, 405);
  const noDelivery = await post(handler, "webhooks", JSON.stringify(payload), {
    token: null,
    headers: {
      "x-github-event": "push",
      "x-hub-signature-256": await hmac(project.secret, JSON.stringify(payload)),
    },
  });
  assertError(noDelivery, 400, "X-GitHub-Delivery");
});

test("413: a body over the bound is refused before any database call", async () => {
  const small = createWebhookHandler({ maxBodyBytes: 1024 });
  const reply = await post(small, "webhooks", JSON.stringify({ pad: "x".repeat(2000) }), {
    token: null,
    headers: { "x-github-event": "push", "x-hub-signature-256": "sha256=" + "0".repeat(64) },
  });
  assertError(reply, 413);
  const declared = await handler(
    new Request("http://localhost/functions/v1/webhooks", {
      method: "POST",
      headers: { "x-github-event": "push", "content-length": String(25 * 1024 * 1024 + 1) },
      body: "{}",
    }),
  );
  assertEquals(declared.status, 413);
  await declared.body?.cancel();
});

// -- GitLab -------------------------------------------------------------------------

test("GitLab Push Hook queues, a redelivery creates nothing, a deleted branch cancels", async () => {
  const payload = await gitlabFixture("push_hook");
  const project = await connected("git@example.com:mike/diaspora.git", "gitlab");
  const delivery = crypto.randomUUID();
  const reply = await gitlab("Push Hook", payload, project.secret, delivery);
  assertEquals(reply.status, 200, JSON.stringify(reply.body));
  assertEquals(reply.body.project_id, project.id);
  assertEquals(reply.body.branch, "master");
  assertEquals(reply.body.runs.length, 1);
  assertEquals(reply.body.runs[0].commit_sha, payload.after);
  const [branch] = await sql`
    select pushed_by from ops.branches where project_id = ${project.id} and name = 'master'
  `;
  assertEquals(branch?.pushed_by, "jsmith");

  const before = await runCount(project.id);
  const again = await gitlab("Push Hook", payload, project.secret, delivery);
  assertEquals(again.body.runs, reply.body.runs);
  assertEquals(await runCount(project.id), before);

  const deleted = await gitlab("Push Hook", { ...payload, after: "0".repeat(40) }, project.secret);
  assertEquals(deleted.status, 200, JSON.stringify(deleted.body));
  assertEquals(deleted.body.event, "branch_deleted");
  assertEquals(deleted.body.runs[0].id, reply.body.runs[0].id);
});

test("GitLab Merge Request Hook: open, update with commits and reopen queue, close and merge cancel, forks untrusted", async () => {
  const mr = await gitlabFixture("merge_request_hook");
  const project = await connected("https://example.com/gitlabhq/gitlab-test", "gitlab");
  await workflow(project, "test");
  const head = mr.object_attributes.last_commit.id;
  const hook = (attributes: Payload) =>
    gitlab("Merge Request Hook", {
      ...mr,
      object_attributes: { ...mr.object_attributes, ...attributes },
    }, project.secret);

  const opened = await gitlab("Merge Request Hook", mr, project.secret);
  assertEquals(opened.status, 200, JSON.stringify(opened.body));
  assertEquals(opened.body.ref, "refs/merge-requests/1/head");
  assertEquals(opened.body.runs.length, 1);
  assertEquals(opened.body.runs[0].commit_sha, head);
  assertEquals(opened.body.runs[0].untrusted, false);

  const retitled = await hook({ action: "update" });
  assertEquals(retitled.status, 202, JSON.stringify(retitled.body));
  assert(/no oldrev/.test(retitled.body.ignored));
  const pushed = await hook({
    action: "update",
    oldrev: head,
    last_commit: { id: "e".repeat(40) },
  });
  assertEquals(pushed.status, 200, JSON.stringify(pushed.body));
  assertEquals(pushed.body.runs[0].commit_sha, "e".repeat(40));

  for (const action of ["close", "merge"]) {
    const closed = await hook({ action });
    assertEquals(closed.status, 200, JSON.stringify(closed.body));
    for (const run of closed.body.runs) assertEquals(run.status, "canceled");
  }
  const reopened = await hook({ action: "reopen" });
  assertEquals(reopened.body.runs.length, 1);
  const approved = await hook({ action: "approved" });
  assertEquals(approved.status, 202);

  await workflow(project, "scan", { pull_request: { actions: ["opened"], forks: true } });
  const fork = await hook({
    iid: 2,
    source_project_id: 15,
    source: { git_http_url: "https://example.com/mallory/gitlab-test.git" },
  });
  assertEquals(fork.status, 200, JSON.stringify(fork.body));
  assertEquals(fork.body.runs.map((r: { untrusted: boolean }) => r.untrusted), [true]);
  const branches =
    await sql`select name from ops.branches where project_id = ${project.id} order by name`;
  assertEquals(branches.map((b) => b.name), [
    "production",
    "refs/merge-requests/1/head",
    "refs/merge-requests/2/head",
  ]);
});

test("GitLab: a missing or wrong token is 401", async () => {
  const mr = await gitlabFixture("merge_request_hook");
  const push = await gitlabFixture("push_hook");
  await connected("https://example.com/mike/diaspora.git", "gitlab");
  const missing = await gitlab("Push Hook", push, null);
  assertError(missing, 401);
  assert(/X-Gitlab-Token/.test(missing.body.error.message));
  assertError(await gitlab("Push Hook", push, "a-token-nobody-set"), 401);
  assertError(await gitlab("Merge Request Hook", mr, "a-token-nobody-set"), 401);
  assertEquals((await gitlab("Tag Push Hook", push, "any-token")).status, 202);
});

test("closes the database clients", async () => {
  await closeClients();
});
