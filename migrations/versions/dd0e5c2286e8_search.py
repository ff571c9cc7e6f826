"""product search: FTS5 on SQLite, a GIN full-text index on PostgreSQL

Revision ID: dd0e5c2286e8
Revises: 5c6c53839694
Create Date: 2026-11-29 03:27:20.571850

The SQLite index is an external-content FTS5 table kept in step by triggers on
products. A later migration that rebuilds the products table in batch mode
drops those triggers: it must create them again (see SQLITE_TRIGGERS).
The PostgreSQL expression must stay identical to catalog.search.PG_DOCUMENT.
"""
import sqlalchemy as sa
from alembic import op

revision = 'dd0e5c2286e8'
down_revision = '5c6c53839694'
branch_labels = None
depends_on = None

FTS_COLUMNS = "name_id, name_en, description_id, description_en, search_text"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
        INSERT INTO product_fts(rowid, {FTS_COLUMNS})
        VALUES (new.id, new.name_id, new.name_en, new.description_id, new.description_en, new.search_text);
    END""",
    f"""CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
        INSERT INTO product_fts(product_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, old.name_id, old.name_en, old.description_id, old.description_en, old.search_text);
    END""",
    f"""CREATE TRIGGER products_fts_update AFTER UPDATE OF {FTS_COLUMNS} ON products BEGIN
        INSERT INTO product_fts(product_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, old.name_id, old.name_en, old.description_id, old.description_en, old.search_text);
        INSERT INTO product_fts(rowid, {FTS_COLUMNS})
        VALUES (new.id, new.name_id, new.name_en, new.description_id, new.description_en, new.search_text);
    END""",
]

PG_DOCUMENT = (
    "setweight(to_tsvector('simple'::regconfig, coalesce(name_id, '') || ' ' || coalesce(name_en, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(description_id, '') || ' ' || coalesce(description_en, '')), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(search_text, '')), 'C')"
)


def upgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=True))

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE product_fts USING fts5({FTS_COLUMNS}, content='products', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')"
        )
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
        op.execute("INSERT INTO product_fts(product_fts) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_products_search ON products USING gin (({PG_DOCUMENT}))")  # contract: ran before app servers stayed up during migrations (the site was stopped to migrate)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("products_fts_insert", "products_fts_delete", "products_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS product_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_products_search")
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('search_text')
