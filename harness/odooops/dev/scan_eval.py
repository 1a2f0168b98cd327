"""How right and how complete the upgrade scan is, judged against real ports.

Pure functions on two trees of one addon, the version of an older series
(``old``) and the version of the next series (``new``), plus the findings of the
scan (:func:`odooops.steps.addons.scan_tree`) on ``old``. No network, no database.

Precision: is what a finding points at changed by the port?
    The finding's file is paired with its counterpart in ``new`` (same path in the
    addon; else the one file of the same name; else none). The two files are aligned
    line by line with :class:`difflib.SequenceMatcher` on stripped lines (indentation
    changes are no change); a file renamed by the port is paired with the new file most like
    it (:func:`counterpart`). A finding is a true positive when its line is not kept as
    it is (it falls in a replaced or deleted block) *and* neither the text the advisory
    matched nor its regex is found in the lines that replace it. A line kept as it is,
    or rewritten with the construct still there, is a false positive. With no counterpart file,
    it is a true positive when the matched text occurs in no file of the new addon with
    the same suffix.

Recall: which breaking changes did the port make, and did the scan point at them?
    Each :class:`Kind` is one mechanical change listed by OCA's odoo-module-migrator
    scripts or by Odoo's published changes, for the moves where it applies. Its
    detector (Python's ``ast`` for Python, lxml for XML: never the advisory's regex)
    lists the *instances* of the old construct in a tree, each with a key that does not
    depend on line numbers or file names (enclosing class and method, enclosing record
    id, element, name...). An *occurrence* of the kind in a port is an instance of
    ``old`` whose key has fewer instances in ``new``: the construct was removed or
    rewritten. It is *flagged* when a finding of one of the advisories the kind maps to
    lies on one of its lines, in the same file.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from ..steps.addons import Finding, iter_files


# -- instances -------------------------------------------------------------------------
@dataclass(frozen=True)
class Instance:
    """One construct a kind's detector found: where (file, lines) and what (key)."""

    kind: str
    file: str
    line: int
    end_line: int
    key: tuple
    text: str


@dataclass(frozen=True)
class Kind:
    code: str
    moves: tuple[str, ...]  # the old series of each move where the change applies ("16.0": 16.0 -> 17.0)
    title: str
    source: str
    advisories: tuple[str, ...]  # the advisory codes meant to flag it (empty: none is)
    python: Callable[[ast.Module, list[str]], Iterable[tuple[int, int, tuple, str]]] | None = None
    xml: Callable[[etree._Element, list[str]], Iterable[tuple[int, int, tuple, str]]] | None = None
    manifest: Callable[[dict], Iterable[tuple[tuple, str]]] | None = None


# -- Python helpers ------------------------------------------------------------------------
def _walk(tree: ast.AST) -> Iterator[tuple[ast.AST, str, str]]:
    """Every node with the name of its enclosing class and function ('' at module level)."""
    stack: list[tuple[ast.AST, str, str]] = [(tree, "", "")]
    while stack:
        node, cls, fn = stack.pop()
        yield node, cls, fn
        for child in ast.iter_child_nodes(node):
            c, f = cls, fn
            if isinstance(node, ast.ClassDef):
                c, f = node.name, ""
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                f = node.name
            stack.append((child, c, f))


def _first_line(node: ast.AST, lines: list[str]) -> str:
    return lines[node.lineno - 1].strip() if 0 < node.lineno <= len(lines) else ""


def _field_calls(tree: ast.Module) -> Iterator[tuple[ast.Call, str, str]]:
    """(call, class, field name) for every ``name = fields.X(...)`` in a class body."""
    for node, cls, fn in _walk(tree):
        if fn or not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Call):
            continue
        f = node.value.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "fields":
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            yield node.value, cls, names[0] if names else ""


def field_keyword(*keywords: str, value=None):
    """Fields declared with one of ``keywords`` (and, with ``value``, that constant value)."""
    def detect(tree, lines):
        for call, cls, name in _field_calls(tree):
            for kw in call.keywords:
                if kw.arg in keywords and (value is None or (isinstance(kw.value, ast.Constant)
                                                             and kw.value.value == value)):
                    yield call.lineno, call.end_lineno, (cls, name, kw.arg), _first_line(call, lines)
    return detect


def method_calls(*names: str, skip_super: bool = False):
    """Calls ``x.<name>(...)`` keyed by enclosing class, function and the call's text."""
    def detect(tree, lines):
        for node, cls, fn in _walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in names:
                if skip_super and isinstance(node.func.value, ast.Call) and \
                        isinstance(node.func.value.func, ast.Name) and node.func.value.func.id == "super":
                    continue
                yield node.lineno, node.end_lineno, (cls, fn, ast.unparse(node)), _first_line(node, lines)
    return detect


def method_defs(*names: str):
    """Methods named ``names`` defined in a class; the span is the signature."""
    def detect(tree, lines):
        for node, cls, fn in _walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in names and cls and not fn:
                end = node.body[0].lineno - 1 if node.body else node.lineno
                yield node.lineno, max(node.lineno, end), (cls, "def", node.name), _first_line(node, lines)
    return detect


def combine(*detectors):
    def detect(tree, lines):
        for d in detectors:
            yield from d(tree, lines)
    return detect


def attribute_uses(*attrs: str):
    """``<expr>.<attr>`` anywhere (read, write or call), keyed by class, function and the expression."""
    def detect(tree, lines):
        for node, cls, fn in _walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in attrs:
                yield node.lineno, node.end_lineno, (cls, fn, ast.unparse(node)), _first_line(node, lines)
    return detect


def imports_from(module: str, *names: str):
    """``from <module> import <name>`` (any of ``names``; all names when none given)."""
    def detect(tree, lines):
        for node, cls, fn in _walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == module:
                for alias in node.names:
                    if not names or alias.name in names:
                        yield node.lineno, node.end_lineno, (cls, fn, "import", alias.name), _first_line(node, lines)
    return detect


def string_constants(pred: Callable[[str], bool], tag: str = "str"):
    """String constants for which ``pred`` holds, keyed by class, function and the value."""
    def detect(tree, lines):
        for node, cls, fn in _walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and pred(node.value):
                yield node.lineno, node.end_lineno, (cls, fn, tag, node.value), _first_line(node, lines)
    return detect


_TREE_TOKEN = re.compile(r"(?<![A-Za-z0-9_])tree(?![A-Za-z0-9_])")


def _has_tree_mode(value: str) -> bool:
    return any(part.strip() == "tree" for part in value.split(","))


def py_view_mode_tree(tree, lines):
    """'tree' as a view type in Python: the value of a ``view_mode`` key or keyword, or the view
    type of a ``(view_id, "tree")`` pair (an action's ``views``)."""
    for node, cls, fn in _walk(tree):
        found: list[ast.Constant] = []
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=True):
                if isinstance(k, ast.Constant) and k.value in ("view_mode", "view_type") and \
                        isinstance(v, ast.Constant) and isinstance(v.value, str) and _has_tree_mode(v.value):
                    found.append(v)
        elif isinstance(node, ast.Call):
            found += [kw.value for kw in node.keywords if kw.arg in ("view_mode", "view_type")
                      and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)
                      and _has_tree_mode(kw.value.value)]
        elif isinstance(node, ast.Tuple | ast.List) and len(node.elts) == 2:
            last = node.elts[1]
            if isinstance(last, ast.Constant) and last.value == "tree":
                found.append(last)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and \
                isinstance(node.value.value, str) and _has_tree_mode(node.value.value):
            for t in node.targets:
                sub = t.slice if isinstance(t, ast.Subscript) else None
                if isinstance(sub, ast.Constant) and sub.value in ("view_mode", "view_type"):
                    found.append(node.value)
        for c in found:
            yield c.lineno, c.end_lineno, (cls, fn, "view_mode", c.value), _first_line(c, lines)


def sql_constraints(tree, lines):
    for node, cls, fn in _walk(tree):
        if cls and not fn and isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "_sql_constraints" for t in targets):
                yield node.lineno, node.end_lineno, (cls, "_sql_constraints"), _first_line(node, lines)


def route_type_json(tree, lines):
    for node, cls, _ in _walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for dec in node.decorator_list:
                if isinstance(dec, ast.Call) and ast.unparse(dec.func).split(".")[-1] == "route":
                    for kw in dec.keywords:
                        if kw.arg == "type" and isinstance(kw.value, ast.Constant) and kw.value.value == "json":
                            yield dec.lineno, dec.end_lineno, (cls, node.name, "route"), _first_line(dec, lines)


def osv_expression(tree, lines):
    for node, cls, fn in _walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and (node.module == "odoo.osv"
                                                                 or node.module.startswith("odoo.osv.")):
            names = ",".join(a.name for a in node.names)
            yield node.lineno, node.end_lineno, (cls, fn, "import", node.module, names), _first_line(node, lines)
        elif isinstance(node, ast.Import) and any(a.name.startswith("odoo.osv") for a in node.names):
            yield node.lineno, node.end_lineno, (cls, fn, "import"), _first_line(node, lines)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                node.value.id == "expression" and node.attr in ("AND", "OR", "normalize_domain", "TRUE_DOMAIN",
                                                                "FALSE_DOMAIN", "expression", "is_leaf"):
            yield node.lineno, node.end_lineno, (cls, fn, "expression." + node.attr), _first_line(node, lines)


def superuser_import(tree, lines):
    for node, cls, fn in _walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "odoo" and \
                any(a.name == "SUPERUSER_ID" for a in node.names):
            yield node.lineno, node.end_lineno, (cls, fn, "import"), _first_line(node, lines)
        elif isinstance(node, ast.Attribute) and node.attr == "SUPERUSER_ID" and \
                isinstance(node.value, ast.Name) and node.value.id == "odoo":
            yield node.lineno, node.end_lineno, (cls, fn, "odoo.SUPERUSER_ID"), _first_line(node, lines)


def groups_id_py(tree, lines):
    for node, cls, fn in _walk(tree):
        hit = None
        if isinstance(node, ast.Attribute) and node.attr == "groups_id":
            hit = ("attr", ast.unparse(node))
        elif isinstance(node, ast.keyword) and node.arg == "groups_id":
            hit = ("keyword",)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                re.fullmatch(r"(?:[\w.]+\.)?groups_id(?:\.[\w.]+)?", node.value):
            hit = ("str", node.value)
        if hit:
            line = getattr(node, "lineno", None) or getattr(node.value, "lineno", 0)
            end = getattr(node, "end_lineno", None) or getattr(node.value, "end_lineno", line)
            yield line, end, (cls, fn, *hit), lines[line - 1].strip() if 0 < line <= len(lines) else ""


def field_name_uses(*names: str):
    """A field name in Python: an attribute (``company.period_lock_date``), a keyword, or a string
    constant that is the name or a dotted path through it (``"company_id.period_lock_date"``)."""
    def detect(tree, lines):
        for node, cls, fn in _walk(tree):
            hit = None
            if isinstance(node, ast.Attribute) and node.attr in names:
                hit = ("attr", ast.unparse(node))
            elif isinstance(node, ast.keyword) and node.arg in names:
                hit = ("keyword", node.arg)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    any(part in names for part in node.value.split(".")):
                hit = ("str", node.value)
            if hit:
                line = getattr(node, "lineno", None) or getattr(node.value, "lineno", 0)
                end = getattr(node, "end_lineno", None) or getattr(node.value, "end_lineno", line)
                yield line, end, (cls, fn, *hit), lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return detect


def xml_tokens(*tokens: str):
    detectors = [xml_text_token(t) for t in tokens]

    def detect(root, lines):
        for d in detectors:
            yield from d(root, lines)
    return detect


def ustr_uses(tree, lines):
    for node, cls, fn in _walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("odoo.tools", "odoo.tools.misc") and \
                any(a.name == "ustr" for a in node.names):
            yield node.lineno, node.end_lineno, (cls, fn, "import"), _first_line(node, lines)
        elif isinstance(node, ast.Call) and ((isinstance(node.func, ast.Name) and node.func.id == "ustr") or
                                             (isinstance(node.func, ast.Attribute) and node.func.attr == "ustr")):
            yield node.lineno, node.end_lineno, (cls, fn, ast.unparse(node)), _first_line(node, lines)


def registry_import(tree, lines):
    for node, cls, fn in _walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "odoo" and any(a.name == "registry" for a in node.names):
            yield node.lineno, node.end_lineno, (cls, fn, "import"), _first_line(node, lines)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "registry" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "odoo":
            yield node.lineno, node.end_lineno, (cls, fn, ast.unparse(node)), _first_line(node, lines)


def private_env_shortcuts(tree, lines):
    for node, cls, fn in _walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("_cr", "_context", "_uid") and \
                not (isinstance(node.value, ast.Attribute) and node.value.attr == "env"):
            yield node.lineno, node.end_lineno, (cls, fn, ast.unparse(node)), _first_line(node, lines)


HOOK_KEYS = ("pre_init_hook", "post_init_hook", "uninstall_hook")


def hook_signature(tree, lines, hooks: frozenset[str] = frozenset()):
    """Module-level functions named as install hooks whose first parameter is ``cr`` (17.0 passes env)."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and (node.name in hooks or node.name.endswith(HOOK_KEYS)):
            args = [a.arg for a in node.args.args]
            if args and args[0] == "cr":
                end = node.body[0].lineno - 1 if node.body else node.lineno
                yield node.lineno, max(node.lineno, end), ("", node.name, tuple(args)), _first_line(node, lines)


# -- XML helpers ----------------------------------------------------------------------------
def _record_id(el: etree._Element) -> str:
    for anc in el.iterancestors():
        if anc.tag in ("record", "template") and anc.get("id"):
            return anc.get("id")
    return ""


def _start_line(el: etree._Element, lines: list[str]) -> int:
    """The line where the element's start tag begins (lxml gives the line where it ends)."""
    line = el.sourceline or 1
    tag = f"<{el.tag}"
    for n in range(line, max(0, line - 40), -1):
        if tag in lines[n - 1]:
            return n
    return line


def _span(el, lines, with_text: bool = False) -> tuple[int, int]:
    end = el.sourceline or 1
    if with_text and el.text:
        end += el.text.count("\n")
    return _start_line(el, lines), end


def _el_key(el) -> tuple:
    return (_record_id(el), el.tag, el.get("name") or el.get("string") or el.get("expr") or "")


def _elements(root):
    for el in root.iter():
        if isinstance(el.tag, str):
            yield el


def xml_attribute(attr: str, tags: Iterable[str] | None = None):
    def detect(root, lines):
        for el in _elements(root):
            if attr in el.attrib and (tags is None or el.tag in tags) and not _is_record_field(el):
                a, b = _span(el, lines)
                yield a, b, (*_el_key(el), attr, " ".join(el.get(attr).split())), lines[a - 1].strip()
    return detect


def _is_record_field(el) -> bool:
    """A ``<field>`` of a ``<record>`` (data), as opposed to a field in a view's arch."""
    parent = el.getparent()
    return el.tag == "field" and parent is not None and parent.tag == "record"


def xml_tree_tag(root, lines):
    for el in _elements(root):
        if el.tag == "tree" and not _is_record_field(el):
            a, b = _span(el, lines)
            yield a, b, (*_el_key(el), "tree"), lines[a - 1].strip()


_XPATH_TREE = re.compile(r"(?:^|/)tree(?=$|[/\[])")


def xml_tree_xpath(root, lines):
    for el in _elements(root):
        expr = el.get("expr") if el.tag == "xpath" else None
        if expr and _XPATH_TREE.search(expr):
            a, b = _span(el, lines)
            yield a, b, (_record_id(el), "xpath", expr), lines[a - 1].strip()


def xml_view_mode_tree(root, lines):
    for el in _elements(root):
        hit = None
        if el.tag == "field" and el.get("name") in ("view_mode", "binding_view_types", "view_type") and \
                el.text and _has_tree_mode(el.text):
            hit = (el.get("name"), el.text.strip())
        elif el.get("view_mode") and _has_tree_mode(el.get("view_mode")):
            hit = ("view_mode", el.get("view_mode"))
        elif el.tag == "field" and el.get("mode") and _has_tree_mode(el.get("mode")):
            hit = ("mode", el.get("mode"))
        if hit:
            a, b = _span(el, lines, with_text=True)
            yield a, b, (_record_id(el), el.tag, *hit), lines[a - 1].strip()


def _text_values(el):
    yield from ((k, v) for k, v in el.attrib.items())
    if el.text and el.text.strip():
        yield "text", el.text


def xml_text_token(token: str):
    """Attribute values or element text holding ``token`` as a word (a context key, a field name)."""
    rx = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(token)}(?![A-Za-z0-9_])")

    def detect(root, lines):
        for el in _elements(root):
            for where, value in _text_values(el):
                if rx.search(value):
                    a, b = _span(el, lines, with_text=where == "text")
                    yield a, b, (_record_id(el), el.tag, where, " ".join(value.split())), lines[a - 1].strip()
    return detect


def xml_record_fields(model: str | None, *names: str):
    """``<field name="...">`` of ``<record model="...">`` (data files)."""
    def detect(root, lines):
        for el in _elements(root):
            if el.tag == "field" and el.get("name") in names and _is_record_field(el) and \
                    (model is None or el.getparent().get("model") == model):
                a, b = _span(el, lines, with_text=True)
                yield a, b, (_record_id(el), el.get("name")), lines[a - 1].strip()
    return detect


def xml_groups_id(root, lines):
    for el in _elements(root):
        if el.tag == "field" and el.get("name") == "groups_id":
            a, b = _span(el, lines, with_text=True)
            yield a, b, (_record_id(el), "field", el.getparent().tag), lines[a - 1].strip()
        for k, v in el.attrib.items():
            if k == "groups_id" or re.search(r"(?<![A-Za-z0-9_])groups_id(?![A-Za-z0-9_])", v) and k != "name":
                a, b = _span(el, lines)
                yield a, b, (_record_id(el), el.tag, k, " ".join(v.split())), lines[a - 1].strip()


def xml_chatter(root, lines):
    for el in _elements(root):
        cls = (el.get("class") or "").split()
        hit = None
        if el.tag == "div" and "oe_chatter" in cls:
            hit = ("div",)
        elif el.tag == "xpath" and "oe_chatter" in (el.get("expr") or ""):
            hit = ("xpath", el.get("expr"))
        if hit:
            a, b = _span(el, lines)
            yield a, b, (_record_id(el), *hit), lines[a - 1].strip()


def xml_assets_common(root, lines):
    for el in _elements(root):
        for k, v in el.attrib.items():
            if v == "web.assets_common":
                a, b = _span(el, lines)
                yield a, b, (_record_id(el), el.tag, k), lines[a - 1].strip()


def manifest_assets_common(manifest: dict):
    for bundle in (manifest.get("assets") or {}):
        if bundle == "web.assets_common":
            yield ("assets", bundle), f"'{bundle}': [...]"


TEMPLATE_MODELS = ("account.account.template", "account.tax.template", "account.group.template")


def xml_template_models(root, lines):
    for el in _elements(root):
        for k in ("model", "res_model"):
            if el.get(k) in TEMPLATE_MODELS:
                a, b = _span(el, lines)
                yield a, b, (_record_id(el), el.tag, k, el.get(k)), lines[a - 1].strip()


# -- the kinds --------------------------------------------------------------------------------
MIGRATOR = "odoo-module-migrator"
SHARED = "Odoo changes (UPGRADE_ADVISORIES.md"
VIEW_TAGS = None  # any element of a view arch

KINDS: tuple[Kind, ...] = (
    # 16.0 -> 17.0
    Kind("view-attrs", ("16.0",), 'attrs="{...}" in views', f"{SHARED} #8)", ("attrs-states-removed",),
         xml=xml_attribute("attrs")),
    Kind("view-states", ("16.0",), 'states="..." on view elements', f"{SHARED} #8)", ("attrs-states-removed",),
         xml=xml_attribute("states")),
    Kind("field-states", ("16.0",), "states= parameter of a field", f"{SHARED} #9)", ("field-states-param",),
         python=field_keyword("states")),
    Kind("read-group-signature", ("16.0",), "_read_group calls rewritten for the 17.0 signature",
         f"{MIGRATOR} 16.0->17.0 (_reformat_read_group); {SHARED} #11)", ("read-group-private-signature",),
         python=method_calls("_read_group", skip_super=True)),
    Kind("message-post-with-view", ("16.0",), "message_post_with_view replaced by message_post_with_source",
         f"{MIGRATOR} 16.0->17.0 text_errors", ("message-post-with-view",),
         python=method_calls("message_post_with_view")),
    Kind("hook-signature-env", ("16.0",), "install hooks take env instead of (cr, registry)",
         "Odoo 17.0 (odoo/modules/loading.py calls hooks with env)", ("hook-signature-env",), python=hook_signature),
    Kind("web-assets-common", ("16.0",), "web.assets_common bundle removed", f"{MIGRATOR} 16.0->17.0 text_warnings",
         ("web-assets-common",), xml=xml_assets_common, manifest=manifest_assets_common),
    Kind("account-template-models", ("16.0",), "account.*.template models removed",
         f"{MIGRATOR} 16.0->17.0 removed_models", (),
         python=string_constants(lambda s: s in TEMPLATE_MODELS, "model"), xml=xml_template_models),
    Kind("renamed-fields-17", ("16.0",), "fields renamed in 17.0 (hr.employee address_home_id -> work_contact_id)",
         f"{MIGRATOR} 16.0->17.0 renamed_fields", ("renamed-fields-17",),
         python=field_name_uses("address_home_id"), xml=xml_tokens("address_home_id")),
    Kind("name-get", ("16.0", "17.0"), "name_get deprecated in 17.0, removed in 18.0", f"{SHARED} #10)",
         ("name-get", "name-get-removed"),
         python=combine(method_defs("name_get"), method_calls("name_get", skip_super=True))),
    # 17.0 -> 18.0
    Kind("tree-tag", ("17.0",), "<tree> view element renamed <list>", f"{MIGRATOR} 17.0->18.0; {SHARED} #14)",
         ("tree-to-list",), xml=xml_tree_tag),
    Kind("tree-xpath", ("17.0",), "xpath expressions through a tree element", f"{MIGRATOR} 17.0->18.0 "
         "(reg_tree_to_list_xpath)", ("tree-to-list", "tree-xpath"), xml=xml_tree_xpath),
    Kind("tree-view-mode-xml", ("17.0",), "tree in view_mode / mode= / binding_view_types in XML",
         f"{MIGRATOR} 17.0->18.0; {SHARED} #14)", ("tree-to-list",), xml=xml_view_mode_tree),
    Kind("tree-view-mode-python", ("17.0",), 'tree in view_mode and views of actions built in Python '
         '("tree,form", (view_id, "tree"))', f"{MIGRATOR} 17.0->18.0 (reg_tree_to_list_view_mode, _view)",
         ("tree-to-list", "tree-view-type-python"), python=py_view_mode_tree),
    Kind("tree-view-ref", ("17.0",), "tree_view_ref context key renamed list_view_ref",
         f"{MIGRATOR} 17.0->18.0; {SHARED} #14)", ("tree-to-list",),
         python=string_constants(lambda s: "tree_view_ref" in s), xml=xml_text_token("tree_view_ref")),
    Kind("chatter-div", ("17.0",), '<div class="oe_chatter"> replaced by <chatter/>',
         f"{MIGRATOR} 17.0->18.0 (replace_chatter_blocks)", ("chatter-div",), xml=xml_chatter),
    Kind("user-has-groups", ("17.0", "18.0"), "user_has_groups() replaced by env.user.has_group(s)",
         f"{MIGRATOR} 17.0->18.0; {SHARED} #12)",
         ("user-has-groups", "user-has-groups-removed"), python=method_calls("user_has_groups")),
    Kind("group-operator", ("17.0",), "group_operator= renamed aggregator=", f"{SHARED} #13)",
         ("group-operator-aggregator",), python=field_keyword("group_operator")),
    Kind("unaccent-param", ("17.0",), "unaccent= field parameter removed", f"{MIGRATOR} 17.0->18.0",
         ("unaccent-param",), python=field_keyword("unaccent")),
    Kind("ustr", ("17.0",), "odoo.tools.ustr removed", f"{MIGRATOR} 17.0->18.0 (replace_ustr)",
         ("ustr-removed",), python=ustr_uses),
    Kind("registry-import", ("17.0",), "odoo.registry replaced by odoo.modules.registry.Registry",
         f"{MIGRATOR} 17.0->18.0 text_errors", ("registry-import",),
         python=registry_import),
    Kind("renamed-fields-18", ("17.0",), "fields renamed in 18.0 (res.company period_lock_date, account.move "
         "reversal_move_id)", f"{MIGRATOR} 17.0->18.0 renamed_fields", ("renamed-fields-18",),
         python=field_name_uses("period_lock_date", "reversal_move_id"),
         xml=xml_tokens("period_lock_date", "reversal_move_id")),
    Kind("cron-numbercall-doall", ("17.0",), "ir.cron numbercall and doall removed",
         f"{MIGRATOR} 17.0->18.0 text_errors; {SHARED} #16)", ("cron-numbercall-doall",),
         xml=xml_record_fields("ir.cron", "numbercall", "doall"),
         python=string_constants(lambda s: s in ("numbercall", "doall"), "cron")),
    Kind("name-search", ("17.0",), "_name_search / name_search overrides moved to _search_display_name",
         f"{MIGRATOR} 17.0->18.0 text_errors; {SHARED} #17)", ("name-search-display-name",),
         python=method_defs("_name_search", "name_search")),
    Kind("check-access-rights", ("17.0", "18.0"), "check_access_rights/rule replaced by check_access",
         f"{SHARED} #18)", ("check-access-api",), python=method_calls("check_access_rights", "check_access_rule")),
    Kind("inselect", ("17.0",), "inselect domain operator removed", f"{SHARED} #15)", ("inselect-removed",),
         python=string_constants(lambda s: s == "inselect")),
    # 18.0 -> 19.0
    Kind("sql-constraints", ("18.0",), "_sql_constraints replaced by models.Constraint", f"{SHARED} #19)",
         ("sql-constraints",), python=sql_constraints),
    Kind("read-group-public", ("18.0",), "read_group deprecated", f"{SHARED} #20)", ("read-group-deprecated",),
         python=combine(method_defs("read_group"), method_calls("read_group", skip_super=True))),
    Kind("route-type-json", ("18.0",), "route type='json' renamed 'jsonrpc'", f"{SHARED} #21)",
         ("route-json-to-jsonrpc",), python=route_type_json),
    Kind("groups-id", ("18.0",), "groups_id renamed group_ids", f"{SHARED} #22)", ("groups-id-to-group-ids",),
         python=groups_id_py, xml=xml_groups_id),
    Kind("osv-expression", ("18.0",), "odoo.osv expression helpers replaced by odoo.fields.Domain",
         f"{SHARED} #23)", ("odoo-osv-expression",), python=osv_expression),
    Kind("private-env-shortcuts", ("18.0",), "record._cr / _context / _uid deprecated", f"{SHARED} #24)",
         ("private-env-shortcuts",), python=private_env_shortcuts),
    Kind("auto-join", ("18.0",), "auto_join= renamed bypass_search_access=", f"{SHARED} #25)",
         ("auto-join-renamed",), python=field_keyword("auto_join")),
    Kind("superuser-id-import", ("18.0",), "SUPERUSER_ID imported from odoo.api", f"{SHARED} #27)",
         ("superuser-id-import",), python=superuser_import),
)
KINDS_BY_CODE = {k.code: k for k in KINDS}


def kinds_for(series: str) -> list[Kind]:
    """The kinds of change that apply to the move from ``series`` to the next one."""
    return [k for k in KINDS if series in k.moves]


# -- reading a tree ------------------------------------------------------------------------------
@dataclass
class Tree:
    """The files of one addon version, parsed on demand."""

    root: Path
    files: dict[str, Path] = field(default_factory=dict)
    _py: dict[str, ast.Module | None] = field(default_factory=dict)
    _xml: dict[str, etree._Element | None] = field(default_factory=dict)
    _lines: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, root: Path) -> Tree:
        return cls(root, {p.relative_to(root).as_posix(): p for p in iter_files(root)})

    def lines(self, rel: str) -> list[str]:
        if rel not in self._lines:
            self._lines[rel] = self.files[rel].read_text(encoding="utf-8", errors="replace").splitlines()
        return self._lines[rel]

    def python(self, rel: str) -> ast.Module | None:
        if rel not in self._py:
            try:
                self._py[rel] = ast.parse("\n".join(self.lines(rel)))
            except (SyntaxError, ValueError):
                self._py[rel] = None
        return self._py[rel]

    def xml(self, rel: str) -> etree._Element | None:
        if rel not in self._xml:
            try:
                parser = etree.XMLParser(remove_comments=True, resolve_entities=False, no_network=True, huge_tree=True)
                self._xml[rel] = etree.parse(str(self.files[rel]), parser).getroot()
            except etree.XMLSyntaxError:
                self._xml[rel] = None
        return self._xml[rel]

    def manifest(self) -> dict:
        if "__manifest__.py" not in self.files:
            return {}
        try:
            value = ast.literal_eval(self.files["__manifest__.py"].read_text(encoding="utf-8"))
        except (SyntaxError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}


def instances(tree: Tree, kind: Kind) -> list[Instance]:
    """Every instance of ``kind``'s old construct in ``tree`` (files under i18n/ and static/ skipped:
    translations and web assets have no Python or view code)."""
    out: list[Instance] = []
    hooks = frozenset(v for k, v in tree.manifest().items() if k in HOOK_KEYS and isinstance(v, str))
    for rel in sorted(tree.files):
        if rel.split("/", 1)[0] in ("i18n", "i18n_extra", "static"):
            continue
        found: Iterable = ()
        if rel.endswith(".py") and kind.python and rel != "__manifest__.py":
            module = tree.python(rel)
            if module is not None:
                detect = kind.python
                if detect is hook_signature:
                    found = hook_signature(module, tree.lines(rel), hooks)
                else:
                    found = detect(module, tree.lines(rel))
        elif rel.endswith(".xml") and kind.xml:
            root = tree.xml(rel)
            if root is not None:
                found = kind.xml(root, tree.lines(rel))
        elif rel == "__manifest__.py" and kind.manifest:
            found = [(1, len(tree.lines(rel)), key, text) for key, text in kind.manifest(tree.manifest())]
        for line, end, key, text in found:
            out.append(Instance(kind.code, rel, line, end or line, key, text[:200]))
    return out


def occurrences(old: Tree, new: Tree, kind: Kind) -> list[Instance]:
    """The instances of ``old`` the port removed or rewrote: for each key, the ones beyond
    the number of instances with that key in ``new`` (the last ones, in file and line order)."""
    left = Counter(i.key for i in instances(new, kind))
    by_key: dict[tuple, list[Instance]] = defaultdict(list)
    for i in instances(old, kind):
        by_key[i.key].append(i)
    out = []
    for key, group in by_key.items():
        out += group[left.get(key, 0):]
    return sorted(out, key=lambda i: (i.file, i.line))


def flagged(occurrence: Instance, findings: Iterable[Finding], codes: Iterable[str]) -> bool:
    codes = set(codes)
    return any(f.code in codes and f.file == occurrence.file and occurrence.line <= f.line <= occurrence.end_line
               for f in findings)


# -- precision ---------------------------------------------------------------------------------------
@dataclass
class Verdict:
    finding: Finding
    true_positive: bool
    why: str


def counterpart(rel: str, old: Tree, new: Tree) -> str | None:
    """The file of ``new`` that stands for ``old``'s ``rel``: the same path, else the one file of the
    same name, else the new file (a path ``old`` does not have) of the same suffix whose lines match
    best, when at least half of them do."""
    if rel in new.files:
        return rel
    name = PurePosixPath(rel).name
    same = [r for r in new.files if PurePosixPath(r).name == name]
    if len(same) == 1:
        return same[0]
    # Renamed: the file of the same suffix most like it, if at least half of the lines match.
    a = [ln.strip() for ln in old.lines(rel)]
    best, best_ratio = None, 0.5
    for r in new.files:
        if PurePosixPath(r).suffix != PurePosixPath(rel).suffix or r in old.files:
            continue
        m = difflib.SequenceMatcher(None, a, [ln.strip() for ln in new.lines(r)], autojunk=False)
        if m.real_quick_ratio() >= best_ratio and m.quick_ratio() >= best_ratio and m.ratio() >= best_ratio:
            best, best_ratio = r, m.ratio()
    return best


def judge(finding: Finding, old: Tree, new: Tree, _cache: dict | None = None,
          pattern: re.Pattern | None = None) -> Verdict:
    """Did the port change what ``finding`` points at? See the module's docstring for the rule;
    ``pattern`` is the advisory's regex, which must not match the replacement lines either."""
    cache = _cache if _cache is not None else {}
    other = counterpart(finding.file, old, new)
    if other is None:
        suffix = PurePosixPath(finding.file).suffix
        if any(finding.match in "\n".join(new.lines(r)) for r in new.files if r.endswith(suffix)):
            return Verdict(finding, False, "file gone, matched text still in the new addon")
        return Verdict(finding, True, "file gone with the matched text")
    key = (finding.file, other)
    if key not in cache:
        a = [ln.strip() for ln in old.lines(finding.file)]
        b = [ln.strip() for ln in new.lines(other)]
        cache[key] = (difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes(), b)
    ops, b = cache[key]
    i = finding.line - 1
    for tag, i1, i2, j1, j2 in ops:
        if i1 <= i < i2:
            if tag == "equal":
                return Verdict(finding, False, "line kept as it is")
            if any(finding.match.strip() in ln or (pattern is not None and pattern.search(ln)) for ln in b[j1:j2]):
                return Verdict(finding, False, "line rewritten, matched text kept")
            return Verdict(finding, True, "line " + ("removed" if tag == "delete" else "rewritten without it"))
    return Verdict(finding, False, "line not found in the diff")


# -- one move -------------------------------------------------------------------------------------------
@dataclass
class MoveResult:
    addon: str
    old_series: str
    new_series: str
    verdicts: list[Verdict]
    occurrences: dict[str, list[tuple[Instance, bool]]]  # kind -> (occurrence, flagged)


def evaluate(addon: str, old_series: str, new_series: str, old: Tree, new: Tree,
             findings: list[Finding], patterns: dict[str, re.Pattern] | None = None) -> MoveResult:
    """Judge every finding (``patterns``: advisory code -> its compiled regex) and look for every
    kind of change of the move."""
    cache: dict = {}
    verdicts = [judge(f, old, new, cache, (patterns or {}).get(f.code)) for f in findings]
    occ = {}
    for kind in kinds_for(old_series):
        occ[kind.code] = [(o, flagged(o, findings, kind.advisories)) for o in occurrences(old, new, kind)]
    return MoveResult(addon, old_series, new_series, verdicts, occ)


def summarise(results: list[MoveResult], examples: int = 3) -> dict:
    """Precision over every finding (and per advisory), recall per kind and averaged over the kinds
    that occur."""
    tp = sum(v.true_positive for r in results for v in r.verdicts)
    total = sum(len(r.verdicts) for r in results)
    per_adv: dict[str, dict] = {}
    for r in results:
        for v in r.verdicts:
            d = per_adv.setdefault(v.finding.code, {"findings": 0, "true_positives": 0, "false_positive_examples": []})
            d["findings"] += 1
            d["true_positives"] += v.true_positive
            if not v.true_positive and len(d["false_positive_examples"]) < examples:
                d["false_positive_examples"].append(
                    f"{r.addon} {r.old_series}: {v.finding.file}:{v.finding.line}: {v.finding.text} ({v.why})")
    for d in per_adv.values():
        d["precision"] = d["true_positives"] / d["findings"]
    kinds: dict[str, dict] = {}
    for kind in KINDS:
        moves = [r for r in results if r.old_series in kind.moves]
        occ = [(r, o, hit) for r in moves for o, hit in r.occurrences.get(kind.code, [])]
        n, hits = len(occ), sum(hit for _, _, hit in occ)
        by_move = {}
        for s in kind.moves:
            here = [hit for r, _, hit in occ if r.old_series == s]
            by_move[f"{s}->{float(s) + 1:.1f}"] = {"occurrences": len(here), "flagged": sum(here)}
        kinds[kind.code] = {
            "title": kind.title, "moves": [f"{s}->{float(s) + 1:.1f}" for s in kind.moves],
            "advisories": list(kind.advisories), "source": kind.source, "ports_checked": len(moves),
            "occurrences": n, "addons": len({r.addon for r, _, _ in occ}), "flagged": hits,
            "recall": hits / n if n else None, "by_move": by_move,
            "missed_examples": [f"{r.addon} {r.old_series}: {o.file}:{o.line}: {o.text}"
                                for r, o, hit in occ if not hit][:examples],
        }
    occurring = [k for k in kinds.values() if k["occurrences"]]
    all_occ = sum(k["occurrences"] for k in occurring)
    return {
        "findings": total, "true_positives": tp, "precision": tp / total if total else None,
        "per_advisory": dict(sorted(per_adv.items())),
        "kinds": kinds,
        "kinds_occurring": len(occurring),
        "recall_macro": sum(k["recall"] for k in occurring) / len(occurring) if occurring else None,
        "recall_micro": sum(k["flagged"] for k in occurring) / all_occ if all_occ else None,
    }
