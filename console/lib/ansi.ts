// ANSI SGR colour codes of a log line, as spans: only bold and the 16
// foreground colours; every other escape sequence is dropped.
export type Span = { text: string; classes: string };

// eslint-disable-next-line no-control-regex
const ESC = /\x1b\[([0-9;]*)([A-Za-z])/g;

export function ansiSpans(line: string): Span[] {
  const spans: Span[] = [];
  let bold = false;
  let fg: number | null = null;
  let last = 0;
  const push = (text: string) => {
    if (!text) return;
    const classes = [bold ? "ansi-bold" : "", fg !== null ? `ansi-${fg}` : ""].filter(Boolean).join(" ");
    spans.push({ text, classes });
  };
  for (const m of line.matchAll(ESC)) {
    push(line.slice(last, m.index));
    last = (m.index ?? 0) + m[0].length;
    if (m[2] !== "m") continue;
    for (const part of (m[1] || "0").split(";")) {
      const n = Number(part);
      if (n === 0) { bold = false; fg = null; }
      else if (n === 1) bold = true;
      else if (n === 22) bold = false;
      else if (n === 39) fg = null;
      else if ((n >= 30 && n <= 37) || (n >= 90 && n <= 97)) fg = n;
    }
  }
  push(line.slice(last));
  // eslint-disable-next-line no-control-regex
  return spans.map((s) => ({ ...s, text: s.text.replace(/\x1b[^a-zA-Z]*[a-zA-Z]?/g, "") }));
}
