"""Paying by Stripe Checkout, end to end: the real stripe library against the local stand-in (tests/stripe_standin.py),
and the stand-in's signed webhooks posted to our /webhooks/stripe.

Nothing of ours is mocked: the checkout page creates the session over HTTP, the stand-in's Pay button (fake.pay)
completes it and delivers the signed event to the app, and the database says what happened.
"""
from __future__ import annotations

import copy
import json
import re
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marketplace.accounts import services as accounts
from marketplace.catalog.models import Product
from marketplace.core.models import utcnow
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.orders import lifecycle
from marketplace.orders.models import Order, OrderStatus, ParcelStatus, StatusChange
from marketplace.payables.models import LedgerEntry
from marketplace.payments.models import Payment, PaymentStatus, WebhookEvent
from marketplace.payments.providers import stripe as provider

from ..helpers import Client, queued_jobs, text_of
from ..orders.conftest import BUYER, place, two_shops  # noqa: F401  the fixture
from ..stripe_standin import API_KEY, WEBHOOK_SECRET, event_for, signed

ROOT = Path(__file__).resolve().parents[2]


# --- makings --------------------------------------------------------------------------------------------

@pytest.fixture()
def fake(stripe_standin):
    return stripe_standin


@pytest.fixture()
def stripe_app(app_factory, fake, two_shops):  # noqa: F811
    """The app with Stripe's keys, its API aimed at the stand-in, and the stand-in's webhooks posted to it."""
    app = app_factory(STRIPE_SECRET_KEY=API_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=fake.url)
    stripe_http = app.test_client()
    fake.webhook = lambda body, headers: stripe_http.post("/webhooks/stripe", data=body, headers=headers)
    return app


@pytest.fixture()
def buyer(stripe_app):
    client = Client(stripe_app)
    client.login(BUYER)
    return client


def checkout_form(client: Client, **overrides) -> dict:
    page = client.get("/checkout").get_data(as_text=True)
    key = re.search(r'name="checkout_key"[^>]*value="([^"]+)"', page).group(1)
    data = {"name": "Nur Aisyah", "phone": "012-345 6789", "line1": "12 Jalan SS2/24", "line2": "",
            "city": "Petaling Jaya", "postcode": "47300", "state": "MY-10", "payment_method": "stripe",
            "checkout_key": key}
    data.update(overrides)
    return data


def stripe_order(app, buyer: Client, lines: dict[int, int]) -> tuple[str, str]:
    """An order placed to pay by Stripe and its session started with "Pay now": (order number, session id)."""
    number = place(app, lines, method="stripe")
    response = buyer.post(f"/orders/{number}/pay", token_from=f"/orders/{number}")
    assert response.status_code == 303, text_of(response)[:500]
    return number, response.headers["Location"].rsplit("/", 1)[-1]


def order_of(number: str) -> Order:
    db.session.expire_all()
    return db.session.scalar(select(Order).where(Order.number == number))


def payments_of(number: str) -> list[Payment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Payment).join(Order, Order.id == Payment.order_id)
                                   .where(Order.number == number).order_by(Payment.id)))


def stock(product_id: int) -> int:
    return db.session.scalar(select(Product.stock).where(Product.id == product_id))


def moves_to(subject: str, to: str) -> int:
    return db.session.scalar(select(func.count()).select_from(StatusChange)
                             .where(StatusChange.subject == subject, StatusChange.to_status == to))


def queued_mails(app, order_id: int, step: str) -> int:
    """Order mails for this step waiting in the app's durable queue (huey's storage)."""
    return queued_jobs(app, lifecycle.ORDER_MAIL_JOB).count((order_id, step))


def post_event(app, event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None,
               body: bytes | None = None, header: str | None = "signed"):
    signed_body, signature = signed(event, secret, timestamp)
    headers = {"Content-Type": "application/json"}
    if header == "signed":
        headers["Stripe-Signature"] = signature
    elif header is not None:
        headers["Stripe-Signature"] = header
    return app.test_client().post("/webhooks/stripe", data=signed_body if body is None else body, headers=headers)


# --- starting a payment ---------------------------------------------------------------------------------

def test_checkout_with_stripe_goes_to_a_session_for_the_orders_exact_total(stripe_app, buyer, fake, two_shops):  # noqa: F811
    buyer.post("/cart/add", {"product_id": two_shops["coffee"], "quantity": "24"}, token_from="/cart/")
    buyer.post("/cart/add", {"product_id": two_shops["keripik"], "quantity": "3"}, token_from="/cart/")
    assert "Card or FPX online banking (Stripe)" in text_of(buyer.get("/checkout"))
    response = buyer.post("/checkout", checkout_form(buyer))

    assert response.status_code == 303 and response.headers["Location"].startswith(f"{fake.url}/pay/cs_test_")
    session_id = response.headers["Location"].rsplit("/", 1)[-1]
    session = fake.session(session_id)
    [create] = fake.requests_to("/v1/checkout/sessions", "POST")
    with stripe_app.app_context():
        order = db.session.scalar(select(Order))
        number = order.number
        items = fake.line_items[session_id]
        assert (session["amount_total"], session["currency"], session["mode"]) == (order.total_sen, "myr", "payment")
        assert sum(i["amount_total"] for i in items) == order.total_sen
        goods = [(i["description"], i["quantity"], i["price"]["unit_amount"]) for i in items[:-2]]
        assert goods == [(line.name_en, line.quantity, line.unit_price_sen)
                         for parcel in order.parcels for line in parcel.lines]
        assert [(i["description"], i["amount_total"]) for i in items[-2:]] == [
            ("Shipping to Malaysia", order.shipping_sen), ("Malaysian taxes and duties", order.tax_sen)]
        assert session["client_reference_id"] == number and session["metadata"] == {"order_number": number}
        assert session["payment_method_types"] == ["card", "fpx"] and session["locale"] == "en"
        assert session["customer_email"] == BUYER
        assert session["success_url"].endswith(f"/orders/{number}?returned=1")
        assert session["cancel_url"].endswith(f"/orders/{number}")
        assert create.idempotency_key.startswith(f"serumpun-checkout-{number}-1-")
        # At least Stripe's 30 minutes from now, and the stock is held exactly as long.
        assert session["expires_at"] - session["created"] >= 30 * 60
        assert provider._timestamp(order.hold_expires_at) == session["expires_at"]
        [payment] = payments_of(number)
        assert (payment.provider, payment.reference, payment.status, payment.amount_sen, payment.checkout_url) == (
            "stripe", session_id, PaymentStatus.PENDING, order.total_sen, session["url"])
        assert order.status == OrderStatus.PENDING_PAYMENT


def test_pay_now_again_returns_to_the_same_open_session(stripe_app, buyer, fake, two_shops):  # noqa: F811
    number, session_id = stripe_order(stripe_app, buyer, {two_shops["keripik"]: 2})
    again = buyer.post(f"/orders/{number}/pay", token_from=f"/orders/{number}")
    assert again.status_code == 303 and again.headers["Location"] == f"{fake.url}/pay/{session_id}"
    assert len(fake.requests_to("/v1/checkout/sessions", "POST")) == 1 and len(fake.sessions) == 1
    with stripe_app.app_context():
        assert len(payments_of(number)) == 1


def test_the_session_expiry_is_the_hold_or_stripes_shortest_from_now():
    now = datetime(2026, 12, 2, 10, 0, 20)
    assert provider.session_expiry(now + timedelta(minutes=45), now) == now + timedelta(minutes=45)
    # A hold that ends sooner than Stripe allows: 31 minutes on, rounded up to the minute.
    assert provider.session_expiry(now + timedelta(minutes=30), now) == datetime(2026, 12, 2, 10, 32)
    assert provider.session_expiry(now + timedelta(days=3), now) == now + timedelta(hours=23, minutes=59)


def test_when_stripe_is_down_the_buyer_is_told_and_can_pay_later(stripe_app, buyer, fake, two_shops):  # noqa: F811
    buyer.post("/cart/add", {"product_id": two_shops["keripik"], "quantity": "2"}, token_from="/cart/")
    for _ in range(provider.MAX_NETWORK_RETRIES + 1):  # the library's own retries meet the failure too
        fake.fail_next(500, "Stripe is having a bad day")
    response = buyer.post("/checkout", checkout_form(buyer))
    assert response.status_code == 303 and response.headers["Location"].startswith("/orders/SR")
    number = response.headers["Location"].rsplit("/", 1)[-1]
    page = text_of(buyer.get(response.headers["Location"]))
    assert "The card payment could not be started. Your order is kept" in page and "Pay now" in page
    with stripe_app.app_context():
        assert order_of(number).status == OrderStatus.PENDING_PAYMENT and payments_of(number) == []
        assert stock(two_shops["keripik"]) == 40 - 2

    again = buyer.post(f"/orders/{number}/pay", token_from=f"/orders/{number}")
    assert again.status_code == 303 and again.headers["Location"].startswith(f"{fake.url}/pay/cs_test_")
    with stripe_app.app_context():
        assert [p.status for p in payments_of(number)] == [PaymentStatus.PENDING]


def test_the_refusal_reads_in_the_buyers_language(stripe_app, buyer, fake, two_shops):  # noqa: F811
    number = place(stripe_app, {two_shops["keripik"]: 2}, method="stripe")
    fake.fail_next(400, "Invalid API Key provided", error_type="invalid_request_error")
    with stripe_app.app_context():
        accounts.find_user_by_email(BUYER).locale = "ms"  # the buyer reads Malay
        db.session.commit()
    response = buyer.post(f"/orders/{number}/pay", token_from=f"/orders/{number}", follow_redirects=True)
    assert "Pembayaran kad tidak dapat dimulakan" in text_of(response)


def test_without_both_keys_stripe_is_not_offered_and_the_webhook_is_not_there(app_factory, two_shops):  # noqa: F811
    app = app_factory(STRIPE_SECRET_KEY=API_KEY)
    client = Client(app)
    client.login(BUYER)
    client.post("/cart/add", {"product_id": two_shops["keripik"], "quantity": "2"}, token_from="/cart/")
    assert "Stripe" not in text_of(client.get("/checkout"))
    assert app.test_client().post("/webhooks/stripe", data=b"{}").status_code == 404


# --- the webhook: paying --------------------------------------------------------------------------------

def test_paying_on_stripes_page_pays_the_order_through_the_webhook(stripe_app, buyer, fake, two_shops):  # noqa: F811
    number, session_id = stripe_order(stripe_app, buyer, {two_shops["coffee"]: 6, two_shops["keripik"]: 1})
    fake.auto_deliver = False
    status, location = _press_pay(fake, session_id)
    assert status == 303 and location.endswith(f"/orders/{number}?returned=1")
    # Back on our site before Stripe's event: the page waits for it, nothing is paid on the redirect.
    assert "Processing" in text_of(buyer.get(f"/orders/{number}?returned=1"))
    with stripe_app.app_context():
        assert order_of(number).status == OrderStatus.PENDING_PAYMENT

    [delivery] = fake.deliver_pending()
    assert delivery.status == 200 and json.loads(delivery.response or "{}") in ({}, {"received": True})
    with stripe_app.app_context():
        order = order_of(number)
        assert order.status == OrderStatus.PAID and order.paid_at is not None
        assert {p.status for p in order.parcels} == {ParcelStatus.PAID}
        [payment] = payments_of(number)
        assert payment.status == PaymentStatus.SUCCEEDED and payment.received_sen == order.total_sen
        assert payment.external_id.startswith("pi_") and payment.checkout_url is None
        assert queued_mails(stripe_app, order.id, "paid") == 1
    page = text_of(buyer.get(f"/orders/{number}?returned=1"))
    assert "Processing" not in page and "Paid" in page


def _press_pay(fake, session_id: str) -> tuple[int, str]:
    """The Pay button on the stand-in's page, in this thread (so the webhook runs here too)."""
    status, _html, location = fake.act(session_id, "pay")
    return status, location


def test_the_same_event_twice_in_sequence_pays_once(stripe_app, buyer, fake, two_shops):  # noqa: F811
    number, session_id = stripe_order(stripe_app, buyer, {two_shops["keripik"]: 2})
    event = fake.pay(session_id)
    again = fake.deliver(event)
    assert again.status == 200 and fake.deliveries[0].status == 200
    with stripe_app.app_context():
        order = order_of(number)
        assert order.status == OrderStatus.PAID
        assert [p.status for p in payments_of(number)] == [PaymentStatus.SUCCEEDED]
        assert moves_to("order", "paid") == 1 and moves_to("payment", "succeeded") == 1
        assert queued_mails(stripe_app, order.id, "paid") == 1
        [recorded] = db.session.scalars(select(WebhookEvent)).all()
        assert (recorded.event_id, recorded.outcome) == (event["id"], "paid")


@pytest.mark.commits
def test_the_same_event_at_the_same_moment_pays_once(stripe_app, buyer, fake, two_shops):  # noqa: F811
    number, session_id = stripe_order(stripe_app, buyer, {two_shops["keripik"]: 2})
    event = fake.pay(session_id, deliver=False)
    body, header = signed(event)
    start = threading.Barrier(3)
    answers: list[int] = []

    def deliver():
        client = stripe_app.test_client()  # its own app context, session and database connection
        start.wait()
        answers.append(client.post("/webhooks/stripe", data=body, headers={
            "Stripe-Signature": header, "Content-Type": "application/json"}).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join(30)
    assert answers == [200, 200]
    with stripe_app.app_context():
        order = order_of(number)
        assert order.status == OrderStatus.PAID
        assert [p.status for p in payments_of(number)] == [PaymentStatus.SUCCEEDED]
        assert moves_to("order", "paid") == 1 and moves_to("parcel", "paid") == 1
        assert queued_mails(stripe_app, order.id, "paid") == 1
        assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 1
        # The merchant is owed the sale once.
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)
                                 .where(LedgerEntry.kind == "sale")) == 1


@pytest.mark.commits
def test_two_events_of_one_order_at_the_same_moment_are_handled_one_after_the_other(stripe_app, buyer, fake,
                                                                                   two_shops):  # noqa: F811
    """A delayed payment's completed and succeeded events, racing: the order is paid once, whatever comes first."""
    fake.delayed_payment = True
    number, session_id = stripe_order(stripe_app, buyer, {two_shops["keripik"]: 2})
    completed = fake.pay(session_id, deliver=False)
    succeeded = fake.async_payment_succeeded(session_id, deliver=False)
    start = threading.Barrier(3)
    answers: list[int] = []

    def deliver(event):
        client = stripe_app.test_client()
        body, header = signed(event)
        start.wait()
        answers.append(client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": header}).status_code)

    threads = [threading.Thread(target=deliver, args=(e,)) for e in (completed, succeeded)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join(30)
    assert answers == [200, 200]
    with stripe_app.app_context():
        assert order_of(number).status == OrderStatus.PAID and moves_to("order", "paid") == 1
        assert [p.status for p in payments_of(number)] == [PaymentStatus.SUCCEEDED]


# --- the webhook: refusing what is not Stripe's ------------------------------------------------------

@pytest.mark.parametrize("tampering", ["body", "secret", "stale", "missing", "garbage"])
def test_an_event_that_does_not_verify_is_refused_and_changes_nothing(stripe_app, buyer, fake, two_shops,  # noqa: F811
                                                                      tampering):
    number, session_id = stripe_order(stripe_app, buyer, {two_shops["keripik"]: 2})
    event = fake.pay(session_id, deliver=False)
    body, _ = signed(event)
    response = {
        "body": lambda: post_event(stripe_app, event, body=body.replace(b'"livemode": false', b'"livemode": true')),
        "secret": lambda: post_event(stripe_app, event, secret="whsec_someone_else"),
        "stale": lambda: post_event(stripe_app, event, timestamp=int(time.time()) - 301),
        "missing": lambda: post_event(stripe_app, event, header=None),
        "garbage": lambda: post_event(stripe_app, event, header="t=1,v1=00"),
    }[tampering]()
    assert response.status_code == 400 and response.get_json()["error"]["status"] == 400
    with stripe_app.app_context():
        assert order_of(number).status == OrderStatus.PENDING_PAYMENT
        assert [p.status for p in payments_of(number)] == [PaymentStatus.PENDING]
        assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0
    # The genuine event still counts afterwards (nothing was recorded under its id).
    assert post_event(stripe_app, event).status_code == 200
    with stripe_app.app_context():
        assert order_of(number).status == OrderStatus.PAID


def test_the_webhook_needs_no_csrf_token_but_only_it(stripe_app, buyer, fake, two_shops):  # noqa: F811
    number, session_id = stripe_order(stripe_app, buyer, {two_shops["keripik"]: 2})
    assert post_event(stripe_app, fake.pay(session_id, deliver=False)).status_code == 200
    # Other forms still want their token.
    assert buyer.http.post(f"/orders/{number}/pay").status_code == 400


@pytest.mark.parametrize(("change", "reason"), [
    ({"amount_total": -100}, "short by 100 sen"),
    ({"amount_total": +100}, "100 sen more than the order"),
    ({"currency": "sgd"}, "currency SGD"),
])
def test_a_wrong_amount_or_currency_is_flagged_and_not_paid(stripe_app, buyer, fake, two_shops, change,  # noqa: F811
                                                            reason):
    number, session_id = stripe_order(stripe_app, buyer, {two_shops["keripik"]: 2})
    event = copy.deepcopy(fake.pay(session_id, deliver=False))
    paid = event["data"]["object"]
    if "amount_total" in change:
        paid["amount_total"] += change["amount_total"]
    else:
        paid["currency"] = change["currency"]
    assert post_event(stripe_app, event).status_code == 200
    with stripe_app.app_context():
        assert order_of(number).status == OrderStatus.PENDING_PAYMENT
        [payment] = payments_of(number)
        assert payment.status == PaymentStatus.FLAGGED and reason in payment.flag_reason
        assert moves_to("order", "paid") == 0


# --- the webhook: delayed payments, failures, expiry ---------------------------------------------------

def test_fpx_completes_unpaid_then_the_bank_confirms(stripe_app, buyer, fake, two_shops):  # noqa: F811
    fake.delayed_payment = True
    number, session_id = stripe_order(stripe_app, buyer, {two_shops["keripik"]: 2})
    with stripe_app.app_context():
        hold_before = order_of(number).hold_expires_at
    fake.pay(session_id)
    with stripe_app.app_context():
        assert order_of(number).status == OrderStatus.PENDING_PAYMENT
        assert [p.status for p in payments_of(number)] == [PaymentStatus.PENDING]
        # The buyer paid at the bank: the stock waits for the bank's answer past the session's end.
        assert order_of(number).hold_expires_at >= max(hold_before, utcnow() + timedelta(minutes=110))
    # "Pay now" meanwhile does not open another page: the buyer is told it is processing.
    again = buyer.post(f"/orders/{number}/pay", token_from=f"/orders/{number}")
    assert again.headers["Location"].endswith(f"/orders/{number}?returned=1")
    assert "Processing" in text_of(buyer.get(again.headers["Location"]))

    fake.async_payment_succeeded(session_id)
    assert [d.status for d in fake.deliveries] == [200, 200]
    with stripe_app.app_context():
        assert order_of(number).status == OrderStatus.PAID
        assert [p.status for p in payments_of(number)] == [PaymentStatus.SUCCEEDED]


def test_a_failed_bank_payment_cancels_the_order_and_gives_the_stock_back(stripe_app, buyer, fake,
                                                                         two_shops):  # noqa: F811
    fake.delayed_payment = True
    number, session_id = stripe_order(stripe_app, buyer, {two_shops["tea"]: 5})
    with stripe_app.app_context():
        assert stock(two_shops["tea"]) == 0
    fake.pay(session_id)
    event = fake.async_payment_failed(session_id)
    fake.deliver(event)  # again: harmless
    with stripe_app.app_context():
        order = order_of(number)
        assert order.status == OrderStatus.CANCELLED and {p.status for p in order.parcels} == {ParcelStatus.CANCELLED}
        assert [p.status for p in payments_of(number)] == [PaymentStatus.FAILED]
        assert stock(two_shops["tea"]) == 5


def test_an_expired_session_expires_the_order_and_gives_the_stock_back(stripe_app, buyer, fake,
                                                                       two_shops):  # noqa: F811
    number, session_id = stripe_order(stripe_app, buyer, {two_shops["tea"]: 5})
    event = fake.expire(session_id)
    fake.deliver(event)
    with stripe_app.app_context():
        assert order_of(number).status == OrderStatus.EXPIRED
        assert [p.status for p in payments_of(number)] == [PaymentStatus.EXPIRED]
        assert stock(two_shops["tea"]) == 5 and moves_to("order", "expired") == 1


def test_a_payment_after_the_order_expired_is_flagged_for_refund_and_takes_no_stock(stripe_app, buyer, fake,
                                                                                   two_shops):  # noqa: F811
    number, session_id = stripe_order(stripe_app, buyer, {two_shops["tea"]: 5})
    with stripe_app.app_context():
        with unit_of_work(capture=False):  # the hold ran out: the job (or release-expired) ends the order
            assert lifecycle.release_expired(utcnow() + timedelta(hours=1)) == [number]
        assert stock(two_shops["tea"]) == 5
    fake.pay(session_id)  # the buyer paid on the page still open
    with stripe_app.app_context():
        assert order_of(number).status == OrderStatus.EXPIRED
        [payment] = payments_of(number)
        assert payment.status == PaymentStatus.FLAGGED and payment.flag_reason == "order is expired: refund"
        assert stock(two_shops["tea"]) == 5
    officer = Client(stripe_app)
    officer.login("officer@serumpun.example")
    assert number in text_of(officer.get("/officer/payments/"))


def test_an_event_we_do_not_handle_is_answered_and_recorded(stripe_app, fake):
    session = fake.create_session(mode="payment", success_url="http://shop.test/ok", line_items=[
        {"quantity": 1, "price_data": {"currency": "myr", "unit_amount": 500, "product_data": {"name": "x"}}}])
    for kind in ("payment_intent.created", "charge.refunded"):
        assert post_event(stripe_app, event_for(session, kind)).get_json() == {"received": True}
    # A session naming no order of ours: answered (Stripe stops sending it), recorded, nothing else.
    assert post_event(stripe_app, event_for(session, "checkout.session.completed")).status_code == 200
    with stripe_app.app_context():
        assert sorted(e.outcome for e in db.session.scalars(select(WebhookEvent))) == [
            "not a payment of ours", "not handled", "not handled"]


def test_only_the_stripe_provider_imports_stripe():
    importers = [path.relative_to(ROOT).as_posix() for path in (ROOT / "marketplace").rglob("*.py")
                 if re.search(r"^\s*(import stripe|from stripe)", path.read_text(), re.M)]
    assert importers == ["marketplace/payments/providers/stripe.py"]


def test_pages_that_start_a_payment_let_their_forms_lead_to_stripes_page(stripe_app, buyer, fake, two_shops):  # noqa: F811
    """A browser refuses a form whose answer redirects to an origin its page's form-action does not name."""
    buyer.post("/cart/add", {"product_id": two_shops["keripik"], "quantity": "2"}, token_from="/cart/")
    assert f"form-action 'self' {fake.url};" in buyer.get("/checkout").headers["Content-Security-Policy"]
    number, session_id = stripe_order(stripe_app, buyer, {two_shops["keripik"]: 2})
    assert fake.url in buyer.get(f"/orders/{number}").headers["Content-Security-Policy"]
    fake.pay(session_id)
    assert fake.url not in buyer.get(f"/orders/{number}").headers["Content-Security-Policy"]  # paid: no more
    assert fake.url not in buyer.get("/").headers["Content-Security-Policy"]


def test_money_for_a_session_whose_start_was_never_recorded_still_counts_once(stripe_app, fake, two_shops):  # noqa: F811
    """Stripe made the session but our write was lost (a crash after Stripe answered): its payment still counts."""
    number = place(stripe_app, {two_shops["keripik"]: 2}, method="stripe")
    with stripe_app.test_request_context(), stripe_app.app_context():
        order = order_of(number)
        params = provider.StripeCheckout()._params(order, stripe_app.config, "http://shop.test/ok",
                                                   "http://shop.test/no",
                                                   provider.session_expiry(order.hold_expires_at, utcnow()))
    session = fake.create_session(**params)
    fake.deliver(fake.pay(session["id"]))
    with stripe_app.app_context():
        assert order_of(number).status == OrderStatus.PAID
        [payment] = payments_of(number)
        assert (payment.reference, payment.status) == (session["id"], PaymentStatus.SUCCEEDED)


def test_cancelling_an_unpaid_card_order_closes_its_stripe_page(stripe_app, buyer, fake, two_shops):  # noqa: F811
    number, session_id = stripe_order(stripe_app, buyer, {two_shops["keripik"]: 2})
    assert fake.session(session_id)["status"] == "open"
    buyer.post(f"/orders/{number}/cancel", token_from=f"/orders/{number}")
    assert fake.session(session_id)["status"] == "expired"
    with stripe_app.app_context():
        assert order_of(number).status == OrderStatus.CANCELLED and stock(two_shops["keripik"]) == 40
