"""Read the shape of the ``ops`` schema from a live database's catalog.

Three queries for the schema (its comment, its tables, its enums), three per
table (columns, constraints, indexes) and one per table outside the schema that
a foreign key references, each ordered, so that every document generated from
it (DBML, ERD, Prisma) is byte-for-byte reproducible. Read-only; any role that
can read ``pg_catalog`` will do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

SCHEMA = "ops"

FK_ACTIONS = {"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}


@dataclass
class Column:
    name: str
    type: str  # format_type(), e.g. "timestamp with time zone", "ops.run_status", "text[]"
    not_null: bool
    default: str | None  # pg_get_expr() of the default, None when there is none
    identity: str  # "" / "a" (always) / "d" (by default)
    comment: str | None
    type_schema: str  # namespace of the (element) type
    type_name: str  # name of the (element) type, e.g. "run_status", "text", "timestamptz"
    is_enum: bool
    is_array: bool
    typmod: int


@dataclass
class Constraint:
    name: str
    kind: str  # p, u, f, c
    columns: list[str]
    definition: str  # pg_get_constraintdef()
    ref_schema: str | None = None
    ref_table: str | None = None
    ref_columns: list[str] = field(default_factory=list)
    on_delete: str | None = None
    on_update: str | None = None


@dataclass
class Index:
    name: str
    columns: list[tuple[str, bool]]  # (column or expression, descending)
    unique: bool
    predicate: str | None
    method: str


@dataclass
class Table:
    schema: str
    name: str
    comment: str | None
    columns: list[Column]
    constraints: list[Constraint]
    indexes: list[Index]  # indexes that do not back a constraint

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def primary_key(self) -> Constraint | None:
        return next((c for c in self.constraints if c.kind == "p"), None)

    def by_kind(self, kind: str) -> list[Constraint]:
        return [c for c in self.constraints if c.kind == kind]

    def is_unique(self, columns: list[str]) -> bool:
        keys = [c.columns for c in self.constraints if c.kind in "pu"]
        keys += [[n for n, _ in i.columns] for i in self.indexes if i.unique and not i.predicate]
        return any(set(k) == set(columns) for k in keys)


@dataclass
class Enum:
    schema: str
    name: str
    values: list[str]
    comment: str | None

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass
class Schema:
    name: str
    comment: str | None
    tables: list[Table]
    enums: list[Enum]
    # Tables outside the schema that its foreign keys reference (auth.users):
    # (schema, table) -> the referenced columns with their types.
    external: dict[tuple[str, str], list[tuple[str, str]]]

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


TABLES = """
select c.oid, c.relname, obj_description(c.oid, 'pg_class')
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = %s and c.relkind in ('r', 'p')
order by c.relname
"""

COLUMNS = """
select a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attidentity, col_description(a.attrelid, a.attnum),
       en.nspname, et.typname, et.typtype = 'e', t.typcategory = 'A', a.atttypmod
from pg_attribute a
join pg_type t on t.oid = a.atttypid
join pg_type et on et.oid = case when t.typcategory = 'A' then t.typelem else t.oid end
join pg_namespace en on en.oid = et.typnamespace
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where a.attrelid = %s and a.attnum > 0 and not a.attisdropped
order by a.attnum
"""

CONSTRAINTS = """
select con.conname, con.contype,
       array(select a.attname from unnest(con.conkey) with ordinality k(n, i)
             join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i)::text[],
       pg_get_constraintdef(con.oid),
       fn.nspname, fc.relname,
       array(select a.attname from unnest(con.confkey) with ordinality k(n, i)
             join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.i)::text[],
       con.confdeltype::text, con.confupdtype::text
from pg_constraint con
left join pg_class fc on fc.oid = con.confrelid
left join pg_namespace fn on fn.oid = fc.relnamespace
where con.conrelid = %s and con.contype in ('p', 'u', 'f', 'c')
order by case con.contype when 'p' then 0 when 'u' then 1 when 'f' then 2 else 3 end, con.conname
"""

INDEXES = """
select ic.relname, i.indisunique, pg_get_expr(i.indpred, i.indrelid), am.amname,
       array(select pg_get_indexdef(i.indexrelid, k, true) from generate_series(1, i.indnkeyatts) k order by k)::text[],
       array(select (i.indoption[k - 1] & 1) = 1 from generate_series(1, i.indnkeyatts) k order by k)::bool[]
from pg_index i
join pg_class ic on ic.oid = i.indexrelid
join pg_am am on am.oid = ic.relam
where i.indrelid = %s
  and not exists (select 1 from pg_constraint con where con.conindid = i.indexrelid and con.conrelid = i.indrelid)
order by ic.relname
"""

ENUMS = """
select t.typname, array(select e.enumlabel from pg_enum e where e.enumtypid = t.oid order by e.enumsortorder)::text[],
       obj_description(t.oid, 'pg_type')
from pg_type t join pg_namespace n on n.oid = t.typnamespace
where n.nspname = %s and t.typtype = 'e'
order by t.typname
"""

EXTERNAL_COLUMNS = """
select a.attname, format_type(a.atttypid, a.atttypmod)
from pg_attribute a
where a.attrelid = to_regclass(format('%%I.%%I', %s::text, %s::text)) and a.attname = any(%s::text[])
order by a.attnum
"""


def read(conn: psycopg.Connection, schema: str = SCHEMA) -> Schema:
    """The tables, columns, keys, indexes and enums of ``schema``, in a stable order."""
    comment = conn.execute(
        "select obj_description(oid, 'pg_namespace') from pg_namespace where nspname = %s", (schema,)
    ).fetchone()
    tables: list[Table] = []
    for oid, name, tcomment in conn.execute(TABLES, (schema,)).fetchall():
        columns = [
            Column(n, typ, nn, dflt, ident or "", cc, tns, tname, is_enum, is_arr, typmod)
            for n, typ, nn, dflt, ident, cc, tns, tname, is_enum, is_arr, typmod in conn.execute(COLUMNS, (oid,))
        ]
        constraints = [
            Constraint(
                n, kind, list(cols), definition, rs, rt, list(rcols or []),
                FK_ACTIONS.get(dl) if kind == "f" else None, FK_ACTIONS.get(up) if kind == "f" else None,
            )
            for n, kind, cols, definition, rs, rt, rcols, dl, up in conn.execute(CONSTRAINTS, (oid,))
        ]
        indexes = [
            Index(n, list(zip(cols, desc, strict=True)), uniq, pred, am)
            for n, uniq, pred, am, cols, desc in conn.execute(INDEXES, (oid,))
        ]
        tables.append(Table(schema, name, tcomment, columns, constraints, indexes))
    enums = [Enum(schema, n, list(vals), c) for n, vals, c in conn.execute(ENUMS, (schema,))]
    external: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for t in tables:
        for fk in t.by_kind("f"):
            if fk.ref_schema != schema:
                key = (fk.ref_schema, fk.ref_table)
                external.setdefault(key, [])
                for col in fk.ref_columns:
                    if col not in [c for c, _ in external[key]]:
                        external[key].append((col, ""))
    for (s, tname), cols in external.items():
        types = dict(conn.execute(EXTERNAL_COLUMNS, (s, tname, [c for c, _ in cols])).fetchall())
        external[(s, tname)] = [(c, types.get(c, "")) for c, _ in cols]
    return Schema(schema, comment[0] if comment else None, tables, enums, dict(sorted(external.items())))


def short_type(col: Column, schema: str = SCHEMA) -> str:
    """The column type as people write it: timestamptz, varchar(255), run_status, text[]."""
    t = col.type
    replacements = {
        "timestamp with time zone": "timestamptz",
        "timestamp without time zone": "timestamp",
        "time with time zone": "timetz",
        "time without time zone": "time",
        "character varying": "varchar",
        "double precision": "float8",
        "boolean": "boolean",
    }
    for long, short in replacements.items():
        if t.startswith(long):
            t = short + t[len(long):]
    if t.startswith(schema + "."):
        t = t[len(schema) + 1:]
    return t
