"""``odooops bench upgrade-scan``: the upgrade scan against real ports of OCA addons.

The corpus is ``upgrade_scan_corpus.json`` beside this module: OCA addons as
published, one pinned wheel (version and sha256) per series. They are fetched
with pip into ``.cache/upgrade-scan-bench/`` (gitignored) and unpacked there;
nothing third-party is committed.

For each addon and each pair of consecutive series it has (16.0 -> 17.0 ->
18.0 -> 19.0), the scan of the upgrade-scan step (``select_advisories`` and
``scan_tree`` of :mod:`odooops.steps.addons`) runs on the older version with the
advisories of ``ops.upgrade_advisories``, read from a freshly migrated database.
:mod:`odooops.dev.scan_eval` then judges each finding against the newer version
(precision) and looks for each kind of breaking change in the port with a
detector of its own (recall). Scan speed is the files the scan walks per second
of CPU time (one process, one core), best of three.

It prints one table, writes JSON to ``.odooops/bench/upgrade-scan-*.json`` and
says how far it got on stderr. The method and today's numbers:
docs/odooops-sh/UPGRADE_SCAN.md.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ..steps import addons
from . import scan_eval, target, wheels
from .scan_eval import Tree

CORPUS = Path(__file__).with_name("upgrade_scan_corpus.json")
# Small addons whose ports exercise several advisories (tree, attrs, name_get...), for --smoke.
SMOKE_ADDONS = ("base_technical_user", "base_substate", "web_environment_ribbon")
SCAN_REPEAT = 3


def load_corpus(path: Path = CORPUS) -> dict:
    return json.loads(path.read_text())


def cache_dir() -> Path:
    return target.project_root() / ".cache" / "upgrade-scan-bench"


def requirement(entry: dict, series: str) -> str:
    return f"{entry['distribution']}=={entry['series'][series]['version']}"


def fetch(entries: list[dict], cache: Path, echo: Callable[[str], None] = print) -> dict[tuple[str, str], Path]:
    """(addon, series) -> the addon's folder, unpacked from its pinned wheel (downloaded when missing)."""
    pins = {requirement(e, s): v["sha256"] for e in entries for s, v in e["series"].items()}
    echo(f"fetching {len(pins)} pinned wheels of {len(entries)} addons into {cache / 'wheels'} (kept there)")
    got = wheels.download(pins, cache / "wheels")
    trees = {}
    for e in entries:
        for s in e["series"]:
            req = requirement(e, s)
            dest = cache / "trees" / got[req].stem
            if not (dest / ".unpacked").exists():
                wheels.unpack_addons(got[req], dest)
                (dest / ".unpacked").write_text(e["series"][s]["sha256"] + "\n")
            folder = dest / "odoo" / "addons" / e["name"]
            if not folder.is_dir():
                raise wheels.DownloadError(f"{got[req].name} holds no odoo/addons/{e['name']}/")
            trees[(e["name"], s)] = folder
    return trees


ADVISORIES_SQL = """
select code, from_series, to_series, area, severity::text as severity, title, engine, detect_regex, detect_pattern,
  detect_globs
from ops.upgrade_advisories order by code
"""


def advisories_from_database() -> list[dict]:
    """The rows of ops.upgrade_advisories in a database migrated for this run (then dropped)."""
    import psycopg
    from psycopg.rows import dict_row

    from .databases import fresh_database, server

    with server() as parent, fresh_database(parent, "odooops_scanbench") as db, \
            psycopg.connect(db.conninfo("postgres"), row_factory=dict_row) as conn:
        return [dict(r) for r in conn.execute(ADVISORIES_SQL)]


def moves(entries: list[dict]) -> list[tuple[dict, str, str]]:
    """(addon, old series, new series) for each pair of consecutive series an addon has."""
    out = []
    for e in entries:
        series = sorted(e["series"], key=float)
        for old, new in zip(series, series[1:], strict=False):
            if addons.next_series(old) == new:
                out.append((e, old, new))
    return out


def run(entries: list[dict], advisories: list[dict], trees: dict[tuple[str, str], Path],
        echo: Callable[[str], None] = print) -> dict:
    """Scan, judge and time every move; the summary of :func:`scan_eval.summarise` plus speed and moves."""
    results, per_move = [], []
    cpu = files = files_read = 0.0
    size = 0
    todo = moves(entries)
    for n, (e, old_s, new_s) in enumerate(todo, 1):
        chosen = addons.select_advisories(advisories, old_s, new_s)
        old_root, new_root = trees[(e["name"], old_s)], trees[(e["name"], new_s)]
        best = None
        for _ in range(SCAN_REPEAT):
            t0 = time.process_time()
            findings = addons.scan_tree(old_root, chosen)
            took = time.process_time() - t0
            best = took if best is None else min(best, took)
        old, new = Tree.read(old_root), Tree.read(new_root)
        globs = [g for a in chosen for g in (a.get("detect_globs") or [])]
        read = [r for r in old.files if addons._glob_matches(Path(r), globs)]
        cpu += best
        files += len(old.files)
        files_read += len(read)
        size += sum(old.files[r].stat().st_size for r in read)
        patterns = {a["code"]: rx for a, rx in addons.compile_advisories(chosen)[0]
                    if addons.advisory_engine(a) == "regex"}
        res = scan_eval.evaluate(e["name"], old_s, new_s, old, new, findings, patterns)
        results.append(res)
        tp = sum(v.true_positive for v in res.verdicts)
        occ = sum(len(v) for v in res.occurrences.values())
        hit = sum(h for v in res.occurrences.values() for _, h in v)
        per_move.append({
            "addon": e["name"], "from": e["series"][old_s]["version"], "to": e["series"][new_s]["version"],
            "advisories": len(chosen), "files": len(old.files), "findings": len(res.verdicts),
            "true_positives": tp, "occurrences": occ, "flagged": hit, "scan_cpu_s": best,
        })
        echo(f"[{n}/{len(todo)}] {e['name']} {old_s} -> {new_s}: {len(old.files)} files, "
             f"{len(res.verdicts)} finding(s), {tp} changed by the port; {occ} change(s) of a known kind, "
             f"{hit} flagged")
    summary = scan_eval.summarise(results)
    summary["speed"] = {
        "files": int(files), "files_read": int(files_read), "bytes_read": size, "cpu_seconds": cpu,
        "files_per_second": files / cpu if cpu else None,
        "files_read_per_second": files_read / cpu if cpu else None,
        "mb_read_per_second": size / 1e6 / cpu if cpu else None,
        "method": f"time.process_time() around steps.addons.scan_tree on each older tree, best of {SCAN_REPEAT}",
    }
    summary["moves"] = per_move
    return summary


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def table(doc: dict) -> str:
    r = doc["results"]
    out = [f"upgrade-scan bench, {doc['date']}: {doc['corpus']['addons']} addons, {doc['corpus']['moves']} ports "
           f"({', '.join(f'{k} x{v}' for k, v in doc['corpus']['moves_by_series'].items())}), "
           f"{doc['advisories']['count']} advisories from {doc['advisories']['source']}", ""]
    out.append(f"precision: {_pct(r['precision'])} ({r['true_positives']} of {r['findings']} findings point at "
               f"something the port changed)")
    out.append("")
    out.append(f"{'advisory':<30} {'findings':>8} {'changed':>8} {'precision':>9}")
    for code, d in r["per_advisory"].items():
        out.append(f"{code:<30} {d['findings']:>8} {d['true_positives']:>8} {_pct(d['precision']):>9}")
    out.append("")
    out.append(f"{'kind of change':<24} {'moves':<22} {'occurrences':>11} {'addons':>6} {'flagged':>7} "
               f"{'recall':>6}  advisory")
    absent = [code for code, k in r["kinds"].items() if not k["occurrences"]]
    for code, k in sorted(r["kinds"].items(), key=lambda kv: (kv[1]["recall"] or 0, kv[0])):
        if not k["occurrences"]:
            continue
        out.append(f"{code:<24} {', '.join(k['moves']):<22} {k['occurrences']:>11} {k['addons']:>6} "
                   f"{k['flagged']:>7} {_pct(k['recall']):>6}  {', '.join(k['advisories']) or '(none)'}")
    if absent:
        out.append(f"(no occurrence in these ports: {', '.join(absent)})")
    out.append("")
    out.append(f"recall: {_pct(r['recall_macro'])} averaged over the {r['kinds_occurring']} kinds that occur "
               f"({_pct(r['recall_micro'])} of all occurrences)")
    s = r["speed"]
    out.append(f"speed: {s['files_per_second']:.0f} files/s walked ({s['files_read_per_second']:.0f} files/s, "
               f"{s['mb_read_per_second']:.1f} MB/s read), one core: {s['files']} files in {s['cpu_seconds']:.2f} "
               "s of CPU")
    return "\n".join(out)


def bench(*, smoke: bool = False, addons_filter: list[str] | None = None, advisories: list[dict] | None = None,
          advisories_source: str = "ops.upgrade_advisories (freshly migrated database)", cache: Path | None = None,
          json_path: Path | None = None, echo: Callable[[str], None] = print) -> dict:
    corpus = load_corpus()
    entries = corpus["addons"]
    names = list(addons_filter or (SMOKE_ADDONS if smoke else []))
    if names:
        unknown = sorted(set(names) - {e["name"] for e in entries})
        if unknown:
            raise ValueError(f"not in the corpus: {', '.join(unknown)}")
        entries = [e for e in entries if e["name"] in names]
    if advisories is None:
        echo("reading ops.upgrade_advisories from a freshly migrated database")
        advisories = advisories_from_database()
    trees = fetch(entries, cache or cache_dir(), echo)
    results = run(entries, advisories, trees, echo)
    todo = moves(entries)
    by_series: dict[str, int] = {}
    for _, old, new in todo:
        by_series[f"{old}->{new}"] = by_series.get(f"{old}->{new}", 0) + 1
    doc = {
        "benchmark": "upgrade-scan",
        "mode": "smoke" if smoke else ("subset" if names else "full"),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "corpus": {
            "file": str(CORPUS.relative_to(target.project_root())) if CORPUS.is_relative_to(target.project_root())
            else CORPUS.name,
            "pinned_on": corpus["pinned_on"], "addons": len(entries), "moves": len(todo),
            "moves_by_series": dict(sorted(by_series.items())),
            "versions": {e["name"]: {s: v["version"] for s, v in e["series"].items()} for e in entries},
        },
        "advisories": {"source": advisories_source, "count": len(advisories),
                       "codes": sorted(a["code"] for a in advisories)},
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "results": results,
    }
    if json_path is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        json_path = target.project_root() / ".odooops" / "bench" / f"upgrade-scan-{doc['mode']}-{stamp}.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(doc, indent=2) + "\n")
    doc["json_path"] = str(json_path)
    doc["table"] = table(doc)
    return doc


def main(args) -> int:
    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    def err(msg: str) -> None:
        print(f"odooops: {msg}", file=sys.stderr)

    advisories, source = None, "ops.upgrade_advisories (freshly migrated database)"
    if args.advisories:
        advisories = json.loads(Path(args.advisories).read_text())
        source = args.advisories
    try:
        doc = bench(smoke=args.smoke, addons_filter=args.addon, advisories=advisories, advisories_source=source,
                    json_path=Path(args.json) if args.json else None, echo=progress)
    except wheels.DownloadError as exc:
        err(f"bench upgrade-scan: the corpus could not be fetched: {exc}")
        return 1
    except ValueError as exc:
        err(f"bench upgrade-scan: {exc}")
        return 2
    print(doc["table"])
    print(f"\nresults in {doc['json_path']}")
    return 0
