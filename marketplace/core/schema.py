"""Database objects that live outside the models, which Alembic's comparison must leave alone."""
from __future__ import annotations

# Full-text search: SQLite's FTS5 table (and its shadow tables); PostgreSQL's document column, kept by a
# trigger, its indexes, and the table of the documents' words (search_words) the trigger fills. All made by
# migrations only; see migrations/versions/*_search*.py.
UNMODELLED_PREFIXES = ("product_fts", "search_words")
UNMODELLED_INDEXES = {"ix_products_search", "ix_products_search_document", "ix_search_words_word"}
UNMODELLED_COLUMNS = {("products", "search_document")}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table" and name and name.startswith(UNMODELLED_PREFIXES):
        return False
    if type_ == "index" and name in UNMODELLED_INDEXES:
        return False
    if type_ == "column" and reflected and (getattr(obj.table, "name", None), name) in UNMODELLED_COLUMNS:
        return False
    return True
