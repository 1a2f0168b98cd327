// Prisma 7 configuration for the OdooOps console.
//
// The connection URL lives here, not in schema.prisma (Prisma 7 refuses `url`
// in the datasource block). It is read with process.env rather than Prisma's
// env() helper, which throws when the variable is unset: validate and
// generate need no database.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "schema.prisma",
  datasource: {
    url: process.env.DATABASE_URL ?? "",
  },
});
