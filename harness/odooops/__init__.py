"""OdooOps: an Odoo.sh-style control plane for self-hosted Odoo, database-first on Supabase/PostgreSQL.

- :mod:`odooops.runner`: what a build host runs (``odooops worker``);
- :mod:`odooops.steps`: the built-in workflow steps (``odooops step ...``);
- :mod:`odooops.dev`: this repository's own tooling (clusters, migrations, checks, bench, demo);
- :mod:`odooops.cli`: the ``odooops`` command, argument parsing only.
"""
