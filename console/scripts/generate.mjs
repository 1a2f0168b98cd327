// Generates the Prisma client of the console from the repository's
// prisma/schema.prisma (itself generated from the migrations by `odooops
// schema docs`) into console/generated/client. Prisma's generate never runs the
// schema engine, but its CLI insists on a binary: any existing file will do.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const consoleDir = resolve(here, "..");
const schema = readFileSync(resolve(consoleDir, "../prisma/schema.prisma"), "utf8")
  .replace('output          = "./generated/client"', `output          = "${join(consoleDir, "generated/client")}"`);
const tmp = mkdtempSync(join(tmpdir(), "console-prisma-"));
writeFileSync(join(tmp, "schema.prisma"), schema);
const dummy = join(tmp, "schema-engine");
writeFileSync(dummy, "");
execFileSync(resolve(consoleDir, "node_modules/.bin/prisma"), ["generate", "--no-hints", "--schema", join(tmp, "schema.prisma")], {
  stdio: "inherit",
  cwd: consoleDir,
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: dummy, DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://unused@localhost/unused" },
});
