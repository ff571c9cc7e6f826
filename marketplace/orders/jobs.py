"""Jobs of orders: the end of a stock hold, and a mail at each step of a parcel, in the reader's language.

Each mail job sends a step's mail once per recipient, however often the job runs (a retry, an event
delivered twice): the recipient and step are marked done when the mail was handed on.
"""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import MerchantProfile, User
from ..core.jobs import job
from ..core.models import utcnow
from ..extensions import db
from ..mail.services import send_mail_once, site_link
from .checkout import EXPIRE_JOB
from .lifecycle import MAIL_JOB, ORDER_MAIL_JOB, expire_order
from .models import MerchantOrder, Order, ParcelStatus

P = ParcelStatus
# Who hears of each step: the buyer of each (its payment by one mail for the whole order, mail_order_step);
# the merchant of those that ask something of them.
TO_MERCHANT = frozenset({P.PAID, P.CANCELLED, P.REFUND_REQUESTED, P.DELIVERED})
TO_BUYER = frozenset({P.PACKED, P.SHIPPED, P.DELIVERED, P.CANCELLED, P.REFUND_REQUESTED, P.REFUNDED})


@job(EXPIRE_JOB)
def expire_when_due(order_id: int) -> None:
    """At the end of its hold, an order still unpaid expires and its stock goes back (a paid one stays)."""
    # Locked and read afresh: a payment or a cancel committed meanwhile is seen, not overwritten.
    order = db.session.scalar(select(Order).where(Order.id == order_id).with_for_update()
                              .execution_options(populate_existing=True))
    if order is not None:
        expire_order(order, utcnow())


def _send_once(key: str, user: User | None, template: str, **context) -> None:
    send_mail_once(f"order-mail:{key}", user, template, **context)


@job(MAIL_JOB)
def mail_parcel_step(parcel_id: int, step: str) -> None:
    """Tell the buyer and, where it asks something of them, the merchant that a parcel moved."""
    parcel = db.session.get(MerchantOrder, parcel_id)
    if parcel is None:
        return
    status = P(step)
    order = parcel.order
    if status == P.CANCELLED and order.paid_at is None:
        return  # an unpaid order that ended: one mail for the whole order (mail_order_step)
    buyer = db.session.get(User, order.buyer_id) if order.buyer_id else None
    if status in TO_BUYER:
        _send_once(f"{parcel.id}:{step}", buyer, "parcel_buyer", parcel=parcel, order=order, step=step,
                   link=site_link("checkout.order_page", number=order.number))
    merchant = db.session.get(MerchantProfile, parcel.merchant_id) if parcel.merchant_id else None
    if status in TO_MERCHANT and merchant is not None:
        _send_once(f"{parcel.id}:{step}", merchant.user, "parcel_merchant", parcel=parcel, order=order, step=step,
                   link=site_link("merchant_orders.detail", number=parcel.number))


@job(ORDER_MAIL_JOB)
def mail_order_step(order_id: int, step: str) -> None:
    """Tell the buyer that an order was placed (and how to pay), or ended unpaid."""
    order = db.session.get(Order, order_id)
    if order is None or order.buyer_id is None:
        return
    _send_once(f"order:{order.id}:{step}", db.session.get(User, order.buyer_id), "order_buyer", order=order,
               step=step, link=site_link("checkout.order_page", number=order.number))
