"""`odooops db test FILE`: one file or one folder runs alone, after the setup files it needs;
`--archive DIR` keeps the TAP of every file (what CI uploads)."""

from __future__ import annotations

import tarfile

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


def test_the_tap_of_every_file_is_kept_in_the_archive(db, tmp_path, capfd):
    one = TESTS / "security" / "new_functions_are_closed_by_default.test.sql"
    assert pgtap.run(db, [one], archive=tmp_path / "tap") == 0, capfd.readouterr().out
    rel = one.relative_to(project_root()).as_posix()
    with tarfile.open(tmp_path / "tap" / "tests.tar.gz") as tar:
        assert sorted(tar.getnames()) == sorted(["meta.yml", rel])
        tap = tar.extractfile(rel).read().decode()
    assert tap.startswith("1..") and "\nok 1 " in f"\n{tap}" and "not ok" not in tap, tap
    with tarfile.open(tmp_path / "tap" / "setup.tar.gz") as tar:
        setup = [n for n in tar.getnames() if n != "meta.yml"]
    assert setup and all("/000-setup/" in n for n in setup)
