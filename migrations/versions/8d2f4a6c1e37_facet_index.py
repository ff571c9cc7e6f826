"""A covering index for browse filters and facet counts

Revision ID: 8d2f4a6c1e37
Revises: 3b1e7c0d9a52
Create Date: 2026-12-01 16:55:00

"""
from alembic import op

revision = '8d2f4a6c1e37'
down_revision = '3b1e7c0d9a52'
branch_labels = None
depends_on = None

COLUMNS = ["merchant_id", "status", "category", "price_idr", "moq", "made_to_order_days", "halal_expires_on",
           "halal_number", "food_registration", "recyclable"]


# Plain index operations: a batch operation could rebuild the products table on SQLite and lose the
# search triggers that only the search migration creates.
def upgrade():
    op.create_index('ix_products_facets', 'products', COLUMNS, unique=False)  # contract: ran before app servers stayed up during migrations (the site was stopped to migrate)
    op.execute("ANALYZE")  # statistics, or SQLite's planner keeps reading the wide rows


def downgrade():
    op.drop_index('ix_products_facets', table_name='products')
