"""A mail for each message and quote step, queued with the change, sent once, in the recipient's language."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.mail.models import OutboxMessage
from marketplace.trade import services
from marketplace.trade.jobs import mail_trade_event
from marketplace.trade.models import InquiryMessage, Quote

from ..helpers import Client, queued_jobs
from .conftest import ask, send_quote


def queued(app) -> list[tuple]:
    return queued_jobs(app, services.MAIL_JOB)


def run(app, *args) -> list[OutboxMessage]:
    """The mail job, twice (a retry), and the outbox after it."""
    with app.app_context():
        for _ in range(2):
            with unit_of_work(capture=False):
                mail_trade_event(*args)
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_each_message_and_quote_step_mails_the_other_party_once_in_their_language(app_factory, two_shops):
    special = app_factory(SITE_URL="http://127.0.0.1:5005")
    buyer, merchant = Client(special), Client(special)
    buyer.login("buyer@serumpun.example")
    merchant.login("merchant@serumpun.example")  # reads Indonesian

    inquiry_id = ask(buyer, two_shops["coffee"])
    with special.app_context():
        message_id = db.session.scalar(select(InquiryMessage.id))
    assert queued(special) == [("message", message_id)]
    [mail] = run(special, "message", message_id)
    assert mail.recipient == "merchant@serumpun.example"
    assert mail.subject == f"Pesan baru dari Nur Aisyah binti Hamzah (pertanyaan #{inquiry_id})"
    assert "48 bags a month" in mail.body and f"http://127.0.0.1:5005/inquiries/{inquiry_id}" in mail.body

    merchant.post(f"/inquiries/{inquiry_id}/messages", {"body": "Bisa, Bu."})
    with special.app_context():
        reply_id = db.session.scalars(select(InquiryMessage.id).order_by(InquiryMessage.id.desc())).first()
    mails = run(special, "message", reply_id)
    assert (mails[-1].recipient, mails[-1].subject) == (
        "buyer@serumpun.example", f"New message from Sangrai Preanger Coffee (inquiry #{inquiry_id})")

    send_quote(merchant, inquiry_id, two_shops["coffee"])
    with special.app_context():
        quote_id = db.session.scalar(select(Quote.id))
    assert ("quote", quote_id) in queued(special)
    mails = run(special, "quote", quote_id)
    assert mails[-1].recipient == "buyer@serumpun.example"
    assert mails[-1].subject == "Sangrai Preanger Coffee sent you a quote for Coffee C-1"
    assert "48 × Coffee C-1 at IDR70,000 each" in mails[-1].body

    buyer.post(f"/inquiries/{inquiry_id}/accept", {"quote_id": quote_id})
    assert ("accepted", quote_id) in queued(special)
    mails = run(special, "accepted", quote_id)
    assert (mails[-1].recipient, mails[-1].subject) == ("merchant@serumpun.example",
                                                        "Penawaran Anda untuk Kopi C-1 diterima")
    assert len(mails) == 4  # one per step and recipient, however often each job ran


def test_an_expired_quote_tells_both_parties(app_factory, two_shops):
    special = app_factory()
    buyer, merchant = Client(special), Client(special)
    buyer.login("buyer@serumpun.example")
    merchant.login("merchant@serumpun.example")
    inquiry_id = ask(buyer, two_shops["coffee"])
    send_quote(merchant, inquiry_id, two_shops["coffee"])
    with special.app_context():
        quote_id = db.session.scalar(select(Quote.id))
        with unit_of_work(capture=False):
            assert services.expire_quote(quote_id, datetime(2099, 1, 1))
    assert ("expired", quote_id) in queued(special)
    mails = run(special, "expired", quote_id)
    assert [m.recipient for m in mails] == ["buyer@serumpun.example", "merchant@serumpun.example"]
    assert mails[0].subject == "The quote for Coffee C-1 expired"
    assert mails[1].subject == "Penawaran untuk Kopi C-1 kedaluwarsa"


def test_nothing_is_queued_when_the_change_is_refused(app_factory, two_shops):
    special = app_factory()
    buyer = Client(special)
    buyer.login("buyer@serumpun.example")
    buyer.post(f"/inquiries/new?product={two_shops['coffee']}", {"quantity": "0"})
    assert queued(special) == []
