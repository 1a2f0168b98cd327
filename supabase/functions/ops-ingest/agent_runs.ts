// Agent runs and their events, posted by coding agents with ids of their own
// (external_id), stored idempotently: a batch posted twice is stored once.
//
// The tables were ops.runs / ops.run_events before migration 20260213000001
// renamed them to ops.agent_runs / ops.agent_run_events (and 20260213000100
// gave the old names to the run queue). This function is deployed
// independently of migrations, so it finds the tables per request and works
// on either side of the rename, and while the rename commits.

import { HttpError } from "../_shared/http.ts";
import type { Tx } from "../_shared/db.ts";
import {
  arrayOf,
  type Checked,
  jsonObject,
  nullable,
  object,
  oneOf,
  optional,
  shorten,
  string,
  timestamp,
  ValidationError,
} from "../_shared/validate.ts";

export const MAX_RUNS = 500;
export const MAX_EVENTS = 5000;

const externalId = string({
  max: 200,
  pattern: /^[\x21-\x7e]+$/,
  patternName: "printable ASCII without spaces",
});

// ops.agent_runs.status (constraint agent_runs_status_is_known).
const AGENT_RUN_STATUSES = ["running", "succeeded", "failed", "canceled"] as const;

const agentRun = object({
  external_id: externalId,
  agent_id: string({ max: 200 }),
  task: string({ max: 10_000 }),
  status: optional(oneOf(AGENT_RUN_STATUSES)),
  started_at: optional(timestamp),
  finished_at: optional(nullable(timestamp)),
  metadata: optional(jsonObject()),
});

const agentRunEvent = object({
  external_id: externalId,
  run_external_id: externalId,
  event_type: string({ max: 100 }),
  payload: optional(jsonObject()),
  occurred_at: optional(timestamp),
});

export const agentBatch = object({
  runs: optional(arrayOf(agentRun, { min: 0, max: MAX_RUNS })),
  events: optional(arrayOf(agentRunEvent, { min: 0, max: MAX_EVENTS })),
});

export type AgentBatch = Checked<typeof agentBatch>;

export interface AgentBatchResult {
  runs: { received: number; inserted: number; updated: number };
  events: { received: number; inserted: number };
}

interface Tables {
  runs: string;
  events: string;
}

const LAYOUTS: Record<string, Tables> = {
  renamed: { runs: "ops.agent_runs", events: "ops.agent_run_events" },
  // Before 20260213000001: the same tables under their first names.
  original: { runs: "ops.runs", events: "ops.run_events" },
};

// At most MAX_QUOTED characters of a value: stored ids may predate the bounds.
const quote = (value: unknown): string => JSON.stringify(shorten(String(value)));

function unique(items: { external_id: string }[], path: string): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(item.external_id);
    if (first !== undefined) {
      throw new ValidationError(
        `${path}[${i}].external_id`,
        `${path}[${i}].external_id ${quote(item.external_id)} repeats ${path}[${first}]`,
      );
    }
    seen.set(item.external_id, i);
  });
}

export function validateAgentBatch(body: unknown): AgentBatch {
  const batch = agentBatch(body, "body");
  const runs = batch.runs ?? [];
  const events = batch.events ?? [];
  if (runs.length + events.length === 0) {
    throw new ValidationError("runs", "runs or events must hold at least one item");
  }
  unique(runs, "runs");
  unique(events, "events");
  return batch;
}

// ops.agent_runs once it exists; else ops.runs when it still has the agent
// shape (column agent_id), i.e. before the rename; else nothing.
async function layoutName(tx: Tx): Promise<string | null> {
  const [row] = await tx`
    select case
      when to_regclass('ops.agent_runs') is not null then 'renamed'
      when exists (
        select 1 from pg_catalog.pg_attribute as a
        where a.attrelid = to_regclass('ops.runs') and a.attname = 'agent_id' and not a.attisdropped
      ) then 'original'
    end as layout
  `;
  return (row?.layout as string | null) ?? null;
}

/**
 * The agent tables, locked against a concurrent rename until this transaction
 * ends. Finding the name and locking it are two steps, so the name is checked
 * again once the lock is held: if the rename committed in between, the lock
 * fails on the vanished name (42P01) or lands on another table, and we retry.
 */
export async function lockAgentTables(tx: Tx): Promise<Tables> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const name = await layoutName(tx);
    if (name === null) {
      throw new Error(
        "agent tracking tables not found: no ops.agent_runs, no ops.runs with agent_id",
      );
    }
    const tables = LAYOUTS[name]!;
    try {
      await tx.savepoint((sp) =>
        sp`lock table ${sp(tables.runs)}, ${sp(tables.events)} in row exclusive mode`
      );
    } catch (err) {
      if ((err as { code?: string }).code === "42P01") continue;
      throw err;
    }
    if ((await layoutName(tx)) === name) return tables;
  }
  throw new HttpError(503, "retry", "the agent tables are being migrated; retry the request");
}

export async function ingestAgentBatch(tx: Tx, batch: AgentBatch): Promise<AgentBatchResult> {
  const runs = batch.runs ?? [];
  const events = batch.events ?? [];
  const result: AgentBatchResult = {
    runs: { received: runs.length, inserted: 0, updated: 0 },
    events: { received: events.length, inserted: 0 },
  };
  const t = await lockAgentTables(tx);
  const runsTable = tx(t.runs);
  const eventsTable = tx(t.events);
  // Each batch goes as one jsonb parameter, read back row by row in the order posted.
  const postedRuns = tx.json(runs);
  const postedEvents = tx.json(events);

  if (runs.length > 0) {
    // A report of a run it already has updates it while it is running; a
    // finished run is final, so a late retry of an earlier report changes nothing.
    const written = await tx`
      insert into ${runsTable} as t
        (external_id, agent_id, task, status, started_at, finished_at, metadata)
      select x.external_id, x.agent_id, x.task, coalesce(x.status, 'running'),
        coalesce(x.started_at, now()), x.finished_at, coalesce(x.metadata, '{}'::jsonb)
      from rows from (
        jsonb_to_recordset(${postedRuns}) as (
          external_id text, agent_id text, task text, status text,
          started_at timestamptz, finished_at timestamptz, metadata jsonb
        )
      ) with ordinality
        as x (external_id, agent_id, task, status, started_at, finished_at, metadata, ord)
      order by x.ord
      on conflict (external_id) do update set
        status = excluded.status,
        finished_at = coalesce(excluded.finished_at, t.finished_at),
        metadata = t.metadata || excluded.metadata
      where t.status = 'running'
        and t.agent_id = excluded.agent_id
        and t.task = excluded.task
        and (t.status, t.finished_at, t.metadata)
          is distinct from (excluded.status, coalesce(excluded.finished_at, t.finished_at),
            t.metadata || excluded.metadata)
      returning (t.xmax = 0) as inserted
    `;
    for (const row of written) {
      if (row.inserted) result.runs.inserted++;
      else result.runs.updated++;
    }

    // The same external_id for another agent or task, or another final status:
    // not a repeat but a clash, and the whole batch is refused.
    const [clash] = await tx`
      select x.ord, x.external_id, t.agent_id, t.status
      from rows from (
        jsonb_to_recordset(${postedRuns})
          as (external_id text, agent_id text, task text, status text)
      ) with ordinality as x (external_id, agent_id, task, status, ord)
      join ${runsTable} as t on t.external_id = x.external_id
      where t.agent_id <> x.agent_id or t.task <> x.task
        or (t.status <> 'running' and x.status is not null and x.status <> 'running'
          and x.status <> t.status)
      order by x.ord
      limit 1
    `;
    if (clash) {
      const field = `runs[${Number(clash.ord) - 1}].external_id`;
      const stored = `agent ${quote(clash.agent_id)}, status ${clash.status}`;
      throw new HttpError(
        409,
        "conflicting_repeat",
        `${field} ${quote(clash.external_id)} already names a different run (${stored}); ` +
          "a run's agent and task never change, nor does a finished run's status",
        { field },
      );
    }
  }

  if (events.length > 0) {
    const [orphan] = await tx`
      select x.ord, x.run_external_id
      from rows from (
        jsonb_to_recordset(${postedEvents}) as (run_external_id text)
      ) with ordinality as x (run_external_id, ord)
      where not exists (select 1 from ${runsTable} as r where r.external_id = x.run_external_id)
      order by x.ord
      limit 1
    `;
    if (orphan) {
      const field = `events[${Number(orphan.ord) - 1}].run_external_id`;
      throw new HttpError(
        404,
        "not_found",
        `${field} ${quote(orphan.run_external_id)}: no such agent run ` +
          "(post the run first, or in the same batch)",
        { field },
      );
    }

    // Inserted in the order posted, so the identity keeps the agent's order.
    const inserted = await tx`
      insert into ${eventsTable} (run_id, external_id, event_type, payload, occurred_at)
      select r.id, x.external_id, x.event_type, coalesce(x.payload, '{}'::jsonb),
        coalesce(x.occurred_at, now())
      from rows from (
        jsonb_to_recordset(${postedEvents}) as (
          external_id text, run_external_id text, event_type text, payload jsonb,
          occurred_at timestamptz
        )
      ) with ordinality
        as x (external_id, run_external_id, event_type, payload, occurred_at, ord)
      join ${runsTable} as r on r.external_id = x.run_external_id
      order by x.ord
      on conflict (external_id) do nothing
      returning 1
    `;
    result.events.inserted = inserted.length;

    const [clash] = await tx`
      select x.ord, x.external_id
      from rows from (
        jsonb_to_recordset(${postedEvents})
          as (external_id text, run_external_id text, event_type text)
      ) with ordinality as x (external_id, run_external_id, event_type, ord)
      join ${eventsTable} as e on e.external_id = x.external_id
      join ${runsTable} as r on r.id = e.run_id
      where r.external_id <> x.run_external_id or e.event_type <> x.event_type
      order by x.ord
      limit 1
    `;
    if (clash) {
      const field = `events[${Number(clash.ord) - 1}].external_id`;
      throw new HttpError(
        409,
        "conflicting_repeat",
        `${field} ${quote(clash.external_id)} already names an event of another run or type`,
        { field },
      );
    }
  }
  return result;
}
