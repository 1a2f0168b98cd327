"""``compile``: byte-compile every Python file of the checkout."""

from __future__ import annotations

import os
import py_compile
import sys
import tempfile

from . import addons
from .context import require_source, say


def run(args) -> int:
    src = require_source()
    count, errors = 0, 0
    with tempfile.TemporaryDirectory(prefix="odooops-pyc-") as tmp:
        for path in addons.iter_files(src):
            if path.suffix != ".py":
                continue
            count += 1
            try:
                # Compile to a throwaway file: the checkout stays as it was committed.
                py_compile.compile(str(path), cfile=os.path.join(tmp, "x.pyc"), doraise=True)
            except py_compile.PyCompileError as exc:
                errors += 1
                err = exc.exc_value
                where = f"{path.relative_to(src)}:{getattr(err, 'lineno', '?')}"
                say(f"ERROR {where}: {exc.exc_type_name}: {getattr(err, 'msg', err)}")
    say(f"compiled {count} Python file(s) with Python {sys.version.split()[0]}: {errors} error(s)")
    return 1 if errors else 0
