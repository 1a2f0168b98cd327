"""`odooops demo --console`'s part: the console under `next dev` with the
development sign-in, on a database with the demo project and a demo user who
owns it. The sign-in form posts a user id; the cookie it sets shows the user
their project, and a user id that is not a uuid is refused."""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request

from odooops.dev import console, demo

from tests.conftest import connect


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_development_console_signs_in_the_demo_user_and_shows_their_project(db, tmp_path):
    with connect(db, "service_role") as c:
        demo.create_project(c, demo.PROJECT, "https://github.com/example/library-addons.git")
    user_id = console.add_demo_user(db, demo.PROJECT)
    app = console.start(db, user_id, log=tmp_path / "console.log")
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)

        def post(user: str):
            body = urllib.parse.urlencode({"user_id": user}).encode()
            try:
                opener.open(app.url + "/auth/dev-sign-in", data=body, timeout=60)
            except urllib.error.HTTPError as e:
                return e.code, e.headers["location"]
            raise AssertionError("the sign-in answered without a redirect")

        status, location = post("not-a-user")
        assert status == 303 and location.startswith("/sign-in?error=")
        assert not list(jar)
        assert post(user_id) == (303, "/")
        assert [c.name for c in jar] == ["sb-local-auth-token"]
        with opener.open(app.url + "/", timeout=60) as r:
            html = r.read().decode()
        assert 'data-project="demo"' in html and "owner" in html and user_id in html
    finally:
        app.stop()
    assert app.process.poll() is not None
