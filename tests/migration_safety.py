"""Migrations that run while app servers are up (README, "Changing the schema while app servers run").

Two checks, used by tests/test_migration_safety.py:

- `lint(path)` reads the upgrade() of a migration file and names every operation that breaks the release
  still running (drops, renames, NOT NULL without a server default) or locks a busy table for long
  (an index built without CONCURRENTLY, a type change, a constraint validated under lock). A line that
  means it carries `# contract: <reason>`: a contract step of a later release, or a step taken before
  app servers ran during migrations.
- `PreviousRelease` stands for the code of the release before a migration: it reflects the schema before
  the step, writes a row into every table with statements built from that schema, and after the step
  reads that row back and runs the same INSERT, UPDATE, SELECT and DELETE again; each must end as it did
  before the step. `schema_breaks` compares the two schemas for what the statements may not reach.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from marketplace.core.schema import UNMODELLED_PREFIXES

CONTRACT = re.compile(r"#\s*contract:\s*(\S.*)$")


@dataclass
class Finding:
    path: str
    line: int
    table: str | None
    column: str | None
    problem: str
    contract: str | None = None  # the reason given on the line, when it carries one
    end: int = 0  # the call's last line (the marker may sit on any of its lines)
    breaks: bool = True  # the previous release fails on it (else it only locks for long)

    def __str__(self) -> str:
        where = ".".join(part for part in (self.table, self.column) if part) or "?"
        return f"{Path(self.path).name}:{self.line}: {where}: {self.problem}"


# --- the static lint ---------------------------------------------------------------------------------

DROPS = {"drop_table": "drops a table", "drop_column": "drops a column", "rename_table": "renames a table"}
# Constraints that PostgreSQL validates by reading the whole table under a lock that stops writes,
# unless they are added NOT VALID (then `VALIDATE CONSTRAINT` in a later step, which does not block).
VALIDATED = {"create_foreign_key", "create_check_constraint"}
# Unique and primary keys build an index under a lock that stops writes; build a unique index
# CONCURRENTLY instead (and, if a constraint is needed, `ADD CONSTRAINT ... USING INDEX`).
INDEX_BUILDING = {"create_unique_constraint", "create_primary_key"}

RAW_SQL = [
    (re.compile(r"\bDROP\s+(TABLE|COLUMN)\b", re.I), "drops a table or column"),
    (re.compile(r"\bRENAME\b", re.I), "renames"),
    (re.compile(r"\bALTER\s+COLUMN\b[^;]*\bTYPE\b", re.I), "changes a column's type (rewrites the table under lock)"),
    (re.compile(r"\bSET\s+NOT\s+NULL\b", re.I), "sets NOT NULL (reads the whole table under lock)"),
]
RAW_INDEX = re.compile(r"\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY)(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+ON\s+"
                       r"(?:ONLY\s+)?\"?(\w+)", re.I)


def _comments(source: str) -> dict[int, str]:
    reasons = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and (match := CONTRACT.search(token.string)):
            reasons[token.start[0]] = match.group(1).strip()
    return reasons


def _text(node: ast.AST | None) -> str | None:
    """A string literal, or the literal parts of an f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else " _ " for v in node.values)
    return None


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _arg(call: ast.Call, position: int, name: str) -> ast.AST | None:
    return call.args[position] if len(call.args) > position else _keyword(call, name)


class _Upgrade(ast.NodeVisitor):
    def __init__(self, path: str, module: ast.Module, constants: dict[str, str]):
        self.path = path
        self.constants = constants
        self.functions = {n.name: n for n in module.body if isinstance(n, ast.FunctionDef)}
        self.batch: list[str | None] = []
        self.findings: list[Finding] = []
        self.created: set[str] = set()
        self.visited: set[str] = set()

    def string(self, node):
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        if isinstance(node, ast.Call) and node.args and getattr(node.func, "attr", getattr(node.func, "id", "")) == "text":
            return self.string(node.args[0])  # sa.text("...")
        return _text(node)

    def flag(self, node, table, column, problem, breaks=True):
        self.findings.append(Finding(self.path, node.lineno, table, column, problem,
                                     end=getattr(node, "end_lineno", None) or node.lineno, breaks=breaks))

    def visit_With(self, node: ast.With):
        tables = []
        for item in node.items:
            call = item.context_expr
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                    and call.func.attr == "batch_alter_table":
                tables.append(self.string(_arg(call, 0, "table_name")))
        self.batch.extend(tables)
        self.generic_visit(node)
        del self.batch[len(self.batch) - len(tables):]

    def visit_Call(self, node: ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.functions and func.id not in self.visited:
            self.visited.add(func.id)  # a helper of the same file, called from upgrade()
            for statement in self.functions[func.id].body:
                self.visit(statement)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and func.value.id in ("op", "batch_op"):
            self.operation(node, func.attr, batched=func.value.id == "batch_op")
        self.generic_visit(node)

    def operation(self, node: ast.Call, name: str, batched: bool):
        table_of_batch = self.batch[-1] if batched and self.batch else None

        def table(position, keyword="table_name"):
            return table_of_batch if batched else self.string(_arg(node, position, keyword))

        if name == "create_table":
            self.created.add(self.string(_arg(node, 0, "table_name")))
        elif name in DROPS:
            column = self.string(_arg(node, 0 if batched else 1, "column_name")) if name == "drop_column" else None
            self.flag(node, table(0 if name != "drop_column" else 0), column,
                      f"{DROPS[name]}: the previous release still uses it (contract in a later release)")
        elif name == "add_column":
            column = _arg(node, 0 if batched else 1, "column")
            if isinstance(column, ast.Call):
                nullable, default = _keyword(column, "nullable"), _keyword(column, "server_default")
                if (_false(nullable) or _true(_keyword(column, "primary_key"))) and default is None:
                    self.flag(node, table(0), self.string(column.args[0]) if column.args else None,
                              "adds a NOT NULL column without a server default: the previous release's "
                              "INSERTs fail (add it nullable, backfill, then set NOT NULL)")
        elif name == "alter_column":
            column = self.string(_arg(node, 0 if batched else 1, "column_name"))
            if _keyword(node, "new_column_name") is not None:
                self.flag(node, table(0), column, "renames a column: the previous release still uses the old "
                          "name (add the new column, write both, contract later)")
            if _keyword(node, "type_") is not None:
                self.flag(node, table(0), column, "changes a column's type: PostgreSQL rewrites the table under "
                          "an exclusive lock, and the previous release expects the old type")
            if _false(_keyword(node, "nullable")):
                self.flag(node, table(0), column, "sets NOT NULL: a full scan under an exclusive lock, and the "
                          "previous release may write NULL (CHECK ... NOT VALID, VALIDATE, in a later release)")
        elif name == "create_index":
            target = table(1)
            if target not in self.created and not _true(_keyword(node, "postgresql_concurrently")):
                self.flag(node, target, None, "builds an index on an existing table without "
                          "postgresql_concurrently=True (inside op.get_context().autocommit_block()): "
                          "writes to the table wait until it is built", breaks=False)
        elif name in VALIDATED:
            target = table(1, "source_table" if name == "create_foreign_key" else "table_name")
            if target not in self.created and not _true(_keyword(node, "postgresql_not_valid")):
                self.flag(node, target, None, f"{name} on an existing table is validated under a lock "
                          "that stops writes: add it with postgresql_not_valid=True and VALIDATE it later",
                          breaks=False)
        elif name in INDEX_BUILDING:
            target = table(0 if batched else 1)
            if target not in self.created:
                self.flag(node, target, None, f"{name} on an existing table builds its index under a lock "
                          "that stops writes: CREATE UNIQUE INDEX CONCURRENTLY first", breaks=False)
        elif name == "execute":
            sql = self.string(_arg(node, 0, "sqltext"))
            if sql is None:
                return
            for pattern, problem in RAW_SQL:
                if pattern.search(sql):
                    self.flag(node, None, None, f"raw SQL {problem}")
            for match in RAW_INDEX.finditer(sql):
                if match.group(1) not in self.created:
                    self.flag(node, match.group(1), None, "raw CREATE INDEX on an existing table without "
                              "CONCURRENTLY: writes to the table wait until it is built", breaks=False)


def lint(path: str | Path) -> list[Finding]:
    """Every unsafe operation of the file's upgrade(), with the contract reason of those marked."""
    source = Path(path).read_text()
    module = ast.parse(source)
    constants = {t.id: v.value for n in module.body if isinstance(n, ast.Assign)
                 for t in n.targets if isinstance(t, ast.Name)
                 for v in [n.value] if isinstance(v, ast.Constant) and isinstance(v.value, str)}
    upgrade = next((n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None)
    if upgrade is None:
        return []
    visitor = _Upgrade(str(path), module, constants)
    # Tables made in this upgrade are new: nothing uses them yet, so their indexes lock nothing busy.
    for node in ast.walk(upgrade):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "create_table":
            visitor.created.add(visitor.string(_arg(node, 0, "table_name")))
    visitor.visited.add("upgrade")
    for statement in upgrade.body:
        visitor.visit(statement)
    reasons = _comments(source)
    for finding in visitor.findings:
        lines = range(finding.line, finding.end + 1)
        finding.contract = next((reasons[line] for line in lines if line in reasons), None)
    return visitor.findings


def contract_allows(path: str | Path):
    """Whether a problem of the previous release with (table, column) is a contract step the file marks:
    a marked drop of a table allows all of it, of a column that column (and the table's statements,
    which name it); a marked raw SQL statement, whose table the lint does not know, the whole step."""
    marked = [f for f in lint(path) if f.contract and f.breaks]

    def allows(table: str, column: str | None) -> bool:
        return any(f.table is None or (f.table == table and (f.column is None or column in (None, f.column)))
                   for f in marked)
    return allows


# --- the previous release against the next schema ---------------------------------------------------

def skipped(name: str) -> bool:
    return name == "alembic_version" or name.startswith(UNMODELLED_PREFIXES)


def reflect(connection) -> sa.MetaData:
    metadata = sa.MetaData()
    metadata.reflect(bind=connection, only=lambda name, _: not skipped(name))
    return metadata


def _type(column: sa.Column, dialect) -> str:
    return str(column.type.compile(dialect=dialect))


def schema_breaks(before: sa.MetaData, after: sa.MetaData, dialect) -> list[tuple[str, str | None, str]]:
    """(table, column, problem) for what the previous release, built on `before`, cannot live with."""
    problems = []
    for name, old in before.tables.items():
        new = after.tables.get(name)
        if new is None:
            problems.append((name, None, "the table is gone (dropped or renamed)"))
            continue
        for column in old.columns:
            now = new.columns.get(column.name)
            if now is None:
                problems.append((name, column.name, "the column is gone (dropped or renamed)"))
            elif _type(column, dialect) != _type(now, dialect):
                problems.append((name, column.name, f"the type changed from {_type(column, dialect)} "
                                 f"to {_type(now, dialect)}"))
            elif column.nullable and not now.nullable:
                problems.append((name, column.name, "became NOT NULL: the previous release may write NULL"))
            elif not now.nullable and column.server_default is not None and now.server_default is None:
                problems.append((name, column.name, "lost its server default: the previous release's INSERTs "
                                 "may leave it out"))
        for column in new.columns:
            if column.name not in old.columns and not column.nullable and column.server_default is None \
                    and column.computed is None and not column.primary_key:
                problems.append((name, column.name, "a new NOT NULL column without a server default: the "
                                 "previous release's INSERTs leave it out"))
    return problems


# Values the previous release writes where the constraints ask for more than the generic sample
# (a function of the row's number where the value must be unique).
SAMPLE_VALUES = {
    "merchant_profiles.nib": lambda k: f"{k:013d}",  # unique, 13 digits
    "price_tiers.min_quantity": 2,
    "orders.total_sen": 3,
    "merchant_orders.total_sen": 3,
    "shipping_rules.transit_max_days": 2,
    "courier_services.transit_max_days": 2,
}


def _enum_values(table: sa.Table) -> dict[str, str]:
    """The first value a CHECK constraint lists for a column (Enum with native_enum=False)."""
    values = {}
    for constraint in table.constraints:
        if not isinstance(constraint, sa.CheckConstraint):
            continue
        sql = str(constraint.sqltext)
        named = [c.name for c in table.columns if re.search(rf"\b{re.escape(c.name)}\b", sql)]
        literals = re.findall(r"'((?:[^']|'')*)'", sql)
        if len(named) == 1 and literals and named[0] not in values:
            values[named[0]] = literals[0]
    return values


def _unique_columns(table: sa.Table) -> set[str]:
    columns = set()
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint) and len(constraint.columns) == 1:
            columns.update(c.name for c in constraint.columns)
    for index in table.indexes:
        if index.unique and len(index.columns) == 1:
            columns.update(c.name for c in index.columns)
    return columns


def _sample(column: sa.Column, k: int, enum: str | None, unique: bool):
    length = getattr(column.type, "length", None)
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return None
    if enum is not None:
        return enum
    if kind is bool:
        return False
    if kind is int:
        return k if unique else 1
    if kind in (Decimal, float):
        return kind(1)
    if kind is str:
        text = f"v{k}"
        return text[-length:] if length and len(text) > length else text
    if kind is datetime:
        return datetime(2026, 1, 1, 12, 0)
    if kind is date:
        return date(2026, 1, 1)
    if kind is time:
        return time(12, 0)
    if kind is dict:
        return {}
    if kind is list:
        return []
    if kind is bytes:
        return b"x"
    if kind is uuid.UUID:
        return uuid.uuid4()
    return None


def _outcome(error: DBAPIError | None) -> str:
    if error is None:
        return "ok"
    original = error.orig
    diag = getattr(original, "diag", None)
    if diag is not None:  # psycopg: the kind of failure and what it names, not the row it shows
        return f"{getattr(original, 'sqlstate', '')} {diag.constraint_name or ''} {diag.column_name or ''}".strip()
    return str(original).splitlines()[0]


@dataclass
class PreviousRelease:
    """The statements of the release before a step, built from the schema before it (`metadata`)."""

    metadata: sa.MetaData
    step: int
    written: dict[str, dict] = field(default_factory=dict)  # table -> the row written before the step
    outcomes: dict[tuple[str, str], str] = field(default_factory=dict)  # (table, statement) -> outcome

    def tables(self):
        return [t for t in self.metadata.sorted_tables if not skipped(t.name) and t.primary_key.columns]

    def row(self, table: sa.Table, k: int, parents: dict[str, dict]) -> dict | None:
        enums, unique = _enum_values(table), _unique_columns(table)
        values = {}
        for column in table.columns:
            key = f"{table.name}.{column.name}"
            if column.primary_key and column.autoincrement in (True, "auto") \
                    and isinstance(column.type, sa.Integer) and len(table.primary_key.columns) == 1:
                continue
            if column.foreign_keys:
                target = next(iter(column.foreign_keys)).column
                parent = parents.get(target.table.name)
                if parent is None or target.name not in parent:
                    if not column.nullable:
                        return None  # no row to point at (the parent's INSERT failed before too)
                    values[column.name] = None
                else:
                    values[column.name] = parent[target.name]
                continue
            if key in SAMPLE_VALUES:
                value = SAMPLE_VALUES[key]
                values[column.name] = value(k) if callable(value) else value
            elif column.server_default is not None or (column.nullable and not column.primary_key):
                continue  # left to the database, as the previous release mostly does
            else:
                values[column.name] = _sample(column, k, enums.get(column.name), column.name in unique)
        return values

    @staticmethod
    def _try(connection, statement, parameters=None):
        savepoint = connection.begin_nested()
        try:
            result = connection.execute(statement, parameters) if parameters is not None \
                else connection.execute(statement)
            rows = result.mappings().all() if result.returns_rows else None
            savepoint.commit()
            return None, rows
        except DBAPIError as error:
            savepoint.rollback()
            return error, None

    def _where(self, table: sa.Table, row: dict):
        return sa.and_(*(column == row[column.name] for column in table.primary_key.columns))

    def write(self, connection) -> None:
        """Before the step: a row in every table, kept (data the step must carry over)."""
        with connection.begin():
            for table in self.tables():
                values = self.row(table, 2 * self.step, self.written)
                if values is None:
                    continue
                error, rows = self._try(connection, sa.insert(table).values(values).returning(*table.primary_key))
                if error is None and rows:
                    key = dict(rows[0])
                    _, read = self._try(connection, sa.select(table).where(self._where(table, key)))
                    self.written[table.name] = dict(read[0])
            self.outcomes = self._exercise(connection)

    def _exercise(self, connection) -> dict[tuple[str, str], str]:
        """INSERT, SELECT, UPDATE and DELETE a second row in every table; rolled back afterwards."""
        outcomes, made = {}, {}
        parents = dict(self.written)
        savepoint = connection.begin_nested()
        try:
            for table in self.tables():
                values = self.row(table, 2 * self.step + 1, parents)
                if values is None:
                    outcomes[(table.name, "insert")] = "no parent row"
                    continue
                error, rows = self._try(connection, sa.insert(table).values(values).returning(*table.primary_key))
                outcomes[(table.name, "insert")] = _outcome(error)
                if error is not None or not rows:
                    continue
                key = dict(rows[0])
                error, read = self._try(connection, sa.select(table).where(self._where(table, key)))
                outcomes[(table.name, "select")] = _outcome(error)
                if error is None and read:
                    parents[table.name] = made[table.name] = dict(read[0])
                    changes = {c.name: read[0][c.name] for c in table.columns if not c.primary_key}
                    if changes:
                        error, _ = self._try(connection, sa.update(table).where(self._where(table, key))
                                             .values(changes))
                        outcomes[(table.name, "update")] = _outcome(error)
            for table in reversed(self.tables()):
                if table.name in made:
                    error, _ = self._try(connection, sa.delete(table).where(self._where(table, made[table.name])))
                    outcomes[(table.name, "delete")] = _outcome(error)
        finally:
            savepoint.rollback()
        return outcomes

    def still_works(self, connection) -> list[tuple[str, str]]:
        """After the step: (table, problem) for each statement that now ends otherwise than before."""
        problems = []
        with connection.begin() as transaction:
            for table in self.tables():
                if table.name not in self.written:
                    continue
                row = self.written[table.name]
                error, read = self._try(connection, sa.select(table).where(self._where(table, row)))
                if error is not None:
                    problems.append((table.name, f"reading the row written before the step fails: {_outcome(error)}"))
                elif not read or dict(read[0]) != row:
                    problems.append((table.name, f"the row written before the step reads back otherwise: "
                                     f"{row} became {dict(read[0]) if read else None}"))
            after = self._exercise(connection)
            for key, before in self.outcomes.items():
                if after.get(key) != before:
                    now = f"'{after[key]}'" if key in after else "was not reached (an earlier statement failed)"
                    problems.append((key[0], f"{key[1].upper()} ended '{before}' before the step and {now} after it"))
            transaction.rollback()
        return problems
