// The console in a real browser (playwright-core + Debian chromium, axe-core),
// against a running `next start`, a real migrated database and a real worker,
// all prepared by tests/e2e/test_console.py, which passes a JSON file:
//   {base, cookie, secret, users: {name: id}, acme: {runs: [ids]}, other: {run, scan, ghScan},
//    haystack, gate, screenshots, chromium}
// It prints one JSON object of observations on stdout; the pytest side asserts
// on them together with what the database holds. Each step has a deadline.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { SignJWT } from "jose";
import { chromium } from "playwright-core";

const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = {
  roles: {}, notFound: {}, viewer: {}, developer: {}, cancel: {}, create: {}, pages: {}, axe: {}, auth: {},
  findings: {}, members: {}, settings: {}, search: {}, workers: {},
};
const key = new TextEncoder().encode(cfg.secret);

async function token(sub, { secret = key, exp = "1h" } = {}) {
  return new SignJWT({ role: "authenticated", email: `${sub.slice(0, 8)}@example.test` })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" }).setSubject(sub).setAudience("authenticated")
    .setIssuedAt().setExpirationTime(exp).sign(secret);
}

const browser = await chromium.launch({ executablePath: cfg.chromium, args: ["--no-sandbox"] });
const url = new URL(cfg.base);

async function contextFor(userId, opts = {}) {
  const ctx = await browser.newContext({ colorScheme: opts.colorScheme ?? "light", viewport: opts.viewport ?? { width: 1200, height: 900 } });
  if (userId) {
    const value = opts.raw ?? "base64-" + Buffer.from(JSON.stringify({ access_token: await token(userId, opts), token_type: "bearer" })).toString("base64url");
    await ctx.addCookies([{ name: cfg.cookie, value, domain: url.hostname, path: "/", httpOnly: true, sameSite: "Lax" }]);
  }
  ctx.setDefaultTimeout(15000);
  return ctx;
}

async function axe(name, page) {
  const r = await new AxeBuilder({ page }).analyze();
  out.axe[name] = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) }));
}

async function projectsOf(page) {
  await page.goto(cfg.base + "/");
  return page.locator("tr[data-project]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-project")));
}

/** Reloads the page without the last post's notice, so that waiting for the next one cannot match the old. */
async function clean(page) {
  const u = new URL(page.url());
  await page.goto(cfg.base + u.pathname);
}

/** Posts a form the page does not offer (a forged request from the user's own browser), waits for the answer. */
async function forge(page, action, fields, wait = /(error|ok)=/) {
  await clean(page);
  await page.evaluate(([a, fs]) => {
    const f = document.createElement("form");
    f.method = "post"; f.action = a;
    for (const [k, v] of Object.entries(fs)) {
      const i = document.createElement("input"); i.type = "hidden"; i.name = k; i.value = v; f.append(i);
    }
    document.body.append(f); f.submit();
  }, [action, fields]);
  await page.waitForURL(wait);
  return (await page.locator("p.notice").textContent()) ?? "";
}

async function shot(page, name) {
  if (cfg.screenshots) await page.screenshot({ path: `${cfg.screenshots}/${name}.png`, fullPage: true });
}

try {
  // -- every role sees exactly its projects -----------------------------------
  for (const [name, id] of Object.entries(cfg.users)) {
    const ctx = await contextFor(id);
    out.roles[name] = await projectsOf(await ctx.newPage());
    await ctx.close();
  }

  // -- signed out, forged and expired tokens are signed out -------------------
  for (const [name, opts] of Object.entries({
    none: null,
    wrong_secret: { secret: new TextEncoder().encode("x".repeat(40)) },
    expired: { exp: Math.floor(Date.now() / 1000) - 60 },
    bare_jwt: { raw: await token(cfg.users.owner) },
  })) {
    const ctx = await contextFor(opts ? cfg.users.owner : null, opts ?? {});
    const page = await ctx.newPage();
    await page.goto(cfg.base + "/projects/acme");
    out.auth[name] = new URL(page.url()).pathname;
    if (name === "none") await axe("sign-in", page);
    await ctx.close();
  }

  // -- another tenant's URLs answer as unknown ones ---------------------------
  {
    const ctx = await contextFor(cfg.users.outsider);
    const page = await ctx.newPage();
    const paths = {
      other_project: "/projects/acme",
      other_run: `/projects/acme/runs/${cfg.acme.runs[0]}`,
      other_run_under_own_project: `/projects/other/runs/${cfg.acme.runs[0]}`,
      other_logs: `/projects/acme/runs/${cfg.acme.runs[0]}/logs`,
      unknown_project: "/projects/no-such-project",
      unknown_run: "/projects/acme/runs/00000000-0000-4000-8000-000000000000",
      own_run: `/projects/other/runs/${cfg.other.run}`,
    };
    for (const [name, path] of Object.entries(paths)) {
      const r = await page.goto(cfg.base + path);
      out.notFound[name] = { status: r.status(), h1: await page.locator("h1").first().textContent().catch(() => null) };
    }
    await page.goto(cfg.base + "/projects/no-such-project");
    await axe("not-found", page);
    await ctx.close();
  }

  // -- the viewer: no buttons, and a forged cancel is refused by the database --
  {
    const ctx = await contextFor(cfg.users.viewer);
    const page = await ctx.newPage();
    await page.goto(cfg.base + "/projects/acme");
    out.viewer.role = await page.getByTestId("role").textContent();
    out.viewer.projectButtons = await page.locator("main button").evaluateAll((b) => b.map((x) => x.textContent));
    await page.goto(cfg.base + `/projects/acme/runs/${cfg.acme.runs[0]}`);
    out.viewer.runButtons = await page.locator("main button").evaluateAll((b) => b.map((x) => x.textContent));
    // The form a developer would post, posted by the viewer's browser.
    await page.evaluate(async (action) => {
      const f = document.createElement("form");
      f.method = "post"; f.action = action; document.body.append(f); f.submit();
    }, `/projects/acme/runs/${cfg.acme.runs[0]}/cancel`);
    await page.waitForURL(/error=/);
    out.viewer.forgedCancel = await page.locator("p.notice.error").textContent();
    await axe("run-viewer", page);
    // From a page without a notice, so that the wait below sees this post's answer, not the last one's.
    await page.goto(cfg.base + "/projects/acme");
    await page.evaluate(async (action) => {
      const f = document.createElement("form");
      f.method = "post"; f.action = action;
      for (const [k, v] of Object.entries({ workflow: "build", branch: "main", commit_sha: "abcdef1" })) {
        const i = document.createElement("input"); i.name = k; i.value = v; f.append(i);
      }
      document.body.append(f); f.submit();
    }, "/projects/acme/runs/new");
    await page.waitForURL(/\/projects\/acme\?(.*&)?error=/);
    out.viewer.forgedRun = await page.locator("p.notice.error").textContent();
    await ctx.close();
  }

  // -- the queue: the owner sees why acme's runs wait, the viewer sees none ------
  for (const who of ["owner", "viewer"]) {
    const ctx = await contextFor(cfg.users[who]);
    const page = await ctx.newPage();
    await page.goto(cfg.base + "/queue");
    out.pages[`queue_${who}`] = await page.locator("tr[data-queued]").evaluateAll((rows) =>
      rows.map((r) => ({ run: r.getAttribute("data-queued"), why: r.querySelector(".wait").textContent })));
    if (who === "owner") await axe("queue", page);
    await ctx.close();
  }

  // -- keyset pagination: every run once, newest first -------------------------
  {
    const ctx = await contextFor(cfg.users.owner);
    const page = await ctx.newPage();
    const t0 = Date.now();
    await page.goto(cfg.base + "/projects/acme?workflow=history");
    const seen = [];
    for (let i = 0; i < 20; i++) {
      seen.push(...(await page.locator("tr[data-run]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-run")))));
      const next = page.getByRole("link", { name: "Older runs" });
      if ((await next.count()) === 0) break;
      await page.goto(new URL(await next.getAttribute("href"), cfg.base).href);
    }
    out.pages.history = seen;
    out.pages.historyMs = Date.now() - t0;
    await page.goto(cfg.base + "/projects/acme?status=canceled&workflow=history");
    out.pages.canceled = await page.locator("tr[data-run]").count();
    await ctx.close();
  }

  // -- the developer queues a build, follows its logs live, sees it succeed ----
  {
    const ctx = await contextFor(cfg.users.developer);
    const page = await ctx.newPage();
    await page.goto(cfg.base + "/projects/acme");
    await axe("project", page);
    await shot(page, "project");
    const form = page.locator("form", { has: page.getByRole("button", { name: "Queue run" }) });
    await form.getByLabel("Workflow").selectOption("build");
    await form.getByLabel("Commit").fill(cfg.commit);
    await form.getByRole("button", { name: "Queue run" }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}/);
    out.developer.runId = page.url().split("/runs/")[1].split("?")[0];
    const log = page.getByTestId("log");
    await log.locator(".msg", { hasText: /^waiting for the gate$/ }).waitFor({ timeout: 60000 });
    out.developer.ansi = await log.locator(".ansi-32", { hasText: "green" }).count();
    writeFileSync(cfg.gate, "open");
    const t = Date.now();
    await log.locator(".msg", { hasText: /^through the gate$/ }).waitFor({ timeout: 30000 });
    out.developer.liveLineMs = Date.now() - t;
    out.developer.reloaded = false;
    await page.getByTestId("run-status").filter({ hasText: /succeeded|failed|canceled/ }).waitFor({ timeout: 60000 });
    out.developer.status = await page.getByTestId("run-status").textContent();
    await page.locator("tr[data-artifact]").first().waitFor();
    out.developer.artifacts = await page.locator("tr[data-artifact]").evaluateAll((rows) =>
      rows.map((r) => ({ key: r.getAttribute("data-artifact"), sha256: r.cells[3].textContent })));
    out.developer.download = [];
    for (const href of await page.locator("tr[data-artifact] a[download]").evaluateAll((l) => l.map((a) => a.getAttribute("href")))) {
      const r = await page.request.get(cfg.base + href);
      out.developer.download.push({ status: r.status(), sha256: createHash("sha256").update(await r.body()).digest("hex") });
      out.developer.artifactHref = href;
    }
    out.developer.events = await page.locator("li[data-event]").evaluateAll((li) => li.map((l) => l.getAttribute("data-event")));
    await page.getByLabel("Level").selectOption("warning");
    await page.waitForFunction(() => !document.querySelector('[data-testid="log"] .lvl-info'));
    out.developer.warningLines = await log.locator(".line[data-seq]").evaluateAll((l) => l.map((x) => x.className));
    await page.getByLabel("Level").selectOption("debug");
    await log.locator(".lvl-info").first().waitFor();
    await axe("run", page);
    await shot(page, "run");
    out.developer.buttons = await page.locator("main button").evaluateAll((b) => b.map((x) => x.textContent));

    // -- cancel from the console ends a running build --------------------------
    await page.goto(cfg.base + "/projects/acme");
    await form.getByLabel("Workflow").selectOption("hang");
    await form.getByLabel("Commit").fill(cfg.commit);
    await form.getByRole("button", { name: "Queue run" }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}/);
    out.cancel.runId = page.url().split("/runs/")[1].split("?")[0];
    await page.getByTestId("log").locator(".msg", { hasText: /^hanging$/ }).waitFor({ timeout: 60000 });
    await page.getByRole("button", { name: "Cancel run" }).click();
    await page.waitForURL(/ok=/);
    out.cancel.notice = await page.locator("p.notice.ok").textContent();
    await page.getByTestId("run-status").filter({ hasText: "canceled" }).waitFor({ timeout: 30000 });
    out.cancel.status = await page.getByTestId("run-status").textContent();

    // -- branches by stage, each with its newest build --------------------------
    await page.goto(cfg.base + "/projects/acme");
    out.branches = await page.locator("section[data-stage] li[data-branch]").evaluateAll((li) =>
      li.map((l) => ({
        stage: l.closest("section[data-stage]").getAttribute("data-stage"),
        branch: l.getAttribute("data-branch"),
        run: l.getAttribute("data-run"),
        status: l.querySelector(".badge")?.textContent ?? null,
      })));
    await ctx.close();
  }

  // -- the outsider cannot download it ------------------------------------------
  {
    const ctx = await contextFor(cfg.users.outsider);
    out.notFound.other_artifact = { status: (await ctx.request.get(cfg.base + out.developer.artifactHref)).status() };
    await ctx.close();
  }

  // -- the owner creates a project; a bad slug is refused with the field named --
  {
    const ctx = await contextFor(cfg.users.owner);
    const page = await ctx.newPage();
    await page.goto(cfg.base + "/");
    await axe("projects", page);
    const form = page.locator("form", { has: page.getByRole("button", { name: "Create project" }) });
    await form.getByLabel("Slug").fill("fresh-one");
    await form.getByLabel("Name").fill("Fresh one");
    await form.getByLabel("Repository URL").fill("https://github.com/example/fresh-one.git");
    await form.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/\/projects\/fresh-one/);
    out.create.role = await page.getByTestId("role").textContent();
    await page.goto(cfg.base + "/");
    await form.getByLabel("Slug").fill("fresh-one");
    await form.getByLabel("Name").fill("Twice");
    await form.getByLabel("Repository URL").fill("https://github.com/example/fresh-one.git");
    await form.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/error=/);
    out.create.duplicate = await page.locator("p.notice.error").textContent();
    await page.goto(cfg.base + "/");
    await shot(page, "projects");
    await ctx.close();
  }

  // -- upgrade findings of a run, by advisory and pylint message ---------------
  {
    const ctx = await contextFor(cfg.users.outsider);
    const page = await ctx.newPage();
    await page.goto(cfg.base + `/projects/other/runs/${cfg.other.scan}`);
    out.findings.sections = await page.locator("section[data-source]").evaluateAll((secs) => secs.map((s) => ({
      source: s.getAttribute("data-source"),
      groups: [...s.querySelectorAll("details[data-code]")].map((d) => ({
        code: d.getAttribute("data-code"),
        severity: d.querySelector("summary .badge").textContent,
        toSeries: d.querySelector("[data-to-series]")?.getAttribute("data-to-series") ?? null,
        count: Number(d.querySelector("[data-count]").getAttribute("data-count")),
        findings: [...d.querySelectorAll("li[data-finding]")].map((li) => ({
          where: li.getAttribute("data-finding"), href: li.querySelector("a")?.getAttribute("href") ?? null,
          excerpt: li.querySelector("pre")?.textContent ?? "",
        })),
      })),
    })));
    await axe("run-findings", page);
    await shot(page, "run-findings");
    await ctx.close();
  }

  // -- GitHub blob links on another project's findings --------------------------
  {
    const ctx = await contextFor(cfg.users.outsider);
    const page = await ctx.newPage();
    await page.goto(cfg.base + `/projects/gh/runs/${cfg.other.ghScan}`);
    out.findings.github = Object.fromEntries(await page.locator("li[data-finding]").evaluateAll((li) =>
      li.map((l) => [l.getAttribute("data-finding"), l.querySelector("a")?.getAttribute("href") ?? null])));
    // The outsider searching acme's long log: the run is not theirs.
    out.search.otherTenant = (await page.goto(cfg.base + `/projects/acme/runs/${cfg.haystack}?q=needle`)).status();
    await ctx.close();
  }

  // -- log search: every line of the run, in the database ------------------------
  {
    const ctx = await contextFor(cfg.users.viewer);
    const page = await ctx.newPage();
    const run = cfg.base + `/projects/acme/runs/${cfg.haystack}`;
    await page.goto(run);
    const log = page.getByTestId("log");
    await log.locator(".line[data-seq]").first().waitFor();
    out.search.loaded = await log.locator(".line[data-seq]").evaluateAll((l) => l.map((x) => x.getAttribute("data-seq")));
    await page.getByLabel("Search all lines").fill("NEEDLE");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL(/[?&]q=NEEDLE/);
    out.search.summary = await page.getByTestId("search-summary").textContent();
    out.search.found = await page.getByTestId("search-results").locator(".line[data-seq]").evaluateAll((l) =>
      l.map((x) => x.getAttribute("data-seq")));
    await axe("run-search", page);
    await shot(page, "run-search");
    await page.goto(run + "?q=" + encodeURIComponent("no such text"));
    out.search.none = await page.getByTestId("search-summary").textContent();
    await page.goto(run + "?q=" + "x".repeat(201));
    out.search.tooLong = await page.getByTestId("search-error").textContent();
    await ctx.close();
  }

  // -- workers: installation operators only ----------------------------------------
  {
    const ctx = await contextFor(cfg.users.operator);
    const page = await ctx.newPage();
    await page.goto(cfg.base + "/");
    out.workers.operatorNav = (await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workers" }).count()) === 1;
    await page.goto(cfg.base + "/workers");
    await page.locator("tr[data-worker]").first().waitFor();
    out.workers.rows = await page.locator("tr[data-worker]").evaluateAll((rows) => rows.map((r) => ({
      id: r.getAttribute("data-worker"), gone: r.getAttribute("data-gone"),
      labels: r.querySelector("[data-labels]").getAttribute("data-labels"),
      version: r.querySelector("[data-version]").getAttribute("data-version"),
      host: r.querySelector("[data-host]").getAttribute("data-host"),
    })));
    await axe("workers", page);
    await shot(page, "workers");
    await ctx.close();
  }
  {
    const ctx = await contextFor(cfg.users.owner);
    const page = await ctx.newPage();
    await page.goto(cfg.base + "/");
    out.workers.ownerNav = (await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workers" }).count()) === 1;
    out.workers.ownerStatus = (await page.goto(cfg.base + "/workers")).status();
    out.workers.ownerH1 = await page.locator("h1").first().textContent();
    await ctx.close();
  }

  // -- members: the viewer reads, the owner manages, the database decides -------
  {
    const ctx = await contextFor(cfg.users.viewer);
    const page = await ctx.newPage();
    await page.goto(cfg.base + "/projects/acme/members");
    out.members.viewerList = await page.locator("tr[data-member]").evaluateAll((r) =>
      r.map((x) => [x.getAttribute("data-member"), x.getAttribute("data-role")]));
    out.members.viewerButtons = await page.locator("main button").count();
    out.members.viewerForgedAdd = await forge(page, "/projects/acme/members/add", { user_id: cfg.users.outsider, role: "viewer" });
    out.members.viewerForgedRemove = await forge(page, "/projects/acme/members/remove", { user_id: cfg.users.developer });
    await ctx.close();
  }
  {
    const ctx = await contextFor(cfg.users.owner);
    const page = await ctx.newPage();
    await page.goto(cfg.base + "/projects/acme/members");
    await axe("members", page);
    await shot(page, "members");
    const add = page.locator("form", { has: page.getByRole("button", { name: "Add member" }) });
    await add.getByLabel("User id").fill(cfg.users.outsider);
    await add.getByLabel("Role").selectOption("viewer");
    await add.getByRole("button", { name: "Add member" }).click();
    await page.waitForURL(/ok=/);
    out.members.added = await page.locator("p.notice").textContent();
    out.members.afterAdd = await page.locator("tr[data-member]").evaluateAll((r) =>
      r.map((x) => [x.getAttribute("data-member"), x.getAttribute("data-role")]));
    await clean(page);
    const row = page.locator(`tr[data-member="${cfg.users.outsider}"]`);
    await row.getByLabel(`Role of ${cfg.users.outsider}`).selectOption("developer");
    await row.getByRole("button", { name: "Change role" }).click();
    await page.waitForURL(/ok=/);
    out.members.changed = await page.locator("p.notice").textContent();
    out.members.outsiderRole = await page.locator(`tr[data-member="${cfg.users.outsider}"]`).getAttribute("data-role");
    await clean(page);
    await page.locator(`tr[data-member="${cfg.users.outsider}"]`).getByRole("button", { name: "Remove" }).click();
    await page.waitForURL(/ok=/);
    out.members.removed = await page.locator("p.notice").textContent();
    await clean(page);
    await page.locator(`tr[data-member="${cfg.users.owner}"]`).getByRole("button", { name: "Remove" }).click();
    await page.waitForURL(/error=/);
    out.members.lastOwner = await page.locator("p.notice.error").textContent();
    out.members.badId = await forge(page, "/projects/acme/members/add", { user_id: "nope", role: "viewer" });
    out.members.final = await page.locator("tr[data-member]").evaluateAll((r) =>
      r.map((x) => [x.getAttribute("data-member"), x.getAttribute("data-role")]));
    await ctx.close();
  }

  // -- settings: secrets by name, values write-only; how to connect webhooks ---
  {
    const ctx = await contextFor(cfg.users.owner);
    const page = await ctx.newPage();
    await page.goto(cfg.base + "/projects/acme/settings");
    const set = async (name, stage, value) => {
      await clean(page);
      const form = page.locator("form", { has: page.getByRole("button", { name: "Set secret" }) });
      await form.getByLabel("Name").fill(name);
      await form.getByLabel("Stage").selectOption(stage);
      await form.getByLabel("Value").fill(value);
      await form.getByRole("button", { name: "Set secret" }).click();
      await page.waitForURL(/ok=|error=/);
      return page.locator("p.notice").textContent();
    };
    out.settings.set = [
      await set("API_TOKEN", "", cfg.secretValues[0]),
      await set("DB_PASSWORD", "staging", cfg.secretValues[1]),
      await set("API_TOKEN", "", cfg.secretValues[2]),
    ];
    out.settings.valueInput = await page.getByLabel("Value").evaluate((i) => [i.type, i.value]);
    out.settings.list = await page.locator("tr[data-secret]").evaluateAll((r) =>
      r.map((x) => [x.getAttribute("data-secret"), x.getAttribute("data-stage")]));
    out.settings.html = await page.content();
    await axe("settings", page);
    await shot(page, "settings");
    await clean(page);
    await page.getByRole("button", { name: "Delete DB_PASSWORD (staging)" }).click();
    await page.waitForURL(/ok=/);
    out.settings.deleted = await page.locator("p.notice").textContent();
    out.settings.badName = await forge(page, "/projects/acme/settings/secrets/set", { name: "bad-name", value: "x" });
    out.settings.webhooks = await page.getByTestId("webhooks").textContent();
    out.settings.after = await page.locator("tr[data-secret]").evaluateAll((r) =>
      r.map((x) => [x.getAttribute("data-secret"), x.getAttribute("data-stage")]));
    await ctx.close();
  }
  {
    const ctx = await contextFor(cfg.users.viewer);
    const page = await ctx.newPage();
    await page.goto(cfg.base + "/projects/acme/settings");
    out.settings.viewerList = await page.locator("tr[data-secret]").evaluateAll((r) => r.map((x) => x.getAttribute("data-secret")));
    out.settings.viewerButtons = await page.locator("main button").count();
    out.settings.viewerForged = await forge(page, "/projects/acme/settings/secrets/set", { name: "API_TOKEN", value: "viewer-was-here" });
    out.settings.viewerForgedDelete = await forge(page, "/projects/acme/settings/secrets/delete", { name: "API_TOKEN" });
    await ctx.close();
  }

  // -- dark mode and a phone ----------------------------------------------------
  {
    const ctx = await contextFor(cfg.users.developer, { colorScheme: "dark", viewport: { width: 390, height: 844 } });
    const page = await ctx.newPage();
    await page.goto(cfg.base + `/projects/acme/runs/${out.developer.runId}`);
    await page.getByTestId("log").locator(".lvl-info").first().waitFor();
    out.pages.phoneOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    out.pages.darkBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await axe("run-dark-phone", page);
    await shot(page, "run-dark-phone");
    // Keyboard: the first Tab reaches the skip link, then the header links.
    await page.keyboard.press("Tab");
    out.pages.firstTab = await page.evaluate(() => document.activeElement?.textContent);
    await ctx.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + "\n");
