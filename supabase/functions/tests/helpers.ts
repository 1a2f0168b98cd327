// Shared by the tests: the databases the harness made, requests to a handler,
// and fixtures written with plain SQL as the migration role (postgres).
//
// `odooops functions test` sets:
//   SUPABASE_DB_URL                  every migration applied (what production runs)
//   ODOOOPS_TEST_PRE_RENAME_DB_URL   migrated only to 20260212000000 (before the rename)
//   ODOOOPS_TEST_EMPTY_DB_URL        the Supabase baseline, no migration
//   ODOOOPS_TEST_MIGRATE_CMD         JSON argv that migrates $DATABASE_URL the rest of the way
//   SUPABASE_SERVICE_ROLE_KEY, ODOOOPS_RUNNER_TOKEN   throwaway secrets

import { deepStrictEqual, ok } from "node:assert/strict";
import { connect, type Sql, type Tx } from "../_shared/db.ts";

export function assert(value: unknown, message?: string): asserts value {
  ok(value, message);
}

export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  deepStrictEqual(actual, expected, message);
}

export function env(name: string): string {
  const value = Deno.env.get(name);
  if (!value) {
    throw new Error(`${name} is not set: run these tests with \`odooops functions test\``);
  }
  return value;
}

export const SERVICE_KEY = env("SUPABASE_SERVICE_ROLE_KEY");
export const RUNNER_TOKEN = env("ODOOOPS_RUNNER_TOKEN").split(",")[0]!.trim();

/** Deno.test without the resource sanitizers: database clients outlive one test by design. */
export function test(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });
}

const clients: Sql[] = [];

/** A client as the migration role (owner of the tables: sees everything, bypasses RLS). */
export function admin(url = env("SUPABASE_DB_URL")): Sql {
  const sql = connect(url, { max: 2 });
  clients.push(sql);
  return sql;
}

export async function closeClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.end({ timeout: 5 })));
}

export function uid(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Run `fn` with console.error captured: what a function logs for the operator, not the client. */
export async function capturingLog<T>(fn: () => Promise<T>): Promise<[T, string[]]> {
  const original = console.error;
  const lines: string[] = [];
  console.error = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    return [await fn(), lines];
  } finally {
    console.error = original;
  }
}

export interface Reply {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
  headers: Headers;
}

export interface PostOptions {
  token?: string | null;
  headers?: Record<string, string>;
  method?: string;
}

/** POST `body` (JSON, or a raw string / stream) to `/<function>/<path>` of a handler. */
export async function post(
  handler: (req: Request) => Promise<Response>,
  path: string,
  body: unknown,
  options: PostOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...options.headers,
  };
  const token = options.token === undefined ? RUNNER_TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const raw = typeof body === "string" || body instanceof ReadableStream;
  const res = await handler(
    new Request(`http://localhost/functions/v1/${path}`, {
      method: options.method ?? "POST",
      headers,
      body: body === null ? null : raw ? (body as BodyInit) : JSON.stringify(body),
    }),
  );
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** Assert an error reply: status, and (when given) the field it names. */
export function assertError(reply: Reply, status: number, field?: string): void {
  assertEquals(reply.status, status, JSON.stringify(reply.body));
  assertEquals(reply.body.error.status, status);
  assert(typeof reply.body.request_id === "string");
  if (field !== undefined) assertEquals(reply.body.error.field, field, JSON.stringify(reply.body));
}

export interface Queue {
  slug: string;
  workflow: string;
}

/** A project with one workflow, written directly (the executor never creates them). */
export async function createProject(sql: Sql): Promise<Queue> {
  const slug = uid("fn").toLowerCase();
  const [project] = await sql`
    insert into ops.projects (slug, name, odoo_series, repository_url)
    values (${slug}, ${"Functions test " + slug}, '17.0', 'https://example.invalid/addons.git')
    returning id
  `;
  await sql`
    insert into ops.workflows (project_id, name, steps, lease_seconds)
    values (${project!.id}, 'build', ${sql.json([{ name: "build", command: "make" }])}, 60)
  `;
  return { slug, workflow: "build" };
}

/**
 * Queue a run at the highest priority, through ops.enqueue_run as service_role,
 * so that the next claim takes it. Tests leave no run queued at this priority.
 */
export async function enqueue(sql: Sql, queue: Queue): Promise<string> {
  const [run] = await asService(sql, (tx) =>
    tx`
      select (ops.enqueue_run(
        p_project_slug => ${queue.slug}, p_workflow_name => ${queue.workflow},
        p_branch => 'main', p_commit_sha => 'abcdef1', p_priority => 1000
      )).id
    `);
  return run!.id as string;
}

/** Run `fn` in a transaction as service_role, the role the worker RPCs are granted to. */
export async function asService<T>(sql: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const result = await sql.begin(async (tx) => {
    await tx`select set_config('role', 'service_role', true)`;
    return await fn(tx);
  });
  return result as T;
}

/**
 * Queue a run and claim it for `worker` with an hour's lease, so that no
 * recovery hands it to another claim while the tests run; returns its id.
 */
export async function hold(sql: Sql, queue: Queue, worker: string): Promise<string> {
  const runId = await enqueue(sql, queue);
  const [claimed] = await asService(
    sql,
    (tx) =>
      tx`select id from ops.claim_next_run(p_worker_id => ${worker}, p_lease_seconds => 3600)`,
  );
  assertEquals(claimed?.id, runId, "the claim takes the run this test queued");
  return runId;
}
