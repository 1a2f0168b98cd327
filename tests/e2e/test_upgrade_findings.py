"""The worker stores the upgrade-scan step's findings in ops.upgrade_findings: the same findings as the
JSON artifact, readable by the project's members, answering ops.list_upgrade_blockers."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from odooops.runner import findings

from tests.conftest import connect


def test_the_worker_stores_the_scan_findings_as_rows(ops):
    ops.project()
    run_id = ops.enqueue("upgrade-scan")
    assert ops.worker("--drain").wait(60) == 0
    assert ops.status(run_id) == "succeeded"

    (url,) = ops.one("select storage_url from ops.run_artifacts where run_id = %s"
                     " and artifact_key = 'upgrade-findings.json'", (run_id,))
    report = json.loads(Path(unquote(urlsplit(url).path)).read_text())
    assert report["findings"], "the demo repository has 17.0 code that 18.0 breaks"
    rows = ops.all("select code, file, line, col, excerpt, source, f.project_id = r.project_id"
                   " from ops.upgrade_findings as f join ops.runs as r on r.id = f.run_id"
                   " where f.run_id = %s order by file, line, code", (run_id,))
    assert rows == [(f["code"], f["file"], f["line"], f["column"], f["text"], "upgrade-scan", True)
                    for f in report["findings"]]
    assert any(m == f"findings of upgrade-findings.json: {len(rows)} new in ops.upgrade_findings"
               for _, _, _, m, _ in ops.logs(run_id))

    # "Which of my projects are blocked from 18.0, and by what": one query, as a viewer of the project.
    breaking = {f["code"] for f in report["findings"] if f["severity"] == "breaking"}
    assert breaking
    viewer = str(uuid.uuid4())
    with connect(ops.db) as c:
        c.execute("insert into auth.users (id, aud, role, email) values (%s, 'authenticated', 'authenticated',"
                  " 'viewer@test.invalid')", (viewer,))
        c.execute("insert into ops.project_memberships (project_id, user_id, role)"
                  " select id, %s, 'viewer' from ops.projects where slug = 'demo'", (viewer,))
        c.execute("set role authenticated")
        c.execute("select set_config('request.jwt.claims', %s, false)",
                  (json.dumps({"sub": viewer, "role": "authenticated"}),))
        blockers = c.execute("select project_slug, run_id::text, code"
                             " from ops.list_upgrade_blockers('18.0')").fetchall()
        visible = c.execute("select count(*) from ops.upgrade_findings").fetchone()[0]
    assert {(slug, run, code) for slug, run, code in blockers} == {("demo", run_id, code) for code in breaking}
    assert visible == len(rows)


def test_report_rows_read_only_the_finding_keys():
    report = {"findings": [
        {"code": "tree-to-list", "severity": "breaking", "title": "t", "file": "a/v.xml", "line": 3, "column": 5,
         "match": "<tree", "text": "<tree string='x'>", "engine": "xml", "new_key": [1]},
        {"code": "name-get", "file": "a/m.py", "line": 1, "column": 0, "text": "x" * 900, "engine": "Not Valid"},
    ]}
    assert findings.rows("upgrade-scan", report) == [
        {"source": "upgrade-scan", "code": "tree-to-list", "file": "a/v.xml", "line": 3, "column": 5,
         "excerpt": "<tree string='x'>", "message": "<tree", "engine": "xml"},
        {"source": "upgrade-scan", "code": "name-get", "file": "a/m.py", "line": 1, "column": 1,
         "excerpt": "x" * 500, "message": ""},
    ]
    with pytest.raises(findings.ReportError, match="no findings list"):
        findings.rows("upgrade-scan", {"summary": {}})
