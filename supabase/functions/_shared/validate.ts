// Request validation that names the offending field: every check takes the
// value and its path in the body ("runs[3].external_id") and either returns the
// value typed or throws a ValidationError that http.ts turns into a 400.
//
// Deliberately small (no schema library): the bodies are flat, and each check
// mirrors a constraint or parameter check of the database, so the client gets
// the same answer before a round trip.

import type { Json } from "./database.types.ts";

export class ValidationError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = "ValidationError";
  }
}

/** A check: returns the value, typed, or throws ValidationError naming `path`. */
export type Check<T> = (value: unknown, path: string) => T;

/** The type a check returns. */
export type Checked<C> = C extends Check<infer T> ? T : never;

/** How an error message shows a value: short strings quoted, long ones by length. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") {
    return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  }
  if (typeof value === "object") return "an object";
  return String(value);
}

// -- bounds on what an error quotes --------------------------------------------------

/** The most of one value an error message quotes. */
export const MAX_QUOTED = 200;
/** The longest error message (or hint) returned to a client. */
export const MAX_MESSAGE = 1000;

/** `text` itself when short, else its first `keep` characters and how many were cut. */
export function shorten(text: string, keep = MAX_QUOTED): string {
  return text.length <= keep ? text : `${text.slice(0, keep)}... (${text.length - keep} more)`;
}

// A quoted value: 'it''s' as quote_literal writes it, "a\"b" as JSON and
// PostgreSQL's input errors write it; else any run of non-blank characters.
const VALUE = /'(?:[^']|'')*'|"(?:[^"\\]|\\[\s\S])*"|\S+/g;

/**
 * A message fit to return: every quoted value and every unbroken run of
 * characters keeps at most MAX_QUOTED characters, and the whole at most `max`.
 * Messages name the value at fault; a 1 MB value must not come back as a 1 MB
 * error (the database's messages quote the whole value, and its DETAIL the whole
 * row: that one is never returned at all).
 */
export function boundText(text: string, max = MAX_MESSAGE): string {
  // Nothing past this can survive the cut below; it also bounds the regex's work.
  const head = text.length > 4 * max ? text.slice(0, 4 * max) : text;
  const bounded = head.replace(VALUE, (token) => {
    if (token.length <= MAX_QUOTED + 2) return token;
    const quote = token[0] === "'" || token[0] === '"' ? token[0] : "";
    const closed = quote !== "" && token.length > 1 && token.endsWith(quote);
    const inner = quote === "" ? token : token.slice(1, closed ? -1 : undefined);
    return `${quote}${shorten(inner)}${closed ? quote : ""}`;
  });
  return shorten(bounded, max);
}

function fail(path: string, expected: string, value: unknown): never {
  throw new ValidationError(path, `${path} must be ${expected}, got ${describe(value)}`);
}

export interface StringOptions {
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** How to say what `pattern` accepts, for the error message. */
  patternName?: string;
}

export function string(options: StringOptions = {}): Check<string> {
  const { min = 1, max = 10_000, pattern, patternName } = options;
  return (value, path) => {
    if (typeof value !== "string") fail(path, "a string", value);
    if (value.length < min || value.length > max) {
      fail(path, `a string of ${min} to ${max} characters`, value);
    }
    if (pattern && !pattern.test(value)) {
      fail(path, patternName ?? `a string matching ${pattern.source}`, value);
    }
    return value;
  };
}

export function integer(options: { min?: number; max?: number } = {}): Check<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  return (value, path) => {
    if (typeof value !== "number" || !Number.isSafeInteger(value)) fail(path, "an integer", value);
    if (value < min || value > max) fail(path, `an integer from ${min} to ${max}`, value);
    return value;
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const uuid: Check<string> = (value, path) => {
  if (typeof value !== "string" || !UUID.test(value)) fail(path, "a UUID", value);
  return value.toLowerCase();
};

// RFC 3339 with a zone, as PostgreSQL's timestamptz input and JSON clients agree on it.
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-](\d{2})(:?\d{2})?)$/i;

// Date.parse takes what PostgreSQL refuses: February 30 (rolled over to March),
// year 0, and zone offsets beyond the 15:59 PostgreSQL accepts.
function isTimestamp(value: string): boolean {
  const m = TIMESTAMP.exec(value);
  if (!m || Number.isNaN(Date.parse(value))) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return year >= 1 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day &&
    Number(m[6] ?? 0) <= 15;
}

export const timestamp: Check<string> = (value, path) => {
  if (typeof value !== "string" || !isTimestamp(value)) {
    fail(path, "an RFC 3339 timestamp with a time zone (2026-02-13T10:00:00Z)", value);
  }
  return value;
};

export function oneOf<const T extends readonly string[]>(values: T): Check<T[number]> {
  return (value, path) => {
    if (typeof value !== "string" || !values.includes(value)) {
      fail(path, `one of ${values.join(", ")}`, value);
    }
    return value as T[number];
  };
}

/** A JSON object (not an array, not null), at most `maxBytes` once serialized. */
export function jsonObject(maxBytes = 65_536): Check<{ [key: string]: Json | undefined }> {
  return (value, path) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      fail(path, "a JSON object", value);
    }
    if (JSON.stringify(value).length > maxBytes) {
      throw new ValidationError(path, `${path} must be at most ${maxBytes} bytes of JSON`);
    }
    return value as { [key: string]: Json | undefined };
  };
}

export function arrayOf<T>(item: Check<T>, options: { min?: number; max: number }): Check<T[]> {
  const { min = 1, max } = options;
  return (value, path) => {
    if (!Array.isArray(value)) fail(path, "an array", value);
    if (value.length < min || value.length > max) {
      throw new ValidationError(
        path,
        `${path} must hold ${min} to ${max} items, got ${value.length}`,
      );
    }
    return value.map((v, i) => item(v, `${path}[${i}]`));
  };
}

/** Absent (or undefined) becomes undefined, so the database default applies. */
export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value, path) => (value === undefined ? undefined : check(value, path));
}

/** null is kept as null (an explicit "no value"); absent stays undefined. */
export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, path) => (value === null ? null : check(value, path));
}

type Shape = Record<string, Check<unknown>>;

// Keys whose check accepts undefined become optional properties.
type ObjectOf<S extends Shape> =
  & { [K in keyof S as undefined extends Checked<S[K]> ? never : K]: Checked<S[K]> }
  & { [K in keyof S as undefined extends Checked<S[K]> ? K : never]?: Checked<S[K]> };

type Flatten<T> = { [K in keyof T]: T[K] };

/**
 * An object with exactly these fields: an unknown field is an error too, so a
 * typo ("p_runid") is reported instead of silently falling back to a default.
 */
export function object<S extends Shape>(shape: S): Check<Flatten<ObjectOf<S>>> {
  return (value, path) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      fail(path, "a JSON object", value);
    }
    const input = value as Record<string, unknown>;
    const prefix = path === "body" ? "" : `${path}.`;
    for (const key of Object.keys(input)) {
      if (!Object.hasOwn(shape, key)) {
        const field = `${prefix}${shorten(key)}`;
        throw new ValidationError(
          field,
          `${field} is not a known field (known: ${Object.keys(shape).join(", ")})`,
        );
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape)) {
      const field = `${prefix}${key}`;
      if (!Object.hasOwn(input, key) && !acceptsUndefined(check, field)) {
        throw new ValidationError(field, `${field} is required`);
      }
      const checked = check(input[key], field);
      if (checked !== undefined) out[key] = checked;
    }
    return out as Flatten<ObjectOf<S>>;
  };
}

function acceptsUndefined(check: Check<unknown>, path: string): boolean {
  try {
    check(undefined, path);
    return true;
  } catch {
    return false;
  }
}

// -- what no column can hold ---------------------------------------------------------

/** Deeper bodies are refused: PostgreSQL's JSON parser gives up far deeper, as a 500. */
export const MAX_JSON_DEPTH = 64;

interface Node {
  value: unknown;
  parent: Node | null;
  key: string | number;
  depth: number;
}

// The path of a node as the other checks name fields: p_lines[3].message, or
// p_metadata["odd key"] for a key that is not a plain name.
function pathOf(node: Node): string {
  const parts: string[] = [];
  for (let n: Node | null = node; n && n.parent; n = n.parent) {
    if (typeof n.key === "number") parts.push(`[${n.key}]`);
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(n.key)) {
      parts.push(n.parent.parent ? `.${n.key}` : n.key);
    } else parts.push(`[${JSON.stringify(shorten(n.key))}]`);
  }
  return parts.length ? parts.reverse().join("") : "body";
}

function storableText(text: string): string | undefined {
  if (text.includes("\u0000")) return "must not contain the NUL character \\u0000";
  if (!text.isWellFormed()) return "must be valid Unicode (it holds a lone surrogate)";
  return undefined;
}

/**
 * Refuse, naming the JSON path, what no column can store wherever it is in a
 * body: a NUL character (PostgreSQL's text and jsonb cannot hold U+0000), a lone
 * UTF-16 surrogate (not Unicode), in a value or a key, and nesting deeper than
 * MAX_JSON_DEPTH. Walks the body without recursion, first to last.
 */
export function checkStorable(body: unknown): void {
  const stack: Node[] = [{ value: body, parent: null, key: "", depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { value } = node;
    if (typeof value === "string") {
      const problem = storableText(value);
      if (problem) throw new ValidationError(pathOf(node), `${pathOf(node)} ${problem}`);
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (node.depth >= MAX_JSON_DEPTH) {
      const path = pathOf(node);
      throw new ValidationError(path, `${path} nests more than ${MAX_JSON_DEPTH} levels deep`);
    }
    const children: Node[] = [];
    if (Array.isArray(value)) {
      value.forEach((v, i) =>
        children.push({ value: v, parent: node, key: i, depth: node.depth + 1 })
      );
    } else {
      for (const [key, v] of Object.entries(value)) {
        const child = { value: v, parent: node, key, depth: node.depth + 1 };
        const problem = storableText(key);
        if (problem) {
          const path = pathOf(child);
          throw new ValidationError(path, `${path}: the key ${problem}`);
        }
        children.push(child);
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}
