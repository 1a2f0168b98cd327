"""What the control plane runs next to its database: ``odooops notify``."""

from __future__ import annotations

import argparse
import os

from ..runner.queue import SERVICE_ROLE
from .run import worker_conninfo


def positive(kind):
    def parse(value: str):
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
        if number <= 0:
            raise argparse.ArgumentTypeError(f"{value!r} must be more than 0")
        return number

    return parse


def cmd_notify(args) -> int:
    from ..notifier.notifier import Notifier

    if not 1 <= args.batch <= 100:
        raise SystemExit(f"odooops notify: --batch must be 1 to 100, got {args.batch}")
    if args.retain_days is not None and not 1 <= args.retain_days <= 3650:
        raise SystemExit(f"odooops notify: --retain-days must be 1 to 3650, got {args.retain_days}")
    if not 1 <= args.prune_batch <= 10000:
        raise SystemExit(f"odooops notify: --prune-batch must be 1 to 10000, got {args.prune_batch}")
    if not 5 <= args.lease_seconds <= 3600:
        raise SystemExit(f"odooops notify: --lease-seconds must be 5 to 3600, got {args.lease_seconds}")
    notifier = Notifier(
        worker_conninfo(args), notifier_id=args.notifier_id, role=args.role or None,
        github_api_url=args.github_api_url, gitlab_api_url=args.gitlab_api_url, console_url=args.console_url or None,
        batch=args.batch, lease_seconds=args.lease_seconds, timeout=args.timeout, backoff_base=args.backoff_base,
        backoff_cap=args.backoff_cap, poll_interval=args.poll_interval, once=args.once, json_mode=args.json,
        retain_days=None if args.keep_delivered else args.retain_days, prune_batch=args.prune_batch,
    )
    notifier.install_signal_handlers()
    return notifier.serve()


def register(sub) -> None:
    from ..notifier import providers

    p = sub.add_parser(
        "notify", help="send commit statuses of runs queued by a push to GitHub or GitLab (the outbox)",
        description="Drain ops.commit_status_outbox: set each run's commit status on GitHub or GitLab with the "
                    "project's GITHUB_TOKEN or GITLAB_TOKEN secret; retries with backoff, waits out rate limits. "
                    "Runs as service_role, next to the database (not on build hosts).")
    p.add_argument("--database-url", help="default: DATABASE_URL or SUPABASE_DB_URL, else the `db up` cluster")
    p.add_argument("--role", default=os.environ.get("ODOOOPS_DB_ROLE", SERVICE_ROLE),
                   help="role the notifier acts as (default service_role; '' keeps the login role)")
    p.add_argument("--notifier-id", help="the lease holder id (default: <hostname>:<pid>)")
    p.add_argument("--once", action="store_true", help="one pass over what is due now, then exit")
    p.add_argument("--json", action="store_true", help="JSON lines on stdout instead of text")
    p.add_argument("--github-api-url", default=os.environ.get("ODOOOPS_GITHUB_API_URL", providers.GITHUB_API_URL),
                   help="GitHub's REST API (GitHub Enterprise: https://HOST/api/v3); default $ODOOOPS_GITHUB_API_URL "
                        f"or {providers.GITHUB_API_URL}")
    p.add_argument("--gitlab-api-url", default=os.environ.get("ODOOOPS_GITLAB_API_URL", providers.GITLAB_API_URL),
                   help="GitLab's base URL (self-hosted: https://HOST); default $ODOOOPS_GITLAB_API_URL or "
                        f"{providers.GITLAB_API_URL}")
    p.add_argument("--console-url", default=os.environ.get("ODOOOPS_CONSOLE_URL"),
                   help="the console's base URL: statuses link to <url>/runs/<run id> (default $ODOOOPS_CONSOLE_URL; "
                        "none: no link)")
    p.add_argument("--batch", type=int, default=10, help="rows leased per pass (1 to 100, default 10)")
    p.add_argument("--lease-seconds", type=int, default=60,
                   help="how long a leased row is this notifier's (5 to 3600, default 60)")
    p.add_argument("--retain-days", type=int, default=30,
                   help="delete rows delivered more than this many days ago, at start and hourly (1 to 3650, "
                        "default 30)")
    p.add_argument("--prune-batch", type=int, default=1000,
                   help="rows deleted per transaction while pruning (1 to 10000, default 1000)")
    p.add_argument("--keep-delivered", action="store_true", help="never delete delivered rows")
    p.add_argument("--timeout", type=positive(float), default=10.0, help="seconds per HTTP request (default 10)")
    p.add_argument("--backoff-base", type=positive(float), default=2.0,
                   help="first retry delay in seconds, doubled per attempt, with jitter (default 2)")
    p.add_argument("--backoff-cap", type=positive(float), default=600.0, help="longest retry delay (default 600)")
    p.add_argument("--poll-interval", type=positive(float), default=2.0,
                   help="seconds between passes when nothing was due (default 2)")
    p.set_defaults(func=cmd_notify)
