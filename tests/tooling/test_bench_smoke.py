"""`odooops bench queue --smoke`: the benchmark runs end to end and writes its JSON.

Smoke sizes measure nothing worth reading; the full run is `odooops bench queue`
on a durable cluster (docs/odooops-sh/PERFORMANCE.md).
"""

from __future__ import annotations

import json

import pytest
from odooops.dev import bench


def test_bench_queue_smoke_runs_and_writes_json(server, tmp_path, capsys):
    out = tmp_path / "queue.json"
    res = bench.run_queue(server, smoke=True, json_path=out)
    data = json.loads(out.read_text())
    assert data["mode"] == "smoke"
    assert data["server"]["postgres"]["server_version"]
    if bench.find_pgbench():
        for c in bench.SMOKE.connections:
            assert data["update_limit"][str(c)]["tps"] > 0
            assert data["lifecycle"][str(c)]["runs"] == bench.SMOKE.lifecycle_runs
            assert data["lifecycle"][str(c)]["left_over"] == 0
        top = str(max(bench.SMOKE.connections))
        for form in ("claim_started", "batch"):
            life = data[f"lifecycle_{form}"]
            assert life["update_limit"][top]["tps"] > 0
            assert life["lifecycle"][top]["runs"] == bench.SMOKE.lifecycle_runs, form
            assert life["lifecycle"][top]["left_over"] == 0, form
    assert data["notify"]["claimed"] == bench.SMOKE.notify_runs
    assert data["logs"]["batch_rpc_lines_per_s"] > 0 and data["logs"]["copy_lines_per_s"] > 0
    assert data["claim_latency"]["history"]["statement"]["n"] == bench.SMOKE.latency_claims
    assert data["claim_latency"]["empty"]["with_commit"]["n"] == bench.SMOKE.latency_claims
    assert data["history_load"]["queued"] >= bench.SMOKE.history_queued
    assert data["history_load"]["queued_label_sets"] == 4
    labelled = data["claim_latency_labels"]
    assert labelled["labels"] == bench.BENCH_LABELS
    assert labelled["history"]["statement"]["n"] == labelled["empty"]["statement"]["n"] == bench.SMOKE.latency_claims
    limited = data["claim_latency_limits"]
    assert limited["history"]["statement"]["n"] == limited["empty"]["statement"]["n"] == bench.SMOKE.latency_claims
    fair = data["fairness"]
    assert fair["b_started"] == bench.SMOKE.fair_b_runs, "every run of B started"
    assert fair["a_started_before_b_done"] < 100, "B's runs start before A's next 100: projects take turns"
    assert data["history_load"]["projects"] == max(1, bench.SMOKE.history_queued // 100)
    beats = data["heartbeats"]
    assert beats["n"] > 10 and beats["tables"]["runs"]["updates"] >= beats["n"]
    assert beats["tables"]["workers"]["updates"] <= 1, "last_seen_at is written at most every 5 s"
    assert res["table"] and "lifecycle" in capsys.readouterr().out


def test_the_cli_offers_bench_queue_with_smoke():
    from odooops.cli import build_parser

    args = build_parser().parse_args(["bench", "queue", "--smoke", "--json", "x.json"])
    assert args.smoke and args.json == "x.json" and args.func.__name__ == "cmd_bench_queue"


@pytest.mark.parametrize("values,q,expected", [([1.0, 2.0, 3.0, 4.0], 0.5, 2.0), ([5.0], 0.99, 5.0)])
def test_percentiles_are_nearest_rank(values, q, expected):
    assert bench._pctl(values, q) == expected
