"""Commands a build host runs: ``odooops worker`` and ``odooops step``."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from ..runner.queue import SERVICE_ROLE

LABEL = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
MAX_LABELS = 32  # ops.claim_next_run's bound


def label(value: str) -> str:
    """One --label: what ops.claim_next_run accepts, checked before the worker starts."""
    if not LABEL.match(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a label: 1 to 63 lowercase letters, digits, '.', '_' or '-', starting with a "
            "letter or digit (odoo-17.0, docker, arm64)")
    return value


def worker_labels(args) -> list[str]:
    """ODOOOPS_WORKER_LABELS (comma-separated) plus every --label, sorted, without repeats."""
    env = os.environ.get("ODOOOPS_WORKER_LABELS", "")
    try:
        labels = {label(x.strip()) for x in env.split(",") if x.strip()}
    except argparse.ArgumentTypeError as exc:
        raise SystemExit(f"odooops worker: ODOOOPS_WORKER_LABELS: {exc}") from None
    labels.update(args.labels)
    if len(labels) > MAX_LABELS:
        raise SystemExit(f"odooops worker: at most {MAX_LABELS} labels, got {len(labels)}")
    return sorted(labels)


def add_worker_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database-url", help="default: DATABASE_URL or SUPABASE_DB_URL, else the `db up` cluster")
    p.add_argument("--role", default=os.environ.get("ODOOOPS_DB_ROLE", SERVICE_ROLE),
                   help="role the worker acts as (`set role` after login unless it logs in as it); "
                        "default service_role; '' keeps the login role")
    p.add_argument("--worker-id", help="default: <hostname>:<pid>")
    p.add_argument("--once", action="store_true", help="take at most one run, then exit")
    p.add_argument("--drain", action="store_true", help="exit when no run is claimable")
    p.add_argument("--run", dest="run_id", help="execute this run, already claimed under --worker-id, then exit")
    p.add_argument("--json", action="store_true", help="JSON lines on stdout instead of text")
    p.add_argument("--lease-seconds", type=int, help="lease per claim and heartbeat (default: the workflow's)")
    p.add_argument("--heartbeat-interval", type=float, help="seconds (default: a quarter of the lease, at most 2)")
    p.add_argument("--poll-interval", type=float, default=5.0, help="poll the queue this often without NOTIFY")
    p.add_argument("--kill-grace", type=float, default=5.0, help="seconds between SIGTERM and SIGKILL of a step")
    p.add_argument("--on-sigterm", choices=("requeue", "finish"), default="requeue",
                   help="what SIGTERM does to the current run")
    p.add_argument("--artifacts-dir", type=Path,
                   help="local artifact store (default $ODOOOPS_STORAGE_DIR, else .odooops/artifacts in the "
                        "current directory); ignored when ODOOOPS_S3_BUCKET is set")
    p.add_argument("--work-dir", type=Path, help="parent of the per-run work directories (default: the temp dir)")
    p.add_argument("--keep-workdirs", action="store_true", help="leave work directories behind (debugging)")
    p.add_argument("--pass-env", action="append", default=[], metavar="NAME",
                   help="also pass this variable of the worker's environment to steps")
    p.add_argument("--label", dest="labels", action="append", default=[], type=label, metavar="NAME",
                   help="a label this worker offers (repeatable; adds to the comma-separated "
                        "ODOOOPS_WORKER_LABELS), such as odoo-17.0, docker, arm64: it takes only runs whose "
                        "workflow requires labels it offers, and without any only runs that require none")


def worker_conninfo(args) -> str:
    """--database-url, DATABASE_URL or SUPABASE_DB_URL; in a checkout of this repository, the `db up` cluster."""
    url = args.database_url or os.environ.get("DATABASE_URL") or os.environ.get("SUPABASE_DB_URL")
    if url:
        return url
    from ..dev import target

    return target.current().conninfo("postgres")


def cmd_worker(args) -> int:
    from ..runner.worker import Worker

    worker = Worker(
        worker_conninfo(args), worker_id=args.worker_id, role=args.role or None,
        lease_seconds=args.lease_seconds, once=args.once, drain=args.drain, run_id=args.run_id,
        json_mode=args.json, artifacts_dir=args.artifacts_dir, work_root=args.work_dir,
        keep_workdirs=args.keep_workdirs, poll_interval=args.poll_interval,
        heartbeat_interval=args.heartbeat_interval, kill_grace=args.kill_grace, on_sigterm=args.on_sigterm,
        pass_env=args.pass_env, labels=worker_labels(args),
    )
    worker.install_signal_handlers()
    return worker.serve()


def cmd_step(args) -> int:
    from .. import steps

    return steps.run(args)


def register(sub) -> None:
    from .. import steps

    wk = sub.add_parser("worker", help="take queued runs and run their steps (LISTEN ops_runs_queued)",
                        description="Take queued runs from the database and run their steps (see the README's "
                                    "'Running it for real'). SIGTERM stops claiming and hands back the current run.")
    add_worker_arguments(wk)
    wk.set_defaults(func=cmd_worker)
    st = sub.add_parser("step", help="a built-in workflow step (checkout, validate-manifests, ...)")
    steps.add_arguments(st)
    st.set_defaults(func=cmd_step)
