"""``odooops project connect github|gitlab <slug>``, as a subprocess against a real migrated database: it sets the
project's webhook secret, prints the webhook URL, the secret and what to select; a second connect is refused
unless ``--rotate``, which replaces the secret; the secret printed is the one ops.verify_webhook accepts."""

from __future__ import annotations

import hashlib
import hmac
import re
import subprocess
import sys

import psycopg
import pytest

from tests.conftest import ROOT

REPO = "https://github.com/acme/addons.git"


def odooops(ops, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "odooops.cli", *args], env=ops.script_env(**env), capture_output=True, text=True,
        timeout=60, cwd=ROOT,
    )


def printed_secret(out: str, label: str) -> str:
    match = re.search(rf"^  {label}:\s+([0-9a-f]{{64}})$", out, re.MULTILINE)
    assert match, out
    return match.group(1)


def verify(ops, provider: str, signature: str, body: bytes) -> str:
    return str(ops.one(
        "select ops.verify_webhook(%s, %s, %s, %s)", ("git@github.com:acme/addons", provider, signature, body),
    )[0])


def test_connect_prints_the_url_and_a_secret_that_verifies(ops):
    r = odooops(ops, "project", "create", "acme", "--repo", REPO, "--series", "17.0")
    assert r.returncode == 0, r.stderr
    project_id = str(ops.one("select id from ops.projects where slug = 'acme'")[0])

    r = odooops(ops, "project", "connect", "github", "acme", "--url", "https://abc.supabase.co/")
    assert r.returncode == 0, r.stderr
    assert "Payload URL:  https://abc.supabase.co/functions/v1/webhooks" in r.stdout
    assert "Content type: application/json" in r.stdout and "Pushes" in r.stdout
    secret = printed_secret(r.stdout, "Secret")
    body = b'{"ref": "refs/heads/main"}'
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert verify(ops, "github", signature, body) == project_id

    # Connected already: refused, and the secret stays.
    r = odooops(ops, "project", "connect", "github", "acme", "--url", "https://abc.supabase.co")
    assert r.returncode == 1
    assert "project acme already has a github webhook secret [OP013]" in r.stderr
    assert "odooops project connect github acme --rotate" in r.stderr
    assert verify(ops, "github", signature, body) == project_id

    # --rotate: a new secret; the old one stops working.
    r = odooops(ops, "project", "connect", "github", "acme", "--rotate", "--url", "https://abc.supabase.co")
    assert r.returncode == 0, r.stderr
    assert "github webhook secret rotated" in r.stdout and "The old secret no longer works" in r.stdout
    rotated = printed_secret(r.stdout, "Secret")
    assert rotated != secret
    new_signature = "sha256=" + hmac.new(rotated.encode(), body, hashlib.sha256).hexdigest()
    assert verify(ops, "github", new_signature, body) == project_id
    with pytest.raises(psycopg.errors.InvalidAuthorizationSpecification, match="does not match"):
        verify(ops, "github", signature, body)


def test_connect_gitlab_from_supabase_url_and_refusals(ops):
    r = odooops(ops, "project", "create", "acme", "--repo", REPO, "--series", "17.0")
    assert r.returncode == 0, r.stderr
    r = odooops(ops, "project", "connect", "gitlab", "acme", SUPABASE_URL="https://xyz.supabase.co")
    assert r.returncode == 0, r.stderr
    assert "URL:          https://xyz.supabase.co/functions/v1/webhooks" in r.stdout
    assert "Push events" in r.stdout and "Merge request events" in r.stdout
    token = printed_secret(r.stdout, "Secret token")
    project_id = str(ops.one("select id from ops.projects where slug = 'acme'")[0])
    assert verify(ops, "gitlab", token, b"{}") == project_id

    r = odooops(ops, "project", "connect", "github", "nope", "--url", "https://xyz.supabase.co")
    assert r.returncode == 1 and "project 'nope' not found [P0002]" in r.stderr
    r = odooops(ops, "project", "connect", "github", "acme", SUPABASE_URL="")
    assert r.returncode != 0 and "--url" in r.stderr
    with psycopg.connect(ops.db.url("postgres")) as owner:  # no API role may read the table
        assert owner.execute("select count(*) from ops_private.webhook_secrets").fetchone()[0] == 1, \
            "nothing set by a refusal"
    r = odooops(ops, "project", "connect", "--help")
    assert r.returncode == 0 and "--rotate" in r.stdout
