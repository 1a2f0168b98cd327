"""Apply ``supabase/migrations/*.sql`` the way the Supabase CLI does.

Each file runs in its own transaction, statement by statement, as the
non-superuser ``postgres`` role, and is recorded in
``supabase_migrations.schema_migrations (version, name, statements)`` with the
same statement split as ``supabase db push``, so either tool sees the other's
work as applied.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from .target import MIGRATION_ROLE, Target, project_root

NAME_RE = re.compile(r"^(\d{14})_([a-z0-9_]+)\.sql$")

HISTORY_DDL = [
    "create schema if not exists supabase_migrations",
    "create table if not exists supabase_migrations.schema_migrations (version text not null primary key)",
    "alter table supabase_migrations.schema_migrations add column if not exists statements text[]",
    "alter table supabase_migrations.schema_migrations add column if not exists name text",
]


class MigrationError(Exception):
    """A refusal or a failure; the message names the file and says what to do."""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path

    @property
    def filename(self) -> str:
        return self.path.name

    def statements(self) -> list[tuple[int, str]]:
        return split_statements(self.path.read_text())


def split_statements(text: str) -> list[tuple[int, str]]:
    """Split SQL into statements as the Supabase CLI records them.

    Splits at top-level semicolons (not inside quotes, dollar quotes or
    comments), drops the semicolon, trims whitespace and drops empty pieces.
    Returns (line where the statement starts, statement text).
    """
    out: list[tuple[int, str]] = []
    i, n, start = 0, len(text), 0
    while i < n:
        c = text[i]
        if c == "-" and text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif c == "/" and text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c in ("'", '"'):
            # E'...' strings allow backslash escapes; '' and "" escape everywhere.
            after_word = i >= 2 and (text[i - 2].isalnum() or text[i - 2] == "_")
            escape = c == "'" and i > 0 and text[i - 1] in "eE" and not after_word
            i += 1
            while i < n:
                if escape and text[i] == "\\":
                    i += 2
                    continue
                if text[i] == c:
                    if i + 1 < n and text[i + 1] == c:
                        i += 2
                        continue
                    i += 1
                    break
                i += 1
        elif c == "$":
            m = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$", text[i:])
            if m and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")):
                tag = m.group(0)
                j = text.find(tag, i + len(tag))
                i = n if j < 0 else j + len(tag)
            else:
                i += 1
        elif c == ";":
            _emit(out, text, start, i)
            i += 1
            start = i
        else:
            i += 1
    _emit(out, text, start, n)
    return out


def _emit(out: list[tuple[int, str]], text: str, a: int, b: int) -> None:
    piece = text[a:b]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        out.append((text.count("\n", 0, a + lead) + 1, stripped))


def discover(directory: Path | None = None) -> list[Migration]:
    """The migration files in version order; refuses bad names and duplicate versions."""
    directory = directory or project_root() / "supabase" / "migrations"
    found: dict[str, Migration] = {}
    for path in sorted(directory.glob("*")):
        if path.is_dir() or path.name.startswith("."):
            continue
        m = NAME_RE.match(path.name)
        if not m:
            raise MigrationError(
                f"{path.name}: file name must match <14-digit version>_<lowercase_name>.sql "
                r"(^\d{14}_[a-z0-9_]+\.sql$); the Supabase CLI would skip or mis-version it. Rename it, "
                "e.g. 20260213000001_rename_agent_tables.sql."
            )
        version, name = m.groups()
        if version in found:
            raise MigrationError(
                f"{path.name}: version {version} is also used by {found[version].filename}; "
                "every migration needs its own version. Renumber one of them."
            )
        found[version] = Migration(version, name, path)
    return [found[v] for v in sorted(found)]


def applied(conn: psycopg.Connection) -> dict[str, tuple[str | None, list[str] | None]]:
    exists = conn.execute("select to_regclass('supabase_migrations.schema_migrations')").fetchone()[0]
    if exists is None:
        return {}
    rows = conn.execute("select version, name, statements from supabase_migrations.schema_migrations").fetchall()
    return {v: (name, stmts) for v, name, stmts in rows}


@dataclass
class Plan:
    pending: list[Migration]
    applied: list[Migration]


def check(conn: psycopg.Connection, migrations: list[Migration]) -> Plan:
    """Compare files with the recorded history; refuse gone or edited migrations."""
    history = applied(conn)
    by_version = {m.version: m for m in migrations}
    for version in sorted(history):
        if version not in by_version:
            name = history[version][0] or "?"
            raise MigrationError(
                f"{version}_{name}.sql: recorded as applied in supabase_migrations.schema_migrations "
                "but the file is gone from supabase/migrations. Restore the file (migrations are never "
                "deleted once applied), or repair the history with `supabase migration repair`."
            )
    done, pending = [], []
    for m in migrations:
        if m.version in history:
            recorded = history[m.version][1]
            current = [s for _, s in m.statements()]
            if recorded is not None and recorded != current:
                pairs = enumerate(zip(recorded, current, strict=False))  # of different lengths when one grew
                first = next((i for i, (a, b) in pairs if a != b), min(len(recorded), len(current)))
                raise MigrationError(
                    f"{m.filename}: edited after it was applied (statement {first + 1} differs from the "
                    "recorded one). Applied migrations are never edited: restore the file and put the "
                    "change in a new migration."
                )
            done.append(m)
        else:
            pending.append(m)
    return Plan(pending=pending, applied=done)


def _line_of(statement: str, position: int | None) -> int:
    if not position:
        return 0
    return statement.count("\n", 0, max(position - 1, 0))


def apply_one(conn: psycopg.Connection, m: Migration) -> None:
    statements = m.statements()
    with conn.transaction():
        for line, stmt in statements:
            try:
                conn.execute(stmt.encode())  # bytes: no client-side placeholders
            except psycopg.Error as exc:
                diag = exc.diag
                pos = int(diag.statement_position) if diag.statement_position else None
                at = line + _line_of(stmt, pos)
                where = f" ({diag.context.strip().splitlines()[0]})" if diag.context else ""
                raise MigrationError(
                    f"{m.filename}:{at}: {diag.message_primary or exc} [SQLSTATE {exc.sqlstate}]{where}. "
                    "The file was rolled back completely; fix it and run `odooops db migrate` again."
                ) from exc
        conn.execute(
            "insert into supabase_migrations.schema_migrations (version, name, statements) values (%s, %s, %s)",
            (m.version, m.name, [s for _, s in statements]),
        )


def migrate(target: Target, *, dry_run: bool = False, directory: Path | None = None,
            echo: Callable[[str], None] | None = None) -> Plan:
    """Apply every pending migration as the ``postgres`` role; return the plan.

    Quiet unless ``echo`` is given: it is called with one line per migration
    applied (or, with ``dry_run``, that would be).
    """
    echo = echo or (lambda line: None)
    migrations = discover(directory)
    with psycopg.connect(target.conninfo(MIGRATION_ROLE), autocommit=True) as conn:
        if not dry_run:
            for ddl in HISTORY_DDL:
                conn.execute(ddl)
        plan = check(conn, migrations)
        for m in plan.pending:
            if dry_run:
                echo(f"would apply {m.filename}")
                continue
            echo(f"applying {m.filename}")
            apply_one(conn, m)
    return plan
