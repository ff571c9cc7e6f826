"""A signed-in buyer's cart: lines and the courier chosen for each merchant's parcel.

A guest's cart has the same shape in the session (orders.cart.SessionCart) and joins
this one at sign-in.
"""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import TimestampMixin
from ..extensions import db


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
