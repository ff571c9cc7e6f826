"""The CN22 / CN23 limit joins the customs rules where rules are already recorded

Revision ID: 3b1e7c0d9a52
Revises: fa949ff7dac6
Create Date: 2026-12-01 15:45:00

"""
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '3b1e7c0d9a52'
down_revision = 'fa949ff7dac6'
branch_labels = None
depends_on = None

KEY = "cn22_limit_sen"
rules = sa.table("customs_rules", sa.column("key", sa.String), sa.column("value", sa.String),
                 sa.column("effective_on", sa.Date), sa.column("source", sa.String),
                 sa.column("created_at", sa.DateTime), sa.column("updated_at", sa.DateTime))


def upgrade():
    # A database with rules but without this one would stop quoting (every rule is required);
    # an empty one is seeded with all of them later.
    conn = op.get_bind()
    any_rule = conn.execute(sa.select(rules.c.key).limit(1)).first()
    has_limit = conn.execute(sa.select(rules.c.key).where(rules.c.key == KEY).limit(1)).first()
    if any_rule and not has_limit:
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        op.bulk_insert(rules, [{
            "key": KEY, "value": "175000", "effective_on": date(2024, 1, 1),
            "source": "UPU Convention Regulations: CN22 up to 300 SDR (about RM1,750; check the SDR rate)",
            "created_at": now, "updated_at": now,
        }])


def downgrade():
    op.execute(rules.delete().where(rules.c.key == KEY))
