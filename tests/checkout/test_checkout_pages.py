"""Checkout and the buyer's orders through HTTP, and staff recording a bank transfer."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditEntry
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus, ParcelStatus
from marketplace.payments.models import Payment, PaymentStatus

from ..helpers import Client, text_of
from ..orders.conftest import BUYER, place


def checkout_form(client: Client, **overrides) -> dict:
    page = client.get("/checkout").get_data(as_text=True)
    key = re.search(r'name="checkout_key"[^>]*value="([^"]+)"', page).group(1)
    data = {"name": "Nur Aisyah", "phone": "012-345 6789", "line1": "12 Jalan SS2/24", "line2": "",
            "city": "Petaling Jaya", "postcode": "47300", "state": "MY-10", "payment_method": "bank_transfer",
            "checkout_key": key}
    data.update(overrides)
    return data


@pytest.fixture()
def buyer(client, two_shops):
    client.login(BUYER)
    client.post("/cart/add", {"product_id": two_shops["coffee"], "quantity": "6"}, token_from="/cart/")
    client.post("/cart/add", {"product_id": two_shops["keripik"], "quantity": "2"}, token_from="/cart/")
    return client


def orders() -> list[Order]:
    return list(db.session.scalars(select(Order)))


def test_a_guest_is_asked_to_sign_in_before_checkout(client, demo):
    response = client.get("/checkout")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_checkout_shows_the_parcels_and_fills_the_buyers_details(buyer):
    page = text_of(buyer.get("/checkout"))
    assert "Parcel from Sangrai Preanger Coffee" in page and "Parcel from Keripik Ceu Enok" in page
    assert "Total to pay" in page and "Bank transfer (DuitNow or IBG)" in page
    html = buyer.get("/checkout").get_data(as_text=True)
    assert 'value="Petaling Jaya"' in html and 'value="+60379561234"' in html


def test_placing_an_order_shows_how_to_pay_by_bank_transfer(app, buyer, two_shops):
    response = buyer.post("/checkout", checkout_form(buyer))
    assert response.status_code == 303
    number = response.headers["Location"].rsplit("/", 1)[-1]
    page = text_of(buyer.get(f"/orders/{number}"))
    assert "Pay by bank transfer" in page and number in page and "Maybank" in page
    assert "Waiting for payment" in page and "Parcel " + number + "-1" in page
    assert number in text_of(buyer.get("/orders/"))
    with app.app_context():
        assert db.session.get(Product, two_shops["coffee"]).stock == 120 - 6
    assert "Your cart is empty" in text_of(buyer.get("/cart/"))


def test_the_same_form_sent_twice_makes_one_order(app, buyer):
    form = checkout_form(buyer)
    first = buyer.post("/checkout", form)
    second = buyer.post("/checkout", form)
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert len(orders()) == 1


@pytest.mark.parametrize(("field", "value", "message"), [
    ("postcode", "88000", "Postcode 88000 is not in Selangor"),
    ("postcode", "4730", "Enter exactly 5 digits."),
    ("phone", "12", "This phone number does not look right."),
    ("state", "MY-99", "Please choose one of the options."),
    ("payment_method", "cash", "Not a valid choice"),
    ("line1", "", "This field is required."),
])
def test_a_bad_address_is_refused_with_a_message_and_nothing_is_placed(app, buyer, two_shops, field, value,
                                                                       message):
    response = buyer.post("/checkout", checkout_form(buyer, **{field: value}))
    assert response.status_code == 400
    assert message in text_of(response), text_of(response)[300:1500]
    with app.app_context():
        assert orders() == [] and db.session.get(Product, two_shops["coffee"]).stock == 120
    assert "Parcel from Sangrai Preanger Coffee" in text_of(buyer.get("/cart/"))


def test_nobody_else_opens_a_buyers_order(app, client, another_client, two_shops):
    number = place(app, {two_shops["tea"]: 1})
    another_client.login("buyer.kl@serumpun.example")
    assert another_client.get(f"/orders/{number}").status_code == 404
    assert another_client.post(f"/orders/{number}/cancel", token_from="/").status_code == 404
    client.login("merchant@serumpun.example")
    assert client.get(f"/orders/{number}").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Order.status)) == OrderStatus.PENDING_PAYMENT


def test_the_buyer_cancels_an_unpaid_order_and_the_stock_goes_back(app, client, two_shops):
    number = place(app, {two_shops["tea"]: 5})
    client.login(BUYER)
    client.post(f"/orders/{number}/cancel", token_from=f"/orders/{number}")
    assert "Cancelled" in text_of(client.get(f"/orders/{number}"))
    with app.app_context():
        assert db.session.get(Product, two_shops["tea"]).stock == 5


def transfer(client: Client, number: str, amount: str, reference: str = "MBB123456"):
    return client.post(f"/officer/payments/{number}/transfer",
                       {f"{number}-amount": amount, f"{number}-received_on": "2026-12-02",
                        f"{number}-bank_reference": reference}, token_from="/officer/payments/")


def test_an_officer_records_the_exact_transfer_and_the_order_is_paid(app, client, another_client, two_shops):
    number = place(app, {two_shops["coffee"]: 6, two_shops["keripik"]: 1})
    with app.app_context():
        due = db.session.scalar(select(Order.total_sen))
    client.login("officer@serumpun.example")
    assert number in text_of(client.get("/officer/payments/"))
    response = transfer(client, number, f"{due // 100}.{due % 100:02d}")
    assert response.status_code == 302
    assert f"Order {number} is paid" in text_of(client.get("/officer/payments/"))
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert order.status == OrderStatus.PAID and order.paid_at is not None
        assert {p.status for p in order.parcels} == {ParcelStatus.PAID}
        assert db.session.scalar(select(Payment.status)) == PaymentStatus.SUCCEEDED
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payment.recorded"))
        assert entry.after["paid"] is True and entry.after["received_sen"] == due
    # The same bank transfer recorded again is refused; the order stays paid once.
    again = transfer(client, number, "1.00")
    assert again.status_code in (400, 404)
    another_client.login(BUYER)
    assert "Paid" in text_of(another_client.get(f"/orders/{number}"))


@pytest.mark.parametrize("wrong", ["short", "excess"])
def test_a_wrong_amount_is_flagged_and_the_order_keeps_waiting(app, client, two_shops, wrong):
    number = place(app, {two_shops["keripik"]: 2})
    with app.app_context():
        due = db.session.scalar(select(Order.total_sen))
    amount = due - 100 if wrong == "short" else due + 100
    client.login("officer@serumpun.example")
    transfer(client, number, f"{amount // 100}.{amount % 100:02d}")
    page = text_of(client.get("/officer/payments/"))
    assert "recorded but not counted" in page and "Flagged payments" in page
    with app.app_context():
        assert db.session.scalar(select(Order.status)) == OrderStatus.PENDING_PAYMENT
        payment = db.session.scalar(select(Payment))
        assert payment.status == PaymentStatus.FLAGGED and payment.received_sen == amount


@pytest.mark.parametrize("amount", ["abc", "-5", ""])
def test_a_bad_amount_is_refused_and_nothing_is_recorded(app, client, two_shops, amount):
    number = place(app, {two_shops["keripik"]: 2})
    client.login("officer@serumpun.example")
    response = transfer(client, number, amount)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Payment)) == 0


def test_buyers_and_merchants_cannot_record_payments(client, demo):
    client.login(BUYER)
    assert client.get("/officer/payments/").status_code == 403


def test_a_buyer_asks_for_a_refund_of_a_shipped_parcel_and_staff_record_it(app, client, another_client,
                                                                           two_shops):
    from marketplace.accounts import services as accounts
    from marketplace.core.unit_of_work import unit_of_work
    from marketplace.orders import lifecycle

    number = place(app, {two_shops["keripik"]: 2})
    with app.test_request_context():
        order = db.session.scalar(select(Order))
        with unit_of_work(capture=False):
            lifecycle.mark_paid(order, None, {})
            # Before it ships, a refund is the merchant's cancel, not the buyer's request.
        parcel_number = order.parcels[0].number
    client.login(BUYER)
    client.post(f"/orders/{number}/parcels/{parcel_number}/refund", {"reason": "Never came"},
                token_from=f"/orders/{number}")
    assert "once a parcel has shipped" in text_of(client.get(f"/orders/{number}"))
    with app.test_request_context():
        parcel = db.session.scalar(select(Order)).parcels[0]
        merchant = accounts.find_user_by_email("keripik@serumpun.example")
        with unit_of_work(capture=False):
            lifecycle.pack(merchant, parcel)
            lifecycle.ship(merchant, parcel, "Pos Laju", "EE1MY", parcel.created_at.date(), None)
    client.post(f"/orders/{number}/parcels/{parcel_number}/refund", {"reason": "The box arrived crushed."},
                token_from=f"/orders/{number}")
    assert "Refund requested" in text_of(client.get(f"/orders/{number}"))
    another_client.login("officer@serumpun.example")
    assert parcel_number in text_of(another_client.get("/officer/payments/"))
    another_client.post(f"/officer/payments/refunds/{parcel_number}", {"reference": "MBB-RF-77"},
                        token_from="/officer/payments/")
    assert "Refunded" in text_of(client.get(f"/orders/{number}"))
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "refund.recorded"))
        assert entry.after["reference"] == "MBB-RF-77"


def test_the_cart_leads_a_guest_to_sign_in_and_a_buyer_to_checkout(app, client, two_shops):
    client.post("/cart/add", {"product_id": two_shops["keripik"], "quantity": "2"}, token_from="/cart/")
    html = client.get("/cart/").get_data(as_text=True)
    assert "Sign in to check out" in html and "next=/checkout" in html.replace("%2F", "/")
    client.login(BUYER)
    assert 'href="/checkout"' in client.get("/cart/").get_data(as_text=True)


def test_staff_cannot_refund_a_payment_that_paid_its_order(app, client, two_shops):
    number = place(app, {two_shops["keripik"]: 2})
    with app.app_context():
        due = db.session.scalar(select(Order.total_sen))
    client.login("officer@serumpun.example")
    transfer(client, number, f"{due // 100}.{due % 100:02d}")
    with app.app_context():
        payment_id = db.session.scalar(select(Payment.id))
    client.post(f"/officer/payments/flagged/{payment_id}/refunded", {"reference": "OOPS-1"},
                token_from="/officer/payments/")
    assert "cannot become" in text_of(client.get("/officer/payments/"))
    with app.app_context():
        assert db.session.scalar(select(Payment.status)) == PaymentStatus.SUCCEEDED
        assert db.session.scalar(select(Order.status)) == OrderStatus.PAID


def test_a_transfer_for_an_order_that_expired_is_flagged_from_the_desk(app, client, two_shops):
    from datetime import timedelta

    from marketplace.core.models import utcnow
    from marketplace.core.unit_of_work import unit_of_work
    from marketplace.orders import lifecycle

    number = place(app, {two_shops["keripik"]: 2}, now=utcnow() - timedelta(days=2))
    with app.app_context():
        with unit_of_work(capture=False):
            lifecycle.release_expired(utcnow())
        due = db.session.scalar(select(Order.total_sen))
    client.login("officer@serumpun.example")
    page = text_of(client.get("/officer/payments/"))
    assert "Ended unpaid this week" in page and number in page
    transfer(client, number, f"{due // 100}.{due % 100:02d}")
    with app.app_context():
        payment = db.session.scalar(select(Payment))
        assert payment.status == PaymentStatus.FLAGGED and "expired" in payment.flag_reason
        assert db.session.scalar(select(Order.status)) == OrderStatus.EXPIRED
