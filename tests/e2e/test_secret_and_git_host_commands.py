"""``odooops secret set|delete|list`` and ``odooops git-host add|remove|list``, as subprocesses against a real
migrated database: a secret's value comes from standard input or the environment, is stored exactly and never
printed; a GitHub Enterprise host becomes where its repositories' commit statuses go, and ``project connect``
says so, or says how to register a host it does not know. Refusals say why and change nothing."""

from __future__ import annotations

import subprocess
import sys

import psycopg

from tests.conftest import ROOT

GHE_REPO = "https://code.acme.test/erp/addons.git"


def odooops(ops, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "odooops.cli", *args], env=ops.script_env(**env), capture_output=True, text=True,
        timeout=60, cwd=ROOT, input=stdin,
    )


def stored(ops) -> list[tuple]:
    with psycopg.connect(ops.db.url("postgres")) as owner:  # no API role may read the values
        return owner.execute(
            "select s.name, s.stage::text, v.value from ops.project_secrets as s"
            " inner join ops_private.project_secret_values as v on v.secret_id = s.id order by s.name, s.stage"
        ).fetchall()


def test_secrets_are_set_from_stdin_or_the_environment_and_never_printed(ops):
    r = odooops(ops, "project", "create", "acme", "--repo", GHE_REPO, "--series", "17.0")
    assert r.returncode == 0, r.stderr

    r = odooops(ops, "secret", "list", "-p", "acme")
    assert r.returncode == 0 and "project acme has no secret" in r.stdout
    r = odooops(ops, "secret", "set", "GITHUB_TOKEN", "-p", "acme", stdin="ghp_first value\n")
    assert r.returncode == 0, r.stderr
    assert "secret GITHUB_TOKEN set for every stage" in r.stdout and "ghp_first" not in r.stdout + r.stderr
    r = odooops(ops, "secret", "set", "GITHUB_TOKEN", "-p", "acme", stdin="ghp_second\n")
    assert r.returncode == 0 and "secret GITHUB_TOKEN rotated" in r.stdout, r.stdout + r.stderr
    r = odooops(ops, "secret", "set", "API_KEY", "-p", "acme", "--stage", "production", "--from-env", "MY_KEY",
                MY_KEY="line one\nline two\n")
    assert r.returncode == 0 and "for production runs" in r.stdout, r.stderr
    assert stored(ops) == [("API_KEY", "production", "line one\nline two\n"), ("GITHUB_TOKEN", None, "ghp_second")], \
        "stdin loses one trailing newline, the environment none"

    r = odooops(ops, "secret", "list", "-p", "acme")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STAGE", "UPDATED_AT"]
    assert [line.split()[:2] for line in lines[1:]] == [["API_KEY", "production"], ["GITHUB_TOKEN", "all"]]
    assert "ghp_" not in r.stdout and "line one" not in r.stdout

    # Refusals: nothing written.
    r = odooops(ops, "secret", "set", "bad-name", "-p", "acme", stdin="x")
    assert r.returncode == 1 and "[22023]" in r.stderr and "bad-name" in r.stderr, r.stderr
    r = odooops(ops, "secret", "set", "EMPTY", "-p", "acme", stdin="\n")
    assert r.returncode != 0 and "the value is empty" in r.stderr
    r = odooops(ops, "secret", "set", "NOPE", "-p", "acme", "--from-env", "UNSET_VARIABLE_X")
    assert r.returncode != 0 and "the environment has no UNSET_VARIABLE_X" in r.stderr
    r = odooops(ops, "secret", "set", "TOKEN", "-p", "ghost", stdin="x")
    assert r.returncode == 1 and "[P0002]" in r.stderr
    assert len(stored(ops)) == 2

    r = odooops(ops, "secret", "delete", "API_KEY", "-p", "acme", "--stage", "production")
    assert r.returncode == 0 and "secret API_KEY (production) deleted" in r.stdout, r.stderr
    r = odooops(ops, "secret", "delete", "API_KEY", "-p", "acme", "--stage", "production")
    assert r.returncode == 1 and "odooops secret list --project acme" in r.stderr, r.stderr
    assert [row[0] for row in stored(ops)] == ["GITHUB_TOKEN"]


def test_a_github_enterprise_host_is_registered_and_connect_says_where_statuses_go(ops):
    r = odooops(ops, "project", "create", "acme", "--repo", GHE_REPO, "--series", "17.0")
    assert r.returncode == 0, r.stderr
    r = odooops(ops, "project", "connect", "github", "acme", "--url", "https://abc.supabase.co")
    assert r.returncode == 0, r.stderr
    assert f"Commit statuses: {GHE_REPO} is on no known git host, so none are sent." in r.stdout
    assert "odooops git-host add code.acme.test --provider github --api-url https://code.acme.test/api/v3" in r.stdout

    r = odooops(ops, "git-host", "list")
    assert r.returncode == 0 and "no git host registered" in r.stdout
    r = odooops(ops, "git-host", "add", "code.acme.test", "--provider", "github", "--api-url",
                "http://code.acme.test/api/v3")
    assert r.returncode == 1 and "p_api_url must be https (http only to this machine)" in r.stderr
    assert "[22023]" in r.stderr and "GitHub Enterprise Server: --provider github" in r.stderr
    r = odooops(ops, "git-host", "add", "Code.Acme.Test", "--provider", "github", "--api-url",
                "https://code.acme.test/api/v3/")
    assert r.returncode == 0, r.stderr
    assert "git host code.acme.test: commit statuses of its repositories go to github at " \
           "https://code.acme.test/api/v3" in r.stdout
    r = odooops(ops, "git-host", "list")
    assert r.returncode == 0
    assert r.stdout.splitlines()[1].split()[:3] == ["code.acme.test", "github", "https://code.acme.test/api/v3"]

    r = odooops(ops, "project", "connect", "github", "acme", "--rotate", "--url", "https://abc.supabase.co")
    assert r.returncode == 0, r.stderr
    assert "Commit statuses go to github erp/addons at https://code.acme.test/api/v3, with the project secret " \
           "GITHUB_TOKEN:" in r.stdout
    assert "odooops secret set GITHUB_TOKEN --project acme" in r.stdout

    r = odooops(ops, "git-host", "remove", "code.acme.test")
    assert r.returncode == 0 and "git host code.acme.test removed" in r.stdout
    r = odooops(ops, "git-host", "remove", "code.acme.test")
    assert r.returncode == 1 and "no git host 'code.acme.test' [P0002]" in r.stderr
    assert "odooops git-host list" in r.stderr
    for args in (("git-host", "--help"), ("git-host", "add", "--help"), ("secret", "set", "--help")):
        r = odooops(ops, *args)
        assert r.returncode == 0 and "usage:" in r.stdout
