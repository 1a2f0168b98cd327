"""The console (`console/`, Next.js) in a real browser against a real migrated
database and a real worker: tenancy by row-level security, the roles' buttons,
a forged request refused by the database, live logs, cancel, keyset pages and
axe-core. The Playwright side is `console/tests/e2e.mjs` (playwright-core with
Debian's chromium); it reports what it saw as JSON and the assertions are here,
next to what the database holds. The console is built once per session
(`next build`, about 20 s) and served with `next start` on a free port."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import urllib.request
import uuid
from pathlib import Path

import pytest
from psycopg.types.json import Jsonb

from tests.conftest import ROOT, connect, wait_for

from .conftest import CHROMIUM, CONSOLE, step
from .conftest import free_port as _free_port
from .conftest import node_env as _node_env

# Screenshots of the main pages: into docs/console/ (shown in the README) with
# ODOOOPS_CONSOLE_SCREENSHOTS=1, else into the test's temporary directory, so a
# test run leaves the tree as it was.
DOCS_SCREENSHOTS = ROOT / "docs" / "console"
COOKIE = "sb-local-auth-token"
USERS = {name: str(uuid.uuid4()) for name in ("owner", "developer", "viewer", "outsider", "operator")}
HISTORY_RUNS = 130  # three pages of 50
OTHER_REPO = "https://gitlab.com/example/other.git"
GH_REPO = "https://github.com/example/gh.git"
HAYSTACK_LINES = 3000  # more than the 500 lines the run page loads
SCAN_SHA = "5" * 40
# The secrets the owner sets (the last rotates the first): never on any page.
SECRET_VALUES = [f"value-{secrets.token_hex(8)}" for _ in range(3)]
# For the screenshots, the worker's directories (printed in its log lines) live
# under a fixed, neutral path instead of pytest's per-user temporary one.
SCREENSHOT_TMP = Path("/tmp/odooops")


def _screenshots() -> bool:
    return os.environ.get("ODOOOPS_CONSOLE_SCREENSHOTS") == "1"


@pytest.fixture
def tmp_path(tmp_path_factory):
    """The `ops` fixture's directory: pytest's, or SCREENSHOT_TMP when taking screenshots for the docs."""
    if not _screenshots():
        yield tmp_path_factory.mktemp("console")
        return
    shutil.rmtree(SCREENSHOT_TMP, ignore_errors=True)
    SCREENSHOT_TMP.mkdir()
    yield SCREENSHOT_TMP
    shutil.rmtree(SCREENSHOT_TMP, ignore_errors=True)


def _as_user(conn, user: str, query: str, params: tuple = ()):
    with conn.transaction():
        conn.execute("set local role authenticated")
        conn.execute("select set_config('request.jwt.claims', %s, true)",
                     (json.dumps({"sub": USERS[user], "role": "authenticated"}),))
        return conn.execute(query, params).fetchall()


def _seed(ops) -> dict:
    """Five users; `acme` (owner, developer, viewer) with a build, a hang and a
    history workflow; `other` (GitLab) and `gh` (GitHub) of the outsider, each with an
    upgrade scan; an operator of the installation who is a member of nothing.
    Everything as the users, but the seeded log lines and the operator."""
    with connect(ops.db, "postgres") as c:
        for name, uid in USERS.items():
            c.execute("insert into auth.users (id, aud, role, email) values (%s, 'authenticated', 'authenticated', %s)",
                      (uid, f"{name}@example.test"))
        acme = _as_user(c, "owner", "select id from ops.create_project('acme', 'Acme ERP', '17.0', %s)",
                        (ops.repo_url,))[0][0]
        workflows = {
            "build": [step("build", "printf '\\033[32mgreen\\033[0m and plain\\n'; echo 'WARNING: a warning';"
                                    " echo 'waiting for the gate';"
                                    f" while [ ! -f '{ops.tmp / 'gate'}' ]; do sleep 0.05; done;"
                                    " echo 'through the gate'; echo report > report.txt",
                           artifacts=["report.txt"])],
            "hang": [step("hang", "echo hanging; while :; do sleep 0.1; done")],
            "history": [step("noop", "true")],
        }
        for wf, steps in workflows.items():
            _as_user(c, "owner", "insert into ops.workflows (project_id, name, steps, supersede, required_labels,"
                     " lease_seconds) values (%s, %s, %s, 'none', %s, 10) returning id",
                     (acme, wf, Jsonb(steps), ["nowhere"] if wf == "history" else []))
        _as_user(c, "owner", "insert into ops.project_memberships (project_id, user_id, role) values"
                 " (%s, %s, 'developer'), (%s, %s, 'viewer') returning id",
                 (acme, USERS["developer"], acme, USERS["viewer"]))
        # One transaction: every history run has the same created_at, so the pages
        # must break ties on id.
        history = [r[0] for r in _as_user(
            c, "developer", "select (ops.enqueue_run('acme', 'history', 'main', %s)).id::text"
            " from generate_series(1, %s)", (ops.commit, HISTORY_RUNS))]
        # The newest run stays queued (the viewer's forged cancel aims at it); ten others end canceled.
        newest = c.execute("select id::text from ops.runs where project_id = %s order by created_at desc, id desc"
                           " limit 1", (acme,)).fetchone()[0]
        c.execute("set role service_role")
        for run_id in [r for r in history if r != newest][:10]:
            c.execute("select ops.cancel_run(%s, 'seeded')", (run_id,))
        c.execute("reset role")
        # `other` is on GitLab (its runs never reach a worker): findings link to its blob URLs.
        other = _as_user(c, "outsider", "select id from ops.create_project('other', 'Other', '17.0', %s)",
                         (OTHER_REPO,))[0][0]
        _as_user(c, "outsider", "insert into ops.workflows (project_id, name, steps, required_labels)"
                 " values (%s, 'history', %s, '{nowhere}') returning id", (other, Jsonb([step("noop", "true")])))
        other_run = _as_user(c, "outsider", "select (ops.enqueue_run('other', 'history', 'main', %s)).id::text",
                             (ops.commit,))[0][0]
        # An upgrade scan of `other` and one of `gh`, held by a scanner that stores their findings through the
        # worker RPC (the only queued runs no label keeps back; the test's worker starts after this).
        _as_user(c, "outsider", "insert into ops.workflows (project_id, name, steps, lease_seconds)"
                 " values (%s, 'scan', %s, 600) returning id", (other, Jsonb([step("noop", "true")])))
        scan = _as_user(c, "outsider", "select (ops.enqueue_run('other', 'scan', 'main', %s)).id::text",
                        (SCAN_SHA,))[0][0]
        c.execute("set role service_role")
        assert c.execute("select id::text from ops.claim_next_run('seed-scanner')").fetchone()[0] == scan
        codes = [r[0] for r in c.execute("select code from ops.upgrade_advisories order by code limit 2")]
        c.execute("reset role")
        # `gh` is on GitHub: its scan's findings link to GitHub's blob URLs.
        gh = _as_user(c, "outsider", "select id from ops.create_project('gh', 'On GitHub', '17.0', %s)",
                      (GH_REPO,))[0][0]
        _as_user(c, "outsider", "insert into ops.workflows (project_id, name, steps, lease_seconds)"
                 " values (%s, 'scan', %s, 600) returning id", (gh, Jsonb([step("noop", "true")])))
        gh_scan = _as_user(c, "outsider", "select (ops.enqueue_run('gh', 'scan', 'main', %s)).id::text",
                           (SCAN_SHA,))[0][0]
        c.execute("set role service_role")
        assert c.execute("select id::text from ops.claim_next_run('seed-scanner')").fetchone()[0] == gh_scan
        findings = [
            {"source": "upgrade-scan", "code": codes[0], "file": "addons/a/models/sale.py", "line": 12, "column": 5,
             "excerpt": "    old_call(self)"},
            {"source": "upgrade-scan", "code": codes[0], "file": "addons/a/models/sale.py", "line": 40, "column": 1,
             "excerpt": "old_call()"},
            {"source": "upgrade-scan", "code": codes[1], "file": "addons/b/views/x.xml", "line": 7, "column": 3,
             "excerpt": "<tree string=\"x\">"},
            {"source": "pylint-odoo", "code": "manifest-required-author", "severity": "error",
             "file": "addons/b/__manifest__.py", "line": 3, "column": 1, "message": "One of the following authors"},
        ]
        assert c.execute("select ops.add_upgrade_findings(%s, %s, 'seed-scanner')",
                         (scan, Jsonb(findings))).fetchone()[0] == len(findings)
        assert c.execute("select ops.add_upgrade_findings(%s, %s, 'seed-scanner')",
                         (gh_scan, Jsonb(findings[::3]))).fetchone()[0] == 2
        c.execute("reset role")
        # A long log on a queued history run: two needles, one far before the lines the page loads.
        haystack = [r for r in history if r != newest][-1]
        c.execute("insert into ops.run_logs (run_id, seq, level, message) select %s, s, 'info',"
                  " case s when 7 then 'the needle in the haystack' when 2990 then 'another NEEDLE near the end'"
                  " else 'line ' || s end from generate_series(1, %s) as s", (haystack, HAYSTACK_LINES))
        c.execute("insert into ops.installation_operators (user_id) values (%s)", (USERS["operator"],))
    return {"history": history, "newest": newest, "other_run": other_run, "scan": scan, "gh_scan": gh_scan,
            "haystack": haystack}


@pytest.fixture
def console(ops, console_build):
    """`next start` on a free port, reading the test's database as `authenticator`."""
    port = _free_port()
    log = open(ops.tmp / "console.log", "w")
    db_url = ops.db.url("authenticator") if ops.db.cluster is not None else ops.db.url("postgres")
    env = _node_env(ODOOOPS_CONSOLE_DATABASE_URL=db_url, SUPABASE_JWT_SECRET=secrets.token_urlsafe(32),
                    ODOOOPS_CONSOLE_ARTIFACT_ROOTS=(ops.tmp / "artifacts").as_uri() + "/")
    p = subprocess.Popen([str(CONSOLE / "node_modules" / ".bin" / "next"), "start", "-p", str(port), "-H", "127.0.0.1"],
                         cwd=CONSOLE, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            with urllib.request.urlopen(base + "/sign-in", timeout=5) as r:
                return r.status == 200
        except OSError:
            return p.poll() is not None  # ended: reported below

    try:
        wait_for(up, 60, interval=0.2, what="next start to answer")
        assert p.poll() is None, (ops.tmp / "console.log").read_text()
        yield {"base": base, "secret": env["SUPABASE_JWT_SECRET"]}
    finally:
        p.terminate()
        p.wait(10)


def test_the_console_in_a_browser(ops, console):
    seed = _seed(ops)
    gate = ops.tmp / "gate"
    ops.worker("--heartbeat-interval", "0.2", "--kill-grace", "1")
    shots = DOCS_SCREENSHOTS if _screenshots() else ops.tmp / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    cfg = ops.tmp / "e2e.json"
    cfg.write_text(json.dumps({
        **console, "cookie": COOKIE, "users": USERS, "acme": {"runs": [seed["newest"]]},
        "other": {"run": seed["other_run"], "scan": seed["scan"], "ghScan": seed["gh_scan"]},
        "haystack": seed["haystack"],
        "secretValues": SECRET_VALUES, "gate": str(gate), "commit": ops.commit,
        "screenshots": str(shots), "chromium": CHROMIUM,
    }))
    r = subprocess.run(["node", "tests/e2e.mjs", str(cfg)], cwd=CONSOLE, env=_node_env(), capture_output=True,
                       text=True, timeout=420)
    assert r.returncode == 0, r.stderr[-4000:] + (ops.tmp / "console.log").read_text()[-3000:]
    seen = json.loads(r.stdout.strip().splitlines()[-1])
    (ops.tmp / "seen.json").write_text(json.dumps(seen, indent=1))

    # Each role sees exactly its projects (fresh-one is created later, by the owner).
    assert seen["roles"] == {"owner": ["acme"], "developer": ["acme"], "viewer": ["acme"], "outsider": ["gh", "other"],
                             "operator": []}
    # No cookie, a token signed with another secret, an expired one: signed out. A bare JWT is accepted.
    assert seen["auth"] == {"none": "/sign-in", "wrong_secret": "/sign-in", "expired": "/sign-in",
                            "bare_jwt": "/projects/acme"}
    # Another tenant's project, run or logs answer exactly as unknown ones.
    nf = seen["notFound"]
    assert nf.pop("own_run")["status"] == 200
    assert {k: v["status"] for k, v in nf.items()} == dict.fromkeys(nf, 404)
    assert len({v["h1"] for k, v in nf.items() if k not in ("other_logs", "other_artifact")}) == 1

    # The viewer has no action button, and the database refuses the forged posts.
    assert seen["viewer"]["role"] == "viewer"
    assert "Queue run" not in seen["viewer"]["projectButtons"]
    assert not {"Cancel run", "Rebuild"} & set(seen["viewer"]["runButtons"])
    assert "Refused by the database" in seen["viewer"]["forgedCancel"] and "42501" in seen["viewer"]["forgedCancel"]
    assert "Refused by the database" in seen["viewer"]["forgedRun"] and "42501" in seen["viewer"]["forgedRun"]
    assert ops.run(seed["newest"])["cancel_requested_at"] is None
    assert ops.run(seed["newest"])["status"] == "queued"

    # The queue: an owner sees every queued run of acme with why it waits (no worker offers `nowhere`); a viewer none.
    ended = {r[0] for r in ops.all("select id::text from ops.runs where status <> 'queued'")}
    queued = set(seed["history"]) - ended
    assert len(queued) == HISTORY_RUNS - 10
    assert {q["run"] for q in seen["pages"]["queue_owner"]} == queued
    assert all("nowhere" in q["why"] for q in seen["pages"]["queue_owner"]), seen["pages"]["queue_owner"][:3]
    assert seen["pages"]["queue_viewer"] == []

    # Keyset pages: every history run exactly once, in (created_at, id) descending order.
    expected = [r[0] for r in ops.all("select r.id::text from ops.runs r join ops.workflows w on w.id = r.workflow_id"
                                      " where w.name = 'history' and r.project_id = (select id from ops.projects"
                                      " where slug = 'acme') order by r.created_at desc, r.id desc")]
    assert len(expected) == HISTORY_RUNS
    assert seen["pages"]["history"] == expected
    assert seen["pages"]["canceled"] == 10

    # A build queued from the console ran on the worker; its lines came without a reload.
    dev = seen["developer"]
    run = ops.run(dev["runId"])
    assert run["created_by"] == uuid.UUID(USERS["developer"])
    assert dev["status"] == "succeeded" == run["status"]
    assert dev["ansi"] == 1, "the green ANSI span"
    assert dev["liveLineMs"] < 5000
    artifacts = ops.all("select artifact_key, sha256, storage_url from ops.run_artifacts where run_id = %s",
                        (dev["runId"],))
    assert [(a["key"], a["sha256"]) for a in dev["artifacts"]] == [(k, s) for k, s, _ in artifacts]
    stored = Path(artifacts[0][2].removeprefix("file://"))
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == artifacts[0][1]
    assert dev["download"] == [{"status": 200, "sha256": artifacts[0][1]}], "downloaded from the store, same bytes"
    assert dev["events"] == [e[1] for e in ops.events(dev["runId"])]
    assert dev["warningLines"] and all("lvl-warning" in c or "lvl-error" in c for c in dev["warningLines"])
    assert "Rebuild" in dev["buttons"]
    # Branches by stage: main is acme's production branch (create_project made it), its newest build the
    # canceled one; the other tenant's branch of the same name is not there.
    assert seen["branches"] == [{"stage": "production", "branch": "main", "run": seen["cancel"]["runId"],
                                 "status": "canceled"}]

    # Cancel from the console ended the running build.
    cancel = ops.run(seen["cancel"]["runId"])
    assert seen["cancel"]["status"] == "canceled" == cancel["status"]
    assert cancel["cancel_reason"] == "canceled from the console"

    # Created through ops.create_project: the creator owns it; a second one with the slug is refused.
    assert seen["create"]["role"] == "owner"
    assert "(SQLSTATE 23505)" in seen["create"]["duplicate"] and "p_slug 'fresh-one'" in seen["create"]["duplicate"]
    assert ops.one("select count(*) from ops.projects where slug = 'fresh-one'")[0] == 1

    # A place people like to be: no serious or critical axe violation anywhere, a phone, dark mode, keyboard.
    assert seen["axe"] and all(v == [] for v in seen["axe"].values()), seen["axe"]
    assert seen["pages"]["phoneOverflow"] <= 0
    assert seen["pages"]["darkBackground"] == "rgb(13, 17, 23)"
    assert seen["pages"]["firstTab"] == "Skip to content"
    assert sorted(p.name for p in shots.glob("*.png")) == [
        "members.png", "project.png", "projects.png", "run-dark-phone.png", "run-findings.png", "run-search.png",
        "run.png", "settings.png", "workers.png"]

    # Upgrade findings: one group per (source, code) with the database's counts, each finding file:line linked
    # to GitLab's blob at the run's commit, pylint-odoo in its own section.
    rows = ops.all("select source, code, severity, file, line, excerpt from ops.upgrade_findings where run_id = %s"
                   " order by source, code, file, line", (seed["scan"],))
    sections = {s["source"]: s["groups"] for s in seen["findings"]["sections"]}
    assert list(sections) == ["upgrade-scan", "pylint-odoo"]
    shown = sorted((src, g["code"], g["severity"], f["where"], f["excerpt"]) for src, gs in sections.items()
                   for g in gs for f in g["findings"])
    assert shown == sorted((r[0], r[1], r[2], f"{r[3]}:{r[4]}", r[5]) for r in rows)
    series = dict(ops.all("select distinct code, to_series from ops.upgrade_findings where run_id = %s",
                          (seed["scan"],)))
    assert {g["code"]: g["toSeries"] for gs in sections.values() for g in gs} == series
    counts = {(src, g["code"]): g["count"] for src, gs in sections.items() for g in gs}
    assert counts == {(r[0], r[1]): sum(1 for x in rows if x[:2] == r[:2]) for r in rows}
    hrefs = {f["where"]: f["href"] for gs in sections.values() for g in gs for f in g["findings"]}
    assert hrefs["addons/a/models/sale.py:12"] == (
        f"https://gitlab.com/example/other/-/blob/{SCAN_SHA}/addons/a/models/sale.py#L12")
    assert hrefs["addons/b/__manifest__.py:3"].endswith(f"/-/blob/{SCAN_SHA}/addons/b/__manifest__.py#L3")
    # On GitHub: /blob/<sha>/<file>#L<line>, without GitLab's /-/.
    assert seen["findings"]["github"] == {
        "addons/a/models/sale.py:12": f"https://github.com/example/gh/blob/{SCAN_SHA}/addons/a/models/sale.py#L12",
        "addons/b/__manifest__.py:3": f"https://github.com/example/gh/blob/{SCAN_SHA}/addons/b/__manifest__.py#L3",
    }

    # The log search reads every line of the run in the database: the page holds the last 500, the search
    # finds a line long before them; a query over 200 characters is refused by the database, quoted short.
    s = seen["search"]
    assert len(s["loaded"]) == 500 and s["loaded"][0] == str(HAYSTACK_LINES - 499) and "7" not in s["loaded"]
    assert s["found"] == ["7", "2990"]
    assert s["summary"].startswith(f"2 lines containing “NEEDLE” in lines 1 to {HAYSTACK_LINES}")
    assert s["none"].startswith(f"0 lines containing “no such text” in lines 1 to {HAYSTACK_LINES}")
    assert "(SQLSTATE 22023)" in s["tooLong"] and "p_query must be 1 to 200 characters" in s["tooLong"]
    assert "x" * 41 not in s["tooLong"]
    assert s["otherTenant"] == 404

    # Workers: an operator sees the fleet (the test's worker among it, as registered); a project owner who is
    # no operator has no link and the page answers 404.
    w = seen["workers"]
    fleet = ops.all("select id, labels, coalesce(version, ''), coalesce(host, '') from ops.workers order by id")
    assert sorted((r["id"], r["labels"], r["version"], r["host"]) for r in w["rows"]) == [
        (i, ",".join(labels), v, h) for i, labels, v, h in fleet]
    assert "w1" in {r["id"] for r in w["rows"]} and all(r["gone"] == "false" for r in w["rows"] if r["id"] == "w1")
    assert w["operatorNav"] is True and w["ownerNav"] is False
    assert w["ownerStatus"] == 404 and w["ownerH1"] == "Not found"

    # Members: the viewer reads the list with no button; their forged add and remove change nothing.
    m = seen["members"]
    initial = sorted([[USERS["owner"], "owner"], [USERS["developer"], "developer"], [USERS["viewer"], "viewer"]])
    assert [r for _, r in m["viewerList"]] == ["owner", "developer", "viewer"], "by role, owners first"
    assert sorted(m["viewerList"]) == initial
    assert m["viewerButtons"] == 0
    assert "Refused by the database (SQLSTATE 42501)" in m["viewerForgedAdd"]
    assert "Refused by the database" in m["viewerForgedRemove"] and USERS["developer"] in m["viewerForgedRemove"]
    # The owner adds, promotes and removes a member; the last owner cannot leave (the trigger's 23514).
    assert m["added"] == "Member added." and [USERS["outsider"], "viewer"] in m["afterAdd"]
    assert m["changed"] == "Role changed." and m["outsiderRole"] == "developer"
    assert m["removed"] == "Member removed."
    assert "(SQLSTATE 23514)" in m["lastOwner"] and "last owner" in m["lastOwner"]
    assert "user_id 'nope'" in m["badId"]
    assert sorted(m["final"]) == initial
    assert sorted([str(u), r] for u, r in ops.all(
        "select user_id, role::text from ops.project_memberships where project_id ="
        " (select id from ops.projects where slug = 'acme')")) == initial

    # Settings: secrets by name, set, rotated and deleted through the RPCs; no value ever on a page.
    st = seen["settings"]
    assert st["set"] == ["Secret set: API_TOKEN.", "Secret set: DB_PASSWORD (staging).", "Secret set: API_TOKEN."]
    assert st["list"] == [["API_TOKEN", ""], ["DB_PASSWORD", "staging"]]
    assert st["valueInput"] == ["password", ""]
    assert not any(v in st["html"] for v in SECRET_VALUES)
    assert st["deleted"] == "Secret deleted: DB_PASSWORD (staging)."
    assert "(SQLSTATE 22023)" in st["badName"] and "p_name" in st["badName"]
    assert "odooops project connect github acme" in st["webhooks"] and "/functions/v1/webhooks" in st["webhooks"]
    assert st["after"] == [["API_TOKEN", ""]]
    assert st["viewerList"] == ["API_TOKEN"] and st["viewerButtons"] == 0
    assert "(SQLSTATE 42501)" in st["viewerForged"] and "(SQLSTATE 42501)" in st["viewerForgedDelete"]
    secret = ops.all("select s.name, s.created_by, s.updated_by, s.updated_at > s.created_at from ops.project_secrets s"
                     " join ops.projects p on p.id = s.project_id where p.slug = 'acme'")
    assert secret == [("API_TOKEN", uuid.UUID(USERS["owner"]), uuid.UUID(USERS["owner"]), True)], "rotated, not redone"
    with connect(ops.db, "postgres") as c:
        value = c.execute("select v.value from ops_private.project_secret_values v join ops.project_secrets s"
                          " on s.id = v.secret_id").fetchall()
    assert value == [(SECRET_VALUES[2],)], "the rotation's value, the viewer's forged one refused"


def test_the_console_refuses_to_start_with_the_development_sign_in_in_production(console_build):
    p = subprocess.run([str(CONSOLE / "node_modules" / ".bin" / "next"), "start", "-p", str(_free_port())],
                       cwd=CONSOLE, env=_node_env(ODOOOPS_CONSOLE_DEV_SIGNIN="1"), capture_output=True, text=True,
                       timeout=60)
    assert p.returncode != 0
    assert "ODOOOPS_CONSOLE_DEV_SIGNIN=1 is refused in production mode" in p.stdout + p.stderr


def test_bench_console_smoke_renders_every_page_with_the_log_windowed(console_build, server, tmp_path, capsys):
    """`odooops bench console --smoke` (the full run is in docs/odooops-sh/PERFORMANCE.md): every page answers,
    the run page holds the last 500 log lines only, the search finds a line before them, and the slowest
    query's plan is printed. Smoke sizes measure nothing worth reading."""
    from odooops.dev import bench_console

    out = tmp_path / "console.json"
    res = bench_console.run_console(server, smoke=True, build=False, json_path=out)
    data = json.loads(out.read_text())
    sizes = bench_console.SMOKE
    assert data["mode"] == "smoke" and data["load"]["runs_of_the_project"] == sizes.runs
    checks = data["checks"]
    assert checks["problems"] == []
    assert checks["log lines in the run page"] == 500
    assert checks["first log line in the run page"] == sizes.log_lines - 499
    assert checks["search finds line"] == 42
    assert checks["runs on the project page"] >= 50
    assert set(data["pages"]) == {*bench_console.pages(data["params"]), "sign-in (no query: the framework alone)"}
    assert all(p["n"] == sizes.rounds and p["p95_ms"] > 0 for p in data["pages"].values())
    assert data["plans"]["slowest"] in dict(bench_console.queries()) and data["plans"]["plan"]
    printed = capsys.readouterr().out
    assert "slowest query:" in printed and "target p95 < 200 ms for every page:" in printed
    assert res["table"]


def test_the_cli_offers_bench_console_with_smoke_and_no_build():
    from odooops.cli import build_parser

    args = build_parser().parse_args(["bench", "console", "--smoke", "--no-build", "--json", "x.json"])
    assert args.smoke and args.no_build and args.json == "x.json" and args.func.__name__ == "cmd_bench_console"
