"""The commit status notifier: ``odooops notify`` and the modules behind it.

Part of the control plane, not of a build host: it drains
``ops.commit_status_outbox`` (rows the database writes in the same
transaction as each status change of a run queued by a push) and sets the
status on GitHub or GitLab with the project's ``GITHUB_TOKEN`` or
``GITLAB_TOKEN`` secret, which it alone may read. It needs psycopg and the
standard library; it reuses the runner's reconnecting database connection
(:mod:`odooops.runner.queue`) and never imports the repository's tooling
(:mod:`odooops.dev`), the CLI or the build steps (an import-linter contract in
``pyproject.toml`` checks that in ``make test``).

- :mod:`.providers`: the GitHub and GitLab requests and how to read their answers;
- :mod:`.notifier`: the loop: lease, send, mark delivered or hand back.
"""
