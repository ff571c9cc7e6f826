"""Carts and orders.

A signed-in buyer's cart: lines and the courier chosen for each merchant's parcel (a guest's cart
has the same shape in the session, orders.cart.SessionCart, and joins this one at sign-in).
An order: one checkout, one MerchantOrder (a parcel) per merchant, lines copied as sold, and every
status move recorded.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, CheckConstraint, Enum, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import TimestampMixin, utcnow
from ..extensions import db
from ..money import Money, Rate, convert


class CartLine(TimestampMixin, db.Model):
    __tablename__ = "cart_lines"
    __table_args__ = (
        UniqueConstraint("buyer_id", "product_id", name="uq_cart_lines_buyer_product"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int]


class CartCourier(db.Model):
    __tablename__ = "cart_couriers"
    __table_args__ = (UniqueConstraint("buyer_id", "merchant_id", name="uq_cart_couriers_buyer_merchant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant_profiles.id", ondelete="CASCADE"))
    service_code: Mapped[str] = mapped_column(String(40))


class OrderStatus(enum.StrEnum):
    """The order as a whole: its payment."""

    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    CANCELLED = "cancelled"  # by the buyer or staff before it was paid, or its payment failed
    EXPIRED = "expired"  # not paid while its stock was held


class ParcelStatus(enum.StrEnum):
    """One merchant's part of an order: its parcel, from payment to the buyer's door."""

    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUND_REQUESTED = "refund_requested"
    REFUNDED = "refunded"


def _enum(kind, name):
    return Enum(kind, name=name, native_enum=False, create_constraint=True, length=20, values_callable=lambda k: [m.value for m in k],
                validate_strings=True)


class Order(TimestampMixin, db.Model):
    """One checkout: what a buyer bought from one or more merchants, paid once.

    Every amount, rate and rule is a copy made at checkout: nothing here is recomputed from live prices.
    """

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("buyer_id", "checkout_key", name="uq_orders_buyer_checkout_key"),
        CheckConstraint("goods_sen >= 0 AND shipping_sen >= 0 AND tax_sen >= 0", name="amounts_not_negative"),
        CheckConstraint("total_sen = goods_sen + shipping_sen + tax_sen", name="total_adds_up"),
        CheckConstraint("total_sen > 0", name="total_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(12), unique=True)  # also the bank transfer's payment reference
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    checkout_key: Mapped[str] = mapped_column(String(64))  # one order per checkout form, however often sent
    status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus, "order_status"), index=True,
                                                default=OrderStatus.PENDING_PAYMENT)
    payment_method: Mapped[str] = mapped_column(String(20))
    hold_expires_at: Mapped[datetime] = mapped_column(index=True)  # stock is held until then
    paid_at: Mapped[datetime | None]
    locale: Mapped[str] = mapped_column(String(8))  # the buyer's language at checkout, for mails
    # What the buyer pays, in ringgit sen: goods, shipping and Malaysian taxes of every parcel.
    currency: Mapped[str] = mapped_column(String(3), default="MYR")
    goods_sen: Mapped[int] = mapped_column(BigInteger)
    shipping_sen: Mapped[int] = mapped_column(BigInteger)
    tax_sen: Mapped[int] = mapped_column(BigInteger)
    total_sen: Mapped[int] = mapped_column(BigInteger)
    goods_idr: Mapped[int] = mapped_column(BigInteger)
    # The ringgit rate used, and the buyer's own display currency with its rate (None when it is MYR or IDR).
    myr_rate: Mapped[Decimal] = mapped_column(Numeric(18, 4, asdecimal=True))
    myr_rate_on: Mapped[date]
    display_currency: Mapped[str] = mapped_column(String(3))
    display_rate: Mapped[Decimal | None] = mapped_column(Numeric(18, 4, asdecimal=True))
    display_rate_on: Mapped[date | None]
    # Where it goes.
    ship_name: Mapped[str] = mapped_column(String(120))
    ship_phone: Mapped[str] = mapped_column(String(20))  # E.164
    ship_line1: Mapped[str] = mapped_column(String(200))
    ship_line2: Mapped[str | None] = mapped_column(String(200))
    ship_city: Mapped[str] = mapped_column(String(80))
    ship_postcode: Mapped[str] = mapped_column(String(5))
    ship_state: Mapped[str] = mapped_column(String(8))  # ISO 3166-2
    ship_country: Mapped[str] = mapped_column(String(2), default="MY")

    parcels: Mapped[list[MerchantOrder]] = relationship(back_populates="order", order_by="MerchantOrder.id",
                                                        cascade="all, delete-orphan")

    def in_display_currency(self, amount_sen: int) -> Money | None:
        """A ringgit amount of this order in the buyer's currency at the order's own rates (None for MYR)."""
        if self.display_currency == "MYR":
            return None
        rates = {"MYR": Rate("MYR", Decimal(self.myr_rate), self.myr_rate_on)}
        if self.display_rate is not None:
            rates[self.display_currency] = Rate(self.display_currency, Decimal(self.display_rate),
                                                self.display_rate_on)
        return convert(Money(amount_sen, "MYR"), self.display_currency, rates)


class MerchantOrder(TimestampMixin, db.Model):
    """One merchant's parcel of an order, with its courier, its landed cost and its customs papers."""

    __tablename__ = "merchant_orders"
    __table_args__ = (
        CheckConstraint("goods_sen >= 0 AND shipping_sen >= 0 AND tax_sen >= 0", name="amounts_not_negative"),
        CheckConstraint("total_sen = goods_sen + shipping_sen + tax_sen", name="total_adds_up"),
        CheckConstraint("goods_idr > 0 AND shipping_idr >= 0", name="rupiah_amounts"),
        Index("ix_merchant_orders_merchant_status", "merchant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # the order's number and the parcel's: SR...-2
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchant_profiles.id", ondelete="SET NULL"))
    merchant_name: Mapped[str] = mapped_column(String(120))
    status: Mapped[ParcelStatus] = mapped_column(_enum(ParcelStatus, "parcel_status"),
                                                 default=ParcelStatus.PENDING_PAYMENT)
    # The courier service chosen at checkout, and its price.
    service_code: Mapped[str] = mapped_column(String(40))
    service_name: Mapped[str] = mapped_column(String(120))
    transit_days: Mapped[str | None] = mapped_column(String(20))
    boxes: Mapped[int]
    chargeable_g: Mapped[int]
    shipping_idr: Mapped[int] = mapped_column(BigInteger)
    goods_idr: Mapped[int] = mapped_column(BigInteger)
    goods_sen: Mapped[int] = mapped_column(BigInteger)
    shipping_sen: Mapped[int] = mapped_column(BigInteger)
    tax_sen: Mapped[int] = mapped_column(BigInteger)
    total_sen: Mapped[int] = mapped_column(BigInteger)
    # The landed-cost lines with their rules and dates, and the CN22 / CN23 of each kind of box, as made.
    landed: Mapped[dict] = mapped_column(JSON)
    declarations: Mapped[list] = mapped_column(JSON)
    lvg_registration_number: Mapped[str | None] = mapped_column(String(40))
    # Filled when it ships.
    tracking_courier: Mapped[str | None] = mapped_column(String(80))
    tracking_number: Mapped[str | None] = mapped_column(String(40))
    tracking_url: Mapped[str | None] = mapped_column(String(300))
    shipped_on: Mapped[date | None]

    order: Mapped[Order] = relationship(back_populates="parcels")
    lines: Mapped[list[OrderLine]] = relationship(back_populates="parcel", order_by="OrderLine.id",
                                                  cascade="all, delete-orphan")


class OrderLine(db.Model):
    """A product as it was sold: its names, price (its tier's, or a quote's), HS code and weight when placed."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_idr > 0 AND unit_price_sen >= 0", name="prices"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_order_id: Mapped[int] = mapped_column(ForeignKey("merchant_orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"), index=True)
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    hs_code: Mapped[str] = mapped_column(String(12))
    quantity: Mapped[int]
    unit_price_idr: Mapped[int] = mapped_column(BigInteger)  # at the wholesale tier the quantity reached
    unit_price_sen: Mapped[int] = mapped_column(BigInteger)  # converted once, at the order's rate
    display_unit_price: Mapped[int | None] = mapped_column(BigInteger)  # in the order's display currency
    unit_weight_g: Mapped[int]
    # The merchant's quote this line was bought at (its price agreed in an inquiry, not the list's); None: the list.
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("inquiry_quotes.id", ondelete="SET NULL"), index=True)

    parcel: Mapped[MerchantOrder] = relationship(back_populates="lines")

    @property
    def total_sen(self) -> int:
        return self.unit_price_sen * self.quantity

    @property
    def total_idr(self) -> int:
        return self.unit_price_idr * self.quantity

    def name_for(self, locale: str) -> str:
        return (self.name_id if locale == "id" else self.name_en) or self.name_id


class StatusChange(db.Model):
    """One move of an order, a parcel or a payment: from, to, who, when. Append-only."""

    __tablename__ = "status_changes"
    __table_args__ = (Index("ix_status_changes_subject", "subject", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(20))  # order, parcel, payment
    subject_id: Mapped[int]
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # None: the system
    at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[dict | None] = mapped_column(JSON)
