"""The structured engines of the upgrade scan: Python through ``ast``, XML through lxml, manifests as data.

A regex advisory matches one line at a time; these read the code the way Odoo does, so a construct
that spans lines (a field whose keywords sit one per line, a start tag over several lines, a view
type inside a tuple) is found wherever it is written. An advisory of one of these engines carries a
small declarative pattern (``ops.upgrade_advisories.detect_pattern``, validated by the table with the
same rules as :func:`pattern_problem`): one object with a ``kind`` and its keys, or
``{"any": [pattern, ...]}``.

``python-ast`` (files the globs name, parsed with :func:`ast.parse`):
    ``field_keyword`` {keyword}: a ``fields.X(...)`` call with that keyword, on whatever line it sits.
    ``method_def`` {name}: a method of that name defined in a class body.
    ``call`` {name, on?, skip_super?}: a call ``name(...)`` or ``<expr>.name(...)``; with ``on``, only
    ``<on>.name(...)``; with ``skip_super``, not ``super().name(...)``.
    ``import_from`` {module, name}: ``from <module> import <name>``.
    ``attribute`` {names, not_on?}: ``<expr>.<name>`` for any of ``names``, except on ``<x>.<not_on>``.
    ``hook_signature`` {first_arg}: a module-level install hook (named by the addon's manifest, or
    ending in ``pre_init_hook`` / ``post_init_hook`` / ``uninstall_hook``) whose first parameter is
    ``first_arg``.
    ``view_type`` {value}: ``value`` as a view type: in a ``view_mode`` / ``view_type`` value of a
    dict, keyword or subscript assignment (``"tree,form"``), or as the second item of a pair
    (``(view.id, "tree")``).

``xml`` (parsed with lxml, comments dropped, no entities, no network):
    ``element`` {tag, class?}: an element of that tag (with ``class``, whose class list holds it).
    ``attribute`` {names, tags?}: an element with one of these attributes (not a ``<field>`` of a
    ``<record>``, which is data).
    ``xpath`` {step} or {contains}: an ``<xpath expr>`` that walks through element ``step``, or whose
    expression contains the text.
    ``attribute_value`` {value}: any attribute whose value is exactly ``value``.

``manifest`` (``__manifest__.py``, read as a literal like Odoo does):
    ``assets_bundle`` {bundle}: the ``assets`` dict declares that bundle.
    ``key`` {key}: the manifest has that key.

Each match is a line and column in the file (for a multi-line construct, the line of the part that
must change: the keyword, the attribute, the start tag), the text matched and the stripped line.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

ENGINES = ("regex", "python-ast", "xml", "manifest")
HOOK_KEYS = ("pre_init_hook", "post_init_hook", "uninstall_hook")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,7}")
_TEXT = re.compile(r"[A-Za-z0-9_.:/@ -]{1,100}")
MAX_ANY = 8

# kind -> (required keys, optional keys, key -> value rule) per engine.
_SPEC: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "python-ast": {
        "field_keyword": (("keyword",), ()),
        "method_def": (("name",), ()),
        "call": (("name",), ("on", "skip_super")),
        "import_from": (("module", "name"), ()),
        "attribute": (("names",), ("not_on",)),
        "hook_signature": (("first_arg",), ()),
        "view_type": (("value",), ()),
    },
    "xml": {
        "element": (("tag",), ("class",)),
        "attribute": (("names",), ("tags",)),
        "xpath": ((), ("step", "contains")),
        "attribute_value": (("value",), ()),
    },
    "manifest": {
        "assets_bundle": (("bundle",), ()),
        "key": (("key",), ()),
    },
}
_RULES = {
    "keyword": _IDENT, "name": _IDENT, "on": _IDENT, "not_on": _IDENT, "first_arg": _IDENT, "value": _TEXT,
    "module": _DOTTED, "tag": _IDENT, "class": _IDENT, "step": _IDENT, "contains": _TEXT, "bundle": _DOTTED,
    "key": _IDENT, "names": _IDENT, "tags": _IDENT,
}
_LISTS = ("names", "tags")
_BOOLS = ("skip_super",)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def pattern_problem(engine: str, pattern) -> str | None:
    """What is wrong with ``pattern`` for ``engine`` (None when it is valid): the same rules as the
    table's check (``ops.upgrade_advisory_pattern_problem``)."""
    if engine not in _SPEC:
        return f"engine must be one of {', '.join(ENGINES)}, got {_short(engine)}"
    if not isinstance(pattern, dict):
        return f"detect_pattern must be a JSON object, got {_short(pattern)}"
    if "any" in pattern:
        items = pattern["any"]
        if set(pattern) != {"any"}:
            return "detect_pattern: an {\"any\": [...]} pattern has no other key"
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_ANY:
            return f"detect_pattern.any must be a list of 1 to {MAX_ANY} patterns, got {_short(items)}"
        for n, item in enumerate(items):
            if isinstance(item, dict) and "any" in item:
                return f"detect_pattern.any[{n}]: patterns do not nest"
            problem = pattern_problem(engine, item)
            if problem:
                return problem.replace("detect_pattern", f"detect_pattern.any[{n}]", 1)
        return None
    kind = pattern.get("kind")
    if kind not in _SPEC[engine]:
        return (f"detect_pattern.kind must be one of {', '.join(sorted(_SPEC[engine]))} for engine {engine}, "
                f"got {_short(kind)}")
    required, optional = _SPEC[engine][kind]
    for key in pattern:
        if key != "kind" and key not in required and key not in optional:
            return f"detect_pattern.{key}: not a key of a {kind} pattern (keys: {', '.join(required + optional)})"
    for key in required:
        if key not in pattern:
            return f"detect_pattern.{key} is required for a {kind} pattern"
    if kind == "xpath" and len(set(pattern) & {"step", "contains"}) != 1:
        return "detect_pattern: an xpath pattern has exactly one of step or contains"
    for key, value in pattern.items():
        if key == "kind":
            continue
        if key in _BOOLS:
            if not isinstance(value, bool):
                return f"detect_pattern.{key} must be true or false, got {_short(value)}"
        elif key in _LISTS:
            if not isinstance(value, list) or not 1 <= len(value) <= MAX_ANY or \
                    not all(isinstance(v, str) and _RULES[key].fullmatch(v) for v in value):
                return f"detect_pattern.{key} must be a list of 1 to {MAX_ANY} identifiers, got {_short(value)}"
        elif not isinstance(value, str) or not _RULES[key].fullmatch(value):
            return f"detect_pattern.{key} is not a valid {key}, got {_short(value)}"
    return None


@dataclass(frozen=True)
class Match:
    line: int
    column: int
    match: str


def _patterns(pattern: dict) -> list[dict]:
    return list(pattern["any"]) if "any" in pattern else [pattern]


def needles(engine: str, pattern: dict) -> tuple[str, ...]:
    """Substrings at least one of which a file must contain for ``pattern`` to match in it: a file
    holding none of them is never parsed (the scan's speed comes from this)."""
    out: list[str] = []
    for p in _patterns(pattern):
        kind = p["kind"]
        if engine == "manifest":
            out.append(p.get("bundle") or p.get("key"))
        elif kind == "hook_signature":
            out.append("def ")
        elif kind == "xpath":
            out.append(p.get("step") or p.get("contains"))
        else:
            for key in ("keyword", "name", "value", "tag", "class"):
                if key in p:
                    out.append(p[key])
                    break
            else:
                out.extend(p["names"])
    return tuple(out)


# -- Python ---------------------------------------------------------------------------------
def _char(lines: list[str], line: int, byte_col: int) -> int:
    """The 0-based character column of an ast byte offset (they differ on lines with non-ASCII text)."""
    if 0 < line <= len(lines):
        text = lines[line - 1]
        if not text.isascii():
            return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))
    return byte_col


def _segment(lines: list[str], node: ast.AST) -> str:
    """The source text of a one-line node (its unparsed form when it spans lines)."""
    if node.lineno == node.end_lineno and 0 < node.lineno <= len(lines):
        a, b = _char(lines, node.lineno, node.col_offset), _char(lines, node.lineno, node.end_col_offset)
        return lines[node.lineno - 1][a:b]
    return ast.unparse(node)


def _col(lines: list[str], line: int, text: str, start: int = 0) -> int:
    if 0 < line <= len(lines):
        at = lines[line - 1].find(text, start)
        if at >= 0:
            return at + 1
    return start + 1


def _is_super_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


def _view_types(value: str) -> list[str]:
    return [part.strip() for part in value.split(",")]


def _is_view_key(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in ("view_mode", "view_type")


def _const_str(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def python_matches(tree: ast.Module, lines: list[str], pattern: dict, hooks: frozenset[str] = frozenset()
                   ) -> Iterator[Match]:
    """Every match of ``pattern`` (one kind, or ``any``) in a parsed module."""
    pats = _patterns(pattern)
    for p in pats:
        if p["kind"] == "method_def":
            for cls in ast.walk(tree):
                if isinstance(cls, ast.ClassDef):
                    for node in cls.body:
                        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == p["name"]:
                            yield Match(node.lineno, _col(lines, node.lineno, "def "), f"def {node.name}")
        elif p["kind"] == "hook_signature":
            for node in tree.body:
                if isinstance(node, ast.FunctionDef) and (node.name in hooks or node.name.endswith(HOOK_KEYS)):
                    args = node.args.posonlyargs + node.args.args
                    if args and args[0].arg == p["first_arg"]:
                        yield Match(node.lineno, _col(lines, node.lineno, "def "), f"def {node.name}({args[0].arg}")
    walkers = [p for p in pats if p["kind"] not in ("method_def", "hook_signature")]
    if not walkers:
        return
    for node in ast.walk(tree):
        for p in walkers:
            yield from _python_node(node, lines, p)


def _python_node(node: ast.AST, lines: list[str], p: dict) -> Iterator[Match]:
    kind = p["kind"]
    if kind == "field_keyword":
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and node.func.value.id == "fields":
            for kw in node.keywords:
                if kw.arg == p["keyword"]:
                    yield Match(kw.lineno, _char(lines, kw.lineno, kw.col_offset) + 1, f"{kw.arg}=")
    elif kind == "call":
        if not isinstance(node, ast.Call):
            return
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr == p["name"]:
            if "on" in p and not (isinstance(f.value, ast.Name) and f.value.id == p["on"]):
                return
            if p.get("skip_super") and _is_super_call(f.value):
                return
            line = f.end_lineno or node.lineno
            yield Match(line, _char(lines, line, f.end_col_offset or 0) - len(f.attr) + 1, f"{f.attr}(")
        elif isinstance(f, ast.Name) and f.id == p["name"] and "on" not in p:
            yield Match(f.lineno, _char(lines, f.lineno, f.col_offset) + 1, f"{f.id}(")
    elif kind == "import_from":
        if isinstance(node, ast.ImportFrom) and node.module == p["module"] and node.level == 0:
            for alias in node.names:
                if alias.name == p["name"]:
                    line = getattr(alias, "lineno", node.lineno)
                    col = getattr(alias, "col_offset", None)
                    yield Match(line, _char(lines, line, col) + 1 if col is not None else _col(lines, line, alias.name),
                                alias.name)
    elif kind == "attribute":
        if isinstance(node, ast.Attribute) and node.attr in p["names"]:
            if "not_on" in p and isinstance(node.value, ast.Attribute) and node.value.attr == p["not_on"]:
                return
            line = node.end_lineno or node.lineno
            yield Match(line, _char(lines, line, node.end_col_offset or 0) - len(node.attr), f".{node.attr}")
    elif kind == "view_type":
        value = p["value"]
        found: list[ast.Constant] = []
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=True):
                if _is_view_key(k) and _const_str(v) and value in _view_types(v.value):
                    found.append(v)
        elif isinstance(node, ast.Call):
            found += [kw.value for kw in node.keywords if kw.arg in ("view_mode", "view_type")
                      and _const_str(kw.value) and value in _view_types(kw.value.value)]
        elif isinstance(node, ast.Tuple | ast.List) and len(node.elts) == 2:
            last = node.elts[1]
            if isinstance(last, ast.Constant) and last.value == value:
                found.append(last)
        elif isinstance(node, ast.Assign) and _const_str(node.value) and value in _view_types(node.value.value):
            if any(isinstance(t, ast.Subscript) and _is_view_key(t.slice) for t in node.targets):
                found.append(node.value)
        for c in found:
            yield Match(c.lineno, _char(lines, c.lineno, c.col_offset) + 1, _segment(lines, c))


# -- XML -----------------------------------------------------------------------------------
_PARSER = None


def _parser() -> etree.XMLParser:
    global _PARSER
    if _PARSER is None:
        _PARSER = etree.XMLParser(remove_comments=True, resolve_entities=False, no_network=True, huge_tree=True)
    return _PARSER


def parse_xml(data: bytes) -> etree._Element | None:
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError:
        return None


def _start_line(el: etree._Element, lines: list[str]) -> int:
    """The line where the element's start tag begins (libxml2 may report where it ends)."""
    line = min(el.sourceline or 1, len(lines)) or 1
    rx = re.compile(rf"<{re.escape(el.tag)}(?![A-Za-z0-9_.:-])")
    for n in range(line, max(0, line - 40), -1):
        if rx.search(lines[n - 1]):
            return n
    return line


def _find_in_tag(el, lines: list[str], rx: re.Pattern) -> tuple[int, int, str]:
    """Line, column and text of ``rx`` within the element's start tag (which may span lines)."""
    start = _start_line(el, lines)
    end = max(start, min(el.sourceline or start, len(lines)))
    tag_rx = re.compile(rf"<{re.escape(el.tag)}(?![A-Za-z0-9_.:-])")
    for n in range(start, end + 1):
        text = lines[n - 1]
        offset = 0
        if n == start:
            m = tag_rx.search(text)
            offset = m.start() if m else 0
        m = rx.search(text, offset)
        if m:
            return n, m.start() + 1, m.group(0)
    m = tag_rx.search(lines[start - 1]) if lines else None
    return start, (m.start() + 1 if m else 1), f"<{el.tag}"


def _is_record_field(el) -> bool:
    parent = el.getparent()
    return el.tag == "field" and parent is not None and parent.tag == "record"


def _xpath_steps(expr: str) -> list[str]:
    """The element names an xpath expression walks through (predicates dropped)."""
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    return [s.strip() for s in re.split(r"/+", expr) if s.strip()]


def xml_matches(root: etree._Element, lines: list[str], pattern: dict) -> Iterator[Match]:
    pats = _patterns(pattern)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for p in pats:
            kind = p["kind"]
            if kind == "element":
                if el.tag == p["tag"] and ("class" not in p or p["class"] in (el.get("class") or "").split()):
                    rx = re.compile(rf"<{re.escape(el.tag)}(?![A-Za-z0-9_.:-])")
                    if "class" in p:
                        rx = re.compile(rf"(?<![A-Za-z0-9_-]){re.escape(p['class'])}(?![A-Za-z0-9_-])")
                    yield Match(*_find_in_tag(el, lines, rx))
            elif kind == "attribute":
                if ("tags" in p and el.tag not in p["tags"]) or _is_record_field(el):
                    continue
                for name in p["names"]:
                    if name in el.attrib:
                        yield Match(*_find_in_tag(el, lines, re.compile(
                            rf"(?<![A-Za-z0-9_:-]){re.escape(name)}\s*=")))
            elif kind == "xpath":
                expr = el.get("expr") if el.tag == "xpath" else None
                if expr and (("step" in p and p["step"] in _xpath_steps(expr)) or
                             ("contains" in p and p["contains"] in expr)):
                    what = re.escape(p["step"]) + r"(?![A-Za-z0-9_.:-])" if "step" in p else re.escape(p["contains"])
                    yield Match(*_find_in_tag(el, lines, re.compile(rf"(?<![A-Za-z0-9_.:@-]){what}")))
            elif kind == "attribute_value":
                for v in el.attrib.values():
                    if v == p["value"]:
                        yield Match(*_find_in_tag(el, lines, re.compile(re.escape(v))))


# -- manifests -----------------------------------------------------------------------------------
def manifest_matches(manifest: dict, lines: list[str], pattern: dict) -> Iterator[Match]:
    for p in _patterns(pattern):
        if p["kind"] == "assets_bundle":
            assets = manifest.get("assets")
            if isinstance(assets, dict) and p["bundle"] in assets:
                yield _manifest_line(lines, p["bundle"])
        elif p["kind"] == "key" and p["key"] in manifest:
            yield _manifest_line(lines, p["key"])


def _manifest_line(lines: list[str], text: str) -> Match:
    for n, line in enumerate(lines, 1):
        for quote in ("'", '"'):
            at = line.find(f"{quote}{text}{quote}")
            if at >= 0:
                return Match(n, at + 1, f"{quote}{text}{quote}")
    return Match(1, 1, text)


def manifest_hooks(manifest: dict) -> frozenset[str]:
    return frozenset(v for k, v in manifest.items() if k in HOOK_KEYS and isinstance(v, str))


def read_manifest_literal(path: Path) -> dict:
    try:
        value = ast.literal_eval(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}
