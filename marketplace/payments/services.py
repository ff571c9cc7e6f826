"""Money arriving for an order, from any provider: checked against the order, counted once.

The order is paid only when a payment of exactly its amount and currency arrives while it is waiting
for payment. Anything else (short, too much, another currency, an order that expired or was paid
already) is kept as a flagged payment for staff to refund or settle: never silently accepted.
"""
from __future__ import annotations

from datetime import date

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit import services as audit
from ..core.errors import DomainError, NotFound
from ..extensions import db
from ..money import MoneyError, parse_amount
from ..orders.lifecycle import (
    InvalidTransition,
    cancel_unpaid,
    compare_and_set,
    expire_unpaid,
    mark_paid,
    mark_refunded,
    record_move,
)
from ..orders.models import MerchantOrder, Order, OrderStatus, ParcelStatus
from .models import Payment, PaymentStatus, WebhookEvent
from .providers import Started, provider

S = PaymentStatus
PAYMENT_MOVES: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    S.PENDING: frozenset({S.SUCCEEDED, S.FAILED, S.EXPIRED, S.FLAGGED}),
    S.SUCCEEDED: frozenset(),  # a paid order's money goes back per parcel (refund_requested -> refunded)
    S.FLAGGED: frozenset({S.REFUNDED}),
    S.FAILED: frozenset({S.FLAGGED}),  # money arrived after all: kept for staff, never counted
    S.EXPIRED: frozenset({S.FLAGGED}),  # paid after all, too late
    S.REFUNDED: frozenset(),
}
PAYMENT_STATUS_NAMES = {
    S.PENDING: _l("Waiting"),
    S.SUCCEEDED: _l("Received"),
    S.FAILED: _l("Failed"),
    S.EXPIRED: _l("Expired"),
    S.FLAGGED: _l("Flagged for staff"),
    S.REFUNDED: _l("Refunded"),
}


class PaymentRefused(DomainError):
    """The payment cannot be recorded as sent; the message says why. Nothing was changed."""


def move_payment(payment: Payment, to: PaymentStatus, actor: User | None, detail: dict | None = None) -> None:
    """Move a payment along PAYMENT_MOVES, recorded, or raise InvalidTransition."""
    refusal = InvalidTransition(_l("This payment is %(status)s and cannot become %(to)s.",
                                   status=PAYMENT_STATUS_NAMES[payment.status], to=PAYMENT_STATUS_NAMES[to]))
    if to not in PAYMENT_MOVES[payment.status]:
        raise refusal
    before = payment.status
    db.session.flush()  # a payment just added gets its row (and id) before the compare-and-set
    compare_and_set(payment, to, refusal)
    record_move("payment", payment.id, before.value, to.value, actor, detail)


def order_for_payment(number: str) -> Order:
    """An order by its number, locked while a payment for it is settled (a second one waits, then sees it paid)."""
    order = db.session.scalar(select(Order).where(Order.number == number).with_for_update())
    if order is None:
        raise NotFound()
    return order


def _flag_reason(order: Order, received_sen: int, currency: str) -> str | None:
    if order.status != OrderStatus.PENDING_PAYMENT:
        return f"order is {order.status.value}: refund"
    if currency != order.currency:
        return f"currency {currency}, the order is in {order.currency}"
    if received_sen < order.total_sen:
        return f"short by {order.total_sen - received_sen} sen"
    if received_sen > order.total_sen:
        return f"{received_sen - order.total_sen} sen more than the order"
    return None


def settle(payment: Payment, order: Order, actor: User | None, received_sen: int, currency: str) -> bool:
    """Count a pending payment's money against its order: paid if it matches, flagged if not. True when paid."""
    payment.received_sen = received_sen
    reason = _flag_reason(order, received_sen, currency)
    if reason is not None:
        payment.flag_reason = reason
        move_payment(payment, S.FLAGGED, actor, {"reason": reason})
        return False
    move_payment(payment, S.SUCCEEDED, actor)
    mark_paid(order, actor, {"payment_id": payment.id, "provider": payment.provider})
    return True


def receive_payment(payment: Payment, order: Order, actor: User | None, received_sen: int, currency: str) -> str:
    """A provider says this payment's money arrived: count it once (settle), or flag what came too late.

    Returns what was done, for the webhook's record. A payment already counted or flagged is left alone: the
    same news told twice (or in other words, by another event) changes nothing.
    """
    if payment.status == S.PENDING:
        return "paid" if settle(payment, order, actor, received_sen, currency) else f"flagged: {payment.flag_reason}"
    if payment.status in (S.EXPIRED, S.FAILED):
        payment.received_sen = received_sen
        payment.flag_reason = f"paid after the payment was {payment.status.value}: refund"
        move_payment(payment, S.FLAGGED, actor, {"reason": payment.flag_reason})
        return f"flagged: {payment.flag_reason}"
    return f"already {payment.status.value}"


def _others_pending(payment: Payment) -> bool:
    return db.session.scalar(select(Payment.id).where(Payment.order_id == payment.order_id, Payment.id != payment.id,
                                                      Payment.status == S.PENDING).limit(1)) is not None


def payment_failed(payment: Payment, order: Order, actor: User | None, reason: str) -> str:
    """The provider says the money will not come: the payment failed and, unless another is under way, the
    unpaid order is cancelled and its stock goes back on sale."""
    if payment.status != S.PENDING:
        return f"already {payment.status.value}"
    move_payment(payment, S.FAILED, actor, {"reason": reason})
    payment.checkout_url = None
    if order.status == OrderStatus.PENDING_PAYMENT and not _others_pending(payment):
        cancel_unpaid(order, actor, reason)
        return "failed: order cancelled"
    return "failed"


def payment_expired(payment: Payment, order: Order, actor: User | None, reason: str) -> str:
    """The payment's time ran out unpaid: it expired and, unless another is under way, so does the unpaid order
    (stock back). An order already paid, cancelled or expired is left as it is."""
    if payment.status != S.PENDING:
        return f"already {payment.status.value}"
    move_payment(payment, S.EXPIRED, actor, {"reason": reason})
    payment.checkout_url = None
    if order.status == OrderStatus.PENDING_PAYMENT and not _others_pending(payment):
        expire_unpaid(order, actor, reason)
        return "expired: order expired"
    return "expired"


def record_event(provider: str, event_id: str, event_type: str) -> WebhookEvent | None:
    """Note a provider's event as handled, first thing in the transaction; None if it was (or is being) handled.

    The unique (provider, event id) decides: a repeat, in sequence or at the same moment from another
    connection, meets it here (on PostgreSQL it waits for the first delivery's transaction to end) and so
    does nothing. The insert runs in a savepoint, so a refused one leaves the transaction usable.
    """
    event = WebhookEvent(provider=provider, event_id=event_id[:120], event_type=event_type[:80], outcome="")
    try:
        with db.session.begin_nested():
            db.session.add(event)
            db.session.flush()
    except IntegrityError:
        return None
    return event


def close_payment_pages(number: str, app: Flask) -> None:
    """After an unpaid order was cancelled: close the provider's payment page, so it cannot be paid by mistake."""
    order = db.session.scalar(select(Order).where(Order.number == number))
    if order is not None and order.status != OrderStatus.PENDING_PAYMENT:
        provider(order.payment_method).close(order, app.config)


def start_payment(order: Order, method: str, app: Flask, return_url: str, cancel_url: str) -> Started:
    """Begin paying an order with the provider the buyer chose."""
    return provider(method).start(order, app.config, return_url, cancel_url)


def record_transfer(actor: User, number: str, amount_text: str, received_on: date, bank_reference: str) -> Payment:
    """Staff saw a transfer in the bank account: record it; the order is paid if the amount is exactly right."""
    order = order_for_payment(number.strip().upper())
    try:
        received = parse_amount(amount_text, "MYR").amount
    except MoneyError as error:
        raise PaymentRefused(_l("Enter the amount received in ringgit, for example 125.40."), field="amount") \
            from error
    bank_reference = " ".join(bank_reference.split())
    if not bank_reference:
        raise PaymentRefused(_l("Enter the bank's reference of the transfer."), field="bank_reference")
    if db.session.scalar(select(Payment.id).where(Payment.provider == "bank_transfer",
                                                  Payment.reference == bank_reference)):
        raise PaymentRefused(_l("A transfer with this bank reference was recorded already."),
                             field="bank_reference")
    payment = Payment(order_id=order.id, provider="bank_transfer", reference=bank_reference, status=S.PENDING,
                      currency="MYR", amount_sen=order.total_sen, received_on=received_on, recorded_by_id=actor.id)
    try:
        with db.session.begin_nested():  # the same transfer recorded for another order at the same moment
            db.session.add(payment)
            db.session.flush()
    except IntegrityError as error:
        raise PaymentRefused(_l("A transfer with this bank reference was recorded already."),
                             field="bank_reference") from error
    paid = settle(payment, order, actor, received, "MYR")
    audit.record(actor, "payment.recorded", "order", order.id, None,
                 {"number": order.number, "received_sen": received, "expected_sen": order.total_sen,
                  "bank_reference": bank_reference, "received_on": received_on, "paid": paid,
                  "flag": payment.flag_reason})
    return payment


def record_parcel_refund(actor: User, parcel_number: str, reference: str) -> MerchantOrder:
    """Staff sent a parcel's money back to the buyer (a bank transfer, or a refund in Stripe's dashboard)."""
    parcel = db.session.scalar(select(MerchantOrder).where(MerchantOrder.number == parcel_number).with_for_update())
    if parcel is None:
        raise NotFound()
    reference = " ".join(reference.split())
    if not reference:
        raise PaymentRefused(_l("Enter the reference of the refund."), field="reference")
    mark_refunded(actor, parcel, reference)
    audit.record(actor, "refund.recorded", "order", parcel.order_id, None,
                 {"parcel": parcel.number, "amount_sen": parcel.total_sen, "reference": reference})
    return parcel


def refund_flagged(actor: User, payment_id: int, reference: str) -> Payment:
    """Staff sent back money that arrived but could not count (a wrong amount, a late payment)."""
    payment = db.session.get(Payment, payment_id, with_for_update=True)
    if payment is None:
        raise NotFound()
    reference = " ".join(reference.split())
    if not reference:
        raise PaymentRefused(_l("Enter the reference of the refund."), field="reference")
    move_payment(payment, S.REFUNDED, actor, {"reference": reference})
    audit.record(actor, "refund.recorded", "order", payment.order_id, None,
                 {"payment": payment.reference, "amount_sen": payment.received_sen, "reference": reference})
    return payment


def refunds_due() -> list[MerchantOrder]:
    """Parcels whose money is to go back to the buyer, oldest first."""
    return list(db.session.scalars(select(MerchantOrder).where(MerchantOrder.status == ParcelStatus.REFUND_REQUESTED)
                                   .order_by(MerchantOrder.id)))


def payments_of(order: Order) -> list[Payment]:
    return list(db.session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)))


def flagged_payments() -> list[tuple[Payment, Order]]:
    """Money that arrived but did not count, for staff to settle or refund, newest first."""
    rows = db.session.execute(select(Payment, Order).join(Order, Order.id == Payment.order_id)
                              .where(Payment.status == S.FLAGGED).order_by(Payment.id.desc())).all()
    return [(payment, order) for payment, order in rows]
