"""Which server, which fresh database: the one place that decides.

Every command and test that needs a database asks here. The server is, in
this order: ``DATABASE_URL`` / ``SUPABASE_DB_URL``, the cluster of
``odooops db up``, else a throwaway cluster started for this command alone
and removed when it ends. On that server each command gets a database of its
own, with the Supabase baseline and, unless asked otherwise, every migration
of ``supabase/migrations``; it is dropped afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import baseline, migrations, target
from .target import Target


def prepare(t: Target, directory: Path | None = None) -> None:
    """The Supabase baseline, then the migrations: what every database of the harness gets."""
    baseline.ensure(t)
    migrations.migrate(t, directory=directory)


@contextmanager
def server(durable: bool = False) -> Iterator[Target]:
    """The configured server (DATABASE_URL or `db up`), else a cluster of our own while this lasts.

    ``durable`` keeps fsync and synchronous_commit on in a cluster of our own
    (benchmarks); a configured server is used as it is.
    """
    if target.env_url() or target.from_state():
        t = target.current()
        try:
            yield t
        finally:
            for name in list(t.owned_databases):  # whatever a failing caller left behind
                t.drop_database(name)
        return
    own = target.embedded(durable=durable, owner_pid=os.getpid())
    try:
        yield own
    finally:
        own.cluster.stop()


@contextmanager
def fresh_database(parent: Target, prefix: str, *, migrated: bool = True, template: str | None = None,
                   directory: Path | None = None) -> Iterator[Target]:
    """A new database on ``parent``'s server, dropped afterwards.

    It has the Supabase baseline and, with ``migrated``, every migration (of
    ``directory``, default ``supabase/migrations``). With ``template`` it is a
    copy of that database instead, as it is.
    """
    db = parent.create_database(prefix, template=template)
    try:
        if template is None:
            baseline.ensure(db)
            if migrated:
                migrations.migrate(db, directory=directory)
        yield db
    finally:
        parent.drop_database(db.dbname)


@contextmanager
def migrated_database(as_is: bool = False, directory: Path | None = None) -> Iterator[Target]:
    """A database with every migration applied, on a server of :func:`server`.

    ``as_is`` reads the configured database itself, unmigrated (for example a
    Supabase project), instead.
    """
    if as_is:
        yield target.current()
        return
    with server() as parent, fresh_database(parent, "odooops_docs", directory=directory) as db:
        yield db
