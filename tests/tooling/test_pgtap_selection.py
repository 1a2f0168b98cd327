"""`odooops db test FILE`: one file or one folder runs alone, after the setup files it needs."""

from __future__ import annotations

from odooops.dev import pgtap
from odooops.dev.target import project_root

TESTS = project_root() / "supabase" / "tests"


def test_a_selection_runs_after_the_setup_files_once():
    one = TESTS / "security" / "new_functions_are_closed_by_default.test.sql"
    setup = sorted((TESTS / "000-setup").glob("*.test.sql"))
    assert pgtap.select([one]) == [*setup, one]
    assert pgtap.select([TESTS / "000-setup", one]) == [*setup, one]
    folder = pgtap.select([TESTS / "security"])
    assert folder[: len(setup)] == setup and one in folder and len(folder) == len(set(folder))


def test_one_file_passes_alone_on_a_migrated_database(db, capfd):
    one = TESTS / "security" / "new_functions_are_closed_by_default.test.sql"
    assert pgtap.run(db, [one]) == 0, capfd.readouterr().out
