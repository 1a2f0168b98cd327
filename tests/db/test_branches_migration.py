"""20261202001200 (branches) loses nothing: every project's production branch and every branch its runs name
become rows of ops.branches, and every run, finished ones included, gets its branch without any other change.

A database migrated up to the migration before it is seeded with three projects (one whose production branch has
no run, one whose runs name many branches) and 3,000 runs in every status; the runs are compared column by column
before and after.
"""

from __future__ import annotations

import pytest

from tests.conftest import connect
from tests.db.conftest import apply, migrated_before

BRANCHES = "20261202001200_create_branches_and_triggers.sql"

SEED = [
    """
    insert into ops.projects (slug, name, odoo_series, repository_url, production_branch) values
      ('acme', 'Acme', '17.0', 'https://git.test.invalid/acme.git', 'main'),
      ('beta', 'Beta', '18.0', 'https://git.test.invalid/beta.git', 'master'),
      ('idle', 'Idle', '17.0', 'https://git.test.invalid/idle.git', 'production')
    """,
    """
    insert into ops.workflows (project_id, name, steps, supersede)
    select id, 'build', '[{"name": "b", "command": "true"}]', 'none' from ops.projects
    """,
    # 3,000 runs of acme and beta over 13 branch names (main and master among them).
    """
    insert into ops.runs (project_id, workflow_id, branch, commit_sha)
    select w.project_id, w.id,
      (array['main', 'master', 'feature/a', 'feature/b', 'fix-1', 'fix-2', 'release/17.0', 'x', 'y', 'z',
             'dev/1', 'dev/2', 'dev/3'])[1 + g % 13],
      lpad(to_hex(g), 40, 'c')
    from generate_series(1, 3000) as g
    inner join ops.workflows as w on w.project_id = (
      select id from ops.projects where slug = case when g % 2 = 0 then 'acme' else 'beta' end)
    """,
    # An insert is stamped now(): spread them, so that each branch has one newest run.
    """
    update ops.runs set created_at = timestamptz '2026-01-01 00:00:00+00'
      + ('x' || right(commit_sha, 8))::bit(32)::integer * interval '1 minute'
    """,
    """
    update ops.runs set status = 'claimed', worker_id = 'w-1', lease_expires_at = now() + interval '1 hour',
      attempt = 1, claimed_at = now()
    where right(commit_sha, 1) in ('1', '2', '3', '4', '5', '6')
    """,
    """
    update ops.runs set status = 'running', started_at = now() where right(commit_sha, 1) in ('2', '3', '4', '5', '6')
    """,
    """
    update ops.runs set status = 'succeeded', worker_id = null, lease_expires_at = null, finished_at = now(),
      exit_code = 0
    where right(commit_sha, 1) in ('3', '4')
    """,
    """
    update ops.runs set status = 'failed', worker_id = null, lease_expires_at = null, finished_at = now(),
      exit_code = 1
    where right(commit_sha, 1) = '5'
    """,
    """
    update ops.runs set status = 'canceled', cancel_requested_at = now(), worker_id = null, lease_expires_at = null,
      finished_at = now()
    where right(commit_sha, 1) in ('7', '8')
    """,
]

RUNS = "select to_jsonb(r) - 'branch_id' from ops.runs as r order by r.id"


@pytest.fixture
def before_branches(server, tmp_path):
    """A database migrated up to the migration before branches, seeded; (db, migration folder)."""
    with migrated_before(server, tmp_path, BRANCHES, SEED, "odooops_b") as pair:
        yield pair


def test_branches_migration_keeps_every_run_and_names_every_branch(before_branches):
    db, folder = before_branches
    with connect(db) as conn:
        runs_before = [row[0] for row in conn.execute(RUNS)]
        statuses = dict(conn.execute("select status::text, count(*) from ops.runs group by 1").fetchall())
    assert len(runs_before) == 3000
    assert set(statuses) == {"queued", "claimed", "running", "succeeded", "failed", "canceled"}

    apply(db, folder, BRANCHES)

    with connect(db) as conn:
        assert [row[0] for row in conn.execute(RUNS)] == runs_before, "no run changed, updated_at included"
        branches = conn.execute(
            "select p.slug, b.name, b.stage::text, b.head_commit from ops.branches as b "
            "inner join ops.projects as p on p.id = b.project_id order by 1, 2"
        ).fetchall()
        production = conn.execute(
            "select p.slug, b.name from ops.branches as b inner join ops.projects as p on p.id = b.project_id "
            "where b.stage = 'production' order by 1"
        ).fetchall()
        expected_names = conn.execute(
            "select p.slug, r.branch from ops.runs as r inner join ops.projects as p on p.id = r.project_id "
            "union select slug, production_branch from ops.projects order by 1, 2"
        ).fetchall()
        heads = conn.execute(
            "select count(*) from ops.branches as b where b.head_commit is distinct from ("
            "  select r.commit_sha from ops.runs as r where r.branch_id = b.id order by r.created_at desc limit 1)"
            "  and b.stage <> 'production'"
        ).fetchone()[0]
        mismatched = conn.execute(
            "select count(*) from ops.runs as r inner join ops.branches as b on b.id = r.branch_id "
            "where b.name <> r.branch or b.project_id <> r.project_id"
        ).fetchone()[0]
        project_columns = conn.execute("select slug, production_branch from ops.projects order by 1").fetchall()

    assert [(slug, name) for slug, name, _, _ in branches] == expected_names
    assert production == [("acme", "main"), ("beta", "master"), ("idle", "production")]
    assert project_columns == production, "projects.production_branch names the production branch"
    assert len(branches) == 1 + 13 + 13  # idle's production branch, and 13 branches in each of acme and beta
    assert heads == 0, "a development branch's head is its newest run's commit"
    assert mismatched == 0
