"use client";
// The log of a run: the server renders the last lines (readable without
// JavaScript); here they follow live while the run is not over, polling the
// logs route with `after` the last line seen, once a second. The search above
// it (page.tsx) searches every line of the run in the database, not these.
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { ansiSpans } from "@/lib/ansi";
import type { LogLine } from "@/lib/queries";

const LEVELS = ["debug", "info", "warning", "error"];

export function LogView(props: { logsUrl: string; initial: LogLine[]; live: boolean; level: string; hiddenBefore: boolean }) {
  const [lines, setLines] = useState<LogLine[]>(props.initial);
  const [live, setLive] = useState(props.live);
  const [level, setLevel] = useState(props.level);
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLDivElement>(null);
  const router = useRouter();
  const lastSeq = lines.length ? lines[lines.length - 1].seq : "0";

  const shownLevel = useRef(props.level);
  useEffect(() => {
    if (level === shownLevel.current) return;
    shownLevel.current = level;
    let stop = false;
    fetch(`${props.logsUrl}?tail=1&level=${level}`, { cache: "no-store" })
      .then((r) => r.json())
      .then((d: { lines: LogLine[] }) => { if (!stop) setLines(d.lines); });
    return () => { stop = true; };
  }, [level, props.logsUrl]);

  const seqRef = useRef(lastSeq);
  seqRef.current = lastSeq;
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!live) return;
    let stop = false;
    const t = setTimeout(async () => {
      try {
        const r = await fetch(`${props.logsUrl}?after=${seqRef.current}&level=${level}`, { cache: "no-store" });
        if (r.ok && !stop) {
          const d = (await r.json()) as { lines: LogLine[]; ended: boolean };
          if (d.lines.length) setLines((old) => [...old, ...d.lines].slice(-20000));
          if (d.ended && d.lines.length === 0) {
            setLive(false);
            router.refresh(); // the status, timings and artifacts of the ended run
          }
        }
      } catch { /* tried again on the next tick */ }
      if (!stop) setTick((n) => n + 1);
    }, 1000);
    return () => { stop = true; clearTimeout(t); };
  }, [live, tick, level, props.logsUrl, router]);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);

  const shown = lines;

  return (
    <section aria-labelledby="logs">
      <h2 id="logs">Logs {live && <span className="badge status-running" role="status">live</span>}</h2>
      <div className="inline" style={{ display: "flex", gap: 8, flexWrap: "wrap", marginBottom: 8 }}>
        <label>
          Level
          <select value={level} onChange={(e) => setLevel(e.target.value)} name="level">
            {LEVELS.map((l) => <option key={l} value={l}>{l} and above</option>)}
          </select>
        </label>
        <label style={{ flexDirection: "row", alignItems: "center", gap: 6 }}>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
      </div>
      {props.hiddenBefore && <p className="muted">Earlier lines are not loaded: the view starts at the last lines of the log (the search above reads them all).</p>}
      <div className="log" ref={box} tabIndex={0} role="log" aria-label="Log lines" data-testid="log">
        {shown.map((l) => (
          <div key={l.seq} className={`line lvl-${l.level}`} data-seq={l.seq}>
            <span className="seq">{l.seq}</span>
            <span className="msg">
              {ansiSpans(l.message).map((s, i) => s.classes ? <span key={i} className={s.classes}>{s.text}</span> : s.text)}
            </span>
          </div>
        ))}
        {shown.length === 0 && <div className="line"><span className="seq" /><span className="msg">No line yet.</span></div>}
      </div>
    </section>
  );
}
