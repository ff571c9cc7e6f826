"""PostgreSQL: every word of the search documents in a table of its own (search_words), kept by the
document's trigger, so that a typed word is searched as the catalog's words that start with it

Revision ID: c4f1d7e2a9b3
Revises: b8e4f2a6c913
Create Date: 2026-12-07 17:20:00

Every typed word may be the start of a longer one ("tulis" finds "tulisan"). GIN answers a prefix
("tulis:*") by gathering the products of every word that starts with it before it can combine them with
the other words: for "batik", 125,000 of 1,000,000 bench products, 30 ms of a 40 ms query. Searched as the
words themselves ("batik | batiks"), the index combines them word by word (9 ms). catalog.search reads
those words from this table; the trigger adds the words of each document it writes that the table does
not have yet, in the same transaction as the product.

No unique constraint: two transactions that add the same new word at once would otherwise wait on each
other (and, adding several, could deadlock); a word that is there twice is read once.

Runs while app servers are up: the table and the new trigger function come first (from then on every
written document's words are kept); then, once every transaction begun before that has ended, the words
of the documents already there, in batches of BATCH products, each its own transaction. The release
before this one never reads the table. SQLite searches with FTS5, whose prefix queries need no such
table: nothing changes there.
"""
import time

import sqlalchemy as sa
from alembic import op

revision = 'c4f1d7e2a9b3'
down_revision = 'b8e4f2a6c913'
branch_labels = None
depends_on = None

BATCH = 50_000
WAIT_SECONDS = 300

# migrations/versions/b7e4a91c2d05_search_document.py's document, unchanged.
DOCUMENT = (
    "setweight(to_tsvector('simple'::regconfig, coalesce(NEW.name_id, '') || ' ' || "
    "coalesce(NEW.name_en, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(NEW.description_id, '') || ' ' || "
    "coalesce(NEW.description_en, '')), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(NEW.search_text, '')), 'C')"
)
# The words of some documents that the table does not have yet: of NEW in the trigger, of a batch of
# products in the backfill.
NEW_WORDS = (
    "INSERT INTO search_words (word) SELECT DISTINCT found.lexeme "
    "FROM {rows}unnest(tsvector_to_array({document})) AS found(lexeme) "
    'WHERE {only}NOT EXISTS (SELECT 1 FROM search_words known WHERE known.word = found.lexeme COLLATE "C")'
)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if not sa.inspect(bind).has_table("search_words"):  # (a run stopped while waiting below left it made)
        # Compared byte by byte ("C"): a prefix's words are one range of the index, in any locale.
        op.create_table("search_words", sa.Column("word", sa.Text(collation="C"), nullable=False))
        op.create_index("ix_search_words_word", "search_words", ["word"])
    op.execute(f"""
        CREATE OR REPLACE FUNCTION products_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search_document := {DOCUMENT};
            {NEW_WORDS.format(rows="", document="NEW.search_document", only="")};
            RETURN NEW;
        END
        $$""")
    with op.get_context().autocommit_block():
        # The trigger keeps every document written from here on. A transaction that began before it was
        # committed may still write with the old one, and commit after its rows were read below: wait until
        # every such transaction has ended (as CREATE INDEX CONCURRENTLY does), then add the words of the
        # documents there, in batches.
        since = bind.execute(sa.text("SELECT clock_timestamp()")).scalar()
        deadline = time.monotonic() + WAIT_SECONDS
        while older := bind.execute(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND xact_start < :since"), {"since": since}).scalars().all():
            if time.monotonic() > deadline:
                raise RuntimeError(f"search_words: transactions begun before the new trigger are still open after "
                                   f"{WAIT_SECONDS} s (pids {older}); end them and run the migration again")
            print(f"search_words: waiting for transactions begun before the new trigger to end (pids {older})")
            time.sleep(1)
        highest = bind.execute(sa.text("SELECT coalesce(max(id), 0) FROM products")).scalar()
        for low in range(0, highest, BATCH):
            bind.execute(sa.text(NEW_WORDS.format(rows="products, ", document="products.search_document",
                                                  only="products.id > :low AND products.id <= :high AND ")),
                         {"low": low, "high": low + BATCH})


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"""
        CREATE OR REPLACE FUNCTION products_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search_document := {DOCUMENT};
            RETURN NEW;
        END
        $$""")
    op.execute("DROP TABLE IF EXISTS search_words")  # contract: only this release's search reads it
