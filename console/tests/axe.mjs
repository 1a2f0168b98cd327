// axe-core on given pages of a running console, each as a given user:
//   node tests/axe.mjs config.json
//   {chromium, base, cookie: name, pages: [{name, path, session, colorScheme?}]}
// `session` is the cookie value (the @supabase/ssr form). Prints
// {name: [{id, impact, nodes}]} of the serious and critical violations, and
// {name: {status, text}} of what each page showed, as one JSON object.
import { readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { chromium } from "playwright-core";

const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const url = new URL(cfg.base);
const browser = await chromium.launch({ executablePath: cfg.chromium, args: ["--no-sandbox"] });
const out = { axe: {}, pages: {} };
try {
  for (const p of cfg.pages) {
    const ctx = await browser.newContext({ colorScheme: p.colorScheme ?? "light" });
    ctx.setDefaultTimeout(15000);
    await ctx.addCookies([{ name: cfg.cookie, value: p.session, domain: url.hostname, path: "/", httpOnly: true, sameSite: "Lax" }]);
    const page = await ctx.newPage();
    const answer = await page.goto(cfg.base + p.path);
    out.pages[p.name] = { status: answer?.status() ?? 0, text: (await page.locator("main").innerText()).slice(0, 4000) };
    const r = await new AxeBuilder({ page }).analyze();
    out.axe[p.name] = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) }));
    await ctx.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
