"""Database objects that live outside the models, which Alembic's comparison must leave alone."""
from __future__ import annotations

# Full-text search: SQLite's FTS5 table (and its shadow tables), PostgreSQL's expression index.
# Both are made by migrations only; see migrations/versions/*_search.py.
UNMODELLED_PREFIXES = ("product_fts",)
UNMODELLED_INDEXES = {"ix_products_search"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table" and name and name.startswith(UNMODELLED_PREFIXES):
        return False
    if type_ == "index" and name in UNMODELLED_INDEXES:
        return False
    return True
