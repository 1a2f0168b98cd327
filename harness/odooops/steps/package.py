"""``package``: the addons as a reproducible tar.gz in the artifacts directory."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
from pathlib import Path

from . import addons
from .context import StepError, artifacts_dir, require_source, say


def _reset(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    name = Path(info.name)
    if any(p in ("__pycache__", ".git") for p in name.parts) or info.name.endswith((".pyc", ".pyo")):
        return None
    # Same commit, same bytes: no timestamps or owners from the checkout.
    info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
    info.mode = 0o755 if info.isdir() or info.mode & 0o111 else 0o644
    return info


def run(args) -> int:
    src = require_source()
    found = addons.find_addons(src)
    if not found:
        raise StepError(f"no addon found under {src}")
    project = os.environ.get("ODOOOPS_PROJECT", "addons")
    commit = os.environ.get("ODOOOPS_COMMIT", "unknown")[:12]
    out = artifacts_dir() / f"{project}-addons-{commit}.tar.gz"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, folder in sorted(found.items()):
            for path in [folder, *addons.iter_files(folder)]:
                arcname = f"{name}/{path.relative_to(folder).as_posix()}" if path != folder else name
                tar.add(path, arcname=arcname, recursive=False, filter=_reset)
    with open(out, "wb") as f, gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as gz:
        gz.write(buf.getvalue())
    with open(out, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    size = out.stat().st_size
    say(f"packaged {len(found)} addon(s) ({', '.join(sorted(found))}) into {out.name}: {size} bytes, sha256 {digest}")
    return 0
