"""What a build host runs: ``odooops worker`` and the modules behind it.

Installed with ``pip install odooops`` (plus ``[s3]`` for an S3 store); it
needs psycopg and nothing of the repository's development tooling
(:mod:`odooops.dev`), which it never imports (an import-linter contract in
``pyproject.toml`` checks that in ``make test``).

- :mod:`.worker`: the serve loop: claim, start, run the steps, complete;
- :mod:`.queue`: every database call, behind one typed interface;
- :mod:`.logs`: masking, numbering and shipping log lines;
- :mod:`.heartbeat`: the lease and cancel requests;
- :mod:`.process`: one step's environment, command line, timeout and end;
- :mod:`.storage`: artifact stores (a directory or S3);
- :mod:`.docker`: whether a Docker engine answers;
- :mod:`.report`: what the worker prints.
"""
