"""Exchange rates, dated, with where they came from."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import TimestampMixin
from ..extensions import db


class ExchangeRate(TimestampMixin, db.Model):
    """Rupiah per one unit of a currency, in force from effective_on until a newer rate."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        UniqueConstraint("currency", "effective_on", name="uq_exchange_rates_currency_date"),
        CheckConstraint("idr_per_unit > 0", name="rate_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), index=True)
    # Numeric(18, 4) is exact on PostgreSQL; on SQLite the value is read back through Decimal(str(...)).
    idr_per_unit: Mapped[Decimal] = mapped_column(Numeric(18, 4, asdecimal=True))
    effective_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
