import type { NextConfig } from "next";

// The console refuses to start in production with the development sign-in on:
// see lib/config.ts, imported here so `next build` and `next start` both check.
import { assertSafeConfig } from "./lib/config";

assertSafeConfig();

const config: NextConfig = {
  poweredByHeader: false,
  serverExternalPackages: ["pg", "@prisma/adapter-pg"],
  turbopack: { root: import.meta.dirname },
};

export default config;
