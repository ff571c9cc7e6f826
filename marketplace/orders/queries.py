"""Reading orders: a buyer's own, a merchant's own parcels. Someone else's order is not found."""
from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..core.errors import NotFound
from ..extensions import db
from .checkout import Address
from .models import MerchantOrder, Order, ParcelStatus


def buyer_orders(buyer: User, limit: int = 100) -> list[Order]:
    """The buyer's orders, newest first, with their parcels."""
    return list(db.session.scalars(select(Order).where(Order.buyer_id == buyer.id).order_by(Order.id.desc())
                                   .limit(limit).options(selectinload(Order.parcels))))


def buyer_order(buyer: User, number: str, lock: bool = False) -> Order:
    """One of the buyer's own orders by number (locked for a change when asked); anyone else's is not found."""
    query = select(Order).where(Order.number == number).options(
        selectinload(Order.parcels).selectinload(MerchantOrder.lines))
    order = db.session.scalar(query.with_for_update(of=Order) if lock else query)
    if order is None or order.buyer_id != buyer.id:
        raise NotFound()
    return order


def last_address(buyer: User) -> Address | None:
    """Where the buyer's last order went, to offer it again at checkout."""
    order = db.session.scalar(select(Order).where(Order.buyer_id == buyer.id).order_by(Order.id.desc()).limit(1))
    if order is None:
        return None
    return Address(order.ship_name, order.ship_phone, order.ship_line1, order.ship_line2, order.ship_city,
                   order.ship_postcode, order.ship_state)


# The merchant's work list: what needs doing first, then what is on its way, then what is done.
WORK_ORDER = [ParcelStatus.PAID, ParcelStatus.PACKED, ParcelStatus.REFUND_REQUESTED, ParcelStatus.SHIPPED,
              ParcelStatus.PENDING_PAYMENT, ParcelStatus.DELIVERED, ParcelStatus.CANCELLED, ParcelStatus.REFUNDED]


def _work_rank():
    """A parcel's place in WORK_ORDER, for sorting in the database."""
    return case(*[(MerchantOrder.status == status, rank) for rank, status in enumerate(WORK_ORDER)],
                else_=len(WORK_ORDER))


def merchant_parcels(merchant_id: int, status: ParcelStatus | None = None, limit: int = 200,
                     offset: int = 0) -> list[MerchantOrder]:
    """A merchant's parcels in WORK_ORDER (what to do first), newest first within a status, with lines and orders."""
    query = select(MerchantOrder).where(MerchantOrder.merchant_id == merchant_id)
    if status is not None:
        query = query.where(MerchantOrder.status == status)
    return list(db.session.scalars(query.order_by(_work_rank(), MerchantOrder.id.desc()).offset(offset).limit(limit)
                                   .options(selectinload(MerchantOrder.lines), selectinload(MerchantOrder.order))))


def merchant_parcel_counts(merchant_id: int) -> dict[ParcelStatus, int]:
    """How many of the merchant's parcels are in each status (statuses with none are left out)."""
    rows = db.session.execute(select(MerchantOrder.status, func.count()).where(
        MerchantOrder.merchant_id == merchant_id).group_by(MerchantOrder.status))
    return {ParcelStatus(status): count for status, count in rows}


def parcels_to_pack(merchant_id: int) -> int:
    """Paid parcels waiting for the merchant to pack them."""
    return db.session.scalar(select(func.count()).select_from(MerchantOrder).where(
        MerchantOrder.merchant_id == merchant_id, MerchantOrder.status == ParcelStatus.PAID)) or 0


def merchant_parcel_for_reading(merchant_id: int, number: str) -> MerchantOrder:
    """A merchant's own parcel by number, to show or print; anyone else's is not found."""
    parcel = db.session.scalar(select(MerchantOrder).where(MerchantOrder.number == number).options(
        selectinload(MerchantOrder.lines), selectinload(MerchantOrder.order)))
    if parcel is None or parcel.merchant_id != merchant_id:
        raise NotFound()
    return parcel
