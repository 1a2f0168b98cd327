"""Artifact downloads from an S3 store through the console: a real worker uploads to moto's S3 server (PyPI
``moto``), `next start` serves the artifact to a member under row-level security with the recorded sha256, and
refuses what lies outside the configured stores, an object whose size is not the recorded one, an object that is
gone, and another tenant's run (404, as an unknown one)."""

from __future__ import annotations

import hashlib
import secrets
import subprocess
import urllib.error
import urllib.request
import uuid

from tests.conftest import connect, wait_for

from .conftest import CONSOLE, S3_BUCKET, console_session, free_port, node_env

BUCKET = S3_BUCKET
MEMBER, OUTSIDER = str(uuid.uuid4()), str(uuid.uuid4())


def test_s3_artifacts_download_from_inside_the_store_only(ops, s3, console_build):
    endpoint, client = s3
    client.create_bucket(Bucket="elsewhere")
    ops.project()
    with connect(ops.db, "postgres") as c:
        for uid in (MEMBER, OUTSIDER):
            c.execute("insert into auth.users (id, email) values (%s, %s)", (uid, f"{uid[:8]}@example.test"))
        c.execute("insert into ops.project_memberships (project_id, user_id, role) "
                  "select id, %s, 'viewer' from ops.projects where slug = 'demo'", (MEMBER,))
    build = ops.enqueue("build")
    keys = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    worker = ops.worker("--drain", env={"ODOOOPS_S3_ENDPOINT": endpoint, "ODOOOPS_S3_BUCKET": BUCKET,
                                        "ODOOOPS_S3_PREFIX": "ci", **keys})
    assert worker.wait(60) == 0, (ops.tmp / "w1.jsonl").read_text()
    key, url, sha, size = ops.one("select artifact_key, storage_url, sha256, size_bytes from ops.run_artifacts"
                                  " where run_id = %s", (build,))
    assert url.startswith(f"s3://{BUCKET}/ci/")

    # Rows the console must not follow: another bucket, a key that climbs out of the prefix.
    with connect(ops.db, "postgres") as c:
        client.put_object(Bucket="elsewhere", Key="secret.txt", Body=b"not an artifact")
        for bad_key, bad_url in (("elsewhere.txt", "s3://elsewhere/secret.txt"),
                                 ("climb.txt", f"s3://{BUCKET}/ci/../secret.txt")):
            c.execute("insert into ops.run_artifacts (run_id, artifact_key, storage_url, sha256, size_bytes, "
                      "content_type) values (%s, %s, %s, %s, 15, 'text/plain')",
                      (build, bad_key, bad_url, hashlib.sha256(b"not an artifact").hexdigest()))

    port, secret = free_port(), secrets.token_urlsafe(32)
    db_url = ops.db.url("authenticator") if ops.db.cluster is not None else ops.db.url("postgres")
    env = node_env(ODOOOPS_CONSOLE_DATABASE_URL=db_url, SUPABASE_JWT_SECRET=secret,
                   ODOOOPS_CONSOLE_S3_STORES=f"s3://{BUCKET}/ci/", ODOOOPS_CONSOLE_S3_ENDPOINT=endpoint, **keys)
    log = open(ops.tmp / "console.log", "w")
    p = subprocess.Popen([str(CONSOLE / "node_modules" / ".bin" / "next"), "start", "-p", str(port), "-H",
                          "127.0.0.1"], cwd=CONSOLE, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    base = f"http://127.0.0.1:{port}"

    def get(path: str, user: str | None = MEMBER) -> tuple[int, dict, bytes]:
        headers = {"cookie": f"sb-local-auth-token={console_session(secret, user)}"} if user else {}
        try:
            with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=30) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def up():
        try:
            return get("/sign-in", None)[0] == 200
        except OSError:
            return p.poll() is not None

    try:
        wait_for(up, 60, interval=0.2, what="next start to answer")
        assert p.poll() is None, (ops.tmp / "console.log").read_text()
        path = f"/projects/demo/runs/{build}/artifacts/{key}"

        status, headers, body = get(path)
        assert status == 200, body[:300]
        assert (hashlib.sha256(body).hexdigest(), len(body)) == (sha, size)
        assert headers["x-artifact-sha256"] == sha and headers["content-type"] == "application/gzip"
        assert headers["content-disposition"] == f'attachment; filename="{key}"'

        assert get(path, OUTSIDER)[0] == 404, "another tenant's artifact is the same 404 as an unknown one"
        assert get(path, None)[0] == 401
        for bad_key in ("elsewhere.txt", "climb.txt"):
            status, _, body = get(f"/projects/demo/runs/{build}/artifacts/{bad_key}")
            assert (status, body) == (403, b"the artifact is outside the artifact stores the console serves")

        object_key = url.removeprefix(f"s3://{BUCKET}/")
        client.put_object(Bucket=BUCKET, Key=object_key, Body=b"replaced behind the database's back")
        assert get(path)[:3:2] == (409, b"the artifact's object does not match its record")
        client.delete_object(Bucket=BUCKET, Key=object_key)
        assert get(path)[:3:2] == (410, b"the artifact's object is gone")
    finally:
        p.terminate()
        p.wait(10)
