"""The dashboard's inquiry figures: reply rate and median reply time, against hand-counted inquiries."""
from __future__ import annotations

from datetime import datetime, timedelta

from marketplace.accounts import services as accounts
from marketplace.extensions import db
from marketplace.trade.models import Inquiry, InquiryMessage
from marketplace.trade.stats import reply_figures

T0 = datetime(2026, 11, 2, 9, 0)


def ask(buyer, merchant, at: datetime, replies_after: list[timedelta]) -> None:
    inquiry = Inquiry(buyer_id=buyer.id, merchant_id=merchant.merchant_profile.id, quantity=10,
                      destination_state="MY-10", needed_by=(at + timedelta(days=30)).date(), created_at=at,
                      last_activity_at=at)
    db.session.add(inquiry)
    db.session.flush()
    db.session.add(InquiryMessage(inquiry_id=inquiry.id, author_id=buyer.id, body="Harga grosir?", language="ms",
                                  created_at=at))
    for after in replies_after:
        db.session.add(InquiryMessage(inquiry_id=inquiry.id, author_id=merchant.id, body="Bisa.", language="id",
                                      created_at=at + after))


def test_reply_rate_and_median_reply_time(app, demo):
    with app.app_context():
        buyer = accounts.find_user_by_email("buyer@serumpun.example")
        coffee = accounts.find_user_by_email("merchant@serumpun.example")
        chips = accounts.find_user_by_email("keripik@serumpun.example")
        ask(buyer, coffee, T0, [timedelta(hours=1), timedelta(hours=5)])  # first answer after 1 h
        ask(buyer, chips, T0 + timedelta(days=1), [timedelta(hours=3)])
        ask(buyer, chips, T0 + timedelta(days=2), [])  # never answered
        ask(buyer, coffee, T0 + timedelta(days=40), [timedelta(minutes=5)])  # outside the range
        db.session.flush()
        figures = reply_figures(T0, T0 + timedelta(days=30))
        assert (figures.inquiries, figures.answered) == (3, 2)
        assert figures.reply_rate_percent == 67  # 2 of 3, half up
        assert figures.median_reply_seconds == 2 * 3600  # the median of 1 h and 3 h
        assert reply_figures(T0 - timedelta(days=9), T0).reply_rate_percent is None


def test_the_officers_dashboard_shows_the_inquiry_figures(app, demo):
    from ..helpers import Client, text_of

    with app.app_context():
        buyer = accounts.find_user_by_email("buyer@serumpun.example")
        coffee = accounts.find_user_by_email("merchant@serumpun.example")
        ask(buyer, coffee, datetime(2026, 11, 20, 2, 0), [timedelta(hours=3)])
        db.session.commit()
    officer = Client(app)
    officer.login("officer@serumpun.example")
    page = text_of(officer.get("/officer/?since=2026-11-01&until=2026-11-30"))
    assert "Inquiries asked" in page and "100% Answered by the merchant" in page and "3.0 h" in page
