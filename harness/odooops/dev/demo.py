"""``odooops demo`` (``make demo``): the main job, end to end, on a throwaway database.

1. an embedded PostgreSQL cluster, the Supabase baseline, every migration;
2. a demo project (Odoo 17.0) with the ``build`` and ``upgrade-scan``
   workflows, and a generated git repository of three small addons;
3. ``scripts/odooops/env_create.sh`` queues one run of each, a worker
   (``odooops worker``, a subprocess) takes them, ``env_wait_ready.sh``
   follows each to its end, printing log lines as they arrive;
4. the build's logs (one query: a run's lines in order), the artifacts, the upgrade
   findings, the ops tables;
5. from push to status: a second project whose repository is a GitHub URL,
   connected with ``odooops project connect github``; two signed GitHub push
   payloads for the demo repository to the webhooks Edge Function (served by
   Deno), the second superseding the first run; the demo worker builds the
   newest commit; ``odooops notify`` sends the commit statuses to a local fake
   GitHub API (``fake_providers``), which prints what it recorded;
6. the same from a self-managed GitLab: its host registered with
   ``odooops git-host add``, the token set with ``odooops secret set``, GitLab's
   documented Push Hook example (``X-Gitlab-Token``), the build, and the
   statuses on a local GitLab API; then what to look at next.

Everything lives in temporary directories removed at the end, also on Ctrl-C.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg.types.json import Jsonb

from . import baseline, demo_repo, functions, migrations, target, webhooks
from .fake_providers import FakeProviders

PROJECT = "demo"
SERIES = "17.0"
# The push-to-status part: a project whose repository is on GitHub; the demo worker's git fetches it from the
# demo repository instead (git's url.<base>.insteadOf, given to the steps with --pass-env).
GITHUB_PROJECT = "demo-github"
GITHUB_REPOSITORY = "odooops-demo/library-addons"
GITHUB_URL = f"https://github.com/{GITHUB_REPOSITORY}"
PUSH_BRANCH = "feature/loans"
# The same from a self-managed GitLab, whose host OdooOps learns with `odooops git-host add`.
GITLAB_PROJECT = "demo-gitlab"
GITLAB_HOST = "git.example.test"
GITLAB_URL = f"https://{GITLAB_HOST}/odooops-demo/library-addons"
GITLAB_BRANCH = "feature/reminders"
GIT_MIRROR_ENV = ("GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0", "GIT_CONFIG_KEY_1",
                  "GIT_CONFIG_VALUE_1")


def step(name: str, **extra) -> dict:
    return {"name": name, "command": f"python -m odooops.steps {name}", **extra}


WORKFLOWS = {
    "build": {
        "description": "Check out the commit, validate the manifests, byte-compile, package the addons.",
        "steps": [step("checkout", timeout_seconds=120), step("validate-manifests", timeout_seconds=60),
                  step("compile", timeout_seconds=300), step("package", timeout_seconds=300)],
    },
    "upgrade-scan": {
        "description": "Scan the commit for the upgrade advisories of the move to the next Odoo series, and propose "
                       "a patch of its mechanical changes.",
        "steps": [step("checkout", timeout_seconds=120), step("upgrade-scan", timeout_seconds=300, advisories=True),
                  step("upgrade-patch", timeout_seconds=300)],
    },
}


def create_project(conn: psycopg.Connection, slug: str, repository_url: str, series: str = SERIES,
                   workflows: dict | None = None, name: str = "Library addons (demo)") -> dict[str, str]:
    """Insert a project and its workflows (as the caller's role); return workflow name -> id."""
    with conn.transaction():
        project_id = conn.execute(
            "insert into ops.projects (slug, name, odoo_series, repository_url) values (%s, %s, %s, %s) returning id",
            (slug, name, series, repository_url),
        ).fetchone()[0]
        ids = {}
        for wf_name, wf in (workflows or WORKFLOWS).items():
            ids[wf_name] = str(conn.execute(
                "insert into ops.workflows (project_id, name, description, steps, default_timeout_seconds,"
                " lease_seconds, max_attempts) values (%s, %s, %s, %s, %s, %s, %s) returning id",
                (project_id, wf_name, wf.get("description"), Jsonb(wf["steps"]),
                 wf.get("default_timeout_seconds", 600), wf.get("lease_seconds", 30), wf.get("max_attempts", 3)),
            ).fetchone()[0])
    return ids


def scripts_dir() -> Path:
    return target.project_root() / "scripts" / "odooops"


def _say(msg: str = "") -> None:
    print(msg, flush=True)


def _title(msg: str) -> None:
    _say()
    _say(f"== {msg}")


def _relay(stream, prefix: str) -> None:
    for line in iter(stream.readline, ""):
        print(f"{prefix}{line.rstrip()}", flush=True)


def _psql(url: str, query: str, **variables: str) -> str:
    """psql as the scripts use it: values as psql variables, the service_role role."""
    cmd = ["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-P", "pager=off"]
    for k, v in variables.items():
        cmd += ["-v", f"{k}={v}"]
    proc = subprocess.run(cmd, input="set role service_role;\n" + query, capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        raise RuntimeError(f"psql failed: {proc.stderr.strip()}")
    return proc.stdout.rstrip()


def _show_console(t: target.Target, artifacts: Path, tmp: Path) -> None:
    """The web console on the demo database until Ctrl-C."""
    from . import console

    _title("10. The web console on this database (Ctrl-C to stop it)")
    user_id = console.add_demo_user(t, PROJECT)
    app = console.start(t, user_id, artifacts_dir=artifacts, log=tmp / "console.log")
    _say(f"{app.url}/sign-in: sign in as the demo user ({console.DEMO_EMAIL}), owner of the project {PROJECT},")
    _say(f"  with the user id {user_id}")
    _say(f"  (the development sign-in of `next dev`; the console's output is in {tmp / 'console.log'})")
    try:
        app.process.wait()
    except KeyboardInterrupt:
        _say("stopping the console")
    finally:
        app.stop()


def _odooops(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "odooops.cli", *args], env=env, capture_output=True, text=True,
                          timeout=60)


def _push_to_status(t: target.Target, repo: Path, first: str, env: dict, worker_argv: list[str]) -> int:
    """Two signed GitHub pushes to the webhooks function (the second supersedes the first run while it is
    queued), the demo worker started again (``--drain``) builds the newest, the statuses on a local GitHub API."""
    console_url = os.environ.get("ODOOOPS_CONSOLE_URL") or "http://localhost:3000"
    with psycopg.connect(t.conninfo("service_role"), autocommit=True) as conn:
        create_project(conn, GITHUB_PROJECT, GITHUB_URL, workflows={"build": WORKFLOWS["build"]},
                       name="Library addons on GitHub (demo)")
    _say(f"project {GITHUB_PROJECT}: repository {GITHUB_URL}, workflow build (on pushes to development branches);")
    _say(f"  the worker's git fetches {GITHUB_URL} from {repo} (git config url.<base>.insteadOf, --pass-env)")
    fake = FakeProviders()
    worker: subprocess.Popen | None = None
    try:
        with webhooks.serve(functions.database_url(t)) as url:
            _say(f"the webhooks Edge Function, served by Deno: {url}  (local GitHub API: {fake.url})")
            _say(f"$ odooops project connect github {GITHUB_PROJECT} --url {url}")
            out = _odooops(env, "project", "connect", "github", GITHUB_PROJECT, "--url", url)
            if out.returncode != 0:
                _say(out.stderr)
                return 1
            _say("\n".join("  " + line for line in out.stdout.rstrip().splitlines()))
            secret = next(line.split()[-1] for line in out.stdout.splitlines() if line.strip().startswith("Secret:"))
            _psql(t.url("postgres"), "select ops.set_project_secret(:'slug', 'GITHUB_TOKEN', 'ghp_demo_token');",
                  slug=GITHUB_PROJECT)
            _say(f"project secret GITHUB_TOKEN set for {GITHUB_PROJECT} (what odooops notify authenticates with)")
            notify = ["notify", "--once", "--database-url", t.conninfo("service_role"), "--notifier-id",
                      "demo-notifier", "--github-api-url", fake.url, "--console-url", console_url]

            def push(before: str, after: str) -> str | None:
                payload = webhooks.github_push(GITHUB_REPOSITORY, PUSH_BRANCH, before, after)
                status, body = webhooks.post_github(url + "/functions/v1/webhooks", "push", payload, secret)
                _say("POST /functions/v1/webhooks  X-GitHub-Event: push, X-Hub-Signature-256 (HMAC of the body with "
                     f"the secret): {PUSH_BRANCH} -> {after[:12]}")
                _say(f"  {status} {json.dumps(body)}")
                return body["runs"][0]["id"] if status == 200 and body.get("runs") else None

            def notify_once() -> None:
                _say("$ odooops notify --once --github-api-url <local GitHub API> --console-url " + console_url)
                out = _odooops(env, *notify)
                _say("\n".join("  " + line for line in (out.stdout + out.stderr).rstrip().splitlines()))

            first_run = push("0" * 40, first)
            notify_once()
            second = demo_repo.commit(repo, {"library/README.md": "Loans of books, and their reminders.\n"},
                                      "Describe the library addon")
            second_run = push(first, second)
            if first_run is None or second_run is None:
                return 1
            _say(_psql(t.url("postgres"), "select left(commit_sha, 12) as commit, status, cancel_reason from ops.runs"
                                          " where id in (:'a', :'b') order by created_at;", a=first_run, b=second_run))
            notify_once()
            _say("the demo worker again, until the queue is empty: odooops worker --drain")
            worker = subprocess.Popen([*worker_argv, "--drain"], env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True)
            relay = threading.Thread(target=_relay, args=(worker.stdout, "  [worker] "), daemon=True)
            relay.start()
            _say(f"$ scripts/odooops/env_wait_ready.sh {second_run} --timeout 60")
            proc = subprocess.Popen([str(scripts_dir() / "env_wait_ready.sh"), second_run, "--timeout", "60"],
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            _relay(proc.stdout, "  ")
            rc = proc.wait()
            _say(f"(exit status {rc})")
            worker.wait(30)
            relay.join(2)
            notify_once()
        _say(f"The commit statuses the local GitHub API recorded ({len(fake.requests)} requests, each checked against "
             "GitHub's OpenAPI description of repos/create-commit-status), in order:")
        for r in fake.requests:
            b = r.body
            _say(f"  {r.method} {r.path}")
            _say(f"    state={b.get('state')}  context={b.get('context')}  description={b.get('description')!r}"
                 f"  target_url={b.get('target_url')}")
        if fake.violations:
            _say(f"requests GitHub would refuse: {fake.violations}")
            return 1
        return rc
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait()
        fake.close()


def _gitlab_push_to_status(t: target.Target, repo: Path, env: dict, worker_argv: list[str]) -> int:
    """A project on a self-managed GitLab: its host registered, connected, its token set, all with the commands a
    user runs; GitLab's documented Push Hook to the webhooks function; the build; the statuses on a local GitLab."""
    console_url = os.environ.get("ODOOOPS_CONSOLE_URL") or "http://localhost:3000"
    with psycopg.connect(t.conninfo("service_role"), autocommit=True) as conn:
        create_project(conn, GITLAB_PROJECT, GITLAB_URL, workflows={"build": WORKFLOWS["build"]},
                       name="Library addons on a self-managed GitLab (demo)")
    _say(f"project {GITLAB_PROJECT}: repository {GITLAB_URL}, workflow build (on pushes to development branches)")
    fake = FakeProviders()
    try:
        def run(*args: str, stdin: str | None = None, shown: str | None = None) -> str | None:
            _say("$ odooops " + (shown or " ".join(args)))
            out = subprocess.run([sys.executable, "-m", "odooops.cli", *args], env=env, input=stdin,
                                 capture_output=True, text=True, timeout=60)
            _say("\n".join("  " + line for line in (out.stdout + out.stderr).rstrip().splitlines()))
            return out.stdout if out.returncode == 0 else None

        if run("git-host", "add", GITLAB_HOST, "--provider", "gitlab", "--api-url", fake.url,
               shown=f"git-host add {GITLAB_HOST} --provider gitlab --api-url <local GitLab API>") is None:
            return 1
        with webhooks.serve(functions.database_url(t)) as url:
            connected = run("project", "connect", "gitlab", GITLAB_PROJECT, "--url", url)
            if connected is None:
                return 1
            token = next(line.split()[-1] for line in connected.splitlines()
                         if line.strip().startswith("Secret token:"))
            if run("secret", "set", "GITLAB_TOKEN", "--project", GITLAB_PROJECT, stdin="glpat-demo-token\n",
                   shown=f"secret set GITLAB_TOKEN --project {GITLAB_PROJECT} < token.txt") is None:
                return 1
            head = demo_repo.commit(repo, {"library/NOTES.md": "Reminders go out the day a loan is due.\n"},
                                    "Note when reminders go out")
            payload = webhooks.gitlab_push(GITLAB_URL, GITLAB_BRANCH, "0" * 40, head)
            status, body = webhooks.post_gitlab(url + "/functions/v1/webhooks", payload, token)
            _say("POST /functions/v1/webhooks  X-Gitlab-Event: Push Hook, X-Gitlab-Token (GitLab's documented "
                 f"example): {GITLAB_BRANCH} -> {head[:12]}")
            _say(f"  {status} {json.dumps(body)}")
            if status != 200 or not body.get("runs"):
                return 1
            run_id = body["runs"][0]["id"]
        notify = ["notify", "--once", "--database-url", t.conninfo("service_role"), "--notifier-id", "demo-notifier",
                  "--console-url", console_url]
        shown = f"notify --once --console-url {console_url}   (the GitLab API comes from the registered host)"
        run(*notify, shown=shown)
        proc = subprocess.run([*worker_argv, "--drain"], env=env, capture_output=True, text=True, timeout=120)
        _say("the demo worker again: odooops worker --drain")
        _say("\n".join("  [worker] " + line for line in proc.stdout.rstrip().splitlines()[-4:]))
        with psycopg.connect(t.conninfo("service_role"), autocommit=True) as conn:
            ended = conn.execute("select status::text from ops.runs where id = %s", (run_id,)).fetchone()[0]
        _say(f"run {run_id}: {ended}")
        run(*notify, shown=shown)
        _say(f"The commit statuses the local GitLab API recorded ({len(fake.requests)} requests), in order:")
        for r in fake.requests:
            b = r.body
            _say(f"  {r.method} {r.path}")
            _say(f"    state={b.get('state')}  name={b.get('name')}  description={b.get('description')!r}"
                 f"  target_url={b.get('target_url')}")
        states = [r.body.get("state") for r in fake.requests]
        if fake.violations or states != ["pending", "success"]:
            _say(f"expected pending, then success: {states}; refused requests: {fake.violations}")
            return 1
        return 0
    finally:
        fake.close()


def main(args=None) -> int:
    keep = bool(getattr(args, "keep", False))
    with_console = bool(getattr(args, "console", False))
    if keep and target.from_state() is not None:
        print("odooops demo --keep: a `db up` cluster is already recorded; remove it first with `odooops db down`",
              file=sys.stderr)
        return 2
    t0 = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="odooops-demo-"))
    t: target.Target | None = None
    worker: subprocess.Popen | None = None
    kept = False
    try:
        _title("1. A throwaway PostgreSQL with the Supabase baseline and every migration")
        t = target.embedded(owner_pid=None if keep else os.getpid())
        baseline.ensure(t)
        plan = migrations.migrate(t)
        _say(f"PostgreSQL cluster on 127.0.0.1:{t.cluster.port} (files in {t.cluster.root})")
        for m in plan.pending:
            _say(f"  applied {m.version} {m.name}")

        _title("2. A demo project (Odoo 17.0), its workflows and a git repository of three addons")
        repo = tmp / "library-addons"
        commit = demo_repo.create(repo)
        url = repo.as_uri()
        with psycopg.connect(t.conninfo("service_role"), autocommit=True) as conn:
            create_project(conn, PROJECT, url)
            advisories = conn.execute("select count(*) from ops.upgrade_advisories").fetchone()[0]
        _say(f"repository {url}, branch main, commit {commit}")
        for name in sorted(demo_repo.FILES):
            _say(f"  {name}")
        for wf, spec in WORKFLOWS.items():
            _say(f"workflow {wf}: " + " -> ".join(s["name"] for s in spec["steps"]))
        _say(f"{advisories} upgrade advisories in ops.upgrade_advisories")

        db_url = t.url("postgres")
        env = {**os.environ, "DATABASE_URL": db_url, "ODOOOPS_POLL_INTERVAL": "0.2", "GIT_CONFIG_COUNT": "2",
               "GIT_CONFIG_KEY_0": f"url.{url}.insteadOf", "GIT_CONFIG_VALUE_0": GITHUB_URL,
               "GIT_CONFIG_KEY_1": f"url.{url}.insteadOf", "GIT_CONFIG_VALUE_1": GITLAB_URL}
        env.pop("SUPABASE_DB_URL", None)
        env.pop("ODOOOPS_S3_BUCKET", None)  # the demo keeps artifacts on disk, where it can show them

        _title("3. env_create.sh queues the runs")
        run_ids = {}
        for wf in WORKFLOWS:
            cmd = [str(scripts_dir() / "env_create.sh"), PROJECT, wf, "main", commit]
            _say("$ " + " ".join(["scripts/odooops/env_create.sh", PROJECT, wf, "main", commit]))
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30)
            if out.returncode != 0:
                _say(out.stderr)
                return 1
            run_ids[wf] = out.stdout.strip()
            _say(run_ids[wf])
        again = subprocess.run([str(scripts_dir() / "env_create.sh"), PROJECT, "build", "main", commit], env=env,
                               capture_output=True, text=True, timeout=30).stdout.strip()
        _say(f"(the same arguments again while the run is active give the same id: {again == run_ids['build']})")

        _title("4. A worker takes them; env_wait_ready.sh follows each run")
        artifacts = tmp / "artifacts"
        worker_argv = [
            sys.executable, "-m", "odooops.cli", "worker", "--database-url", t.conninfo("service_role"),
            "--worker-id", "demo-worker-1", "--artifacts-dir", str(artifacts), "--work-dir", str(tmp / "work"),
            "--poll-interval", "1", *(a for name in GIT_MIRROR_ENV for a in ("--pass-env", name))]
        worker = subprocess.Popen(
            worker_argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        relay = threading.Thread(target=_relay, args=(worker.stdout, "  [worker] "), daemon=True)
        relay.start()
        results = {}
        for wf, run_id in run_ids.items():
            _say(f"$ scripts/odooops/env_wait_ready.sh {run_id} --timeout 60")
            proc = subprocess.Popen([str(scripts_dir() / "env_wait_ready.sh"), run_id, "--timeout", "60"],
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            _relay(proc.stdout, "  ")
            results[wf] = proc.wait()
            _say(f"(exit status {results[wf]})")
        worker.send_signal(signal.SIGTERM)
        worker.wait(15)
        relay.join(2)

        build_id, scan_id = run_ids["build"], run_ids["upgrade-scan"]
        _title("5. The build's logs: one query gives a run's lines in order")
        query = "select * from ops.run_logs where run_id = :'run_id' order by timestamp;"
        _say(f"$ psql -c \"select * from ops.run_logs where run_id = '{build_id}' order by timestamp;\"")
        _say(_psql(db_url, query, run_id=build_id))

        _title("6. Artifacts")
        _say(_psql(db_url, "select w.name as workflow, a.artifact_key, a.size_bytes, a.content_type, a.sha256,"
                           " a.storage_url from ops.run_artifacts as a join ops.runs as r on r.id = a.run_id"
                           " join ops.workflows as w on w.id = r.workflow_id order by w.name, a.artifact_key;"))

        _title(f"7. Upgrade findings for the move {SERIES} -> 18.0, from ops.upgrade_findings")
        with psycopg.connect(t.conninfo("service_role"), autocommit=True) as conn:
            row = conn.execute("select storage_url from ops.run_artifacts where run_id = %s"
                               " and artifact_key = 'upgrade-findings.json'", (scan_id,)).fetchone()
        if row:
            report = json.loads(Path(unquote(urlsplit(row[0]).path)).read_text())
            _say(f"The step's report (artifact upgrade-findings.json, {row[0]}): "
                 f"{len(report['findings'])} finding(s); advisories checked: "
                 f"{', '.join(report['advisories_checked'])}")
            _say("The worker stored them as rows; members read them as they read the run:")
            query = ("select code, severity, to_series, file, line, col, excerpt from ops.upgrade_findings"
                     " where run_id = :'run_id' order by file, line, code;")
            shown = query.replace(":'run_id'", f"'{scan_id}'")
            _say(f'$ psql -c "{shown}"')
            _say(_psql(db_url, query, run_id=scan_id))
            query = "select project_slug, branch, code, file, line from ops.list_upgrade_blockers('18.0');"
            _say("Which projects are blocked from 18.0, and by what (one query):")
            _say(f"$ psql -c \"{query}\"")
            _say(_psql(db_url, query))
        else:
            _say("no findings report was stored (see the upgrade-scan run's logs)")
        with psycopg.connect(t.conninfo("service_role"), autocommit=True) as conn:
            row = conn.execute("select storage_url, sha256 from ops.run_artifacts where run_id = %s"
                               " and artifact_key = 'upgrade-patch.diff'", (scan_id,)).fetchone()
        if row:
            _say(f"The proposed patch (artifact upgrade-patch.diff, sha256 {row[1]}), for `git apply` on the "
                 "scanned commit:")
            _say(Path(unquote(urlsplit(row[0]).path)).read_text().rstrip() or "(empty: nothing to rewrite)")
        else:
            _say("no patch was stored (see the upgrade-scan run's logs)")

        _title("8. The ops tables")
        _say(_psql(db_url, "select r.status, w.name as workflow, r.attempt, r.exit_code, r.worker_id,"
                           " round(extract(epoch from r.finished_at - r.started_at)::numeric, 2) as seconds,"
                           " r.id from ops.runs as r join ops.workflows as w on w.id = r.workflow_id"
                           " order by r.created_at;"))
        _say(_psql(db_url, "select 'ops.' || c.relname as table, (xpath('/row/n/text()', query_to_xml("
                           "format('select count(*) as n from ops.%I', c.relname), false, true, '')))[1]::text::int"
                           " as rows from pg_class as c join pg_namespace as n on n.oid = c.relnamespace"
                           " where n.nspname = 'ops' and c.relkind = 'r' and c.relname not like 'agent%'"
                           " order by c.relname;"))

        _title("9. From a push on GitHub to the commit's status on GitHub")
        results["push"] = _push_to_status(t, repo, commit, env, worker_argv)

        _title("10. The same from a self-managed GitLab")
        results["gitlab"] = _gitlab_push_to_status(t, repo, env, worker_argv)

        ok = all(rc == 0 for rc in results.values())
        if with_console:
            _show_console(t, artifacts, tmp)
        _title("Done" if ok else "Done, with a failed run (see above)")
        if keep:
            state = target.state_file()
            state.parent.mkdir(parents=True, exist_ok=True)
            state.write_text(json.dumps({"root": str(t.cluster.root), "port": t.cluster.port}))
            kept = True
            _say(f"The demo took {time.monotonic() - t0:.1f}s. The database stays up as the `db up` cluster:")
            _say(f"  export DATABASE_URL={db_url}")
            _say(f"  files of the demo (repository, artifacts): {tmp}")
            _say("  remove both with: odooops db down && rm -rf " + str(tmp))
        else:
            _say(f"The demo took {time.monotonic() - t0:.1f}s; the throwaway cluster and files are removed now "
                 "(`odooops demo --keep` leaves them up to explore).")
        _say("""What to look at next:
  - the build run's log above: one line per step and per line of output, in order (ops.run_logs);
  - the tarball artifact and its sha256 (ops.run_artifacts); the upgrade findings as rows of
    ops.upgrade_findings (advisory, file, line, column, the line itself; also in the upgrade-scan
    run's logs and its JSON artifact), ops.list_upgrade_blockers('18.0'), and the proposed patch
    (upgrade-patch.diff) that `git apply` applies to the scanned commit;
  - run it yourself (`odooops demo --keep` leaves this database up): `odooops worker` in one
    terminal, scripts/odooops/env_create.sh demo build main <commit>, env_wait_ready.sh <run id>
    and env_destroy.sh <run id> in another, with DATABASE_URL set;
  - ops.run_events: every status change of every run, with the worker that caused it;
  - the state machine: select * from ops.run_status_transitions();
  - from push to status (steps 9 and 10): ops.commit_status_outbox, one row per status change of a run a
    push queued; docs/odooops-sh/CICD.md#from-push-to-status; tests/e2e/test_push_to_status.py;
  - `make test` for the pgTAP suite and the end-to-end tests (tests/e2e/).""")
        return 0 if ok else 1
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait()
        if not kept:
            if t is not None:
                t.cluster.stop()
            shutil.rmtree(tmp, ignore_errors=True)
