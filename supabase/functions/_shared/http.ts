// HTTP plumbing shared by the functions: bearer authentication, a bounded JSON
// body, routing by path, JSON responses, and the one table that turns an error
// into a status code.
//
// Error bodies have one shape:
//   {"error": {"status": 409, "code": "conflict", "message": "...", "sqlstate": "OP001",
//              "field": "p_run_id", "hint": "..."}, "request_id": "..."}
// A 500 carries only a generic message and the request id; the details go to
// the function's log under that id. No message quotes more than MAX_QUOTED
// characters of a value, nor runs past MAX_MESSAGE characters.

import postgres from "postgres";
import { ConfigError, sharedClient, type Sql } from "./db.ts";
import { boundText, checkStorable, MAX_QUOTED, shorten, ValidationError } from "./validate.ts";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field?: string; sqlstate?: string; hint?: string } = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function json(status: number, body: unknown, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

// -- authentication ------------------------------------------------------------

/**
 * The bearer tokens accepted: the project's service-role key and the runner
 * token(s). ODOOOPS_RUNNER_TOKEN may hold several tokens separated by commas,
 * so a new one can be rolled out before the old one is removed.
 */
export function tokensFromEnv(): string[] {
  const tokens = [Deno.env.get("SUPABASE_SERVICE_ROLE_KEY") ?? ""];
  for (const t of (Deno.env.get("ODOOOPS_RUNNER_TOKEN") ?? "").split(",")) tokens.push(t.trim());
  return tokens.filter((t) => t.length > 0);
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

// Compares digests, so neither the length nor a prefix of a token leaks through timing.
async function sameSecret(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([digest(a), digest(b)]);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

export async function authorize(req: Request, tokens: string[]): Promise<void> {
  if (tokens.length === 0) {
    throw new ConfigError("neither SUPABASE_SERVICE_ROLE_KEY nor ODOOOPS_RUNNER_TOKEN is set");
  }
  const header = req.headers.get("authorization");
  if (!header) {
    throw new HttpError(401, "unauthorized", "Authorization: Bearer <token> is required");
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) {
    throw new HttpError(401, "unauthorized", "Authorization must be of the form: Bearer <token>");
  }
  let ok = false;
  for (const token of tokens) ok = (await sameSecret(match[1]!, token)) || ok;
  if (!ok) throw new HttpError(401, "unauthorized", "the bearer token is not accepted");
}

// -- body --------------------------------------------------------------------------

/** Read at most `maxBytes` of body and parse it as JSON (413 beyond, 400 when not JSON). */
export async function readJson(req: Request, maxBytes: number): Promise<unknown> {
  return parseJson(await readBytes(req, maxBytes));
}

/** Read at most `maxBytes` of body, as bytes (413 beyond, 400 when there is none). */
export async function readBytes(req: Request, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () =>
    new HttpError(413, "payload_too_large", `the body must be at most ${maxBytes} bytes`);
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge();
  if (req.body === null) throw new HttpError(400, "bad_request", "a JSON body is required");

  // Counted while reading: a chunked body has no Content-Length to trust.
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

/** Parse a body's bytes as UTF-8 JSON (400 when it is not). */
export function parseJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "bad_request", "the body is not valid UTF-8", { field: "body" });
  }
  if (text.trim() === "") {
    throw new HttpError(400, "bad_request", "a JSON body is required", { field: "body" });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(
      400,
      "bad_request",
      `the body is not valid JSON: ${(err as Error).message}`,
      { field: "body" },
    );
  }
}

// -- errors ------------------------------------------------------------------------

// SQLSTATEs the RPCs and constraints raise on purpose, and what they mean to a
// client. Beyond these, by class (statusOf): any OPxxx is a 409, and classes 22
// (data exception) and 23 (integrity constraint violation) are the database
// refusing the input, a 400.
const SQLSTATE_STATUS: Record<string, [number, string]> = {
  OP001: [409, "illegal_transition"],
  OP002: [409, "not_holder"],
  OP003: [409, "conflicting_repeat"],
  OP004: [409, "append_only"],
  OP005: [409, "run_finished"],
  "23505": [409, "conflict"],
  "23P01": [409, "conflict"],
  P0002: [404, "not_found"],
  // A webhook delivery whose signature is missing or wrong (ops.verify_webhook).
  "28000": [401, "unauthorized"],
  // Worth retrying as is: contention, timeouts, a database restarting.
  "40001": [503, "retry"],
  "40P01": [503, "retry"],
  "55P03": [503, "retry"],
  "57014": [503, "retry"],
  "53300": [503, "retry"],
  "57P01": [503, "retry"],
  "57P03": [503, "retry"],
};

// postgres.js's own codes for a connection that could not be made or was lost.
const CONNECTION_ERRORS = new Set([
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "ECONNREFUSED",
  "ECONNRESET",
]);

function statusOf(sqlstate: string): [number, string] | undefined {
  const known = SQLSTATE_STATUS[sqlstate];
  if (known) return known;
  // The project's own class: a state the request conflicts with.
  if (sqlstate.startsWith("OP")) return [409, "conflict"];
  // A value the database refuses (22P05 an unsupported \u escape, 22021 a NUL
  // byte, 22008 a date out of range, 2201B a bad regex, ...) or a row it refuses
  // (23502, 23503, 23514, ...): the request is at fault, not the server.
  if (sqlstate.startsWith("22") || sqlstate.startsWith("23")) return [400, "bad_request"];
  return undefined;
}

function fromPostgres(err: postgres.PostgresError): HttpError | undefined {
  const mapped = statusOf(err.code);
  if (!mapped) return undefined;
  const [status, code] = mapped;
  if (status === 503) {
    return new HttpError(503, code, "the database is busy; retry the request", {
      sqlstate: err.code,
    });
  }
  // A constraint message names the table; the constraint's name states the rule.
  // The message only: its DETAIL quotes the whole failing row or key.
  const message = err.code === "23514" && err.constraint_name
    ? `a value breaks the rule ${err.constraint_name}`
    : err.message;
  // The RPCs start their messages with the parameter at fault: "p_lines[3].level must be ...".
  const named = /^(p_[a-z0-9_]+(?:\[\d+\])?(?:\.[a-z0-9_]+)?)\b/.exec(err.message)?.[1];
  return new HttpError(status, code, message, {
    sqlstate: err.code,
    field: err.column_name || named,
    hint: err.hint || undefined,
  });
}

// Every message, hint and field a client gets is bounded, whoever wrote it.
function bounded(http: HttpError): Record<string, unknown> {
  const { field, sqlstate, hint } = http.details;
  return {
    status: http.status,
    code: http.code,
    message: boundText(http.message),
    ...(field !== undefined ? { field: shorten(field, MAX_QUOTED) } : {}),
    ...(sqlstate !== undefined ? { sqlstate } : {}),
    ...(hint !== undefined ? { hint: boundText(hint) } : {}),
  };
}

/** The response for any error; logs what the client is not told. */
export function errorResponse(err: unknown, requestId: string): Response {
  let http: HttpError | undefined;
  if (err instanceof HttpError) http = err;
  else if (err instanceof ValidationError) {
    http = new HttpError(400, "bad_request", err.message, { field: err.field });
  } else if (err instanceof postgres.PostgresError) http = fromPostgres(err);
  else if (CONNECTION_ERRORS.has((err as { code?: string })?.code ?? "")) {
    http = new HttpError(503, "retry", "the database cannot be reached; retry the request");
  }

  if (!http || http.status >= 500) {
    console.error(JSON.stringify({
      request_id: requestId,
      error: err instanceof Error ? err.name : typeof err,
      message: boundText(err instanceof Error ? err.message : String(err), 4000),
      sqlstate: (err as { code?: string })?.code,
      config: err instanceof ConfigError,
    }));
  }
  if (!http) {
    return json(500, {
      error: { status: 500, code: "internal_error", message: "unexpected error" },
      request_id: requestId,
    }, { "x-request-id": requestId });
  }
  const headers: Record<string, string> = { "x-request-id": requestId };
  if (http.status === 401) headers["www-authenticate"] = 'Bearer realm="odooops"';
  if (http.status === 503) headers["retry-after"] = "1";
  return json(http.status, { error: bounded(http), request_id: requestId }, headers);
}

// -- handler -----------------------------------------------------------------------

export interface Context {
  /** The parsed JSON body. */
  body: unknown;
  /** The database client; a route opens its own transaction on it. */
  sql: Sql;
  requestId: string;
}

/** A route returns the JSON body of its 200 response. */
export type Route = (ctx: Context) => Promise<unknown>;

export interface HandlerOptions {
  /** Database client; by default the shared one from SUPABASE_DB_URL. */
  sql?: Sql;
  /** Accepted bearer tokens; by default from the environment, read per request. */
  tokens?: string[];
  /** Largest body accepted, in bytes. */
  maxBodyBytes?: number;
}

/**
 * The path below the function's name: "/functions/v1/executor/claim" (the
 * platform) and "/executor/claim" (`supabase functions serve`) both give "claim".
 */
export function subpath(url: string, functionName: string): string {
  const segments = new URL(url).pathname.split("/").filter((s) => s !== "");
  const at = segments.indexOf(functionName);
  return (at >= 0 ? segments.slice(at + 1) : segments).join("/");
}

export function createHandler(
  functionName: string,
  routes: Record<string, Route>,
  options: HandlerOptions & { maxBodyBytes: number },
): (req: Request) => Promise<Response> {
  return async (req: Request): Promise<Response> => {
    const requestId = crypto.randomUUID();
    try {
      await authorize(req, options.tokens ?? tokensFromEnv());
      const path = subpath(req.url, functionName);
      const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
      if (!route) {
        const known = Object.keys(routes).map((r) => `POST /${functionName}/${r}`);
        const message = `no route /${functionName}/${path}; known: ${known.join(", ")}`;
        throw new HttpError(404, "not_found", message);
      }
      if (req.method !== "POST") {
        return json(405, {
          error: { status: 405, code: "method_not_allowed", message: "use POST" },
          request_id: requestId,
        }, { allow: "POST", "x-request-id": requestId });
      }
      const body = await readJson(req, options.maxBodyBytes);
      checkStorable(body);
      const result = await route({ body, sql: options.sql ?? sharedClient(), requestId });
      return json(200, result, { "x-request-id": requestId });
    } catch (err) {
      return errorResponse(err, requestId);
    }
  };
}
