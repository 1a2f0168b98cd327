"""The upgrade-patch step on real OCA addon code: its diff applies with ``git apply`` to the scanned commit,
and once applied the scan no longer reports the changes the patch covers.

The addons are the published wheels of the upgrade-scan corpus (``odooops bench upgrade-scan`` downloads and
caches them; skipped when pip cannot reach the registry, except under CI). ``ODOOOPS_PATCH_CORPUS=full`` runs
every addon of the corpus instead of a handful (the numbers in docs/odooops-sh/UPGRADE_SCAN.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from odooops.dev import bench_upgrade_scan, wheels
from odooops.steps import addons, upgrade_patch
from psycopg.rows import dict_row

from tests.conftest import ROOT, connect

# Small addons whose 17.0 and 18.0 code has <tree>, view_mode, group_operator, user_has_groups, the chatter
# block or SUPERUSER_ID imports.
ADDONS = ("base_technical_user", "web_environment_ribbon", "base_substate", "date_range", "mis_builder",
          "base_tier_validation", "auditlog", "queue_job")
MOVES = (("17.0", "18.0"), ("18.0", "19.0"))


def git(args: list[str], cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def repository(tree: Path, dest: Path, name: str) -> Path:
    """A git repository holding the addon at ``<name>/``, committed: the scanned commit."""
    shutil.copytree(tree, dest / name)
    git(["init", "-q", "-b", "main", "."], dest)
    git(["add", "-A"], dest)
    git(["-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-q", "-m", "scanned"], dest)
    return dest


def run_step(repo: Path, work: Path, series: str, target: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ODOOOPS_WORKDIR": str(work), "ODOOOPS_SOURCE_DIR": str(repo),
           "ODOOOPS_ARTIFACTS_DIR": str(work / "artifacts"), "ODOOOPS_ODOO_SERIES": series,
           "ODOOOPS_TARGET_SERIES": target, "PYTHONPATH": str(ROOT / "harness")}
    return subprocess.run([sys.executable, "-m", "odooops.steps", "upgrade-patch"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def advisories(template_db) -> list[dict]:
    with connect(template_db) as conn, conn.cursor(row_factory=dict_row) as cur:
        return [dict(r) for r in cur.execute(bench_upgrade_scan.ADVISORIES_SQL)]


@pytest.fixture(scope="module")
def trees() -> dict[tuple[str, str], Path]:
    corpus = bench_upgrade_scan.load_corpus()["addons"]
    full = os.environ.get("ODOOOPS_PATCH_CORPUS") == "full"
    entries = [e for e in corpus if full or e["name"] in ADDONS]
    try:
        return bench_upgrade_scan.fetch(entries, bench_upgrade_scan.cache_dir(), echo=lambda _: None)
    except wheels.DownloadError as exc:
        why = f"pip could not download the corpus wheels: {exc}"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


def covered(series: str, target: str) -> set[str]:
    return {code for r in upgrade_patch.rewrites_for(series, target) for code in r.advisories}


@pytest.mark.slow
def test_the_patch_applies_to_real_oca_addons_and_removes_what_it_covers(trees, advisories, tmp_path):
    totals = {"moves": 0, "patched": 0, "files": 0, "before": 0, "after": 0, "seconds": 0.0}
    leftovers = []
    for (name, series), tree in sorted(trees.items()):
        target = addons.next_series(series)
        if (series, target) not in MOVES:
            continue
        repo = repository(tree, tmp_path / f"{name}-{series}" / "src", name)
        work = repo.parent
        chosen = addons.select_advisories(advisories, series, target)
        codes = covered(series, target)
        before = [f for f in addons.scan_tree(repo, chosen) if f.code in codes]

        t0 = time.perf_counter()
        proc = run_step(repo, work, series, target)
        totals["seconds"] += time.perf_counter() - t0
        assert proc.returncode == 0, proc.stdout + proc.stderr
        patch = work / "artifacts" / upgrade_patch.PATCH_NAME
        assert patch.is_file(), proc.stdout
        totals["moves"] += 1
        if patch.stat().st_size:
            totals["patched"] += 1
            totals["files"] += patch.read_text().count("diff --git ")
            check = subprocess.run(["git", "apply", "--check", str(patch)], cwd=repo, capture_output=True, text=True)
            assert check.returncode == 0, f"{name} {series}: {check.stderr}"
            git(["apply", str(patch)], repo)
        after = [f for f in addons.scan_tree(repo, chosen) if f.code in codes]
        totals["before"] += len(before)
        totals["after"] += len(after)
        leftovers += [f"{name} {series}: {f.code} {f.file}:{f.line}: {f.text}" for f in after]
    print(f"upgrade-patch on {totals}")
    assert totals["moves"] >= 2 * len(ADDONS) - 2, totals
    assert totals["patched"] > 0 and totals["before"] > 0, "the chosen addons have something the patch covers"
    assert leftovers == [], "\n".join(leftovers)


SUPERUSER_SHAPES = {
    "a/models/one.py": textwrap.dedent('''\
        from odoo import SUPERUSER_ID, api, fields, models
        from odoo.exceptions import UserError
        '''),
    "a/hooks.py": textwrap.dedent('''\
        from odoo import (
            SUPERUSER_ID,
            api,
        )  # hooks


        def post_init_hook(cr, registry):
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        '''),
    "a/models/two.py": textwrap.dedent('''\
        def f(env):
            from odoo import SUPERUSER_ID as SU
            return env(user=SU)
        '''),
    "a/models/keep.py": "from odoo.api import SUPERUSER_ID\nfrom odoo import models\nX = 'odoo.SUPERUSER_ID_X'\n",
}


def test_superuser_id_imports_move_to_odoo_api_on_real_code_shapes(advisories, tmp_path):
    repo = tmp_path / "src"
    (repo / "a").mkdir(parents=True)
    (repo / "a" / "__manifest__.py").write_text("{'name': 'a', 'version': '18.0.1.0.0'}\n")
    for rel, text in SUPERUSER_SHAPES.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    git(["init", "-q", "-b", "main", "."], repo)
    git(["add", "-A"], repo)
    git(["-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-q", "-m", "x"], repo)
    superuser = [a for a in advisories if a["code"] == "superuser-id-import"]
    # The line scan sees three of the four imports (not the parenthesised one); the patch rewrites all four.
    assert len(addons.scan_tree(repo, superuser)) >= 3

    proc = run_step(repo, tmp_path, "18.0", "19.0")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "superuser-id-import (odooops)" in proc.stdout
    git(["apply", str(tmp_path / "artifacts" / upgrade_patch.PATCH_NAME)], repo)
    assert (repo / "a/models/one.py").read_text() == (
        "from odoo import api, fields, models\nfrom odoo.api import SUPERUSER_ID\n"
        "from odoo.exceptions import UserError\n")
    assert (repo / "a/hooks.py").read_text().startswith(
        "from odoo import api\nfrom odoo.api import SUPERUSER_ID  # hooks\n\n\ndef post_init_hook")
    assert "odoo.api.SUPERUSER_ID, {}" in (repo / "a/hooks.py").read_text()
    assert "    from odoo.api import SUPERUSER_ID as SU\n" in (repo / "a/models/two.py").read_text()
    assert (repo / "a/models/keep.py").read_text() == SUPERUSER_SHAPES["a/models/keep.py"]
    assert addons.scan_tree(repo, superuser) == []
    for rel in SUPERUSER_SHAPES:  # still Python
        compile((repo / rel).read_text(), rel, "exec")


def test_a_move_without_rewrites_gives_an_empty_patch(tmp_path):
    repo = tmp_path / "src"
    (repo / "a").mkdir(parents=True)
    (repo / "a" / "__manifest__.py").write_text("{'name': 'a'}\n")
    (repo / "a" / "v.xml").write_text("<odoo><tree/></odoo>")  # 16.0 -> 17.0: no rewrite of ours applies
    proc = run_step(repo, tmp_path, "16.0", "17.0")
    assert proc.returncode == 0, proc.stderr
    assert "no rewrite applies" in proc.stdout
    assert (tmp_path / "artifacts" / upgrade_patch.PATCH_NAME).read_text() == ""
    assert (repo / "a" / "v.xml").read_text() == "<odoo><tree/></odoo>", "the checkout is never changed"


def test_a_last_line_without_newline_gives_a_patch_git_applies(tmp_path):
    repo = tmp_path / "src"
    (repo / "a" / "views").mkdir(parents=True)
    (repo / "a" / "__manifest__.py").write_text("{'name': 'a'}\n")
    (repo / "a" / "views" / "v.xml").write_text('<odoo>\n<tree string="x">\n</tree>\n</odoo>')
    git(["init", "-q", "-b", "main", "."], repo)
    git(["add", "-A"], repo)
    git(["-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-q", "-m", "x"], repo)
    assert run_step(repo, tmp_path, "17.0", "18.0").returncode == 0
    git(["apply", str(tmp_path / "artifacts" / upgrade_patch.PATCH_NAME)], repo)
    assert (repo / "a" / "views" / "v.xml").read_text() == '<odoo>\n<list string="x">\n</list>\n</odoo>'
