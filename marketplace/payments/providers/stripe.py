"""Stripe Checkout: a hosted payment page in ringgit (card, FPX), and the webhook events that settle it.

The only module that imports the stripe library. It is offered when STRIPE_SECRET_KEY and
STRIPE_WEBHOOK_SECRET are both set; STRIPE_API_BASE aims the library at another host (the tests' local
stand-in).

Starting a payment creates a Checkout Session for the order's exact total (a line item per product sold,
one for shipping, one for taxes) and records a pending Payment for it; the buyer pays on Stripe's page.
Nothing is counted on the buyer's return: only a signed webhook event settles the payment.

The session's expiry: Stripe wants expires_at at least 30 minutes after creation, and an order's stock is
held ORDER_HOLD_MINUTES (30) from checkout, so a session made at checkout would outlive the hold by a
little. The session ends at the later of the hold and "now + 30 minutes + a minute for clocks", rounded up
to a whole minute, and the hold is extended to the same moment: the page closes when the stock is let go.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import stripe
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...accounts.models import User
from ...core.errors import DomainError, NotFound
from ...core.models import utcnow
from ...extensions import db
from ...orders.checkout import extend_hold
from ...orders.models import Order, OrderStatus
from .. import services
from ..models import Payment, PaymentStatus
from . import Provider, Started, register_provider

log = logging.getLogger(__name__)

NAME = "stripe"
SESSION_LIFETIME = timedelta(minutes=30)  # Stripe's shortest
CLOCK_MARGIN = timedelta(minutes=1)  # our clock and Stripe's may differ a little
SESSION_LONGEST = timedelta(hours=23, minutes=59)  # Stripe's longest is 24 hours
BANK_ANSWER_GRACE = timedelta(hours=2)  # FPX answers within minutes, sometimes later; the stock waits this long
WEBHOOK_TOLERANCE = 300  # seconds: an older signature is refused (a replay)
MAX_NETWORK_RETRIES = 2  # the library retries a lost connection or a 5xx with the same idempotency key
TIMEOUT = (5, 30)  # seconds to connect, to read: a buyer waits on this request
MAX_LINE_ITEMS = 100  # Stripe's limit per session in payment mode
LOCALES = {"en", "id", "ms"}  # Stripe's page speaks each of ours
CHECKOUT_PAGE = "https://checkout.stripe.com"  # where Stripe's hosted page lives

COMPLETED = "checkout.session.completed"
ASYNC_SUCCEEDED = "checkout.session.async_payment_succeeded"
ASYNC_FAILED = "checkout.session.async_payment_failed"
EXPIRED = "checkout.session.expired"


class StripeUnavailable(DomainError):
    """Stripe refused or could not be reached; the order stays as it was, waiting for payment."""

    status_code = 502
    default_message = _l("The card payment could not be started. Your order is kept: try again in a moment with "
                         "\"Pay now\", or cancel it and check out again paying by bank transfer.")


class InvalidEvent(Exception):
    """A webhook whose signature, timestamp or body does not verify: not from Stripe, or replayed."""


def client(config: dict) -> stripe.StripeClient:
    """A StripeClient for this configuration (STRIPE_API_BASE, when set, replaces every Stripe host)."""
    base = config.get("STRIPE_API_BASE") or None
    addresses = {"api": base, "files": base, "connect": base, "meter_events": base} if base else None
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], base_addresses=addresses,
                               max_network_retries=MAX_NETWORK_RETRIES,
                               http_client=stripe.RequestsClient(timeout=TIMEOUT))


def _item(name: str, unit_sen: int, quantity: int, currency: str) -> dict:
    return {"quantity": quantity, "price_data": {"currency": currency, "unit_amount": unit_sen,
                                                 "product_data": {"name": name[:250]}}}


def line_items(order: Order) -> list[dict]:
    """What the buyer sees on Stripe's page, adding up to exactly the order's total: goods, shipping, taxes."""
    currency = order.currency.lower()
    with force_locale(order.locale):
        goods = [_item(line.name_for(order.locale), line.unit_price_sen, line.quantity, currency)
                 for parcel in order.parcels for line in parcel.lines]
        if len(goods) > MAX_LINE_ITEMS - 2 or sum(line.total_sen for parcel in order.parcels
                                                  for line in parcel.lines) != order.goods_sen:
            # Too many lines for Stripe, or (never seen) a rounding apart: one line that is exactly right.
            goods = [_item(_("Goods of order %(number)s", number=order.number), order.goods_sen, 1, currency)]
        items = goods
        if order.shipping_sen > 0:
            items.append(_item(_("Shipping to Malaysia"), order.shipping_sen, 1, currency))
        if order.tax_sen > 0:
            items.append(_item(_("Malaysian taxes and duties"), order.tax_sen, 1, currency))
    total = sum(i["price_data"]["unit_amount"] * i["quantity"] for i in items)
    if total != order.total_sen:  # the order's CHECK makes this impossible; charging a wrong sum is worse
        raise RuntimeError(f"line items of {order.number} add up to {total}, not {order.total_sen}")
    return items


def session_expiry(hold_expires_at: datetime, now: datetime) -> datetime:
    """When the session closes: the end of the hold, or Stripe's shortest life from now (see the docstring)."""
    earliest = now + SESSION_LIFETIME + CLOCK_MARGIN
    if earliest.second or earliest.microsecond:  # a whole minute: a retry within it sends the same parameters
        earliest = earliest.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return min(max(hold_expires_at, earliest), now + SESSION_LONGEST)


def _timestamp(moment: datetime) -> int:
    return int(moment.replace(tzinfo=timezone.utc).timestamp())


def _open_payment(order: Order) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.provider == NAME,
                                                   Payment.status == PaymentStatus.PENDING)
                             .order_by(Payment.id.desc()).limit(1))


class StripeCheckout(Provider):
    name = NAME
    label = _l("Card or FPX online banking (Stripe)")

    def available(self, app: Flask) -> bool:
        return bool(app.config.get("STRIPE_SECRET_KEY") and app.config.get("STRIPE_WEBHOOK_SECRET"))

    def page_origins(self, config: dict) -> list[str]:
        """Stripe's hosted Checkout page (served by the stand-in, in the tests, from STRIPE_API_BASE)."""
        base = urlsplit(config.get("STRIPE_API_BASE") or CHECKOUT_PAGE)
        return [f"{base.scheme}://{base.netloc}"]

    def start(self, order: Order, config: dict, return_url: str, cancel_url: str) -> Started:
        """Stripe's page for this order: the session already open for it, or a new one (the order is locked)."""
        if order.status != OrderStatus.PENDING_PAYMENT:
            return Started(None)
        stripe_client = client(config)
        try:
            payment = _open_payment(order)
            if payment is not None:
                session = stripe_client.v1.checkout.sessions.retrieve(payment.reference)
                if session.status == "open":
                    return Started(payment, session.url)
                if session.status == "complete":  # paid, or waiting for the bank: the webhook will tell
                    return Started(payment, return_url)
                services.payment_expired(payment, order, None, "session expired")
                if order.status != OrderStatus.PENDING_PAYMENT:
                    return Started(None)
            now = utcnow()
            expires = session_expiry(order.hold_expires_at, now)
            attempt = 1 + db.session.scalar(select(func.count(Payment.id)).where(Payment.order_id == order.id,
                                                                                Payment.provider == NAME))
            session = stripe_client.v1.checkout.sessions.create(
                params=self._params(order, config, return_url, cancel_url, expires),
                # The same order, attempt and expiry: the same session, even if our first answer was lost.
                options={"idempotency_key": f"serumpun-checkout-{order.number}-{attempt}-{_timestamp(expires)}"})
        except stripe.StripeError as error:
            log.warning("Stripe refused a Checkout Session for %s: %s", order.number, error)
            raise StripeUnavailable() from error
        payment = Payment(order_id=order.id, provider=NAME, reference=session.id, status=PaymentStatus.PENDING,
                          currency=order.currency, amount_sen=order.total_sen, checkout_url=session.url)
        db.session.add(payment)
        extend_hold(order, expires)
        db.session.flush()
        return Started(payment, session.url)

    def close(self, order: Order, config: dict) -> None:
        """The order ended unpaid (the buyer cancelled it): close its open Stripe page so it cannot be paid.

        Best effort after the cancel committed: if Stripe cannot be reached the page closes at its expiry,
        and money paid meanwhile is flagged for a refund by the webhook.
        """
        payment = _open_payment(order)
        if payment is None:
            return
        try:
            client(config).v1.checkout.sessions.expire(payment.reference)
        except stripe.StripeError as error:
            log.warning("Could not close Stripe session %s of %s: %s", payment.reference, order.number, error)

    def _params(self, order: Order, config: dict, return_url: str, cancel_url: str, expires: datetime) -> dict:
        buyer = db.session.get(User, order.buyer_id) if order.buyer_id else None
        methods = [m.strip() for m in config["STRIPE_PAYMENT_METHOD_TYPES"].split(",") if m.strip()]
        params = {
            "mode": "payment",
            "currency": order.currency.lower(),
            "line_items": line_items(order),
            "payment_method_types": methods,
            "client_reference_id": order.number,
            "metadata": {"order_number": order.number},
            "payment_intent_data": {"metadata": {"order_number": order.number}},
            "success_url": return_url,
            "cancel_url": cancel_url,
            "expires_at": _timestamp(expires),
            "locale": order.locale if order.locale in LOCALES else "auto",
        }
        if buyer is not None and buyer.email:
            params["customer_email"] = buyer.email
        return params


register_provider(StripeCheckout())


# --- webhooks ---------------------------------------------------------------------------------------------

def verify_event(raw: bytes, signature: str | None, secret: str) -> dict:
    """The event in a webhook's raw body, if its Stripe-Signature is right and under 5 minutes old."""
    try:
        event = stripe.Webhook.construct_event(raw, signature, secret, tolerance=WEBHOOK_TOLERANCE)
    except (stripe.SignatureVerificationError, ValueError) as error:  # ValueError: signed, but not JSON
        raise InvalidEvent(str(error)) from error
    return event.to_dict()


def _payment_for(order: Order, session: dict) -> Payment | None:
    """Our record of this session; made now if its start never committed (Stripe answered, our write was lost).

    None for a session recorded for another order than the one it names: nothing to settle.
    """
    payment = db.session.scalar(select(Payment).where(Payment.provider == NAME, Payment.reference == session["id"]))
    if payment is not None and payment.order_id != order.id:
        return None
    if payment is None:
        payment = Payment(order_id=order.id, provider=NAME, reference=session["id"], status=PaymentStatus.PENDING,
                          currency=order.currency, amount_sen=order.total_sen)
        db.session.add(payment)
        db.session.flush()
    if session.get("payment_intent"):
        payment.external_id = str(session["payment_intent"])[:120]
    return payment


def handle_event(event: dict) -> str:
    """Act on one verified event, once: what happened, for the event's record (repeats are 'already handled').

    Money counts only through services.receive_payment (amount and currency must be the order's, the order
    still waiting); a session that failed or expired ends the unpaid order and gives its stock back.
    """
    record = services.record_event(NAME, event["id"], event["type"])
    if record is None:
        return "already handled"
    record.outcome = _act(event)[:200]
    return record.outcome


def _act(event: dict) -> str:
    kind = event["type"]
    if kind not in (COMPLETED, ASYNC_SUCCEEDED, ASYNC_FAILED, EXPIRED):
        return "not handled"
    session = event["data"]["object"]
    number = session.get("client_reference_id") or (session.get("metadata") or {}).get("order_number")
    if session.get("mode") != "payment" or not number:
        return "not a payment of ours"
    try:
        order = services.order_for_payment(number)  # locked: events for one order are handled one at a time
        payment = _payment_for(order, session)
    except NotFound:
        log.warning("Stripe event %s names order %s, which is not ours", event["id"], number)
        return f"no order {number}"
    if payment is None:
        log.warning("Stripe event %s: session %s is not one of order %s", event["id"], session["id"], number)
        return f"session of another order than {number}"
    payment.checkout_url = None  # whatever happened, the page is no longer open
    if kind == EXPIRED:
        return services.payment_expired(payment, order, None, "Stripe session expired")
    if kind == ASYNC_FAILED:
        return services.payment_failed(payment, order, None, "payment failed at the bank")
    if session.get("payment_status") != "paid":  # completed, but the bank (FPX) answers later
        # The buyer did pay at the bank's page: keep the stock for the bank's answer instead of expiring.
        extend_hold(order, utcnow() + BANK_ANSWER_GRACE)
        return "completed: waiting for the bank"
    return services.receive_payment(payment, order, None, int(session["amount_total"]),
                                    str(session["currency"]).upper())
