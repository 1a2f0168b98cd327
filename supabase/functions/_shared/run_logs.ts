// Batches of run log lines, as workers post them (to ops-ingest or to the
// executor), stored through ops.append_run_logs in one call. The RPC checks
// each line and names the bad one (p_lines[3].level), stores the lines in the
// order given, and stores a retried batch once (seq is the client's line number).
// Only the worker holding the run may log to it: p_worker_id is required.

import { rpc, type RpcArgs, type Tx } from "./db.ts";
import {
  arrayOf,
  type Check,
  describe,
  jsonObject,
  object,
  string,
  uuid,
  ValidationError,
} from "./validate.ts";

/** ops.append_run_logs refuses larger batches; refusing them here avoids the round trip. */
export const MAX_LINES = 5000;

const workerIdString = string({ max: 128 });

/**
 * The calling worker's id, required by every route that writes to a run: the
 * RPCs fence a write to the worker holding the run only when they are given
 * one, so a write without it would land on any run. Its pattern is checked by
 * the RPCs (22023 naming p_worker_id).
 */
export const workerId: Check<string> = (value, path) => {
  if (value === undefined || value === null || value === "") {
    throw new ValidationError(
      path,
      `${path} is required: the id of the calling worker, which must hold the run; got ${
        describe(value)
      }`,
    );
  }
  return workerIdString(value, path);
};

export const appendRunLogsBody = object({
  p_run_id: uuid,
  p_lines: arrayOf(jsonObject(), { min: 0, max: MAX_LINES }),
  p_worker_id: workerId,
}) satisfies Check<RpcArgs<"append_run_logs">>;

export async function appendRunLogs(
  tx: Tx,
  args: RpcArgs<"append_run_logs">,
): Promise<{ stored: number }> {
  const [stored] = await rpc(tx, "append_run_logs", args);
  return { stored: stored ?? 0 };
}
