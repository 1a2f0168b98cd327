"""Retention of the commit status outbox: ``odooops notify`` deletes rows delivered more than ``--retain-days``
ago, ``--prune-batch`` rows per transaction until a batch comes back short, and keeps every other row."""

from __future__ import annotations

import subprocess
import sys

import pytest
from odooops.dev.fake_providers import FakeProviders
from odooops.notifier.notifier import Notifier

from tests.conftest import ROOT, connect
from tests.notifier.test_commit_statuses import make_project, push


@pytest.fixture
def fake():
    f = FakeProviders()
    yield f
    f.close()


def test_delivered_rows_older_than_the_retention_are_deleted_in_batches(db, fake):
    make_project(db, "https://github.com/acme/addons.git", "GITHUB_TOKEN", "ghp_test_token")
    for n in range(5):
        push(db, sha=f"{n}" * 40, delivery=f"d-{n}", branch=f"feature/{n}")
    with connect(db, "postgres") as conn:
        ids = [r[0] for r in conn.execute("select id from ops.commit_status_outbox order by id").fetchall()]
        assert len(ids) == 5
        conn.execute("update ops.commit_status_outbox set delivered_at = now() - interval '40 days' "
                     "where id = any(%s)", (ids[:3],))
        conn.execute("update ops.commit_status_outbox set delivered_at = now() - interval '1 day' where id = %s",
                     (ids[3],))
        conn.execute("update ops.commit_status_outbox set superseded_at = now() - interval '90 days' where id = %s",
                     (ids[4],))
    lines: list[str] = []
    n = Notifier(db.conninfo("postgres"), notifier_id="n-1", github_api_url=fake.url, once=True, retain_days=30,
                 prune_batch=2, out=lines.append)
    assert n.serve() == 0
    assert "pruned rows=3 older_than_days=30" in lines, lines
    with connect(db, "postgres") as conn:
        left = [r[0] for r in conn.execute("select id from ops.commit_status_outbox order by id").fetchall()]
    assert left == ids[3:], "the recent delivered row and the superseded one stay"
    assert fake.requests == [], "nothing was due to send"


def test_the_retention_is_bounded_on_the_command_line():
    r = subprocess.run([sys.executable, "-m", "odooops.cli", "notify", "--once", "--retain-days", "0"],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode != 0
    assert "--retain-days must be 1 to 3650, got 0" in r.stderr
