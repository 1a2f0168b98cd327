// ops-ingest: where agents and workers post telemetry.
//
//   POST /ops-ingest/agent-runs  {"runs": [...], "events": [...]}
//        agent runs and their events, idempotent on each item's external_id
//   POST /ops-ingest/run-logs    {"p_run_id", "p_lines": [...], "p_worker_id"}
//        a batch of run log lines of a run the worker holds, through ops.append_run_logs
//
// Every request: Authorization: Bearer <service-role key or runner token>,
// a JSON body of at most MAX_BODY_BYTES, one transaction (all rows or none).

import { transaction } from "../_shared/db.ts";
import { createHandler, type HandlerOptions } from "../_shared/http.ts";
import { appendRunLogs, appendRunLogsBody } from "../_shared/run_logs.ts";
import { ingestAgentBatch, validateAgentBatch } from "./agent_runs.ts";

export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export function createIngestHandler(
  options: HandlerOptions = {},
): (req: Request) => Promise<Response> {
  return createHandler("ops-ingest", {
    "agent-runs": async ({ body, sql }) => {
      const batch = validateAgentBatch(body);
      return await transaction(sql, (tx) => ingestAgentBatch(tx, batch));
    },
    "run-logs": async ({ body, sql }) => {
      const args = appendRunLogsBody(body, "body");
      return await transaction(sql, (tx) => appendRunLogs(tx, args));
    },
  }, { maxBodyBytes: MAX_BODY_BYTES, ...options });
}

/** The deployed handler: database from SUPABASE_DB_URL, tokens from the environment. */
export const handler: (req: Request) => Promise<Response> = createIngestHandler();

if (import.meta.main) {
  Deno.serve(handler);
}
