"""Migration tests: a database migrated up to the migration under test, seeded, then the migration applied."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from odooops.dev import databases, migrations

from tests.conftest import ROOT, connect

MIGRATIONS = ROOT / "supabase" / "migrations"


@contextmanager
def migrated_before(server, tmp_path: Path, migration: str, seed: list[str], name: str) -> Iterator:
    """A database with every migration before ``migration``, then ``seed`` run in one transaction;
    yields (db, migration folder)."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for path in sorted(MIGRATIONS.glob("*.sql")):
        if path.name < migration:
            shutil.copy(path, folder / path.name)
    with databases.fresh_database(server, name, directory=folder) as db:
        with connect(db) as conn, conn.transaction():
            for statement in seed:
                conn.execute(statement)
        yield db, folder


def apply(db, folder: Path, migration: str) -> None:
    """Apply ``migration`` to a database from :func:`migrated_before`; it must be the only one pending."""
    shutil.copy(MIGRATIONS / migration, folder / migration)
    plan = migrations.migrate(db, directory=folder)
    assert [m.filename for m in plan.pending] == [migration]
