"""Commands for a control plane's users: ``project create|list|connect``, ``branch list|stage``,
``workflow apply``, ``run list|show|logs|cancel``, ``secret set|delete|list``, ``git-host add|remove|list``,
``operator add|remove|list``. They act as ``service_role`` (``ODOOOPS_DB_ROLE``, ``--role``) on the database of
``--database-url``, ``DATABASE_URL`` or ``SUPABASE_DB_URL``, else the ``odooops db up`` cluster."""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime
from pathlib import Path

from .output import err

SERIES = ("16.0", "17.0", "18.0", "19.0")
STAGES = ("development", "staging", "production")
STATUSES = ("queued", "claimed", "running", "succeeded", "failed", "canceled")
# As env_wait_ready.sh: 0 succeeded, 1 failed, 3 canceled.
EXIT_BY_STATUS = {"succeeded": 0, "failed": 1, "canceled": 3}


def conninfo(args) -> str:
    from ..dev import target

    role = args.role
    t = target.Target(args.database_url) if args.database_url else target.current()
    return t.conninfo(role) if role else t.admin_url


def control(args):
    from ..control import Control

    return Control(conninfo(args))


def project_slug(args) -> str:
    slug = args.project or os.environ.get("ODOOOPS_PROJECT")
    if not slug:
        raise SystemExit("odooops: which project? Give --project SLUG (or set ODOOOPS_PROJECT).")
    return slug


def cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def table(rows: list[dict], columns: list[str]) -> None:
    cells = [[cell(r[c]) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def as_json(value) -> None:
    print(json.dumps(value, default=str, indent=2))


def guarded(func):
    """Turn a refusal into one message on stderr and exit status 1."""

    def run(args) -> int:
        from ..control import ControlError

        try:
            return func(args) or 0
        except ControlError as exc:
            err(str(exc))
            return 1

    return run


# -- project -------------------------------------------------------------------
@guarded
def cmd_project_create(args) -> int:
    with control(args) as c:
        p = c.create_project(args.slug, args.name or args.slug, args.series, args.repo, args.production_branch)
    print(f"project {p['slug']} created (Odoo {p['odoo_series']}, {p['repository_url']}, "
          f"production branch {p['production_branch']})")
    print(f"next: odooops workflow apply <file> --project {p['slug']}   (a workflow file: see `odooops workflow "
          "apply --help`)")
    return 0


@guarded
def cmd_project_list(args) -> int:
    with control(args) as c:
        rows = c.list_projects()
    if args.json:
        as_json(rows)
    elif not rows:
        print("no project yet: odooops project create <slug> --repo <url> --series 17.0")
    else:
        table(rows, ["slug", "odoo_series", "production_branch", "repository_url", "archived"])
    return 0


WEBHOOK_STEPS = {
    "github": [
        "GitHub: the repository's Settings > Webhooks > Add webhook",
        "  Payload URL:  {url}",
        "  Content type: application/json",
        "  Secret:       {secret}",
        "  SSL verification: enabled",
        "  Which events: Let me select individual events: Pushes, Branch or tag creation,",
        "                Branch or tag deletion, Pull requests",
    ],
    "gitlab": [
        "GitLab: the project's Settings > Webhooks > Add new webhook",
        "  URL:          {url}",
        "  Secret token: {secret}",
        "  Trigger:      Push events (all branches), Merge request events",
        "  Enable SSL verification",
    ],
}


def webhook_url(args) -> str:
    base = args.url or os.environ.get("SUPABASE_URL")
    if not base:
        raise SystemExit("odooops: where is the control plane? Give --url https://<project>.supabase.co "
                         "(or set SUPABASE_URL).")
    base = base.rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise SystemExit(f"odooops: --url must start with https:// (or http:// for a local stack), got {base[:80]!r}")
    return f"{base}/functions/v1/webhooks"


@guarded
def cmd_project_connect(args) -> int:
    import secrets

    url = webhook_url(args)
    secret = secrets.token_hex(32)
    with control(args) as c:
        row = c.set_webhook_secret(args.slug, args.provider, secret, args.rotate)
        target = c.commit_status_target(args.slug)
    verb = "rotated" if args.rotate and row["created_at"] != row["updated_at"] else "set"
    print(f"project {args.slug}: {args.provider} webhook secret {verb}. It is shown once; the database keeps it "
          "where no API role can read it.")
    print()
    for line in WEBHOOK_STEPS[args.provider]:
        print(line.format(url=url, secret=secret))
    print()
    print(f"A push then queues the workflows its branch triggers: odooops run list -p {args.slug}")
    if verb == "rotated":
        print("The old secret no longer works: paste the new one now.")
    print()
    if target["provider"]:
        api = target["api_url"] or f"the notifier's --{target['provider']}-api-url"
        print(f"Commit statuses go to {target['provider']} {target['repository']} at {api}, with the project "
              f"secret {target['provider'].upper()}_TOKEN:")
        print(f"  odooops secret set {target['provider'].upper()}_TOKEN --project {args.slug}   "
              "(reads the token from standard input)")
    else:
        host = target["repository_url"].split("://")[-1].split("@")[-1].split("/")[0].split(":")[0]
        print(f"Commit statuses: {target['repository_url']} is on no known git host, so none are sent. If {host} "
              "is a GitHub Enterprise or a self-managed GitLab, register it:")
        print(f"  odooops git-host add {host} --provider {args.provider} --api-url "
              + (f"https://{host}/api/v3" if args.provider == "github" else f"https://{host}"))
    return 0



# -- secret --------------------------------------------------------------------
MAX_SECRET = 65536  # ops_private.project_secret_values' bound, in bytes


def read_secret_value(args) -> str:
    """The value from --from-env, else standard input (a prompt without echo on a terminal); never argv."""
    import getpass
    import sys

    if args.from_env:
        value = os.environ.get(args.from_env)
        if value is None:
            raise SystemExit(f"odooops secret set: the environment has no {args.from_env}")
    elif sys.stdin.isatty():
        value = getpass.getpass(f"value of {args.name} (not shown): ")
    else:
        value = sys.stdin.read(MAX_SECRET + 2)
        if value.endswith("\n"):
            value = value[:-1]  # `echo token |` and here-strings end with a newline that is not the token's
    if not value:
        raise SystemExit("odooops secret set: the value is empty; give it on standard input or with --from-env")
    if len(value.encode()) > MAX_SECRET:
        raise SystemExit(f"odooops secret set: the value is over {MAX_SECRET} bytes")
    return value


@guarded
def cmd_secret_list(args) -> int:
    slug = project_slug(args)
    with control(args) as c:
        rows = c.list_secrets(slug)
    if args.json:
        as_json(rows)
    elif not rows:
        print(f"project {slug} has no secret: odooops secret set NAME --project {slug} < value-file")
    else:
        table(rows, ["name", "stage", "updated_at"])
    return 0


@guarded
def cmd_secret_set(args) -> int:
    slug = project_slug(args)
    value = read_secret_value(args)
    with control(args) as c:
        row = c.set_secret(slug, args.name, value, args.stage)
    verb = "set" if row["created_at"] == row["updated_at"] else "rotated"
    scope = f"{row['stage']} runs" if args.stage else "every stage"
    print(f"project {slug}: secret {row['name']} {verb} for {scope}. Nobody can read it back; a run gets it by "
          f'naming it in its params ({{"secrets": ["{row["name"]}"]}}).')
    return 0


@guarded
def cmd_secret_delete(args) -> int:
    slug = project_slug(args)
    with control(args) as c:
        row = c.delete_secret(slug, args.name, args.stage)
    print(f"project {slug}: secret {row['name']} ({row['stage']}) deleted with its value.")
    return 0


# -- git-host ------------------------------------------------------------------
@guarded
def cmd_git_host_list(args) -> int:
    with control(args) as c:
        rows = c.list_git_hosts()
    if args.json:
        as_json(rows)
    elif not rows:
        print("no git host registered: github.* and gitlab.* hosts report to the notifier's default APIs.")
        print("Add one: odooops git-host add git.example.com --provider gitlab --api-url https://git.example.com")
    else:
        table(rows, ["host", "provider", "api_url", "updated_at"])
    return 0


@guarded
def cmd_git_host_add(args) -> int:
    with control(args) as c:
        row = c.set_git_host(args.host, args.provider, args.api_url)
    print(f"git host {row['host']}: commit statuses of its repositories go to {row['provider']} at {row['api_url']}")
    print("Each project on it needs its token as a project secret "
          f"({row['provider'].upper()}_TOKEN); statuses already queued keep the URL they were written with.")
    return 0


@guarded
def cmd_git_host_remove(args) -> int:
    with control(args) as c:
        row = c.delete_git_host(args.host)
    print(f"git host {row['host']} removed: its repositories report no commit status any more "
          "(unless the name starts with github. or gitlab.).")
    return 0


# -- branch --------------------------------------------------------------------
@guarded
def cmd_branch_list(args) -> int:
    slug = project_slug(args)
    with control(args) as c:
        rows = c.list_branches(slug, args.all)
    if args.json:
        as_json(rows)
    elif not rows:
        print(f"project {slug} has no branch yet: a push or a run creates one")
    else:
        columns = ["name", "stage", "head_commit", "last_push_at", "pushed_by", "runs"]
        table(rows, columns + (["deleted_at"] if args.all else []))
    return 0


@guarded
def cmd_branch_stage(args) -> int:
    slug = project_slug(args)
    with control(args) as c:
        b = c.set_branch_stage(slug, args.branch, args.stage)
    print(f"branch {b['name']} of {slug} is {b['stage']}")
    return 0


# -- workflow ------------------------------------------------------------------
@guarded
def cmd_workflow_apply(args) -> int:
    from ..control import read_workflow_file

    slug = project_slug(args)
    workflows = read_workflow_file(args.file)
    with control(args) as c:
        applied = c.apply_workflows(slug, workflows)
    for w in applied:
        print(f"workflow {w['name']} of {slug}: version {w['version']}, "
              f"{'enabled' if w['enabled'] else 'disabled'}, triggers {json.dumps(w['triggers'])}")
    return 0


# -- run -----------------------------------------------------------------------
@guarded
def cmd_run_list(args) -> int:
    slug = project_slug(args)
    with control(args) as c:
        rows = c.list_runs(slug, args.branch, args.status, args.limit)
    if args.json:
        as_json(rows)
    elif not rows:
        print(f"no run of {slug}" + (f" on {args.branch}" if args.branch else "")
              + (f" {args.status}" if args.status else ""))
    else:
        table(rows, ["id", "workflow", "branch", "commit", "stage", "status", "created_at"])
    return 0


@guarded
def cmd_run_show(args) -> int:
    with control(args) as c:
        run, events = c.show_run(args.run_id)
    if args.json:
        as_json({"run": run, "events": events})
        return 0
    width = max(len(k) for k in run)
    for key, value in run.items():
        print(f"{key.ljust(width)}  {cell(value)}")
    print()
    table(events, ["at", "from_status", "to_status", "actor", "reason"])
    return 0


@guarded
def cmd_run_logs(args) -> int:
    from ..control import LogLine

    with control(args) as c:
        for item in c.follow_logs(args.run_id, args.follow, args.interval):
            if isinstance(item, LogLine):
                print(f"{item.seq:>6} {item.timestamp} {item.level:<7} {item.stream}: {item.message}", flush=True)
            else:
                status = item["status"]
                if not args.follow:
                    return 0
                why = item["error_message"] or item["cancel_reason"]
                err(f"run {args.run_id} {status}" + (f" (exit code {item['exit_code']})"
                    if item["exit_code"] is not None else "") + (f": {why}" if why else ""))
                return EXIT_BY_STATUS[status]
    return 0


@guarded
def cmd_run_cancel(args) -> int:
    with control(args) as c:
        r = c.cancel_run(args.run_id, args.reason)
    if r["ended_before"]:
        print(f"run {r['id']} had already ended: {r['status']}")
    elif r["status"] == "canceled":
        print(f"run {r['id']} canceled")
    else:
        print(f"run {r['id']} is {r['status']}: its worker was asked to stop "
              f"(follow it with `odooops run logs {r['id']} --follow`)")
    return 0


# -- operator ------------------------------------------------------------------
@guarded
def cmd_operator_add(args) -> int:
    with control(args) as c:
        added = c.add_operator(args.user_id)
    print(f"user {args.user_id} {'is now' if added else 'was already'} an installation operator "
          "(the console shows them /workers)")
    return 0


@guarded
def cmd_operator_remove(args) -> int:
    with control(args) as c:
        removed = c.remove_operator(args.user_id)
    if not removed:
        err(f"user {args.user_id} is no installation operator\n  `odooops operator list` lists them.")
        return 1
    print(f"user {args.user_id} is no longer an installation operator")
    return 0


@guarded
def cmd_operator_list(args) -> int:
    with control(args) as c:
        rows = c.list_operators()
    if args.json:
        as_json(rows)
    elif not rows:
        print("no installation operator: odooops operator add <user id>")
    else:
        table(rows, ["user_id", "created_at"])
    return 0


# -- registration --------------------------------------------------------------
def add_connection(p: argparse.ArgumentParser, project: bool = True) -> None:
    p.add_argument("--database-url", help="default: DATABASE_URL or SUPABASE_DB_URL, else the `db up` cluster")
    p.add_argument("--role", default=os.environ.get("ODOOOPS_DB_ROLE", "service_role"),
                   help="role to act as (default service_role, or ODOOOPS_DB_ROLE); '' keeps the login role")
    if project:
        p.add_argument("--project", "-p", metavar="SLUG", help="the project (default: ODOOOPS_PROJECT)")


def register(sub) -> None:
    pr = sub.add_parser("project", help="create, list and connect projects")
    prs = pr.add_subparsers(dest="project_command", required=True, metavar="SUBCOMMAND")
    c = prs.add_parser("create", help="register a repository as a project (ops.create_project)",
                       description="Register a repository as a project. Its production branch is created with it; "
                                   "next, give it workflows with `odooops workflow apply`.")
    c.add_argument("slug", help="lowercase letters, digits and inner dashes, such as acme-erp")
    c.add_argument("--repo", required=True, metavar="URL", help="git remote: https://, ssh://, git@host: or file:///")
    c.add_argument("--series", required=True, choices=SERIES, help="the Odoo series of the codebase")
    c.add_argument("--name", help="display name (default: the slug)")
    c.add_argument("--production-branch", default="main", metavar="BRANCH", help="default main")
    add_connection(c, project=False)
    c.set_defaults(func=cmd_project_create)
    ls = prs.add_parser("list", help="the projects and their production branches")
    ls.add_argument("--json", action="store_true", help="JSON instead of a table")
    add_connection(ls, project=False)
    ls.set_defaults(func=cmd_project_list)
    cn = prs.add_parser(
        "connect", help="set the secret of a project's GitHub or GitLab webhook, and say where to paste it",
        description="Make a new webhook secret for the project (ops.set_webhook_secret), print the webhook URL "
                    "(<url>/functions/v1/webhooks) and the secret, and what to select in GitHub or GitLab. A "
                    "project already connected keeps its secret unless --rotate: the old one then stops working "
                    "at once.")
    cn.add_argument("provider", choices=("github", "gitlab"))
    cn.add_argument("slug", help="the project")
    cn.add_argument("--rotate", action="store_true", help="replace the secret already set")
    cn.add_argument("--url", metavar="URL", help="the Supabase project URL (default: SUPABASE_URL)")
    add_connection(cn, project=False)
    cn.set_defaults(func=cmd_project_connect)

    se = sub.add_parser("secret", help="a project's secrets: set, delete, list (values are never shown)",
                        description="Project secrets are write-only: set or rotated here (ops.set_project_secret, "
                                    "admins and owners), never read back; a run names the ones it needs and only "
                                    "the worker holding it gets them. GITHUB_TOKEN and GITLAB_TOKEN are the "
                                    "notifier's tokens for commit statuses.")
    ses = se.add_subparsers(dest="secret_command", required=True, metavar="SUBCOMMAND")
    st = ses.add_parser("set", help="set or rotate a secret; the value comes from standard input",
                        description="Set or rotate a secret. The value is read from standard input (a prompt "
                                    "without echo on a terminal; one trailing newline dropped) or from the "
                                    "environment variable --from-env names: never from the command line, where "
                                    "it would land in the shell's history and the process list.")
    st.add_argument("name", help="upper case letters, digits and _, such as API_TOKEN")
    st.add_argument("--stage", choices=STAGES, help="only for runs of this stage (default: every stage)")
    st.add_argument("--from-env", metavar="VAR", help="read the value from this environment variable")
    add_connection(st)
    st.set_defaults(func=cmd_secret_set)
    dl = ses.add_parser("delete", help="delete a secret and its value")
    dl.add_argument("name")
    dl.add_argument("--stage", choices=STAGES, help="the stage-specific one (default: the one for every stage)")
    add_connection(dl)
    dl.set_defaults(func=cmd_secret_delete)
    ls = ses.add_parser("list", help="names and stages, never values")
    ls.add_argument("--json", action="store_true", help="JSON instead of a table")
    add_connection(ls)
    ls.set_defaults(func=cmd_secret_list)

    gh = sub.add_parser(
        "git-host", help="GitHub Enterprise and self-managed GitLab hosts: where their commit statuses go",
        description="Register the installation's git hosts besides github.com and gitlab.com, so that commit "
                    "statuses of their repositories reach their API (ops.git_hosts; service_role only). A host "
                    "whose name starts with github. or gitlab. needs no registration: it reports to the "
                    "notifier's --github-api-url or --gitlab-api-url.")
    ghs = gh.add_subparsers(dest="git_host_command", required=True, metavar="SUBCOMMAND")
    a = ghs.add_parser("add", help="register a host, or change one (ops.set_git_host)",
                       description="Register a git host: GitHub Enterprise Server (--provider github --api-url "
                                   "https://HOST/api/v3) or a self-managed GitLab (--provider gitlab --api-url "
                                   "https://HOST). The URL must be https (http only to this machine): the "
                                   "project's token is sent to it.")
    a.add_argument("host", help="the host name in the repositories' URLs, such as git.example.com")
    a.add_argument("--provider", required=True, choices=("github", "gitlab"), help="which API the host speaks")
    a.add_argument("--api-url", required=True, metavar="URL", help="the API's base URL")
    add_connection(a, project=False)
    a.set_defaults(func=cmd_git_host_add)
    rm = ghs.add_parser("remove", help="forget a host (ops.delete_git_host)")
    rm.add_argument("host")
    add_connection(rm, project=False)
    rm.set_defaults(func=cmd_git_host_remove)
    ls = ghs.add_parser("list", help="the registered hosts")
    ls.add_argument("--json", action="store_true", help="JSON instead of a table")
    add_connection(ls, project=False)
    ls.set_defaults(func=cmd_git_host_list)

    br = sub.add_parser("branch", help="a project's branches and their Odoo.sh stages")
    brs = br.add_subparsers(dest="branch_command", required=True, metavar="SUBCOMMAND")
    ls = brs.add_parser("list", help="branches by stage: head commit, last push, runs",
                        description="A project's branches, production first, then staging, then development.")
    ls.add_argument("--all", action="store_true", help="deleted branches too")
    ls.add_argument("--json", action="store_true", help="JSON instead of a table")
    add_connection(ls)
    ls.set_defaults(func=cmd_branch_list)
    st = brs.add_parser("stage", help="move a branch to another stage (ops.set_branch_stage)",
                        description="Move a branch between stages, as on Odoo.sh: development <-> staging; staging "
                                    "-> production when the project has none; production -> development only. "
                                    "A refused move says why (SQLSTATE OP012).")
    st.add_argument("branch")
    st.add_argument("stage", choices=STAGES)
    add_connection(st)
    st.set_defaults(func=cmd_branch_stage)

    wf = sub.add_parser("workflow", help="a project's workflows, from files")
    wfs = wf.add_subparsers(dest="workflow_command", required=True, metavar="SUBCOMMAND")
    ap = wfs.add_parser(
        "apply", help="create or replace workflows from a YAML or JSON file (ops.apply_workflow)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Create or replace workflows from a file kept in the project's repository: one workflow, a list, or\n"
            "{workflows: [...]}; .yml/.yaml is read as YAML, anything else as JSON. All of the file or nothing.\n"
            "Validated by the database with the rules of ops.workflows. Fields: name, steps, and optionally\n"
            "description, default_timeout_seconds, max_attempts, lease_seconds, enabled, supersede\n"
            "(none|queued|queued_and_running), required_labels, triggers; a field left out takes its default.\n\n"
            "  name: build\n"
            "  steps:\n"
            "    - {name: checkout, command: odooops step checkout}\n"
            "    - {name: compile, command: odooops step compile}\n"
            "  triggers:                      # default for build: push to development and staging\n"
            "    manual: true                 # may be queued by hand\n"
            "    push: {stages: [development, staging], branches: ['feature/*', main]}\n"
            "    pull_request: {actions: [opened, updated], forks: false}  # forks: true builds forks, no secrets\n"
        ),
    )
    ap.add_argument("file", type=Path)
    add_connection(ap)
    ap.set_defaults(func=cmd_workflow_apply)

    rn = sub.add_parser("run", help="a project's runs: list, show, logs, cancel")
    rns = rn.add_subparsers(dest="run_command", required=True, metavar="SUBCOMMAND")
    ls = rns.add_parser("list", help="runs, newest first")
    ls.add_argument("--branch", help="only this branch")
    ls.add_argument("--status", choices=STATUSES, help="only runs in this status")
    ls.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    ls.add_argument("--json", action="store_true", help="JSON instead of a table")
    add_connection(ls)
    ls.set_defaults(func=cmd_run_list)
    sh = rns.add_parser("show", help="a run and its status changes")
    sh.add_argument("run_id")
    sh.add_argument("--json", action="store_true", help="JSON instead of text")
    add_connection(sh, project=False)
    sh.set_defaults(func=cmd_run_show)
    lg = rns.add_parser("logs", help="a run's log lines; --follow until it ends",
                        description="Print a run's log lines in order. With --follow, keep printing until the run "
                                    "ends, then exit 0 if it succeeded, 1 if it failed, 3 if it was canceled "
                                    "(as env_wait_ready.sh).")
    lg.add_argument("run_id")
    lg.add_argument("--follow", "-f", action="store_true", help="wait for new lines until the run ends")
    lg.add_argument("--interval", type=float, default=1.0, help="seconds between polls with --follow (default 1)")
    add_connection(lg, project=False)
    lg.set_defaults(func=cmd_run_logs)
    cn = rns.add_parser("cancel", help="cancel a run (ops.cancel_run)",
                        description="Cancel a run: a queued run ends canceled at once; a claimed or running run's "
                                    "worker is asked to stop; an ended run is left as it is.")
    cn.add_argument("run_id")
    cn.add_argument("--reason", help="why, recorded with the cancel")
    add_connection(cn, project=False)
    cn.set_defaults(func=cmd_run_cancel)

    op = sub.add_parser("operator", help="the installation's operators: the users who see the workers")
    ops_ = op.add_subparsers(dest="operator_command", required=True, metavar="SUBCOMMAND")
    for verb, func, text in (("add", cmd_operator_add, "make a user an installation operator"),
                             ("remove", cmd_operator_remove, "take the operator role away from a user")):
        v = ops_.add_parser(verb, help=text, description=f"{text[0].upper()}{text[1:]} (ops.installation_operators, "
                            "written by service_role only). Operators see the fleet of workers in the console.")
        v.add_argument("user_id", help="the user's id in auth.users (a uuid)")
        add_connection(v, project=False)
        v.set_defaults(func=func)
    ls = ops_.add_parser("list", help="the installation's operators")
    ls.add_argument("--json", action="store_true", help="JSON instead of a table")
    add_connection(ls, project=False)
    ls.set_defaults(func=cmd_operator_list)
