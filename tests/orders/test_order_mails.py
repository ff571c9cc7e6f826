"""A mail at each step of an order, in the recipient's language, sent once however often its job runs."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.accounts import services as accounts
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.mail.models import OutboxMessage
from marketplace.orders import lifecycle
from marketplace.orders.jobs import mail_order_step, mail_parcel_step
from marketplace.orders.models import Order

from .conftest import place


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_the_buyer_hears_of_the_order_in_their_language_once(app, two_shops):
    number = place(app, {two_shops["keripik"]: 2})
    with app.app_context():
        buyer = accounts.find_user_by_email("buyer@serumpun.example")
        buyer.locale = "ms"
        order = db.session.scalar(select(Order))
        with unit_of_work(capture=False):
            mail_order_step(order.id, "placed")
        with unit_of_work(capture=False):
            mail_order_step(order.id, "placed")  # the job again (a retry): no second mail
        mails = outbox()
        assert len(mails) == 1
        assert mails[0].subject == f"Pesanan {number} telah dibuat"
        assert f"/orders/{number}" in mails[0].body and "RM" in mails[0].body


def test_a_shipped_parcel_mail_carries_the_tracking_number(app, two_shops):
    place(app, {two_shops["keripik"]: 2})
    with app.test_request_context(headers={"Accept-Language": "en"}):
        order = db.session.scalar(select(Order))
        merchant = accounts.find_user_by_email("keripik@serumpun.example")
        with unit_of_work(capture=False):
            lifecycle.mark_paid(order, None, {})
            lifecycle.pack(merchant, order.parcels[0])
            lifecycle.ship(merchant, order.parcels[0], "Pos Laju", "EE123456789MY", order.created_at.date(),
                           None)
        with unit_of_work(capture=False):
            mail_parcel_step(order.parcels[0].id, "shipped")
        mail = outbox()[-1]
        assert mail.recipient == "buyer@serumpun.example"
        assert "EE123456789MY" in mail.body and "Pos Laju" in mail.body


def test_mail_links_follow_the_site_address_the_server_runs_on(app_factory, two_shops):
    special = app_factory(SITE_URL="http://127.0.0.1:5001")
    number = place(special, {two_shops["keripik"]: 2})
    with special.app_context():
        order = db.session.scalar(select(Order))
        with unit_of_work(capture=False):
            mail_order_step(order.id, "placed")
        assert f"http://127.0.0.1:5001/orders/{number}" in outbox()[-1].body
