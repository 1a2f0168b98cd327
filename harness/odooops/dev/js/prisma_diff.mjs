// Ask Prisma's own schema engine (WebAssembly build, through the pg driver
// adapter) for the migration from a Prisma schema to the live database, as
// `prisma migrate diff --from-schema <schema> --to-config-datasource --script`
// would print it, and print the answer as JSON: {"exitCode": 0|2, "script": "..."}
// (exitCode 2: the script is not empty).
//
// Why not the CLI: `prisma migrate diff` downloads a native schema engine at
// run time, which fails offline; the wasm engine ships inside the npm package.
//
// Usage: DATABASE_URL=postgresql://... node --experimental-wasm-modules --no-warnings \
//          harness/odooops/js/prisma_diff.mjs < request.json
// request.json: {
//   "from":     {"path": "...", "content": "<the Prisma schema to diff from>"},
//   "database": {"path": "...", "content": "<generator + datasource blocks: which
//                schemas of the database to read, which preview features>"},
//   "externalTables": ["auth.users", ...],  // left out of the diff (prisma.config.ts
//   "externalEnums":  ["auth.aal_level", ...] // tables.external / enums.external)
// }
// Paths are names only; nothing is read or written there.
// Called by `odooops prisma check` (harness/odooops/prisma_schema.py).
import { readFileSync } from "node:fs";
import { SchemaEngine } from "@prisma/schema-engine-wasm";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

// The wasm engine reports a Rust panic through this global before it throws.
let panic = "";
globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message: (m) => { panic = m; } };
process.on("uncaughtException", (e) => {
  console.error(`prisma_diff.mjs: schema engine failed: ${panic || e?.stack || e}`);
  process.exit(1);
});

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("prisma_diff.mjs: DATABASE_URL is not set");
  process.exit(2);
}
let request;
try {
  request = JSON.parse(readFileSync(0, "utf8"));
} catch (e) {
  console.error(`prisma_diff.mjs: cannot read the request on stdin: ${e.message}`);
  process.exit(2);
}

// adapter-pg 7.10.1 has no mapping for PostgreSQL's "char" type (OID 18,
// e.g. pg_constraint.contype) and describing the database aborts on it
// ("Column type 'char' could not be deserialized"). performIO reports such
// columns as text (OID 25), and queryRaw then labels them Character, which is
// what the engine reads them as (reading them as text panics on check
// constraints).
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

const { from, database } = request;
let engine;
try {
  engine = await SchemaEngine.new(
    { datamodels: [[database.path, database.content]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  const res = await engine.diff({
    from: { tag: "schemaDatamodel", files: [from] },
    to: { tag: "schemaDatasource", files: [database], configDir: process.cwd() },
    script: true,
    exitCode: true,
    filters: { externalTables: request.externalTables ?? [], externalEnums: request.externalEnums ?? [] },
  });
  const out = JSON.stringify({ exitCode: res.exitCode, script: res.stdout ?? "" });
  // Exit as soon as the answer is out: pg's pool would keep the process up for its idle timeout.
  process.stdout.write(out, () => process.exit(0));
} catch (e) {
  console.error(`prisma_diff.mjs: diff failed: ${panic || e?.message || e}`);
  process.exit(1);
} finally {
  engine?.free?.();
}
