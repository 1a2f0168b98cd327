"""A project keeps an owner when its two owners leave or demote each other at the same time.

Sessions s1 and s2 are the project's two owners, each signed in the way
PostgREST signs a request in (role authenticated, JWT claims). Each permutation
states its expected outcome; "s2 waits for s1" is read from pg_blocking_pids,
never inferred from a sleep.
"""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from tests.concurrency.conftest import backend_pid, run_in_thread, wait_blocked_or_done
from tests.conftest import connect


@pytest.fixture
def two_owners(db):
    """Project 'duo' with owners 'first' and 'second'; returns (db, project id, first id, second id)."""
    first, second = uuid.uuid4(), uuid.uuid4()
    with connect(db, "postgres") as conn:
        for uid, name in ((first, "first"), (second, "second")):
            conn.execute("insert into auth.users (id, aud, role, email) values (%s, 'authenticated', "
                         "'authenticated', %s)", (uid, f"{name}@test.invalid"))
        project = conn.execute(
            "insert into ops.projects (slug, name, odoo_series, repository_url) "
            "values ('duo', 'Duo', '17.0', 'https://git.test.invalid/duo.git') returning id").fetchone()[0]
        for uid in (first, second):
            conn.execute("insert into ops.project_memberships (project_id, user_id, role) values (%s, %s, 'owner')",
                         (project, uid))
    return db, project, first, second


def signed_in(conn: psycopg.Connection, user: uuid.UUID) -> None:
    """Inside the open transaction: act as ``user`` the way PostgREST does."""
    conn.execute("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                 (json.dumps({"sub": str(user), "role": "authenticated"}),))


def owners(db, project) -> list[str]:
    with connect(db, "postgres") as conn:
        return [str(r[0]) for r in conn.execute(
            "select user_id from ops.project_memberships where project_id = %s and role = 'owner'", (project,))]


REMOVE_SELF = "delete from ops.project_memberships where project_id = %s and user_id = %s"
DEMOTE = "update ops.project_memberships set role = 'admin' where project_id = %s and user_id = %s"


@pytest.mark.parametrize(("s1_sql", "s1_target", "s2_sql", "s2_target"), [
    # Both owners leave: s1's delete commits, s2's then finds no other owner: 23514.
    (REMOVE_SELF, "first", REMOVE_SELF, "second"),
    # They demote each other: s1 demotes second, s2 (still an owner in its snapshot) demotes first: 23514.
    (DEMOTE, "second", DEMOTE, "first"),
])
def test_two_owners_leaving_at_once_leave_one_owner(two_owners, s1_sql, s1_target, s2_sql, s2_target):
    db, project, first, second = two_owners
    users = {"first": first, "second": second}
    with connect(db, "postgres", autocommit=False) as s1, connect(db, "postgres", autocommit=False) as s2, \
            connect(db, "postgres") as monitor:
        signed_in(s1, first)
        assert s1.execute(s1_sql, (project, users[s1_target])).rowcount == 1

        def s2_change() -> int:
            signed_in(s2, second)
            return s2.execute(s2_sql, (project, users[s2_target])).rowcount

        thread, out = run_in_thread(s2_change)
        # s2 waits on s1's lock of the project's owners instead of counting the owners it still sees.
        assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == [backend_pid(s1)]
        s1.commit()
        thread.join(timeout=10)
        assert not thread.is_alive()
        error = out.get("error")
        assert isinstance(error, psycopg.errors.CheckViolation), out
        assert "is its last owner and cannot be removed or demoted" in str(error)
        s2.rollback()
    assert len(owners(db, project)) == 1


def test_changes_to_another_projects_owners_do_not_wait(two_owners):
    """The lock is per project: an owner change of project 'duo' leaves project 'solo' free."""
    db, project, first, second = two_owners
    with connect(db, "postgres") as conn:
        solo = conn.execute(
            "insert into ops.projects (slug, name, odoo_series, repository_url) "
            "values ('solo', 'Solo', '17.0', 'https://git.test.invalid/solo.git') returning id").fetchone()[0]
        for uid in (first, second):
            conn.execute("insert into ops.project_memberships (project_id, user_id, role) values (%s, %s, 'owner')",
                         (solo, uid))
    with connect(db, "postgres", autocommit=False) as s1, connect(db, "postgres", autocommit=False) as s2, \
            connect(db, "postgres") as monitor:
        signed_in(s1, first)
        s1.execute(REMOVE_SELF, (project, first))

        def s2_change() -> int:
            signed_in(s2, first)
            n = s2.execute(REMOVE_SELF, (solo, first)).rowcount
            s2.commit()
            return n

        thread, out = run_in_thread(s2_change)
        assert wait_blocked_or_done(monitor, backend_pid(s2), thread) == []
        assert out == {"result": 1}
        s1.commit()
    assert owners(db, project) == [str(second)] and owners(db, solo) == [str(second)]
