"""`odooops bench rls --smoke`: the benchmark runs end to end, checks what the member sees and writes its JSON.

Smoke sizes measure nothing worth reading; the full run is `odooops bench rls` (docs/odooops-sh/PERFORMANCE.md).
"""

from __future__ import annotations

import json

from odooops.dev import bench_rls


def test_bench_rls_smoke_runs_and_writes_json(server, tmp_path, capsys):
    out = tmp_path / "rls.json"
    res = bench_rls.run_rls(server, smoke=True, json_path=out)
    data = json.loads(out.read_text())
    assert data["mode"] == "smoke" and data["sizes"]["scale"] == bench_rls.SMOKE.scale
    assert set(data["measure"]) == {"1x", f"{bench_rls.SMOKE.scale}x"}
    assert data["load"]["1x"]["runs"] == bench_rls.SMOKE.runs
    assert data["load"][f"{bench_rls.SMOKE.scale}x"]["runs"] == bench_rls.SMOKE.runs * bench_rls.SMOKE.scale
    for label, measured in data["measure"].items():
        for key, q in measured["queries"].items():
            assert q["member_sees_the_owners_rows"], (label, key)
            assert q["rows"] > 0, (label, key)
            for who in ("member", "owner", "service_role"):
                assert q[who]["n"] == bench_rls.SMOKE.rounds and q[who]["p50_ms"] > 0
    assert res["table"] and "log tail" in capsys.readouterr().out


def test_the_cli_offers_bench_rls_with_smoke_scale_and_designs():
    from odooops.cli import build_parser

    args = build_parser().parse_args(["bench", "rls", "--smoke", "--scale", "1", "--designs", "--json", "x.json"])
    assert args.smoke and args.scale == 1 and args.designs and args.json == "x.json"
    assert args.func.__name__ == "cmd_bench_rls"


def test_designs_swap_the_policies_and_restore_them(server):
    """--designs times other policy shapes on the 1x data and leaves the migrated policies in place."""
    from odooops.dev.databases import fresh_database

    with fresh_database(server, "odooops_bench_rls") as db:
        bench_rls.load(db, bench_rls.SMOKE, 1)
        with db.connect("postgres") as conn:
            before = conn.execute("select tablename, policyname, qual from pg_policies where schemaname = 'ops' "
                                  "order by 1, 2").fetchall()
        res = bench_rls.measure_designs(db, 1, echo=lambda _: None)
        with db.connect("postgres") as conn:
            after = conn.execute("select tablename, policyname, qual from pg_policies where schemaname = 'ops' "
                                 "order by 1, 2").fetchall()
    assert after == before
    assert set(res) == set(bench_rls.DESIGNS)
    assert all(v["same_rows"] for design in res.values() for v in design.values())
