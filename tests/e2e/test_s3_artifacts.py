"""Artifacts to an S3-compatible store: moto's server (from PyPI) on loopback,
a real worker uploading with boto3, the record in ops.run_artifacts matching
the object byte for byte."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

from .conftest import S3_BUCKET

BUCKET = S3_BUCKET


def test_build_and_scan_artifacts_are_uploaded_to_s3_and_recorded(ops, s3):
    endpoint, client = s3
    ops.project()
    build = ops.enqueue("build")
    scan = ops.enqueue("upgrade-scan")
    worker = ops.worker("--drain", env={
        "ODOOOPS_S3_ENDPOINT": endpoint, "ODOOOPS_S3_BUCKET": BUCKET, "ODOOOPS_S3_PREFIX": "ci",
        "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
    })
    assert worker.wait(60) == 0, (ops.tmp / "w1.jsonl").read_text()
    assert ops.status(build) == "succeeded" and ops.status(scan) == "succeeded"

    rows = ops.all("select run_id::text, artifact_key, storage_url, sha256, size_bytes, content_type"
                   " from ops.run_artifacts order by artifact_key")
    assert [(r[0], r[1]) for r in rows] == [
        (build, f"demo-addons-{ops.commit[:12]}.tar.gz"), (scan, "upgrade-findings.json"),
        (scan, "upgrade-patch.diff")]
    for run_id, key, url, sha, size, ctype in rows:
        assert url == f"s3://{BUCKET}/ci/demo/{run_id}/{key}"
        body = client.get_object(Bucket=BUCKET, Key=url.removeprefix(f"s3://{BUCKET}/"))["Body"].read()
        assert (hashlib.sha256(body).hexdigest(), len(body)) == (sha, size)
        if key.endswith(".tar.gz"):
            assert ctype == "application/gzip"
            with tarfile.open(fileobj=io.BytesIO(body)) as tar:
                names = tar.getnames()
            assert {"library_core/__manifest__.py", "library_portal/__manifest__.py",
                    "library_reminders/__manifest__.py"} <= set(names)
            assert not any("__pycache__" in n or n.startswith("src") for n in names)
        elif key.endswith(".diff"):
            patch = body.decode()
            assert ctype == "text/x-diff"
            assert '-            <tree string="Books">\n+            <list string="Books">\n' in patch
            assert '+    copies = fields.Integer(default=1, aggregator="sum")\n' in patch
        else:
            assert ctype == "application/json"
            report = json.loads(body)
            assert (report["from_series"], report["to_series"]) == ("17.0", "18.0")
            found = {(f["code"], f["file"], f["line"]) for f in report["findings"]}
            assert found == {
                ("group-operator-aggregator", "library_core/models/library_book.py", 13),
                ("tree-to-list", "library_core/views/library_book_views.xml", 7),
                ("tree-to-list", "library_core/views/library_book_views.xml", 12),
                ("chatter-div", "library_core/views/library_book_views.xml", 30),
            }
    # The findings are log lines too, at warning level.
    warnings = [m for _, lvl, _, m, _ in ops.logs(scan) if lvl == "warning"]
    assert sum(m.startswith("WARNING tree-to-list (breaking) library_core/views/") for m in warnings) == 2
    assert sum(m.startswith("WARNING group-operator-aggregator (breaking)") for m in warnings) == 1
    assert sum(m.startswith("WARNING chatter-div (breaking) library_core/views/") for m in warnings) == 1


def test_the_same_commit_packs_to_the_same_bytes(ops, tmp_path):
    """The tarball is reproducible: no timestamps or owners from the checkout."""
    ops.project()
    first, second = ops.enqueue("build"), None
    assert ops.worker("--drain", name="a").wait(60) == 0
    second = ops.enqueue("build")
    assert ops.worker("--drain", name="b").wait(60) == 0
    shas = ops.all("select run_id::text, sha256 from ops.run_artifacts order by created_at")
    assert [r[0] for r in shas] == [first, second] and shas[0][1] == shas[1][1]
