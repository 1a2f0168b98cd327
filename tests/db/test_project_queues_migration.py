"""20261202002200 (turns per label set) keeps every project's turn: each label set of a project's workflows, and
of its queued runs, becomes a row of ops.project_queues with the project's last_served_at, flagged when the set
has queued runs; the claim then serves the projects in the turn order they had.
"""

from __future__ import annotations

import pytest

from tests.conftest import connect
from tests.db.conftest import apply, migrated_before

TURNS = "20261202002200_take_turns_per_label_set.sql"

SEED = [
    """
    insert into ops.projects (slug, name, odoo_series, repository_url) values
      ('acme', 'Acme', '17.0', 'https://git.test.invalid/acme.git'),
      ('beta', 'Beta', '18.0', 'https://git.test.invalid/beta.git'),
      ('idle', 'Idle', '17.0', 'https://git.test.invalid/idle.git')
    """,
    """
    insert into ops.workflows (project_id, name, steps, supersede, required_labels)
    select p.id, w.name, '[{"name": "b", "command": "true"}]', 'none', w.labels
    from ops.projects as p
    cross join (values ('build', '{}'::text[]), ('image', '{docker}')) as w (name, labels)
    where p.slug <> 'idle' or w.name = 'build'
    """,
    # acme: two queued builds and a queued image run that needs docker; the image workflow then needs arm64 too,
    # which only runs queued from now on require.
    """
    insert into ops.runs (project_id, workflow_id, branch, commit_sha)
    select w.project_id, w.id, 'main', lpad(to_hex(g), 40, 'a')
    from ops.workflows as w cross join generate_series(1, 3) as g
    where w.project_id = (select id from ops.projects where slug = 'acme')
      and w.name = case when g = 3 then 'image' else 'build' end
    """,
    """
    update ops.workflows set required_labels = '{docker,arm64}'
    where name = 'image' and project_id = (select id from ops.projects where slug = 'acme')
    """,
    # beta: one run, held by a worker; nothing queued.
    """
    insert into ops.runs (project_id, workflow_id, branch, commit_sha)
    select w.project_id, w.id, 'main', lpad('b', 40, 'b')
    from ops.workflows as w
    where w.project_id = (select id from ops.projects where slug = 'beta') and w.name = 'build'
    """,
    """
    update ops.runs set status = 'claimed', worker_id = 'w-1', lease_expires_at = now() + interval '1 hour',
      attempt = 1, claimed_at = now()
    where commit_sha = lpad('b', 40, 'b')
    """,
    """
    update ops.project_schedules as s set last_served_at = v.at
    from (values ('acme', timestamptz '2026-11-01 10:00:00+00'), ('beta', timestamptz '2026-11-01 09:00:00+00'))
      as v (slug, at)
    inner join ops.projects as p on p.slug = v.slug
    where s.project_id = p.id
    """,
]

ROWS = (
    "select p.slug, array_to_string(q.required_labels, ','), q.has_queued, q.last_served_at::text "
    "from ops.project_queues as q inner join ops.projects as p on p.id = q.project_id order by 1, 2"
)


@pytest.fixture
def before_turns(server, tmp_path):
    """A database migrated up to the migration before the turns per label set, seeded; (db, migration folder)."""
    with migrated_before(server, tmp_path, TURNS, SEED, "odooops_t") as pair:
        yield pair


def test_turns_migration_keeps_each_projects_turn_per_label_set(before_turns):
    db, folder = before_turns
    apply(db, folder, TURNS)

    acme, beta = "2026-11-01 10:00:00+00", "2026-11-01 09:00:00+00"
    with connect(db) as conn:
        rows = conn.execute(ROWS).fetchall()
        columns = [r[0] for r in conn.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'ops' and table_name = 'project_schedules' order by ordinal_position")]
        # A worker without labels takes acme's builds; one with docker also its image run, queued before the change.
        claimed = [conn.execute("select p.slug || ':' || w.name from ops.claim_next_run(%s, null, %s::text[]) as c "
                                "inner join ops.projects as p on p.id = c.project_id "
                                "inner join ops.workflows as w on w.id = c.workflow_id", (worker, labels)).fetchone()
                   for worker, labels in (("w-2", []), ("w-3", ["docker"]), ("w-4", ["docker"]), ("w-5", []))]

    assert rows == [
        ("acme", "", True, acme),
        ("acme", "arm64,docker", False, acme),
        ("acme", "docker", True, acme),
        ("beta", "", False, beta),
        ("beta", "docker", False, beta),
        ("idle", "", False, "-infinity"),  # never served
    ]
    assert columns == ["project_id", "max_running_runs"]
    # The three runs were queued in one statement (one created_at): which comes first is the id's order.
    assert claimed[0] == ("acme:build",), "a worker without labels takes a build"
    assert sorted(claimed[:3]) == [("acme:build",), ("acme:build",), ("acme:image",)]
    assert claimed[3] is None, "nothing is left for a worker without labels"
