"""A worker offers labels (``--label``, ``ODOOOPS_WORKER_LABELS``): it takes the runs whose workflow requires
labels it offers, leaves the others queued with the reason, and shows up in ops.workers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from importlib import metadata

from tests.conftest import ROOT

from .conftest import step


def test_a_worker_takes_runs_it_has_the_labels_of_and_registers_itself(ops):
    ops.project(workflows={
        "v17": {"steps": [step("say", "echo built on 17")]},
        "v18": {"steps": [step("say", "echo built on 18")]},
    })
    with ops.conn() as c:
        c.execute("update ops.workflows set required_labels = '{odoo-17.0}' where name = 'v17'")
        c.execute("update ops.workflows set required_labels = '{odoo-18.0}' where name = 'v18'")
    r18 = ops.enqueue("v18")
    r17 = ops.enqueue("v17")

    worker = ops.worker("--drain", "--label", "odoo-17.0", name="w17", env={"ODOOOPS_WORKER_LABELS": "docker, "})
    assert worker.wait(30) == 0

    run17, run18 = ops.run(r17), ops.run(r18)
    assert (run17["status"], run17["worker_id"]) == ("succeeded", "w17")
    assert (run18["status"], run18["worker_id"], run18["attempt"]) == ("queued", None, 0), \
        "the worker without odoo-18.0 left the run alone"
    assert ops.one("select required_labels from ops.runs where id = %s", (r18,))[0] == ["odoo-18.0"]
    # Every claim the worker made is in the events: only the run it has the labels of.
    assert ops.all("select run_id::text from ops.run_events where to_status = 'claimed'") == [(r17,)]

    # The queue says why the other run waits: the only worker seen offers docker and odoo-17.0.
    assert ops.one("select wait_reason from ops.list_queued_runs() where run_id = %s", (r18,))[0] == \
        "waiting for a worker with labels odoo-18.0"

    # The fleet: the worker registered with its labels (the environment's and --label's), version and host.
    row = ops.one("select labels, version, host, status, held_runs from ops.list_workers() where worker_id = 'w17'")
    assert row == (["docker", "odoo-17.0"], metadata.version("odooops"), socket.gethostname(), "live", 0)
    started = next(e for e in ops.worker_events("w17") if e["event"] == "started")
    assert started["labels"] == "docker,odoo-17.0"

    # A worker with the other label takes the run that waited.
    assert ops.worker("--drain", "--label", "odoo-18.0", name="w18").wait(30) == 0
    assert (ops.status(r18), ops.run(r18)["worker_id"]) == ("succeeded", "w18")
    assert ops.all("select id, labels from ops.workers order by id") == [
        ("w17", ["docker", "odoo-17.0"]), ("w18", ["odoo-18.0"]),
    ]


def _worker_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "odooops.cli", "worker", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)


def test_the_worker_refuses_a_bad_label_before_it_starts_and_documents_the_option():
    bad = _worker_cli("--label", "Odoo 17", "--database-url", "postgresql://invalid.invalid/none")
    assert bad.returncode == 2
    assert "argument --label: 'Odoo 17' is not a label" in bad.stderr

    env = {**os.environ, "ODOOOPS_WORKER_LABELS": "docker,ARM64"}
    bad_env = _worker_cli("--database-url", "postgresql://invalid.invalid/none", env=env)
    assert bad_env.returncode == 1
    assert "ODOOOPS_WORKER_LABELS: 'ARM64' is not a label" in bad_env.stderr

    helped = _worker_cli("--help")
    assert helped.returncode == 0
    assert "--label NAME" in helped.stdout and "ODOOOPS_WORKER_LABELS" in helped.stdout
