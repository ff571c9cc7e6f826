"""How orders and their parcels move: one transition table each, and every move recorded with actor and time.

An order is about its payment (pending_payment -> paid, or cancelled / expired with its stock given
back); each merchant's parcel goes on from paid to packed, shipped and delivered, or is cancelled
before it ships (stock back), and money goes back through refund_requested -> refunded. An illegal
move raises InvalidTransition and changes nothing. Services here flush; the request commits.
"""
from __future__ import annotations

from datetime import date, datetime

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import User
from ..catalog.models import Product
from ..core.errors import DomainError, NotFound
from ..core.jobs import enqueue
from ..core.models import utcnow
from ..core.signals import announce_after_commit, catalog_changed
from ..extensions import db
from .models import MerchantOrder, Order, OrderStatus, ParcelStatus, StatusChange

O, P = OrderStatus, ParcelStatus

ORDER_MOVES: dict[OrderStatus, frozenset[OrderStatus]] = {
    O.PENDING_PAYMENT: frozenset({O.PAID, O.CANCELLED, O.EXPIRED}),
    O.PAID: frozenset(),
    O.CANCELLED: frozenset(),
    O.EXPIRED: frozenset(),
}
PARCEL_MOVES: dict[ParcelStatus, frozenset[ParcelStatus]] = {
    P.PENDING_PAYMENT: frozenset({P.PAID, P.CANCELLED}),
    P.PAID: frozenset({P.PACKED, P.CANCELLED, P.REFUND_REQUESTED}),
    P.PACKED: frozenset({P.SHIPPED, P.CANCELLED, P.REFUND_REQUESTED}),
    P.SHIPPED: frozenset({P.DELIVERED, P.REFUND_REQUESTED}),
    P.DELIVERED: frozenset({P.REFUND_REQUESTED}),
    P.CANCELLED: frozenset({P.REFUND_REQUESTED}),  # a paid parcel cancelled before shipping: its money goes back
    P.REFUND_REQUESTED: frozenset({P.REFUNDED}),
    P.REFUNDED: frozenset(),
}
# Parcels whose goods left the merchant's shelf for good: cancelling them gives no stock back.
SHIPPED_STATES = frozenset({P.SHIPPED, P.DELIVERED})

ORDER_STATUS_NAMES = {
    O.PENDING_PAYMENT: _l("Waiting for payment"),
    O.PAID: _l("Paid"),
    O.CANCELLED: _l("Cancelled"),
    O.EXPIRED: _l("Expired unpaid"),
}
PARCEL_STATUS_NAMES = {
    P.PENDING_PAYMENT: _l("Waiting for payment"),
    P.PAID: _l("Paid, to pack"),
    P.PACKED: _l("Packed"),
    P.SHIPPED: _l("Shipped"),
    P.DELIVERED: _l("Delivered"),
    P.CANCELLED: _l("Cancelled"),
    P.REFUND_REQUESTED: _l("Refund requested"),
    P.REFUNDED: _l("Refunded"),
}

signals = Namespace()
# Sent inside the transaction of the move (listeners write in it too): sender "orders", parcel=, before=, actor=.
parcel_moved = signals.signal("parcel-moved")

MAIL_JOB = "orders.mail"
ORDER_MAIL_JOB = "orders.order_mail"


class InvalidTransition(DomainError):
    """This move is not allowed from the current status."""

    status_code = 409


class OutOfStock(DomainError):
    """Fewer units are left than the order needs."""

    status_code = 409


def record_move(subject: str, subject_id: int, before: str | None, after: str, actor: User | None,
                detail: dict | None = None, at: datetime | None = None) -> None:
    """One row of an order's, a parcel's or a payment's history (before is None for its first status)."""
    db.session.add(StatusChange(subject=subject, subject_id=subject_id, from_status=before, to_status=after,
                                actor_id=actor.id if actor else None, detail=detail, at=at or utcnow()))


def compare_and_set(row, to, refusal) -> None:
    """Write the new status only if the row still has the one this move started from, else raise the refusal.

    A move decided on a status read earlier (a job, a page loaded before another request committed) must
    not overwrite what happened meanwhile: on PostgreSQL the UPDATE waits for the other transaction and
    then finds the status changed; nothing is written and the whole unit of work rolls back.
    """
    model = type(row)
    result = db.session.execute(update(model).where(model.id == row.id, model.status == row.status)
                                .values(status=to).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise refusal
    set_committed_value(row, "status", to)


def move_order(order: Order, to: OrderStatus, actor: User | None, detail: dict | None = None) -> None:
    """Move an order along ORDER_MOVES, or raise InvalidTransition."""
    refusal = InvalidTransition(_l("Order %(number)s is %(status)s and cannot become %(to)s.", number=order.number,
                                   status=ORDER_STATUS_NAMES[order.status], to=ORDER_STATUS_NAMES[to]))
    if to not in ORDER_MOVES[order.status]:
        raise refusal
    before = order.status
    compare_and_set(order, to, refusal)
    record_move("order", order.id, before.value, to.value, actor, detail)


def move_parcel(parcel: MerchantOrder, to: ParcelStatus, actor: User | None, detail: dict | None = None) -> None:
    """Move a parcel along PARCEL_MOVES, or raise InvalidTransition; listeners (the ledger) and a mail follow."""
    refusal = InvalidTransition(_l("Parcel %(number)s is %(status)s and cannot become %(to)s.",
                                   number=parcel.number, status=PARCEL_STATUS_NAMES[parcel.status],
                                   to=PARCEL_STATUS_NAMES[to]))
    if to not in PARCEL_MOVES[parcel.status]:
        raise refusal
    before = parcel.status
    compare_and_set(parcel, to, refusal)
    record_move("parcel", parcel.id, before.value, to.value, actor, detail)
    db.session.flush()
    parcel_moved.send("orders", parcel=parcel, before=before, actor=actor)
    enqueue(MAIL_JOB, parcel.id, to.value)


def take_stock(product_id: int, quantity: int) -> bool:
    """Take units off a product's stock if that many are left, in one conditional UPDATE (no read first)."""
    result = db.session.execute(
        update(Product).where(Product.id == product_id, Product.stock >= quantity)
        .values(stock=Product.stock - quantity).execution_options(synchronize_session=False))
    return result.rowcount == 1


def give_back_stock(*parcels: MerchantOrder) -> None:
    """Put the parcels' units back on the shelf (products since deleted are skipped).

    In product id order, as checkout takes them: on PostgreSQL a give-back and a checkout that share
    two products would otherwise lock them in opposite orders and deadlock.
    """
    lines = sorted(((line, parcel) for parcel in parcels for line in parcel.lines if line.product_id is not None),
                   key=lambda pair: pair[0].product_id)
    for line, parcel in lines:
        db.session.execute(update(Product).where(Product.id == line.product_id)
                           .values(stock=Product.stock + line.quantity)
                           .execution_options(synchronize_session=False))
        announce_after_commit(db.session, catalog_changed, "orders", product_id=line.product_id,
                              merchant_id=parcel.merchant_id)


def mark_paid(order: Order, actor: User | None, payment_detail: dict) -> None:
    """The order's money arrived in full: the order and each parcel are paid, and merchants can pack."""
    move_order(order, O.PAID, actor, payment_detail)
    order.paid_at = utcnow()
    enqueue(ORDER_MAIL_JOB, order.id, O.PAID.value)
    for parcel in order.parcels:
        move_parcel(parcel, P.PAID, actor)


def _end_unpaid(order: Order, to: OrderStatus, actor: User | None, reason: str) -> None:
    move_order(order, to, actor, {"reason": reason})
    enqueue(ORDER_MAIL_JOB, order.id, to.value)
    for parcel in order.parcels:
        move_parcel(parcel, P.CANCELLED, actor, {"reason": reason})
    give_back_stock(*order.parcels)


def cancel_unpaid(order: Order, actor: User | None, reason: str) -> None:
    """The buyer (or staff, or a failed payment) ends an unpaid order: its stock goes back on the shelf."""
    _end_unpaid(order, O.CANCELLED, actor, reason)


def expire_unpaid(order: Order, actor: User | None, reason: str) -> None:
    """End an unpaid order whose payment can no longer happen (its Stripe session ran out): stock back."""
    _end_unpaid(order, O.EXPIRED, actor, reason)


def expire_order(order: Order, now: datetime) -> bool:
    """End an order whose stock hold ran out unpaid; False (and nothing done) if it is not such an order."""
    if order.status != O.PENDING_PAYMENT or order.hold_expires_at > now:
        return False
    _end_unpaid(order, O.EXPIRED, None, "hold expired")
    return True


def release_expired(now: datetime, limit: int = 500) -> list[str]:
    """Expire every unpaid order whose hold ran out (the job does one, this the rest); their numbers."""
    orders = db.session.scalars(
        select(Order).where(Order.status == O.PENDING_PAYMENT, Order.hold_expires_at <= now)
        .order_by(Order.hold_expires_at).limit(limit).with_for_update(skip_locked=True)).all()
    return [order.number for order in orders if expire_order(order, now)]


def merchant_parcel(merchant_id: int, number: str) -> MerchantOrder:
    """A merchant's own parcel by its number; anyone else's is not found (locked for the move)."""
    parcel = db.session.scalar(select(MerchantOrder).where(MerchantOrder.number == number)
                               .with_for_update())
    if parcel is None or parcel.merchant_id != merchant_id:
        raise NotFound()
    return parcel


def pack(actor: User, parcel: MerchantOrder) -> None:
    """The merchant has packed a paid parcel."""
    move_parcel(parcel, P.PACKED, actor)


def ship(actor: User, parcel: MerchantOrder, courier: str, tracking_number: str, shipped_on: date,
         tracking_url: str | None) -> None:
    """The parcel left with a courier: its tracking number and date are kept and shown to the buyer."""
    move_parcel(parcel, P.SHIPPED, actor, {"courier": courier, "tracking_number": tracking_number,
                                           "shipped_on": shipped_on.isoformat()})
    parcel.tracking_courier, parcel.tracking_number = courier, tracking_number
    parcel.tracking_url, parcel.shipped_on = tracking_url, shipped_on


def mark_delivered(actor: User, parcel: MerchantOrder) -> None:
    """The parcel reached the buyer (the merchant saw it in tracking, or the buyer says so)."""
    move_parcel(parcel, P.DELIVERED, actor)


def cancel_parcel(actor: User, parcel: MerchantOrder, reason: str) -> None:
    """Cancel one parcel before it ships: its stock goes back; if it was paid, its money is to be refunded."""
    was_paid = parcel.status in (P.PAID, P.PACKED)
    if parcel.status == P.PENDING_PAYMENT:
        raise InvalidTransition(_l("An unpaid order is cancelled as a whole, by the buyer or when it expires."))
    move_parcel(parcel, P.CANCELLED, actor, {"reason": reason})
    give_back_stock(parcel)
    if was_paid:
        move_parcel(parcel, P.REFUND_REQUESTED, actor, {"reason": reason})


def request_refund(actor: User, parcel: MerchantOrder, reason: str) -> None:
    """The buyer asks for a shipped parcel's money back (staff look at it and record the refund).

    Before it ships there is nothing to ask: the merchant cancels it, which asks for the refund itself.
    """
    if parcel.status not in SHIPPED_STATES:
        raise InvalidTransition(_l("A refund can be asked for once a parcel has shipped; before that, ask the "
                                   "merchant to cancel it."))
    move_parcel(parcel, P.REFUND_REQUESTED, actor, {"reason": reason})


def mark_refunded(actor: User, parcel: MerchantOrder, reference: str) -> None:
    """Staff sent the money back."""
    move_parcel(parcel, P.REFUNDED, actor, {"reference": reference})


def history(subject: str, ids: list[int]) -> dict[int, list[StatusChange]]:
    """Every move of these orders, parcels or payments, oldest first, by id."""
    moves: dict[int, list[StatusChange]] = {i: [] for i in ids}
    if ids:
        for change in db.session.scalars(select(StatusChange).where(
                StatusChange.subject == subject, StatusChange.subject_id.in_(ids)).order_by(StatusChange.id)):
            moves[change.subject_id].append(change)
    return moves
