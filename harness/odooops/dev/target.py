"""Which PostgreSQL server the harness works on, and how it connects to it.

Three sources, in this order: ``DATABASE_URL`` / ``SUPABASE_DB_URL`` (an
existing server: local, CI service, or a real Supabase project), an embedded
cluster already running (the one ``odooops check`` shares with its checks
through ``ODOOOPS_CLUSTER_DIR``, else the one of ``odooops db up``, recorded in
``.odooops/cluster.json``), or, for tests and the demo, a new embedded cluster.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from .cluster import SUPERUSER, Cluster

MIGRATION_ROLE = "postgres"
LOGIN_ROLES = ("postgres", "authenticator", "supabase_admin", "supabase_auth_admin", "supabase_storage_admin")


def project_root() -> Path:
    env = os.environ.get("ODOOOPS_ROOT")
    if env:
        return Path(env)
    here = Path.cwd()
    for p in [here, *here.parents]:
        if (p / "supabase" / "migrations").is_dir():
            return p
    return Path(__file__).resolve().parents[3]


def state_file() -> Path:
    return project_root() / ".odooops" / "cluster.json"


def env_url() -> str | None:
    return os.environ.get("DATABASE_URL") or os.environ.get("SUPABASE_DB_URL") or None


@dataclass
class Target:
    """A database on some server: ``admin`` connects with full rights, ``conninfo``
    connects as a Supabase role (``postgres`` by default, the migration role)."""

    admin_url: str
    cluster: Cluster | None = None
    owned_databases: list[str] = field(default_factory=list)

    @property
    def dbname(self) -> str:
        return conninfo_to_dict(self.admin_url).get("dbname") or "postgres"

    def with_dbname(self, dbname: str) -> Target:
        return Target(make_conninfo(self.admin_url, dbname=dbname), cluster=self.cluster)

    def conninfo(self, role: str = MIGRATION_ROLE, **extra) -> str:
        """Connection string that acts as ``role``.

        On an embedded cluster the role logs in directly (trust auth). On an
        existing server the admin URL logs in and the session takes the role
        with the ``role`` setting, unless it already logs in as that role.
        """
        params = conninfo_to_dict(self.admin_url)
        if self.cluster is not None:
            # API roles cannot log in (NOLOGIN, as on Supabase): log in as
            # postgres, which is a member of them, and take the role.
            params["user"] = role if role in LOGIN_ROLES else MIGRATION_ROLE
            if role not in LOGIN_ROLES:
                params["options"] = f"{params.get('options', '')} -c role={role}".strip()
        elif params.get("user") != role:
            # Role settings apply to the login role only, so carry Supabase's
            # search_path for postgres along with the role switch.
            opts = params.get("options", "")
            params["options"] = f"{opts} -c role={role} -c search_path=$user,public,extensions".strip()
        params.update(extra)
        return make_conninfo("", **params)

    def url(self, role: str = MIGRATION_ROLE) -> str:
        """A postgresql:// URL for tools that only take URLs (Supabase CLI, psql)."""
        if self.cluster is not None:
            return self.cluster.url(role, self.dbname)
        return self.admin_url

    def libpq_env(self, role: str = MIGRATION_ROLE) -> dict[str, str]:
        """PG* environment variables for libpq tools (pg_prove, psql)."""
        p = conninfo_to_dict(self.conninfo(role))
        env = {"PGHOST": p.get("host", "127.0.0.1"), "PGPORT": str(p.get("port", 5432)),
               "PGDATABASE": p.get("dbname", "postgres"), "PGUSER": p.get("user", role)}
        if p.get("password"):
            env["PGPASSWORD"] = p["password"]
        if p.get("options"):
            env["PGOPTIONS"] = p["options"]
        if p.get("sslmode"):
            env["PGSSLMODE"] = p["sslmode"]
        return env

    @contextmanager
    def connect(self, role: str | None = None, autocommit: bool = True, **kw) -> Iterator[psycopg.Connection]:
        info = self.admin_url if role is None else self.conninfo(role)
        with psycopg.connect(info, autocommit=autocommit, **kw) as conn:
            yield conn

    # -- databases on the same server ------------------------------------------
    def create_database(self, prefix: str = "odooops", template: str | None = None) -> Target:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with self.connect() as conn:
            q = sql.SQL("create database {}").format(sql.Identifier(name))
            if template:
                # A clone belongs to whoever owns the template (postgres after the baseline), not to its creator.
                owner = conn.execute(
                    "select pg_get_userbyid(datdba) from pg_database where datname = %s", (template,)
                ).fetchone()[0]
                q = sql.SQL("create database {} template {} owner {}").format(
                    sql.Identifier(name), sql.Identifier(template), sql.Identifier(owner)
                )
            conn.execute(q)
        self.owned_databases.append(name)
        return self.with_dbname(name)

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        if name in self.owned_databases:
            self.owned_databases.remove(name)


def embedded(durable: bool = False, owner_pid: int | None = None) -> Target:
    cluster = Cluster.create(durable=durable, owner_pid=owner_pid)
    return Target(cluster.url(SUPERUSER, "postgres"), cluster=cluster)


# The directory of a running embedded cluster that commands started by this
# process use instead of starting their own (set by `odooops check`).
CLUSTER_DIR_ENV = "ODOOOPS_CLUSTER_DIR"


def shared(cluster: Cluster) -> dict[str, str]:
    """Environment for child processes: use ``cluster``, as :func:`from_state` reads it."""
    return {CLUSTER_DIR_ENV: str(cluster.root)}


def from_state() -> Target | None:
    """A running cluster: the shared one (``ODOOOPS_CLUSTER_DIR``), else the ``db up`` one."""
    shared_dir = os.environ.get(CLUSTER_DIR_ENV)
    if shared_dir:
        cluster = Cluster.attach(Path(shared_dir))
        if cluster is None or not cluster.is_running():
            raise SystemExit(f"odooops: {CLUSTER_DIR_ENV} is {shared_dir}, where no cluster runs; "
                             f"unset it to use DATABASE_URL, the `db up` cluster or a throwaway one")
        return Target(cluster.url(SUPERUSER, "postgres"), cluster=cluster)
    f = state_file()
    if not f.exists():
        return None
    try:
        state = json.loads(f.read_text())
    except ValueError:
        return None
    if "docker" in state:  # `db up --docker`: the Supabase image, reached like any existing server
        return Target(state["url"])
    cluster = Cluster.attach(Path(state["root"]))
    if cluster is None or not cluster.is_running():
        return None
    return Target(cluster.url(SUPERUSER, "postgres"), cluster=cluster)


def current() -> Target:
    """The target of CLI commands: DATABASE_URL, else the ``db up`` cluster."""
    url = env_url()
    if url:
        return Target(url)
    t = from_state()
    if t is None:
        raise SystemExit(
            "odooops: no database. Start one with `odooops db up`, or set DATABASE_URL "
            "(or SUPABASE_DB_URL) to an existing server."
        )
    return t
