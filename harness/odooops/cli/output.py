"""How commands talk: results on stdout, progress and errors on stderr."""

from __future__ import annotations

import sys


def progress(msg: str) -> None:
    """Progress goes to stderr so that stdout carries only the result (a URL, an id)."""
    print(msg, file=sys.stderr, flush=True)


def err(msg: str) -> None:
    print(f"odooops: {msg}", file=sys.stderr)
