"""The commit status notifier against a local GitHub and GitLab (odooops/dev/fake_providers.py, every
GitHub request checked against GitHub's OpenAPI description): statuses of a run queued by a push arrive in
order; a later status supersedes an unsent one; 5xx and timeouts are retried with backoff; rate limits are
waited out; a notifier killed after the provider answered and before it marked the row delivered leaves it
to be sent once more, and a delivered row is never sent again; GitLab gets its own states."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest
from odooops.dev.fake_providers import FakeProviders
from odooops.notifier.notifier import Notifier

from tests.concurrency.conftest import worker_conn
from tests.conftest import ROOT, connect, wait_for

SHA = "a" * 40
CONSOLE = "https://console.test.invalid"


@pytest.fixture
def fake():
    f = FakeProviders()
    yield f
    f.close()


def make_project(db, url: str, secret: str, token: str) -> None:
    with connect(db, "postgres") as conn:
        conn.execute("insert into ops.projects (slug, name, odoo_series, repository_url) "
                     "values ('acme', 'Acme', '17.0', %s)", (url,))
        conn.execute("""insert into ops.workflows (project_id, name, steps, triggers)
                        select id, 'build', '[{"name": "b", "command": "true"}]',
                          '{"push": {"stages": ["development"]}}' from ops.projects""")
    with worker_conn(db) as svc:
        svc.execute("select ops.set_project_secret('acme', %s, %s)", (secret, token))


@pytest.fixture
def github_db(db):
    make_project(db, "https://github.com/acme/addons.git", "GITHUB_TOKEN", "ghp_test_token")
    return db


def push(db, sha: str = SHA, delivery: str = "d-1", branch: str = "feature/x") -> str:
    with worker_conn(db) as svc:
        return svc.execute("select id from ops.record_push((select id from ops.projects where slug = 'acme'), "
                           "%s, %s, 'alice', %s)", (branch, sha, delivery)).fetchone()[0]


def start(db, run_id) -> None:
    with worker_conn(db) as svc:
        claimed = svc.execute("select id from ops.claim_next_run('w-1', 60)").fetchone()
        assert claimed and claimed[0] == run_id
        svc.execute("select ops.start_workflow_run(%s, 'w-1')", (run_id,))


def finish(db, run_id, exit_code: int = 0) -> None:
    with worker_conn(db) as svc:
        svc.execute("select ops.complete_workflow_run(%s, %s, null, 'w-1')", (run_id, exit_code))


@pytest.fixture
def notifier():
    """notifier(db, fake, **kw): an in-process Notifier on the fake providers, closed after the test."""
    made: list[Notifier] = []

    def make(db, fake, **kw) -> Notifier:
        kw.setdefault("notifier_id", "n-1")
        n = Notifier(db.conninfo("postgres"), github_api_url=fake.url, gitlab_api_url=fake.url,
                     console_url=CONSOLE, timeout=kw.pop("timeout", 5.0), out=lambda line: None, **kw)
        made.append(n)
        return n

    yield make
    for n in made:
        n.close()


def outbox(db) -> list[tuple]:
    with connect(db, "postgres") as conn:
        return conn.execute("select run_status::text, state, delivered_at is not null, superseded_at is not null, "
                            "attempts from ops.commit_status_outbox order by id").fetchall()


def drain(n: Notifier, db, timeout: float = 20.0) -> None:
    """Pass until every row is delivered, superseded or given up."""
    def done():
        n.pass_once()
        with connect(db, "postgres") as conn:
            return conn.execute("select count(*) = 0 from ops.commit_status_outbox where delivered_at is null "
                                "and superseded_at is null and gave_up_at is null").fetchone()[0]

    wait_for(done, timeout, interval=0.02, what="the outbox to drain")


def test_statuses_of_a_pushed_run_arrive_in_order(github_db, fake, notifier):
    db = github_db
    n = notifier(db, fake)
    run_id = push(db)
    drain(n, db)
    start(db, run_id)
    drain(n, db)
    finish(db, run_id)
    drain(n, db)
    assert fake.violations == []
    assert [(r.path, r.body) for r in fake.requests] == [
        (f"/repos/acme/addons/statuses/{SHA}",
         {"state": state, "description": text, "context": "odooops/build", "target_url": f"{CONSOLE}/runs/{run_id}"})
        for state, text in (("pending", "Queued"), ("pending", "Running"), ("success", "Succeeded"))
    ]
    assert {r.headers["authorization"] for r in fake.requests} == {"Bearer ghp_test_token"}
    assert outbox(db) == [("queued", "pending", True, False, 0), ("running", "pending", True, False, 0),
                          ("succeeded", "success", True, False, 0)]
    assert n.pass_once() == 0 and len(fake.requests) == 3, "delivered rows are never sent again"


def test_a_later_status_supersedes_an_unsent_one(github_db, fake, notifier):
    db = github_db
    run_id = push(db)
    start(db, run_id)
    finish(db, run_id, exit_code=3)
    drain(notifier(db, fake), db)
    assert [r.body["state"] for r in fake.requests] == ["failure"]
    assert fake.requests[0].body["description"] == "Failed: a step exited 3"
    assert outbox(db) == [("queued", "pending", False, True, 0), ("running", "pending", False, True, 0),
                          ("failed", "failure", True, False, 0)]


def test_5xx_and_timeouts_are_retried_with_growing_backoff(github_db, fake, notifier):
    db = github_db
    fake.script[:] = ["hang", 502, 503, 201]
    push(db)
    drain(notifier(db, fake, timeout=0.5, backoff_base=0.2), db)
    assert len(fake.requests) == 4 and fake.violations == []
    assert len({str(r.body) for r in fake.requests}) == 1, "the same status each time"
    # Request i+1 comes at least the jittered backoff (0.2 * 2**attempts * [0.5, 1)) after answer i; the
    # first attempt's answer is the 0.5 s timeout.
    t = [r.at for r in fake.requests]
    assert t[1] - t[0] >= 0.5 + 0.1
    assert t[2] - t[1] >= 0.2
    assert t[3] - t[2] >= 0.4
    with connect(db, "postgres") as conn:
        row = conn.execute("select attempts, delivered_at is not null, last_http_status "
                           "from ops.commit_status_outbox").fetchone()
    assert row == (3, True, 201)


def test_a_rate_limit_is_waited_out_for_every_status(github_db, fake, notifier):
    """A 403 with X-RateLimit-Remaining: 0 stops every request to GitHub until X-RateLimit-Reset."""
    db = github_db
    reset = int(time.time()) + 2
    fake.script[:] = [(403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})]
    push(db, delivery="d-1")
    push(db, sha="b" * 40, delivery="d-2", branch="feature/y")
    drain(notifier(db, fake), db)
    assert len(fake.requests) == 3 and fake.violations == []
    assert all(r.at >= reset for r in fake.requests[1:]), [r.at - reset for r in fake.requests]
    assert [a for *_, a in outbox(db)] == [0, 0], "a rate limit is not a failed attempt"


def test_retry_after_of_a_429_is_respected(github_db, fake, notifier):
    db = github_db
    fake.script[:] = [(429, {"Retry-After": "1"})]
    push(db)
    drain(notifier(db, fake), db)
    assert len(fake.requests) == 2
    assert fake.requests[1].at - fake.requests[0].at >= 1.0


def test_an_unknown_repository_is_given_up_at_once(github_db, fake, notifier):
    db = github_db
    fake.script[:] = [404]
    push(db)
    drain(notifier(db, fake), db)
    assert len(fake.requests) == 1
    with connect(db, "postgres") as conn:
        assert conn.execute("select gave_up_at is not null, last_http_status, attempts "
                            "from ops.commit_status_outbox").fetchone() == (True, 404, 1)


def test_a_notifier_killed_after_the_answer_sends_once_more_then_never(github_db, fake, notifier, tmp_path):
    """The provider answers 201; the notifier's ops.complete_commit_status waits on a row lock the test
    holds (seen in pg_blocking_pids); the notifier is killed (process and connection) there. The row is
    still leased and undelivered; once the lease expires another notifier sends it once more and marks it
    delivered; after that nobody sends it again."""
    db = github_db
    push(db)
    stack = contextlib.ExitStack()
    locker = stack.enter_context(connect(db, "postgres", autocommit=False))
    locked = {}

    def lock_row(record):
        locker.execute("select id from ops.commit_status_outbox for update")
        locked["at"] = record.at

    fake.on_request = lock_row
    env = dict(os.environ, PYTHONPATH=str(ROOT / "harness"))
    log = (tmp_path / "notify.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "odooops.cli", "notify", "--once", "--notifier-id", "n-crash",
         "--database-url", db.conninfo("postgres"), "--github-api-url", fake.url, "--console-url", CONSOLE],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        with connect(db, "postgres") as monitor:
            def blocked():
                row = monitor.execute(
                    "select pid, pg_blocking_pids(pid) from pg_stat_activity "
                    "where application_name = 'odooops-notify n-crash'").fetchone()
                return row if row and row[1] else None

            pid, blockers = wait_for(blocked, 20, interval=0.01,
                                     what=f"the notifier to wait on the row lock ({tmp_path / 'notify.log'})")
            assert blockers == [locker.info.backend_pid]
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            monitor.execute("select pg_terminate_backend(%s)", (pid,))
            wait_for(lambda: monitor.execute("select count(*) = 0 from pg_stat_activity where pid = %s",
                                             (pid,)).fetchone()[0], 10, what="the notifier's backend to end")
        locker.rollback()
        fake.on_request = None
    finally:
        if proc.poll() is None:
            proc.kill()
        stack.close()
        log.close()
    assert len(fake.requests) == 1
    with connect(db, "postgres") as conn:
        assert conn.execute("select leased_by, delivered_at from ops.commit_status_outbox").fetchone() == (
            "n-crash", None)
        n = notifier(db, fake, notifier_id="n-2")
        assert n.pass_once() == 0, "not before the lease expires"
        conn.execute("update ops.commit_status_outbox set lease_expires_at = now() - interval '1 second'")
    drain(n, db)
    assert len(fake.requests) == 2
    assert fake.requests[0].body == fake.requests[1].body
    assert n.pass_once() == 0
    assert len(fake.requests) == 2, "a delivered row is never sent again"


def test_gitlab_gets_its_states_and_project_path(db, fake, notifier):
    make_project(db, "git@gitlab.example.com:group/sub/addons.git", "GITLAB_TOKEN", "glpat-test")
    n = notifier(db, fake)
    run_id = push(db)
    drain(n, db)
    start(db, run_id)
    drain(n, db)
    finish(db, run_id, exit_code=1)
    drain(n, db)
    other = push(db, sha="c" * 40, delivery="d-2", branch="feature/z")
    with worker_conn(db) as svc:
        svc.execute("select ops.cancel_run(%s, 'not needed')", (other,))
    drain(n, db)
    assert fake.violations == []
    assert {r.path for r in fake.requests[:3]} == {f"/api/v4/projects/group%2Fsub%2Faddons/statuses/{SHA}"}
    assert {r.headers["private-token"] for r in fake.requests} == {"glpat-test"}
    assert [(r.body["state"], r.body["name"], r.body["description"]) for r in fake.requests] == [
        ("pending", "odooops/build", "Queued"), ("running", "odooops/build", "Running"),
        ("failed", "odooops/build", "Failed: a step exited 1"), ("canceled", "odooops/build", "Canceled"),
    ]
    assert fake.requests[0].body["target_url"] == f"{CONSOLE}/runs/{run_id}"


def test_a_registered_host_reports_to_its_own_api(db, fake, notifier):
    """Two GitHub Enterprise hosts (ops.git_hosts) get their statuses at their own APIs, while the notifier's
    defaults point where nothing answers; a rate limit of one API does not hold up the other."""
    make_project(db, "https://code.acme.test/erp/addons.git", "GITHUB_TOKEN", "ghp_enterprise")
    other = FakeProviders()
    try:
        with worker_conn(db) as svc:
            svc.execute("select ops.set_git_host('code.acme.test', 'github', %s)", (fake.url,))
            svc.execute("select ops.set_git_host('ghe.example.test', 'github', %s)", (other.url,))
        with connect(db, "postgres") as conn:
            conn.execute("insert into ops.projects (slug, name, odoo_series, repository_url) "
                         "values ('lab', 'Lab', '17.0', 'git@ghe.example.test:team/addons.git')")
            conn.execute("""insert into ops.workflows (project_id, name, steps, triggers)
                            select id, 'build', '[{"name": "b", "command": "true"}]',
                              '{"push": {"stages": ["development"]}}' from ops.projects where slug = 'lab'""")
        push(db)  # acme's status is due first
        with worker_conn(db) as svc:
            svc.execute("select ops.set_project_secret('lab', 'GITHUB_TOKEN', 'ghp_other')")
            svc.execute("select ops.record_push((select id from ops.projects where slug = 'lab'), 'feature/x', "
                        "%s, 'bob', 'd-lab')", (SHA,))
        fake.script[:] = [(403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 3)})]
        n = Notifier(db.conninfo("postgres"), notifier_id="n-1", github_api_url="http://127.0.0.1:9",
                     gitlab_api_url="http://127.0.0.1:9", timeout=2.0, out=lambda line: None)
        try:
            assert n.pass_once() == 2
            assert len(fake.requests) == 1, "acme's API answered with its rate limit"
            assert [r.path for r in other.requests] == [f"/repos/team/addons/statuses/{SHA}"], \
                "the other host is not held up by that rate limit"
            drain(n, db)
        finally:
            n.close()
        assert fake.violations == [] and other.violations == []
        assert [(r.path, r.headers["authorization"]) for r in fake.requests] == \
            [(f"/repos/erp/addons/statuses/{SHA}", "Bearer ghp_enterprise")] * 2, "the rate limit, then delivered"
        assert [r.headers["authorization"] for r in other.requests] == ["Bearer ghp_other"]
    finally:
        other.close()
