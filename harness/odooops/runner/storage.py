"""Where run artifacts go: a local directory (``file://`` URLs) or an S3-compatible store.

S3 is used when ``ODOOOPS_S3_BUCKET`` is set; ``ODOOOPS_S3_ENDPOINT`` points at
a store other than AWS (MinIO, Ceph, moto's server in the tests),
``ODOOOPS_S3_PREFIX`` puts every key under a prefix and ``ODOOOPS_S3_REGION``
defaults to us-east-1. Credentials come the usual boto3 way (``AWS_ACCESS_KEY_ID``
and ``AWS_SECRET_ACCESS_KEY``, a profile, an instance role). Otherwise files
are copied under ``--artifacts-dir`` (default ``$ODOOOPS_STORAGE_DIR``, else
``.odooops/artifacts`` under the directory the worker starts in).

Keys are ``<project>/<run id>/<artifact key>`` in both backends.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .context import RunContext
    from .logs import LogShipper
    from .queue import Queue

ARTIFACT_KEY_BAD = re.compile(r"[^A-Za-z0-9._/-]")


@dataclass(frozen=True)
class Stored:
    url: str
    sha256: str
    size_bytes: int
    content_type: str


def file_digest(path: Path) -> tuple[str, int]:
    """(sha256 hex, size in bytes) of a file."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest(), os.fstat(f.fileno()).st_size


def content_type(name: str) -> str:
    if name.endswith((".tar.gz", ".tgz")):
        return "application/gzip"
    kind, encoding = mimetypes.guess_type(name)
    if encoding == "gzip":
        return "application/gzip"
    return kind or "application/octet-stream"


class LocalStorage:
    """Copies artifacts under a directory; URLs are ``file:///abs/path``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def describe(self) -> str:
        return f"local directory {self.root}"

    def root_url(self) -> str:
        """The store's root as registered in ``ops.artifact_stores``; every URL ``put`` returns is under it."""
        return self.root.as_uri().rstrip("/") + "/"

    def put(self, src: Path, key: str) -> Stored:
        digest, size = file_digest(src)
        dest = self.root / key
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)  # readers never see a half-copied file
        return Stored(dest.as_uri(), digest, size, content_type(src.name))


class S3Storage:
    """Uploads artifacts with boto3; URLs are ``s3://bucket/key``."""

    def __init__(self, bucket: str, endpoint: str | None = None, prefix: str = "", region: str | None = None) -> None:
        import boto3  # only needed when S3 is configured
        from botocore.config import Config

        self.bucket = bucket
        self.endpoint = endpoint
        self.prefix = prefix.strip("/")
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint or None,
            region_name=region or "us-east-1",
            config=Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=60),
        )

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" + (f" at {self.endpoint}" if self.endpoint else "")

    def root_url(self) -> str:
        """The store's root as registered in ``ops.artifact_stores``; every URL ``put`` returns is under it."""
        return f"s3://{self.bucket}/" + (f"{self.prefix}/" if self.prefix else "")

    def put(self, src: Path, key: str) -> Stored:
        digest, size = file_digest(src)
        full = f"{self.prefix}/{key}" if self.prefix else key
        ctype = content_type(src.name)
        self.client.upload_file(
            str(src), self.bucket, full,
            ExtraArgs={"ContentType": ctype, "Metadata": {"sha256": digest}},
        )
        return Stored(f"s3://{self.bucket}/{full}", digest, size, ctype)


def default_local_dir() -> Path:
    env = os.environ.get("ODOOOPS_STORAGE_DIR")
    if env:
        return Path(env)
    return Path.cwd() / ".odooops" / "artifacts"


def from_env(artifacts_dir: Path | None = None) -> LocalStorage | S3Storage:
    """S3 when ``ODOOOPS_S3_BUCKET`` is set, else a local directory."""
    bucket = os.environ.get("ODOOOPS_S3_BUCKET")
    if bucket:
        return S3Storage(
            bucket,
            endpoint=os.environ.get("ODOOOPS_S3_ENDPOINT"),
            prefix=os.environ.get("ODOOOPS_S3_PREFIX", ""),
            region=os.environ.get("ODOOOPS_S3_REGION"),
        )
    return LocalStorage(artifacts_dir or default_local_dir())


def collect_artifacts(store: LocalStorage | S3Storage, queue: Queue, ctx: RunContext, step: dict, outbox: Path,
                      uploaded: set[str], shipper: LogShipper) -> list[tuple[str, Stored]]:
    """Store the new files of the artifacts directory and of the step's ``artifacts``
    globs, record each with ``add_run_artifact``; return (key, what was stored) of each."""
    found: list[tuple[str, Path]] = []
    for path in sorted(outbox.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append((path.relative_to(outbox).as_posix(), path))
    for pattern in step.get("artifacts") or []:
        pattern = pattern.lstrip("/") if not os.path.isabs(pattern) else os.path.relpath(pattern, ctx.workdir)
        if pattern.startswith(".."):
            shipper.emit(f"WARNING artifact {pattern!r} is outside the work directory: ignored", level="warning")
            continue
        matches = sorted(p for p in ctx.workdir.glob(pattern) if p.is_file())
        if not matches and not any(ch in pattern for ch in "*?["):
            shipper.emit(f"WARNING step {step['name']}: artifact {pattern} was not produced", level="warning",
                         step=step["name"])
        for p in matches:
            found.append((p.relative_to(ctx.workdir).as_posix(), p))
    stored_now = []
    for key, path in found:
        key = ARTIFACT_KEY_BAD.sub("_", key).lstrip("./_-") or "artifact"
        if key in uploaded:
            continue
        stored = store.put(path, f"{ctx.project['slug']}/{ctx.run_id}/{key}")
        queue.add_artifact(ctx.run_id, key, stored.url, stored.sha256, stored.size_bytes, stored.content_type,
                           {"step": step["name"], "file": path.name})
        uploaded.add(key)
        shipper.emit(f"artifact {key}: {stored.size_bytes} bytes, sha256 {stored.sha256}, {stored.url}",
                     step=step["name"])
        stored_now.append((key, stored))
    return stored_now
