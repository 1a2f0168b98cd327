// Batches of run log lines, as workers post them (to ops-ingest or to the
// executor), stored through ops.append_run_logs in one call. The RPC checks
// each line and names the bad one (p_lines[3].level), stores the lines in the
// order given, and stores a retried batch once (seq is the client's line number).

import { rpc, type RpcArgs, type Tx } from "./db.ts";
import { arrayOf, type Check, jsonObject, object, optional, string, uuid } from "./validate.ts";

/** ops.append_run_logs refuses larger batches; refusing them here avoids the round trip. */
export const MAX_LINES = 5000;

/** A worker id; its pattern is checked by the RPCs (22023 naming p_worker_id). */
export const workerId: Check<string> = string({ max: 128 });

export const appendRunLogsBody = object({
  p_run_id: uuid,
  p_lines: arrayOf(jsonObject(), { min: 0, max: MAX_LINES }),
  p_worker_id: optional(workerId),
}) satisfies Check<RpcArgs<"append_run_logs">>;

export async function appendRunLogs(
  tx: Tx,
  args: RpcArgs<"append_run_logs">,
): Promise<{ stored: number }> {
  const [stored] = await rpc(tx, "append_run_logs", args);
  return { stored: stored ?? 0 };
}
