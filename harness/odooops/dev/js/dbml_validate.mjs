// Parse DBML files with @dbml/core, the reference DBML parser.
// Usage: node harness/odooops/js/dbml_validate.mjs FILE...
// Prints "FILE:LINE:COLUMN: message" per error and exits 1 when any file does
// not parse; prints nothing and exits 0 when all parse; exits 2 on bad usage.
import { readFileSync } from "node:fs";
import { Parser } from "@dbml/core";

const files = process.argv.slice(2);
if (!files.length) {
  console.error("usage: dbml_validate.mjs FILE...");
  process.exit(2);
}
let failed = false;
for (const file of files) {
  try {
    new Parser().parse(readFileSync(file, "utf8"), "dbmlv2");
  } catch (e) {
    failed = true;
    for (const d of e?.diags ?? [e]) {
      const at = d.location?.start ? `${d.location.start.line}:${d.location.start.column}` : "?:?";
      console.log(`${file}:${at}: ${d.message ?? d}`);
    }
  }
}
process.exit(failed ? 1 : 0);
