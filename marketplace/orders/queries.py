"""Reading orders: a buyer's own, a merchant's own parcels. Someone else's order is not found."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..catalog.models import Product
from ..core.errors import NotFound
from ..extensions import db
from .checkout import Address
from .models import MerchantOrder, Order, OrderLine, OrderStatus, ParcelStatus


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


# --- Figures for officers: what was sold to Malaysia, counted from the copies made at checkout -------------

# Parcels whose goods went, or are going, to the buyer: paid, and neither cancelled nor refunded.
EXPORTED = (ParcelStatus.PAID, ParcelStatus.PACKED, ParcelStatus.SHIPPED, ParcelStatus.DELIVERED)


@dataclass(frozen=True)
class PaidOrder:
    id: int
    paid_at: datetime
    buyer_id: int | None
    state: str  # ISO 3166-2:MY of the delivery address
    goods_idr: int  # the goods of its exported parcels, as sold
    goods_sen: int


def _exported_parcels():
    return and_(MerchantOrder.order_id == Order.id, MerchantOrder.status.in_(EXPORTED))


def _paid_between(start: datetime, end: datetime):
    return (Order.status == OrderStatus.PAID, Order.paid_at >= start, Order.paid_at < end)


def paid_orders(start: datetime, end: datetime) -> list[PaidOrder]:
    """Orders paid from start (included) to end (excluded), naive UTC, with the goods of their exported parcels."""
    rows = db.session.execute(
        select(Order.id, Order.paid_at, Order.buyer_id, Order.ship_state,
               func.coalesce(func.sum(MerchantOrder.goods_idr), 0), func.coalesce(func.sum(MerchantOrder.goods_sen), 0))
        .select_from(Order).outerjoin(MerchantOrder, _exported_parcels()).where(*_paid_between(start, end))
        .group_by(Order.id, Order.paid_at, Order.buyer_id, Order.ship_state).order_by(Order.paid_at, Order.id))
    return [PaidOrder(id, paid_at, buyer_id, state, int(idr), int(sen))
            for id, paid_at, buyer_id, state, idr, sen in rows]


def exported_goods_by_category(start: datetime, end: datetime) -> list[tuple[str | None, int, int, int]]:
    """(category, units, rupiah, sen) of the lines of exported parcels of orders paid in [start, end).

    The category is the product's today; None for lines whose product was deleted since.
    """
    rows = db.session.execute(
        select(Product.category, func.sum(OrderLine.quantity), func.sum(OrderLine.unit_price_idr * OrderLine.quantity),
               func.sum(OrderLine.unit_price_sen * OrderLine.quantity))
        .select_from(OrderLine).join(MerchantOrder, MerchantOrder.id == OrderLine.merchant_order_id)
        .join(Order, _exported_parcels()).outerjoin(Product, Product.id == OrderLine.product_id)
        .where(*_paid_between(start, end)).group_by(Product.category))
    return [(category, int(units), int(idr), int(sen)) for category, units, idr, sen in rows]


def orders_placed_by_status(start: datetime, end: datetime) -> dict[OrderStatus, int]:
    """Orders placed in [start, end), by where they stand now (statuses with none are left out)."""
    rows = db.session.execute(select(Order.status, func.count()).where(Order.created_at >= start,
                                                                         Order.created_at < end)
                              .group_by(Order.status))
    return {OrderStatus(status): count for status, count in rows}
