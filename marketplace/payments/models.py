"""A payment for an order, as a provider reported it, and the webhook events already handled."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import TimestampMixin, utcnow
from ..extensions import db


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"  # started, nothing received yet
    SUCCEEDED = "succeeded"  # the order's amount was received: the order is paid
    FAILED = "failed"  # the provider said the payment did not go through
    EXPIRED = "expired"  # never completed while the stock was held
    FLAGGED = "flagged"  # money arrived but cannot count: a wrong amount, or an order no longer payable
    REFUNDED = "refunded"  # money that was flagged or refunded went back to the buyer


class Payment(TimestampMixin, db.Model):
    """What a provider took (or is to take) for an order. At most one succeeded payment per order."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("provider", "reference", name="uq_payments_provider_reference"),
        CheckConstraint("amount_sen > 0", name="amount_positive"),
        CheckConstraint("received_sen IS NULL OR received_sen >= 0", name="received_not_negative"),
        # An order is paid once, whatever arrives twice or at the same time.
        Index("uq_payments_one_success_per_order", "order_id", unique=True,
              sqlite_where=text("status = 'succeeded'"), postgresql_where=text("status = 'succeeded'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))  # bank_transfer, stripe
    reference: Mapped[str] = mapped_column(String(120))  # the transfer's reference, a Stripe session id
    status: Mapped[PaymentStatus] = mapped_column(Enum(
        PaymentStatus, name="payment_status", native_enum=False, create_constraint=True, length=20,
        values_callable=lambda k: [m.value for m in k], validate_strings=True), default=PaymentStatus.PENDING)
    currency: Mapped[str] = mapped_column(String(3), default="MYR")
    amount_sen: Mapped[int] = mapped_column(BigInteger)  # what the order asks
    received_sen: Mapped[int | None] = mapped_column(BigInteger)  # what arrived
    received_on: Mapped[date | None]
    external_id: Mapped[str | None] = mapped_column(String(120))  # Stripe's payment intent, a bank's record
    flag_reason: Mapped[str | None] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    checkout_url: Mapped[str | None] = mapped_column(String(2000))  # Stripe's hosted page, while open


class WebhookEvent(db.Model):
    """A provider's event, recorded once by its id: a repeated delivery finds it here and does nothing."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("provider", "event_id", name="uq_webhook_events_provider_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(120))
    event_type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(200), default="")
