// The database side of every function: one postgres.js client from
// SUPABASE_DB_URL, one transaction per request acting as service_role, and a
// typed call of the ops RPCs.
//
// Why SQL through SUPABASE_DB_URL rather than supabase-js: a request must
// write all of its rows or none (an agent batch is two inserts, and a log batch
// must not land half), which PostgREST gives only per RPC call; and the tests
// then run this very code against the harness's PostgreSQL with the same driver.

import postgres from "postgres";
import type { Database, Json } from "./database.types.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

type OpsFunctions = Database["ops"]["Functions"];
/** The ops RPCs, as `supabase gen types` saw them in the migrated database. */
export type RpcName = keyof OpsFunctions;
/** The named arguments of an RPC: the `p_` parameters, optional where SQL has a default. */
export type RpcArgs<N extends RpcName> = OpsFunctions[N]["Args"];
/** One row of an RPC's result (the whole result for a scalar or single-row function). */
export type RpcRow<N extends RpcName> = OpsFunctions[N]["Returns"] extends readonly (infer R)[] ? R
  : OpsFunctions[N]["Returns"];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** A client for `url`. `prepare: false` so it also works through Supavisor in transaction mode. */
export function connect(url: string, options: postgres.Options<Record<string, never>> = {}): Sql {
  return postgres(url, {
    prepare: false,
    max: 3,
    idle_timeout: 20,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: "odooops-edge-function" },
    ...options,
  });
}

let shared: Sql | undefined;

/** The client every request of this isolate shares, from SUPABASE_DB_URL. */
export function sharedClient(): Sql {
  if (!shared) {
    const url = Deno.env.get("SUPABASE_DB_URL");
    if (!url) throw new ConfigError("SUPABASE_DB_URL is not set");
    shared = connect(url);
  }
  return shared;
}

/**
 * Run `fn` in one transaction as service_role: the role the RPCs are granted
 * to, so the function holds no more rights than a runner calling PostgREST
 * with the service key. Timeouts make a stuck lock an error (503) rather than
 * a hung request.
 */
export async function transaction<T>(sql: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const result = await sql.begin(async (tx) => {
    await tx`
      select
        set_config('role', 'service_role', true),
        set_config('statement_timeout', '15s', true),
        set_config('lock_timeout', '5s', true)
    `;
    return await fn(tx);
  });
  return result as T;
}

// A non-empty array of strings goes as a PostgreSQL array (text[]: the labels
// of ops.claim_next_run); any other plain object or array as jsonb; anything
// else untyped, so the parameter takes the type of the function argument it
// is bound to (postgres.js asks the server, then encodes the value for that type).
function param(tx: Tx, value: unknown) {
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string")) {
    return tx.array(value as string[]);
  }
  if (value !== null && typeof value === "object") {
    return tx.json(value as Parameters<Tx["json"]>[0]);
  }
  return value as string | number | boolean | null;
}

/**
 * Call `ops.<name>` with named arguments (`p_run_id => $1`, ...), leaving out
 * the undefined ones so that their SQL defaults apply. Always returns a list:
 * the rows of a set-returning function, or the one value of any other.
 *
 * The arguments are typed from database.types.ts, so `deno check` fails when a
 * call names a parameter the function does not have, misses a required one or
 * passes the wrong type. Rows come back through to_jsonb, in the JSON shapes
 * those types describe (timestamps as ISO strings, as PostgREST returns them).
 */
export async function rpc<N extends RpcName, A extends RpcArgs<N>>(
  tx: Tx,
  name: N,
  // A key the function has no parameter for must be `never`: a stray or
  // misspelled argument is a type error even when passed as a variable.
  args: A & { [K in Exclude<keyof A, keyof RpcArgs<N>>]: never },
): Promise<RpcRow<N>[]> {
  const named = Object.entries(args as Record<string, Json | undefined>)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => tx`${tx(key)} => ${param(tx, value)}`);
  const list = named.length ? named.reduce((a, b) => tx`${a}, ${b}`) : tx``;
  const fn = tx(name as string);
  const rows = await tx`select to_jsonb(r) as v from ops.${fn}(${list}) as r`;
  return rows.map((row) => row.v as RpcRow<N>);
}
