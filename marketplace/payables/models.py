"""The merchant ledger: every sale, commission, refund, payout and correction is a new row, never an edit."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import utcnow
from ..extensions import db


class CommissionRate(db.Model):
    """Serumpun's commission on a merchant's goods, in basis points (1,000 = 10%), from a moment on."""

    __tablename__ = "commission_rates"
    __table_args__ = (CheckConstraint("basis_points BETWEEN 0 AND 5000", name="basis_points_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    basis_points: Mapped[int]
    effective_from: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(200), default="")


class LedgerEntry(db.Model):
    """One movement of what Serumpun owes a merchant, in whole rupiah: positive owes more, negative less."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_merchant_at", "merchant_id", "id"),
        # One sale (and one commission, one refund) per parcel, however often its payment is reported.
        Index("uq_ledger_entries_parcel_kind", "merchant_order_id", "kind", unique=True,
              sqlite_where=db.text("merchant_order_id IS NOT NULL"),
              postgresql_where=db.text("merchant_order_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant_profiles.id", ondelete="RESTRICT"), index=True)
    merchant_order_id: Mapped[int | None] = mapped_column(ForeignKey("merchant_orders.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20))  # sale, commission, refund, payout, correction
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    basis_points: Mapped[int | None]  # the commission rate a commission entry used
    reference: Mapped[str] = mapped_column(String(120), default="")  # a payout's bank reference, a parcel number
    entry_date: Mapped[date]
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
