"""The schema, generated from the catalogue: each table as it is declared.

A table's columns come from its fields (each type says its SQL), with the
checks a column can hold alone (a flag is 0 or 1, a number within bounds) and
its links as foreign keys (a record that belongs to another goes with it; any
other link is emptied). Its indexes: the uid (unique), name keys, every link,
a record uid, and each date a fact is placed by, in timeline order. Its
triggers: the change log's, the full-text table's, and those that take a
record's citations and participants along when it goes.

Migrations that add a table or a field (from schema 15 on) write what this
makes for the table as declared at their version (fields added later are
left out), so that they stay what they were when released; a second engine
gets its schema from the same declarations.
"""

from __future__ import annotations

from cases.catalogue import (
    FLAG,
    LINK,
    NAME,
    NAMING,
    NUMBER,
    RECORD,
    SEARCHABLE,
    Field,
    Table,
)

# An undated fact sorts after every day (the timeline's order; see db/queries.py).
UNDATED = "9999-99-99"
TOKENIZE = "unicode61 remove_diacritics 2"


def fields_at(table: Table, version: int | None) -> tuple[Field, ...]:
    """TABLE's fields as declared at schema VERSION (None: as declared now)."""
    return tuple(f for f in table.all_fields if version is None or f.since <= version)


def columns_at(table: Table, version: int | None) -> tuple[str, ...]:
    """TABLE's stored columns at VERSION, in table order."""
    return ("id", "uid", *(c for f in fields_at(table, version) for c in f.columns))


def _column(table: Table, field: Field, column: str) -> str:
    """One column's definition."""
    parts = [f'"{column}"', field.type.sql(field, column)]
    main = column == field.columns[0]
    if field.type == FLAG:
        parts.append(f'NOT NULL DEFAULT 0 CHECK ("{column}" IN (0, 1))')
    elif field.type == NUMBER:
        low, high = field.minimum, field.maximum
        if low is not None and high is not None:
            parts.append(f'CHECK ("{column}" BETWEEN {low} AND {high})')
        elif low is not None:
            parts.append(f'CHECK ("{column}" >= {low})')
    if field.required and (main or field.type == NAME):
        parts.append("NOT NULL")
    if field.type == NAME and main and field.required:
        parts.append(f'CHECK (length(trim("{column}")) > 0)')
    link = _link_of(field, column)
    if link is not None:
        target, cascade = link
        parts.append(f'REFERENCES "{target}"(id) ON DELETE {"CASCADE" if cascade else "SET NULL"}')
    return " ".join(parts)


def _link_of(field: Field, column: str) -> tuple[str, bool] | None:
    """(table, whether a delete cascades) of a column that is a foreign key."""
    if field.type == LINK and field.link:
        return field.link, field.owner and not field.outlives
    if field.type == NAMING and field.link and column == field.link_column:
        return field.link, False
    return None


def create_table(table: Table, version: int | None = None) -> str:
    """CREATE TABLE for TABLE as declared at VERSION."""
    definitions = ['"id" INTEGER PRIMARY KEY AUTOINCREMENT', '"uid" TEXT NOT NULL']
    for field in fields_at(table, version):
        definitions += [_column(table, field, column) for column in field.columns]
    body = ",\n    ".join(definitions)
    return f'CREATE TABLE "{table.name}" (\n    {body})'


def indexes(table: Table, version: int | None = None) -> list[str]:
    """The indexes of TABLE as declared at VERSION: its uid's, each set of unique
    columns', each link's and looked-up field's (but where a unique set starts
    with it), a name key's (and, for private names, one of their own: the privacy
    filter looks them up), and the timeline order of each date a fact is placed by."""
    name = table.name
    found = [f'CREATE UNIQUE INDEX "{name}_uid" ON "{name}"(uid)']
    leading = set()
    for columns in table.unique:
        short = "_".join(c.removesuffix("_id").removesuffix("_uid") for c in columns)
        listed = ", ".join(f'"{c}"' for c in columns)
        found.append(f'CREATE UNIQUE INDEX "{name}_{short}" ON "{name}"({listed})')
        leading.add(columns[0])
    fields = fields_at(table, version)
    for field in fields:
        if field.type == NAME:
            found.append(f'CREATE INDEX "{name}_name_key" ON "{name}"(name_key)')
        if field.type == RECORD and field.name not in leading:
            short = field.name.removesuffix("_uid")
            found.append(f'CREATE INDEX "{name}_{short}" ON "{name}"("{field.name}")')
        if field.indexed:
            found.append(f'CREATE INDEX "{name}_{field.name}" ON "{name}"("{field.name}")')
        column = field.link_column
        if column is not None and column not in leading:
            short = column.removesuffix("_id")
            sparse = "" if field.required else f' WHERE "{column}" IS NOT NULL'
            found.append(f'CREATE INDEX "{name}_{short}" ON "{name}"("{column}"){sparse}')
    if any(f.type == NAME for f in fields) and any(f.name == "private" for f in fields):
        found.append(f'CREATE INDEX "{name}_private" ON "{name}"(name_key) WHERE private = 1')
    if table.fact is not None and table.fact.in_timeline:
        for placement in table.fact.placements:
            date = placement.date
            found.append(
                f'CREATE INDEX "{name}_{date}_order" ON "{name}"('
                f"coalesce({date}_earliest, {date}_latest, '{UNDATED}'), "
                f"coalesce({date}_latest, '{UNDATED}'), id)"
            )
    return found


def log_triggers(table: Table, version: int | None = None) -> list[str]:
    """The change log's triggers of TABLE: an insert logs its key (unless in a
    bulk load), an update or delete the whole row before it."""
    name = table.name
    image = ", ".join(f"'{c}', OLD.\"{c}\"" for c in columns_at(table, version))
    active = "(SELECT change_id FROM change_state WHERE id = 1)"
    bulk_off = "(SELECT bulk FROM change_state WHERE id = 1) = 0"
    found = [
        f'CREATE TRIGGER "{name}_log_insert" AFTER INSERT ON "{name}" '
        f"WHEN {active} IS NOT NULL AND {bulk_off} BEGIN "
        f"INSERT INTO change_rows (change_id, tbl, op, row_id) "
        f"VALUES ({active}, '{name}', 'insert', NEW.id); END"
    ]
    for op, event in (("update", "UPDATE"), ("delete", "DELETE")):
        found.append(
            f'CREATE TRIGGER "{name}_log_{op}" AFTER {event} ON "{name}" '
            f"WHEN {active} IS NOT NULL BEGIN "
            f"INSERT INTO change_rows (change_id, tbl, op, row_id, before) "
            f"VALUES ({active}, '{name}', '{op}', OLD.id, json_object({image})); END"
        )
    return found


def full_text(table: Table, version: int | None = None) -> list[str]:
    """TABLE_fts over its searchable columns, with its triggers, as ``sqlite-utils
    enable-fts --create-triggers`` makes them."""
    name = table.name
    searched = {f.name for f in fields_at(table, version)}
    columns = [c for f in table.search_fields if f.name in searched for c in f.columns]
    columns = [c for c in columns if not c.endswith("_id")]
    if not columns:
        return []
    quoted = ", ".join(f"[{column}]" for column in columns)
    old = ", ".join(f"old.[{column}]" for column in columns)
    new = ", ".join(f"new.[{column}]" for column in columns)
    return [
        f"CREATE VIRTUAL TABLE [{name}_fts] USING FTS5 (\n    {quoted},\n"
        f"    tokenize='{TOKENIZE}',\n    content=[{name}]\n)",
        f"CREATE TRIGGER [{name}_ai] AFTER INSERT ON [{name}] BEGIN\n"
        f"  INSERT INTO [{name}_fts] (rowid, {quoted}) VALUES (new.rowid, {new});\nEND",
        f"CREATE TRIGGER [{name}_ad] AFTER DELETE ON [{name}] BEGIN\n"
        f"  INSERT INTO [{name}_fts] ([{name}_fts], rowid, {quoted}) "
        f"VALUES('delete', old.rowid, {old});\nEND",
        f"CREATE TRIGGER [{name}_au] AFTER UPDATE ON [{name}] BEGIN\n"
        f"  INSERT INTO [{name}_fts] ([{name}_fts], rowid, {quoted}) "
        f"VALUES('delete', old.rowid, {old});\n"
        f"  INSERT INTO [{name}_fts] (rowid, {quoted}) VALUES (new.rowid, {new});\nEND",
        f"INSERT INTO [{name}_fts] ([{name}_fts]) VALUES ('rebuild')",
    ]


def taken_along(table: Table) -> list[str]:
    """Triggers that delete, with a record of TABLE, what names it by its uid: its
    citations, and (for a fact) its participants."""
    found = []
    if table.name != "citations":
        found.append(
            f'CREATE TRIGGER "{table.name}_drop_citations" AFTER DELETE ON "{table.name}" '
            "BEGIN DELETE FROM citations WHERE record_uid = OLD.uid; END"
        )
    if table.fact is not None:
        found.append(
            f'CREATE TRIGGER "{table.name}_drop_participants" AFTER DELETE ON "{table.name}" '
            "BEGIN DELETE FROM participants WHERE fact_uid = OLD.uid; END"
        )
    return found


def table_sql(table: Table, version: int | None = None) -> list[str]:
    """Everything TABLE is, as declared at VERSION: the table, its indexes, its
    change-log triggers, its full-text table and the triggers taking its
    citations and participants along."""
    return [
        create_table(table, version),
        *indexes(table, version),
        *log_triggers(table, version),
        *(full_text(table, version) if table.name in SEARCHABLE else []),
        *taken_along(table),
    ]
