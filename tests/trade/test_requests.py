"""Buying requests: buyers and officers post them, verified merchants of the category answer in a thread, and
officers see which got no answer."""
from __future__ import annotations

import re

from sqlalchemy import select

from marketplace.audit.models import AuditEntry
from marketplace.extensions import db
from marketplace.trade.models import BuyingRequest, Inquiry, InquiryStatus

from ..helpers import text_of
from .conftest import request_form, signed_in


def post(client, **overrides) -> int:
    response = client.post("/requests/new", request_form(**overrides))
    assert response.status_code == 302, text_of(response)
    return int(re.search(r"/requests/(\d+)$", response.headers["Location"]).group(1))


def test_verified_merchants_of_the_category_see_a_request_and_answer_it_in_a_thread(app, buyer, merchant, demo):
    request_id = post(buyer)
    assert "Arabica coffee beans" in text_of(buyer.get("/requests/"))
    assert "Arabica coffee beans" in text_of(merchant.get("/requests/"))  # coffee-tea, verified
    snacks = signed_in(app, "keripik@serumpun.example")
    assert "Arabica coffee beans" not in text_of(snacks.get("/requests/"))  # another category
    assert snacks.get(f"/requests/{request_id}").status_code == 404
    assert snacks.post(f"/requests/{request_id}/answer", {"body": "Halo"}).status_code == 404

    answered = merchant.post(f"/requests/{request_id}/answer", {"body": "Kami bisa kirim 120 kantong tiap bulan."})
    inquiry_url = answered.headers["Location"]
    assert re.fullmatch(r"/inquiries/\d+", inquiry_url)
    again = merchant.post(f"/requests/{request_id}/answer", {"body": "Sampel bisa dikirim minggu depan."})
    assert again.headers["Location"] == inquiry_url  # one thread per merchant and request
    with app.app_context():
        inquiry = db.session.scalar(select(Inquiry))
        assert (inquiry.status, inquiry.quantity, inquiry.target_price, inquiry.buyer_unread) == \
            (InquiryStatus.OPEN, 120, 4500, 2)
        assert [m.language for m in inquiry.messages] == ["id", "id"]
    thread = text_of(buyer.get(inquiry_url))
    assert "Kami bisa kirim 120 kantong tiap bulan." in thread and "Arabica coffee beans" in thread
    mine = text_of(buyer.get(f"/requests/{request_id}"))
    assert "Sangrai Preanger Coffee" in mine and "1 answer" in text_of(buyer.get("/requests/"))


def test_merchants_not_verified_see_no_requests(app, buyer, demo):
    request_id = post(buyer, title="Leather wallets", category="bags-leather")
    leather = signed_in(app, "leather@serumpun.example")  # not verified
    page = text_of(leather.get("/requests/"))
    assert "Leather wallets" not in page and "Buying requests are shown to verified merchants." in page
    assert leather.get(f"/requests/{request_id}").status_code == 404
    assert leather.post(f"/requests/{request_id}/answer", {"body": "Ada"}).status_code == 404


def test_other_buyers_do_not_read_a_request_and_closed_or_past_requests_leave_the_merchants_list(app, buyer,
                                                                                                   merchant, demo):
    request_id = post(buyer)
    other = signed_in(app, "buyer.kl@serumpun.example")
    assert other.get(f"/requests/{request_id}").status_code == 404
    assert other.post(f"/requests/{request_id}/close", {}).status_code == 404
    buyer.post(f"/requests/{request_id}/close", {})
    assert "Arabica coffee beans" not in text_of(merchant.get("/requests/"))
    assert merchant.get(f"/requests/{request_id}").status_code == 404
    assert "Closed" in text_of(buyer.get(f"/requests/{request_id}"))


def test_officers_post_requests_see_which_got_no_answer_and_each_post_is_audited(app, buyer, merchant, demo):
    answered = post(buyer)
    officer = signed_in(app, "officer.pj@serumpun.example")
    lonely = post(officer, title="Bamboo lamps for the PJ trade week", category="crafts-decor", target_price="")
    merchant.post(f"/requests/{answered}/answer", {"body": "Bisa."})

    page = text_of(officer.get("/officer/requests/"))
    assert page.index("Bamboo lamps for the PJ trade week") < page.index("Arabica coffee beans")  # unanswered first
    assert "No answer" in page and "1 answer" in page
    unanswered = text_of(officer.get("/officer/requests/?unanswered=1"))
    assert "Bamboo lamps" in unanswered and "Arabica coffee beans" not in unanswered
    # Officers see who answered a request, never the thread itself.
    detail = officer.get(f"/requests/{answered}")
    assert "Sangrai Preanger Coffee" in text_of(detail) and "/inquiries/" not in detail.get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "buying_request.posted"))
        assert entry.object_kind == "buying_request" and entry.object_id == str(lonely)
        assert entry.after["title"] == "Bamboo lamps for the PJ trade week" and entry.after["target_price"] is None
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.object_id == str(answered),
                                                          AuditEntry.object_kind == "buying_request")) is None
        assert db.session.get(BuyingRequest, lonely).author.email == "officer.pj@serumpun.example"
    officer.post(f"/requests/{lonely}/close", {})
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "buying_request.closed"))
