// Introspect the live database with Prisma's own schema engine (WebAssembly
// build, through the pg driver adapter) and print the result as JSON:
// {"schema": "<Prisma schema as Prisma would pull it>", "warnings": "..."}.
//
// Why not `prisma db pull`: the CLI downloads a native schema engine at run
// time, which fails offline; the wasm engine ships inside the npm package.
//
// Usage: DATABASE_URL=postgresql://... node --experimental-wasm-modules --no-warnings \
//          harness/odooops/js/prisma_introspect.mjs [SCHEMAS]
// SCHEMAS: comma-separated PostgreSQL schemas to read (default ops,auth).
// Called by `odooops prisma check` (harness/odooops/prisma_schema.py).
import { resolve } from "node:path";
import { SchemaEngine } from "@prisma/schema-engine-wasm";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

// The wasm engine reports a Rust panic through this global before it throws.
let panic = "";
globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message: (m) => { panic = m; } };
process.on("uncaughtException", (e) => {
  console.error(`prisma_introspect.mjs: schema engine failed: ${panic || e?.stack || e}`);
  process.exit(1);
});

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("prisma_introspect.mjs: DATABASE_URL is not set");
  process.exit(2);
}
// The schemas to read: ops, plus auth because ops tables reference
// auth.users and the engine refuses a reference into an unlisted schema. The
// caller drops the auth models from the result (prisma/schema.prisma lists
// only ops).
const schemas = (process.argv[2] ?? "ops,auth").split(",").filter(Boolean);
const basePath = resolve("prisma/introspected.prisma"); // a name only; nothing is written
const base = `generator client {
  provider = "prisma-client"
  output   = "../generated/prisma"
}

datasource db {
  provider = "postgresql"
  schemas  = ${JSON.stringify(schemas)}
}
`;

// adapter-pg 7.10.1 has no mapping for PostgreSQL's "char" type (OID 18,
// e.g. pg_constraint.contype) and introspection aborts on it ("Column type
// 'char' could not be deserialized"). performIO reports such columns as text
// (OID 25), and queryRaw then labels them Character, which is what the
// engine reads them as (reading them as text panics on check constraints).
const CHARACTER = 6; // ColumnTypeEnum.Character in @prisma/driver-adapter-utils
const charColumns = new WeakMap(); // result rows array -> indexes of "char" columns

function patchCharOid(adapter) {
  let proto = Object.getPrototypeOf(adapter);
  while (proto && !Object.hasOwn(proto, "performIO")) proto = Object.getPrototypeOf(proto);
  if (!proto || proto.performIO.__odooopsPatched) return;
  const performIO = proto.performIO;
  const queryRaw = proto.queryRaw;
  proto.performIO = async function (query) {
    const result = await performIO.call(this, query);
    const cols = [];
    (result?.fields ?? []).forEach((f, i) => {
      if (f.dataTypeID === 18) {
        f.dataTypeID = 25;
        cols.push(i);
      }
    });
    if (cols.length && result.rows) charColumns.set(result.rows, cols);
    return result;
  };
  proto.performIO.__odooopsPatched = true;
  proto.queryRaw = async function (query) {
    const out = await queryRaw.call(this, query);
    for (const i of charColumns.get(out.rows) ?? []) out.columnTypes[i] = CHARACTER;
    return out;
  };
}

const factory = new PrismaPg({ connectionString: url });
const connect = factory.connect.bind(factory);
factory.connect = async () => {
  const adapter = await connect();
  patchCharOid(adapter);
  return adapter;
};

const log = () => {};
let engine;
try {
  engine = await SchemaEngine.new(
    { datamodels: [[basePath, base]] },
    log,
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  const res = await engine.introspect({
    schema: { files: [{ path: basePath, content: base }] },
    baseDirectoryPath: process.cwd(),
    force: true,
    compositeTypeDepth: -1,
    namespaces: null,
  });
  const out = JSON.stringify({ schema: res.schema.files.map((f) => f.content).join("\n"), warnings: res.warnings ?? "" });
  // Exit as soon as the answer is out: pg's pool would keep the process up for its idle timeout.
  process.stdout.write(out, () => process.exit(0));
} catch (e) {
  console.error(`prisma_introspect.mjs: introspection failed: ${panic || e?.message || e}`);
  process.exit(1);
} finally {
  engine?.free?.();
}
