"""The SQL checks: plpgsql_check on the migrated functions, sqlfluff on the files."""

from __future__ import annotations

import re

import pytest
from odooops.dev import lint

from tests.conftest import connect

BROKEN_FUNCTIONS = """
create schema lintcheck;

create function lintcheck.count_missing() returns bigint
language plpgsql
as $$
begin
  return (select count(*) from lintcheck.no_such_table);
end
$$;

create table lintcheck.touched (id int, note text);

create function lintcheck.touch() returns trigger
language plpgsql
as $$
begin
  new.no_such_column := now();
  return new;
end
$$;

create trigger touched_touch before update on lintcheck.touched
for each row execute function lintcheck.touch();

-- A trigger function with no trigger cannot be checked (no table for NEW): skipped, not reported.
create function lintcheck.unattached() returns trigger
language plpgsql
as $$
begin
  new.whatever := 1;
  return new;
end
$$;
"""


def test_plpgsql_check_reports_a_missing_table_and_column(db):
    with connect(db) as conn:
        conn.execute(BROKEN_FUNCTIONS)
    problems = lint.plpgsql_check(db)
    by_function = {fn: (lineno, level, message, sqlstate) for fn, lineno, level, message, sqlstate in problems}
    assert set(by_function) == {"lintcheck.count_missing()", "lintcheck.touch()"}, problems

    lineno, level, message, sqlstate = by_function["lintcheck.count_missing()"]
    assert (level, sqlstate) == ("error", "42P01")
    assert 'relation "lintcheck.no_such_table" does not exist' in message
    assert lineno == 3  # the line of the function body

    lineno, level, message, sqlstate = by_function["lintcheck.touch()"]
    assert (level, sqlstate) == ("error", "42703")
    assert "no_such_column" in message


def test_plpgsql_check_is_clean_on_the_repository_migrations(db):
    assert lint.plpgsql_check(db) == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        pytest.param("SELECT 1 AS one\n", "CP01", id="uppercase-keywords"),
        pytest.param("select from where\n", "PRS", id="syntax-error"),
    ],
)
def test_sqlfluff_fails_a_bad_file(tmp_path, capfd, text, rule):
    path = tmp_path / "bad.sql"
    path.write_text(text)
    assert lint.sqlfluff([path]) == 1  # 1: violations found (2 would be a usage or config error)
    out = capfd.readouterr().out
    assert f"== [{path}] FAIL" in out
    assert re.search(rf"\|\s+{rule} \|", out), out


def test_sqlfluff_passes_a_clean_file_outside_the_project(tmp_path, capfd):
    """The project's .sqlfluff applies wherever the file is (sqlfluff alone reads it only below the cwd)."""
    path = tmp_path / "clean.sql"
    path.write_text("select 1 as one;\n")
    assert lint.sqlfluff([path]) == 0, capfd.readouterr()


def test_sqlfluff_passes_the_repository_migrations(capfd):
    assert lint.sqlfluff() == 0, capfd.readouterr().out
