"""Inquiries (a thread between a buyer and a merchant), the merchant's quotes in it, and buying requests.

An inquiry moves through one transition table (trade.services.INQUIRY_MOVES); every move is an
InquiryMove row with its actor and time. Prices are whole rupiah (the merchant's currency); a buyer's
target price keeps the currency it was typed in (MYR sen or whole rupiah).
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import MerchantProfile, User
from ..core.models import TimestampMixin, utcnow
from ..extensions import db


class InquiryStatus(enum.StrEnum):
    OPEN = "open"  # asked, no quote yet
    QUOTED = "quoted"  # a quote waits for the buyer's answer
    ACCEPTED = "accepted"  # the buyer accepted the quote: it is ordered at its price
    DECLINED = "declined"  # the buyer declined the quote (the merchant may quote again)
    EXPIRED = "expired"  # the quote ran out unanswered (the merchant may quote again)


class QuoteStatus(enum.StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"  # the merchant sent a new quote before the buyer answered


class ShippingTerms(enum.StrEnum):
    COURIER = "courier"  # a courier carries it; shipping and Malaysian taxes are worked out at checkout
    SEA_FREIGHT = "sea_freight"  # the merchant ships by sea at the freight quoted; no courier is priced


def _enum(kind, name):
    return Enum(kind, name=name, native_enum=False, create_constraint=True, length=16,
                values_callable=lambda k: [m.value for m in k], validate_strings=True)


class BuyingRequest(TimestampMixin, db.Model):
    """What a buyer (or an officer, for a delegation) looks for; merchants of the category answer it."""

    __tablename__ = "buying_requests"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("target_price IS NULL OR target_price > 0", name="target_price_positive"),
        Index("ix_buying_requests_category_deadline", "category", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(140))
    details: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int]
    target_price: Mapped[int | None] = mapped_column(BigInteger)  # per unit, minor units of target_currency
    target_currency: Mapped[str] = mapped_column(String(3), default="MYR")
    destination_state: Mapped[str] = mapped_column(String(8))  # ISO 3166-2:MY
    deadline: Mapped[date]
    closed_at: Mapped[datetime | None]

    author: Mapped[User] = relationship()
    inquiries: Mapped[list[Inquiry]] = relationship(back_populates="buying_request", order_by="Inquiry.id")


class Inquiry(TimestampMixin, db.Model):
    """One thread between a buyer and a merchant about a product (or the merchant's range)."""

    __tablename__ = "inquiries"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("target_price IS NULL OR target_price > 0", name="target_price_positive"),
        CheckConstraint("buyer_unread >= 0 AND merchant_unread >= 0", name="unread_not_negative"),
        UniqueConstraint("buying_request_id", "merchant_id", name="uq_inquiries_request_merchant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant_profiles.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"), index=True)
    buying_request_id: Mapped[int | None] = mapped_column(ForeignKey("buying_requests.id", ondelete="SET NULL"),
                                                          index=True)
    status: Mapped[InquiryStatus] = mapped_column(_enum(InquiryStatus, "inquiry_status"), default=InquiryStatus.OPEN)
    quantity: Mapped[int]
    target_price: Mapped[int | None] = mapped_column(BigInteger)  # per unit, minor units of target_currency
    target_currency: Mapped[str] = mapped_column(String(3), default="MYR")
    destination_state: Mapped[str] = mapped_column(String(8))
    needed_by: Mapped[date]
    # Messages and quotes the other party has not seen yet (set to 0 when each opens the thread).
    buyer_unread: Mapped[int] = mapped_column(default=0)
    merchant_unread: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    buyer: Mapped[User] = relationship(foreign_keys=[buyer_id])
    merchant: Mapped[MerchantProfile] = relationship()
    buying_request: Mapped[BuyingRequest | None] = relationship(back_populates="inquiries")
    messages: Mapped[list[InquiryMessage]] = relationship(back_populates="inquiry", order_by="InquiryMessage.id",
                                                          cascade="all, delete-orphan")
    quotes: Mapped[list[Quote]] = relationship(back_populates="inquiry", order_by="Quote.id",
                                               cascade="all, delete-orphan", foreign_keys="Quote.inquiry_id")

    @property
    def current_quote(self) -> Quote | None:
        return self.quotes[-1] if self.quotes else None


class InquiryMessage(db.Model):
    """What one party wrote, in the language they wrote it in (nothing is machine-translated)."""

    __tablename__ = "inquiry_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))  # the author's language when writing: id, en or ms
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry: Mapped[Inquiry] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class Quote(db.Model):
    """A merchant's formal offer: a product at a unit price in rupiah, a fixed quantity, valid until a date."""

    __tablename__ = "inquiry_quotes"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_idr > 0 AND unit_price_idr <= 1000000000", name="unit_price_range"),
        CheckConstraint("(shipping_terms = 'courier' AND freight_idr IS NULL AND freight_days IS NULL) OR "
                        "(shipping_terms = 'sea_freight' AND freight_idr > 0 AND freight_idr <= 1000000000 "
                        "AND freight_days BETWEEN 1 AND 120)", name="freight_with_its_terms"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    product_name_id: Mapped[str] = mapped_column(String(140))  # as quoted, should the product change
    product_name_en: Mapped[str | None] = mapped_column(String(140))
    unit_price_idr: Mapped[int] = mapped_column(BigInteger)
    list_price_idr: Mapped[int] = mapped_column(BigInteger)  # the tier price for the quantity when quoted
    quantity: Mapped[int]
    valid_until: Mapped[date]
    expires_at: Mapped[datetime] = mapped_column(index=True)  # the end of valid_until in Bandung, in UTC
    shipping_terms: Mapped[ShippingTerms] = mapped_column(_enum(ShippingTerms, "shipping_terms"))
    freight_idr: Mapped[int | None] = mapped_column(BigInteger)  # sea freight: the whole order's, in rupiah
    freight_days: Mapped[int | None]  # sea freight: days on the way, as the merchant says
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[QuoteStatus] = mapped_column(_enum(QuoteStatus, "quote_status"), default=QuoteStatus.OFFERED)
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    # The order placed at the quoted price (the latest, should an unpaid one have ended).
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))

    inquiry: Mapped[Inquiry] = relationship(back_populates="quotes", foreign_keys=[inquiry_id])

    @property
    def total_idr(self) -> int:
        return self.unit_price_idr * self.quantity

    def name_for(self, language: str) -> str:
        return (self.product_name_id if language == "id" else self.product_name_en) or self.product_name_id


class InquiryMove(db.Model):
    """One move of an inquiry along the transition table: from, to, who, when. Append-only."""

    __tablename__ = "inquiry_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # None: the system
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("inquiry_quotes.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
