// Parse every ```mermaid block of the given Markdown (or .mmd) files with
// Mermaid's own parser; nothing is rendered, so no browser is needed.
// jsdom provides the window/document globals some diagram types (flowchart)
// expect at parse time.
//
// Usage: node harness/odooops/js/mermaid_parse.mjs FILE...
// Prints one JSON line per block: {"file", "line", "type"} or {"file", "line", "error"};
// exits 1 when any block fails to parse, 2 on bad usage.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const files = process.argv.slice(2);
if (!files.length) {
  console.error("usage: mermaid_parse.mjs FILE...");
  process.exit(2);
}

const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const k of ["DOMParser", "Element", "HTMLElement", "Node", "navigator"]) {
  if (!(k in globalThis)) {
    try { globalThis[k] = dom.window[k]; } catch { /* read-only in this Node version */ }
  }
}
const mermaid = (await import("mermaid")).default;
mermaid.initialize({ startOnLoad: false });

function blocks(path, text) {
  if (!path.endsWith(".md")) return [{ line: 1, code: text }];
  const out = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (/^```mermaid\s*$/.test(lines[i])) {
      const start = i + 1;
      let j = start;
      while (j < lines.length && !/^```\s*$/.test(lines[j])) j++;
      out.push({ line: start + 1, code: lines.slice(start, j).join("\n") });
      i = j;
    }
  }
  return out;
}

let failed = false;
for (const file of files) {
  for (const b of blocks(file, readFileSync(file, "utf8"))) {
    try {
      const res = await mermaid.parse(b.code);
      console.log(JSON.stringify({ file, line: b.line, type: res?.diagramType ?? "unknown" }));
    } catch (e) {
      failed = true;
      console.log(JSON.stringify({ file, line: b.line, error: String(e?.message ?? e).split("\n").slice(0, 4).join(" ") }));
    }
  }
}
process.exit(failed ? 1 : 0);
