"""Every database call of the commands people run against a control plane: ``project``, ``branch``,
``workflow``, ``run``, ``secret``, ``git-host`` and ``operator``. Changes go through the RPCs
(``ops.create_project``, ``ops.set_webhook_secret``, ``ops.set_branch_stage``, ``ops.apply_workflow``,
``ops.cancel_run``, ``ops.set_project_secret``, ``ops.delete_project_secret``, ``ops.set_git_host``,
``ops.delete_git_host``), except the installation's operators, rows of ``ops.installation_operators`` that only
``service_role`` writes; reads are plain selects of the ``ops`` tables, under row-level security when the role is
``authenticated``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

TERMINAL = ("succeeded", "failed", "canceled")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_WORKFLOW_FILE = 1024 * 1024


class ControlError(Exception):
    """A refusal to show the user: what went wrong and what to do next."""


@dataclass(frozen=True)
class LogLine:
    seq: int
    timestamp: str
    level: str
    stream: str
    message: str


def explain(exc: psycopg.Error, next_step: str | None = None) -> ControlError:
    """The database's message and hint, plus what to do next; SQLSTATE in brackets."""
    diag = exc.diag
    text = diag.message_primary or str(exc).strip()
    parts = [f"{text} [{exc.sqlstate}]" if exc.sqlstate else text]
    if diag.message_hint:
        parts.append(diag.message_hint)
    if next_step:
        parts.append(next_step)
    return ControlError("\n  ".join(parts))


class Control:
    """One connection, as ``role`` (default service_role, like the env scripts); autocommit, one RPC a call."""

    def __init__(self, conninfo: str) -> None:
        try:
            self.conn = psycopg.connect(conninfo, autocommit=True, row_factory=dict_row)
        except psycopg.OperationalError as exc:
            raise ControlError(
                f"cannot connect to the database: {str(exc).strip()}\n  "
                "Check DATABASE_URL (or --database-url), or start one with `odooops db up --migrate`."
            ) from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Control:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _call(self, query: str, params: tuple | dict, next_step: str | None = None) -> list[dict[str, Any]]:
        try:
            return self.conn.execute(query, params).fetchall()
        except psycopg.errors.UndefinedFunction as exc:
            raise explain(exc, "Is the database migrated? `odooops db migrate` applies the migrations.") from None
        except psycopg.Error as exc:
            raise explain(exc, next_step) from None

    # -- projects ----------------------------------------------------------------
    def create_project(self, slug: str, name: str, series: str, repo: str, production_branch: str) -> dict:
        return self._call(
            "select slug, name, odoo_series, repository_url, production_branch, id from ops.create_project("
            "%s, %s, %s, %s, %s)",
            (slug, name, series, repo, production_branch),
        )[0]

    def list_projects(self) -> list[dict]:
        return self._call(
            "select p.slug, p.odoo_series, p.production_branch, p.repository_url, p.archived_at is not null as archived"
            " from ops.projects as p order by p.slug",
            (),
        )

    def set_webhook_secret(self, slug: str, provider: str, secret: str, rotate: bool) -> dict:
        return self._call(
            "select provider, created_at, updated_at from ops.set_webhook_secret(%s, %s, %s, %s)",
            (slug, provider, secret, rotate),
            None if rotate else f"To replace it: odooops project connect {provider} {slug} --rotate",
        )[0]

    def commit_status_target(self, slug: str) -> dict:
        """Where the project's commit statuses go: provider, repository and API URL (none: nowhere)."""
        self.project_id(slug)
        return self._call(
            "select p.repository_url, t.provider, t.repository, h.api_url"
            " from ops.projects as p cross join lateral ops.commit_status_repository(p.repository_url) as t"
            " left join ops.git_hosts as h"
            "   on h.host = split_part(ops.normalize_repository_url(p.repository_url), '/', 1)"
            " where p.slug = %s",
            (slug,),
        )[0]

    # -- secrets -----------------------------------------------------------------
    def list_secrets(self, slug: str) -> list[dict]:
        self.project_id(slug)
        return self._call(
            "select s.name, coalesce(s.stage::text, 'all') as stage, s.updated_at"
            " from ops.project_secrets as s inner join ops.projects as p on p.id = s.project_id"
            " where p.slug = %s order by s.name, s.stage nulls first",
            (slug,),
        )

    def set_secret(self, slug: str, name: str, value: str, stage: str | None) -> dict:
        return self._call(
            "select name, coalesce(stage::text, 'all') as stage, created_at, updated_at"
            " from ops.set_project_secret(%s, %s, %s, %s::ops.run_stage)",
            (slug, name, value, stage),
        )[0]

    def delete_secret(self, slug: str, name: str, stage: str | None) -> dict:
        return self._call(
            "select name, coalesce(stage::text, 'all') as stage"
            " from ops.delete_project_secret(%s, %s, %s::ops.run_stage)",
            (slug, name, stage),
            f"`odooops secret list --project {slug}` shows the project's secrets.",
        )[0]

    # -- git hosts ---------------------------------------------------------------
    def list_git_hosts(self) -> list[dict]:
        return self._call("select host, provider, api_url, updated_at from ops.git_hosts order by host", ())

    def set_git_host(self, host: str, provider: str, api_url: str) -> dict:
        return self._call(
            "select host, provider, api_url from ops.set_git_host(%s, %s, %s)", (host, provider, api_url)
        )[0]

    def delete_git_host(self, host: str) -> dict:
        return self._call("select host, provider, api_url from ops.delete_git_host(%s)", (host,))[0]

    def project_id(self, slug: str) -> str:
        rows = self._call("select id from ops.projects where slug = %s", (slug,))
        if not rows:
            raise ControlError(
                f"project {slug!r} not found\n  List them with `odooops project list`, or create it with "
                f"`odooops project create {slug} --repo URL --series 17.0`."
            )
        return str(rows[0]["id"])

    # -- branches ----------------------------------------------------------------
    def list_branches(self, slug: str, include_deleted: bool = False) -> list[dict]:
        self.project_id(slug)
        return self._call(
            "select b.name, b.stage::text as stage, b.head_commit, b.last_push_at, b.pushed_by, b.deleted_at,"
            " (select count(*) from ops.runs as r where r.branch_id = b.id) as runs"
            " from ops.branches as b inner join ops.projects as p on p.id = b.project_id"
            " where p.slug = %s and (%s or b.deleted_at is null)"
            " order by array_position(array['production', 'staging', 'development'], b.stage::text), b.name",
            (slug, include_deleted),
        )

    def set_branch_stage(self, slug: str, branch: str, stage: str) -> dict:
        return self._call(
            "select name, stage::text as stage from ops.set_branch_stage(%s, %s, %s::ops.run_stage)",
            (slug, branch, stage),
            f"`odooops branch list --project {slug}` shows the branches and their stages.",
        )[0]

    # -- workflows ---------------------------------------------------------------
    def apply_workflows(self, slug: str, workflows: list[dict]) -> list[dict]:
        """All of them or none: one transaction."""
        try:
            with self.conn.transaction():
                return [
                    self.conn.execute(
                        "select name, version, enabled, triggers from ops.apply_workflow(%s, %s)",
                        (slug, Jsonb(w)),
                    ).fetchone()
                    for w in workflows
                ]
        except psycopg.Error as exc:
            name = next((w.get("name") for w in workflows), None)
            raise explain(exc, f"Nothing was applied (workflow {name!r} and the others of the file).") from None

    # -- runs --------------------------------------------------------------------
    def list_runs(self, slug: str, branch: str | None, status: str | None, limit: int) -> list[dict]:
        self.project_id(slug)
        return self._call(
            "select r.id, w.name as workflow, r.branch, left(r.commit_sha, 12) as commit, r.stage::text as stage,"
            " r.status::text as status, r.created_at, r.finished_at"
            " from ops.runs as r"
            " inner join ops.projects as p on p.id = r.project_id"
            " inner join ops.workflows as w on w.id = r.workflow_id"
            " where p.slug = %s and (%s::text is null or r.branch = %s)"
            " and (%s::text is null or r.status::text = %s)"
            " order by r.created_at desc, r.id limit %s",
            (slug, branch, branch, status, status, limit),
        )

    def show_run(self, run_id: str) -> tuple[dict, list[dict]]:
        rows = self._call(
            "select r.id, p.slug as project, w.name as workflow, r.branch, r.commit_sha, r.stage::text as stage,"
            " r.status::text as status, r.attempt, r.max_attempts, r.worker_id, r.exit_code, r.error_message,"
            " r.cancel_reason, r.created_at, r.started_at, r.finished_at"
            " from ops.runs as r"
            " inner join ops.projects as p on p.id = r.project_id"
            " inner join ops.workflows as w on w.id = r.workflow_id"
            " where r.id = %s::uuid",
            (run_id,),
        )
        if not rows:
            raise ControlError(f"run {run_id} not found\n  `odooops run list --project SLUG` lists the runs.")
        events = self._call(
            "select created_at as at, from_status::text as from_status, to_status::text as to_status, actor, reason"
            " from ops.run_events where run_id = %s::uuid order by id",
            (run_id,),
        )
        return rows[0], events

    def run_status(self, run_id: str) -> dict:
        rows = self._call(
            "select status::text as status, exit_code, error_message, cancel_reason from ops.runs where id = %s::uuid",
            (run_id,),
        )
        if not rows:
            raise ControlError(f"run {run_id} not found\n  `odooops run list --project SLUG` lists the runs.")
        return rows[0]

    def log_lines(self, run_id: str, after: int, limit: int = 1000) -> list[LogLine]:
        rows = self._call(
            "select seq, to_char(timestamp at time zone 'UTC', 'HH24:MI:SS.MS') as ts, level::text as level,"
            " coalesce(metadata ->> 'step', stream) as stream, message"
            " from ops.run_logs where run_id = %s::uuid and seq > %s order by seq limit %s",
            (run_id, after, limit),
        )
        return [LogLine(r["seq"], r["ts"], r["level"], r["stream"], r["message"]) for r in rows]

    def follow_logs(self, run_id: str, follow: bool, interval: float = 1.0) -> Iterator[LogLine | dict]:
        """Yield the run's lines in order; with ``follow`` keep going until the run ends, then yield its status.

        The status is read before the lines: a worker stores every line before it completes the run, so once
        the status read is final the lines read after it are all of them.
        """
        after = 0
        while True:
            status = self.run_status(run_id)
            while True:
                lines = self.log_lines(run_id, after)
                yield from lines
                if lines:
                    after = lines[-1].seq
                if len(lines) < 1000:
                    break
            if not follow or status["status"] in TERMINAL:
                yield status
                return
            time.sleep(interval)

    def cancel_run(self, run_id: str, reason: str | None) -> dict:
        """The run after ops.cancel_run, with ``ended_before``: whether it had ended already (nothing changed)."""
        before = self.run_status(run_id)["status"]
        run = self._call(
            "select id, status::text as status, cancel_requested_at, cancel_reason from ops.cancel_run(%s::uuid, %s)",
            (run_id, reason),
        )[0]
        return {**run, "ended_before": before in TERMINAL}

    # -- installation operators --------------------------------------------------
    @staticmethod
    def _user_id(user_id: str) -> str:
        if not UUID.match(user_id.lower()):
            raise ControlError(f"user id must be a uuid (auth.users.id), got {user_id[:40]!r}")
        return user_id.lower()

    def add_operator(self, user_id: str) -> bool:
        """Make a user an installation operator; False when they were one already."""
        rows = self._call(
            "insert into ops.installation_operators (user_id) values (%s::uuid)"
            " on conflict (user_id) do nothing returning user_id",
            (self._user_id(user_id),),
            "Is it the id of a user in auth.users? The Supabase dashboard lists them under Authentication.",
        )
        return bool(rows)

    def remove_operator(self, user_id: str) -> bool:
        """False when the user was no operator."""
        return bool(self._call("delete from ops.installation_operators where user_id = %s::uuid returning user_id",
                               (self._user_id(user_id),)))

    def list_operators(self) -> list[dict]:
        return self._call("select o.user_id::text as user_id, o.created_at from ops.installation_operators as o"
                          " order by o.created_at, o.user_id", ())


def read_workflow_file(path: Path) -> list[dict]:
    """The workflows of a YAML or JSON file: one workflow, a list of them, or ``{"workflows": [...]}``."""
    try:
        size = path.stat().st_size
        if size > MAX_WORKFLOW_FILE:
            raise ControlError(f"{path}: {size} bytes; a workflow file is at most {MAX_WORKFLOW_FILE} bytes")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ControlError(f"{path}: {exc.strerror}") from None
    if path.suffix.lower() in (".yml", ".yaml"):
        try:
            import yaml
        except ImportError:
            raise ControlError(
                f"{path}: reading YAML needs PyYAML (pip install PyYAML), or give the workflow as JSON"
            ) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ControlError(f"{path}: not valid YAML: {exc}") from None
    else:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ControlError(f"{path}: not valid JSON: {exc} (a .yml or .yaml file is read as YAML)") from None
    if isinstance(data, dict) and "workflows" in data:
        data = data["workflows"]
    workflows = data if isinstance(data, list) else [data]
    if not workflows or not all(isinstance(w, dict) for w in workflows):
        raise ControlError(
            f"{path}: expected a workflow (a mapping with name and steps), a list of them, or "
            "{workflows: [...]}"
        )
    try:
        json.dumps(workflows)
    except (TypeError, ValueError) as exc:
        raise ControlError(f"{path}: a value JSON cannot hold ({exc}); quote dates and other special values") from None
    names = [w.get("name") for w in workflows]
    duplicates = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
    if duplicates:
        raise ControlError(f"{path}: workflow {duplicates[0]!r} is defined twice")
    return workflows
