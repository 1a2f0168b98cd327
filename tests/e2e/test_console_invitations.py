"""Invitations by e-mail through the console, against `next start` on a real migrated database: an admin invites
two addresses from the members page; the holder of the confirmed one sees the invitation on her home page,
accepts, and is a member with the invited role; the unconfirmed one sees nothing; a viewer's forged invitation
is refused by the database; an invitation is revoked; axe-core finds no serious or critical violation on the
pages that show them (Debian chromium)."""

from __future__ import annotations

import json
import secrets
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from tests.conftest import connect, wait_for

from .conftest import CHROMIUM, CONSOLE, console_session, free_port, node_env

COOKIE = "sb-local-auth-token"
USERS = {name: str(uuid.uuid4()) for name in ("owner", "viewer", "carol", "dave")}
EMAILS = {"owner": "owner@example.test", "viewer": "viewer@example.test", "carol": "carol@example.test",
          "dave": "dave@example.test"}


def session(secret: str, user: str) -> str:
    return console_session(secret, USERS[user], EMAILS[user])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


@pytest.fixture
def site(ops, console_build):
    with connect(ops.db, "postgres") as c:
        for name, uid in USERS.items():
            c.execute("insert into auth.users (id, email, email_confirmed_at) values (%s, %s, %s)",
                      (uid, EMAILS[name], None if name == "dave" else "2026-01-01"))
        c.execute("insert into ops.projects (slug, name, odoo_series, repository_url) "
                  "values ('acme', 'Acme ERP', '17.0', 'https://github.com/acme/erp')")
        for name, role in (("owner", "owner"), ("viewer", "viewer")):
            c.execute("insert into ops.project_memberships (project_id, user_id, role) "
                      "select id, %s, %s from ops.projects where slug = 'acme'", (USERS[name], role))
    port, secret = free_port(), secrets.token_urlsafe(32)
    db_url = ops.db.url("authenticator") if ops.db.cluster is not None else ops.db.url("postgres")
    log = open(ops.tmp / "console.log", "w")
    p = subprocess.Popen([str(CONSOLE / "node_modules" / ".bin" / "next"), "start", "-p", str(port), "-H",
                          "127.0.0.1"], cwd=CONSOLE, stdout=log, stderr=subprocess.STDOUT,
                         env=node_env(ODOOOPS_CONSOLE_DATABASE_URL=db_url, SUPABASE_JWT_SECRET=secret))
    log.close()
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(NoRedirect)

    def request(user: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """(status, Location, body) of a GET, or of a form POST when ``form`` is given; redirects not followed."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(base + path, data=data, headers={"cookie": f"{COOKIE}={session(secret, user)}"})
        try:
            with opener.open(req, timeout=30) as r:
                return r.status, r.headers.get("location", ""), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("location", ""), e.read().decode()

    def up():
        try:
            with urllib.request.urlopen(base + "/sign-in", timeout=5) as r:
                return r.status == 200
        except OSError:
            return p.poll() is not None

    try:
        wait_for(up, 60, interval=0.2, what="next start to answer")
        assert p.poll() is None, (ops.tmp / "console.log").read_text()
        yield {"base": base, "secret": secret, "request": request}
    finally:
        p.terminate()
        p.wait(10)


def notice(location: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def test_an_invitation_by_email_is_accepted_by_the_confirmed_address_only(ops, site):
    request = site["request"]
    status, location, _ = request("owner", "/projects/acme/members/invite", {"email": "Carol@Example.test",
                                                                              "role": "developer"})
    assert status == 303 and notice(location)["ok"].startswith("Invited carol@example.test as developer, until ")
    status, location, _ = request("owner", "/projects/acme/members/invite", {"email": "dave@example.test",
                                                                              "role": "viewer"})
    assert status == 303 and "ok" in notice(location)
    status, location, _ = request("viewer", "/projects/acme/members/invite", {"email": "eve@example.test",
                                                                               "role": "viewer"})
    assert status == 303 and notice(location)["error"].startswith("Refused by the database (SQLSTATE 42501)")
    status, location, _ = request("owner", "/projects/acme/members/invite", {"email": "no address", "role": "viewer"})
    assert "p_email must be an e-mail address" in notice(location)["error"]

    _, _, members = request("owner", "/projects/acme/members")
    assert 'data-invitation="carol@example.test"' in members and 'data-invitation="dave@example.test"' in members
    _, _, home = request("dave", "/")
    assert "Invitations for you" not in home, "an unconfirmed address sees no invitation"
    _, _, home = request("carol", "/")
    assert "Invitations for you" in home and 'data-invitation="acme"' in home and 'data-project="acme"' not in home

    # axe on the pages that show invitations, in a real browser.
    cfg = ops.tmp / "axe.json"
    cfg.write_text(json.dumps({"chromium": CHROMIUM, "base": site["base"], "cookie": COOKIE, "pages": [
        {"name": "home-invited", "path": "/", "session": session(site["secret"], "carol")},
        {"name": "home-invited-dark", "path": "/", "session": session(site["secret"], "carol"), "colorScheme": "dark"},
        {"name": "members-invitations", "path": "/projects/acme/members",
         "session": session(site["secret"], "owner")},
    ]}))
    axe = subprocess.run(["node", "tests/axe.mjs", str(cfg)], cwd=CONSOLE, capture_output=True, text=True, timeout=120,
                         env=node_env())
    assert axe.returncode == 0, axe.stderr[-3000:]
    seen = json.loads(axe.stdout)
    assert seen["axe"] == {"home-invited": [], "home-invited-dark": [], "members-invitations": []}
    assert "Acme ERP acme as developer" in seen["pages"]["home-invited"]["text"]

    with connect(ops.db, "postgres") as c:
        carol_id, dave_id = (str(c.execute("select id from ops.project_invitations where email = %s",
                                           (e,)).fetchone()[0]) for e in ("carol@example.test", "dave@example.test"))
    status, location, _ = request("dave", "/invitations/accept", {"invitation_id": carol_id})
    assert status == 303 and location.startswith("/?") and "SQLSTATE 42501" in notice(location)["error"]
    status, location, _ = request("carol", "/invitations/accept", {"invitation_id": carol_id})
    assert status == 303 and location.startswith("/projects/acme?")
    assert notice(location)["ok"] == "You joined acme as developer."
    _, _, home = request("carol", "/")
    assert 'data-project="acme"' in home and "Invitations for you" not in home
    status, location, _ = request("carol", "/invitations/accept", {"invitation_id": carol_id})
    assert "SQLSTATE OP014" in notice(location)["error"], "an invitation is accepted once"

    status, location, _ = request("owner", "/projects/acme/members/invitations/revoke", {"invitation_id": dave_id})
    assert notice(location)["ok"] == "Invitation of dave@example.test revoked."
    with connect(ops.db, "postgres") as c:
        assert c.execute("select u.email, m.role::text from ops.project_memberships m join auth.users u"
                         " on u.id = m.user_id order by u.email").fetchall() == [
            ("carol@example.test", "developer"), ("owner@example.test", "owner"), ("viewer@example.test", "viewer")]
        assert c.execute("select email, accepted_at is not null from ops.project_invitations").fetchall() == [
            ("carol@example.test", True)]
