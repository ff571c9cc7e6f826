"""Carts: a signed-in buyer's lines, and the courier chosen for each merchant's parcel

Revision ID: e1b5c7d9a3f2
Revises: c4e8a1f2b6d3
Create Date: 2026-12-02 03:57:58.156661

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1b5c7d9a3f2'
down_revision = 'c4e8a1f2b6d3'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('cart_couriers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('service_code', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_cart_couriers_buyer_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchant_profiles.id'], name=op.f('fk_cart_couriers_merchant_id_merchant_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart_couriers')),
    sa.UniqueConstraint('buyer_id', 'merchant_id', name='uq_cart_couriers_buyer_merchant')
    )
    with op.batch_alter_table('cart_couriers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_couriers_buyer_id'), ['buyer_id'], unique=False)

    op.create_table('cart_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_cart_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_cart_lines_buyer_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_cart_lines_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart_lines')),
    sa.UniqueConstraint('buyer_id', 'product_id', name='uq_cart_lines_buyer_product')
    )
    with op.batch_alter_table('cart_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_lines_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cart_lines_product_id'), ['product_id'], unique=False)




def downgrade():

    with op.batch_alter_table('cart_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_lines_product_id'))
        batch_op.drop_index(batch_op.f('ix_cart_lines_buyer_id'))

    op.drop_table('cart_lines')
    with op.batch_alter_table('cart_couriers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_couriers_buyer_id'))

    op.drop_table('cart_couriers')

