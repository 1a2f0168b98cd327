// executor: the HTTPS face of the run queue, for runners that cannot reach
// PostgreSQL. Each route is one RPC of the same meaning, with the RPC's own
// parameter names as JSON keys (the body PostgREST's /rpc/<name> would take):
//
//   POST /executor/claim      ops.claim_next_run       -> {"run": {...} | null}
//                             (p_labels: the labels the runner offers; none
//                             takes only runs that require none)
//   POST /executor/start      ops.start_workflow_run   -> {"run": {...}}
//   POST /executor/heartbeat  ops.heartbeat_run        -> {"lease_expires_at", "cancel_requested"}
//   POST /executor/complete   ops.complete_workflow_run -> {"run": {...}}
//   POST /executor/requeue    ops.requeue_run          -> {"run": {...}}
//   POST /executor/logs       ops.append_run_logs      -> {"stored": n}
//   POST /executor/artifacts  ops.add_run_artifact     -> {"artifact": {...}}
//   POST /executor/context    ops.get_run_context      -> {"context": {...}}
//                             (project, workflow, step tools, secret names, advisories)
//   POST /executor/secrets    ops.get_run_secrets      -> {"secrets": [{name, value}]}
//                             (the values of the secrets the run names, for its holder only)
//   POST /executor/findings   ops.add_upgrade_findings -> {"stored": n}
//
// The RPCs enforce the state machine and fencing (a worker only writes to a
// run it holds); their SQLSTATEs become 404, 409 and 400 (see _shared/http.ts).
// They fence only when given a worker id, so every route that writes to a run,
// and every route that reads what only its holder may (context, secrets),
// requires p_worker_id (400 without it, before any database call).

import { rpc, type RpcArgs, transaction } from "../_shared/db.ts";
import { createHandler, type HandlerOptions } from "../_shared/http.ts";
import { appendRunLogs, appendRunLogsBody, workerId } from "../_shared/run_logs.ts";
import {
  arrayOf,
  type Check,
  integer,
  jsonObject,
  object,
  optional,
  string,
  uuid,
} from "../_shared/validate.ts";

export const MAX_BODY_BYTES = 2 * 1024 * 1024;

// PostgreSQL integer; the RPCs check the meaningful range and name the parameter.
const int4 = integer({ min: -2147483648, max: 2147483647 });

// Each body check `satisfies` the generated Args of its RPC: `deno check`
// fails if a parameter is renamed, added without a default, or retyped.
// Labels: the RPC checks each one's pattern and names p_labels[i]; here only the shape and bounds.
const claimBody = object({
  p_worker_id: workerId,
  p_lease_seconds: optional(int4),
  p_labels: optional(arrayOf(string({ max: 63 }), { min: 0, max: 32 })),
}) satisfies Check<RpcArgs<"claim_next_run">>;

const startBody = object({
  p_run_id: uuid,
  p_worker_id: workerId,
}) satisfies Check<RpcArgs<"start_workflow_run">>;

const heartbeatBody = object({
  p_run_id: uuid,
  p_worker_id: workerId,
  p_lease_seconds: optional(int4),
}) satisfies Check<RpcArgs<"heartbeat_run">>;

const completeBody = object({
  p_run_id: uuid,
  p_exit_code: int4,
  p_error_message: optional(string({ min: 0, max: 100_000 })),
  p_worker_id: workerId,
}) satisfies Check<RpcArgs<"complete_workflow_run">>;

const requeueBody = object({
  p_run_id: uuid,
  p_worker_id: workerId,
  p_reason: optional(string({ max: 1000 })),
}) satisfies Check<RpcArgs<"requeue_run">>;

const artifactBody = object({
  p_run_id: uuid,
  p_artifact_key: string({ max: 255 }),
  p_s3_url: string({ max: 4096 }),
  p_sha256: string({ max: 64 }),
  p_size_bytes: integer({ min: 0 }),
  p_content_type: optional(string({ max: 255 })),
  p_metadata: optional(jsonObject()),
  p_worker_id: workerId,
}) satisfies Check<RpcArgs<"add_run_artifact">>;

const heldRunBody = object({
  p_run_id: uuid,
  p_worker_id: workerId,
});
const contextBody = heldRunBody satisfies Check<RpcArgs<"get_run_context">>;
const secretsBody = heldRunBody satisfies Check<RpcArgs<"get_run_secrets">>;

// At most 1000 findings a call (the RPC's own bound, which it checks and names);
// each finding's fields are checked by the RPC, naming p_findings[i].field.
const findingsBody = object({
  p_run_id: uuid,
  p_findings: arrayOf(jsonObject(), { min: 0, max: 1000 }),
  p_worker_id: workerId,
}) satisfies Check<RpcArgs<"add_upgrade_findings">>;

export function createExecutorHandler(
  options: HandlerOptions = {},
): (req: Request) => Promise<Response> {
  return createHandler("executor", {
    claim: async ({ body, sql }) => {
      const { p_labels, ...rest } = claimBody(body, "body");
      // No labels and an empty list mean the same: the runner takes runs that require none.
      const args = p_labels?.length ? { ...rest, p_labels } : rest;
      const [run] = await transaction(sql, (tx) => rpc(tx, "claim_next_run", args));
      return { run: run ?? null };
    },
    start: async ({ body, sql }) => {
      const args = startBody(body, "body");
      const [run] = await transaction(sql, (tx) => rpc(tx, "start_workflow_run", args));
      return { run };
    },
    heartbeat: async ({ body, sql }) => {
      const args = heartbeatBody(body, "body");
      const [lease] = await transaction(sql, (tx) => rpc(tx, "heartbeat_run", args));
      return lease;
    },
    complete: async ({ body, sql }) => {
      const args = completeBody(body, "body");
      const [run] = await transaction(sql, (tx) => rpc(tx, "complete_workflow_run", args));
      return { run };
    },
    requeue: async ({ body, sql }) => {
      const args = requeueBody(body, "body");
      const [run] = await transaction(sql, (tx) => rpc(tx, "requeue_run", args));
      return { run };
    },
    logs: async ({ body, sql }) => {
      const args = appendRunLogsBody(body, "body");
      return await transaction(sql, (tx) => appendRunLogs(tx, args));
    },
    artifacts: async ({ body, sql }) => {
      const args = artifactBody(body, "body");
      const [artifact] = await transaction(sql, (tx) => rpc(tx, "add_run_artifact", args));
      return { artifact };
    },
    context: async ({ body, sql }) => {
      const args = contextBody(body, "body");
      const [context] = await transaction(sql, (tx) => rpc(tx, "get_run_context", args));
      return { context };
    },
    secrets: async ({ body, sql }) => {
      const args = secretsBody(body, "body");
      const secrets = await transaction(sql, (tx) => rpc(tx, "get_run_secrets", args));
      return { secrets };
    },
    findings: async ({ body, sql }) => {
      const args = findingsBody(body, "body");
      const [stored] = await transaction(sql, (tx) => rpc(tx, "add_upgrade_findings", args));
      return { stored };
    },
  }, { maxBodyBytes: MAX_BODY_BYTES, ...options });
}

/** The deployed handler: database from SUPABASE_DB_URL, tokens from the environment. */
export const handler: (req: Request) => Promise<Response> = createExecutorHandler();

if (import.meta.main) {
  Deno.serve(handler);
}
