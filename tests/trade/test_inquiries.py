"""A buyer asks a merchant, both write in one thread, the merchant quotes, and only the two of them read it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.trade.models import Inquiry, InquiryMessage, InquiryMove, InquiryStatus, Quote, QuoteStatus

from ..helpers import Client, text_of
from .conftest import ask, inquiry_count, send_quote, signed_in

UNREAD_ONE = '<span class="nav-count">1<span class="visually-hidden">'


def nav_text(response) -> str:
    html = response.get_data(as_text=True)
    start = html.index('<nav class="nav"')
    return " ".join(re.sub(r"<[^>]+>", " ", html[start:html.index("</nav>", start)]).split())


def test_a_buyer_asks_from_the_product_page_and_the_merchant_answers_in_their_own_language(
        app, two_shops, buyer, merchant):
    coffee = two_shops["coffee"]
    page = buyer.get(f"/products/{coffee}").get_data(as_text=True)
    assert f'href="/inquiries/new?product={coffee}"' in page
    assert "https://wa.me/6281221430001?text=" in page  # signed-in buyers get the merchant's WhatsApp
    assert "Coffee%20C-1" in page  # the first message names the product
    inquiry_id = ask(buyer, coffee)

    assert UNREAD_ONE in merchant.get("/merchant/").get_data(as_text=True)
    assert "Nur Aisyah" in text_of(merchant.get("/inquiries/"))
    thread = merchant.get(f"/inquiries/{inquiry_id}")
    assert thread.status_code == 200
    assert "48 bags a month" in text_of(thread)
    assert 'class="nav-count"></span>' in merchant.get("/merchant/").get_data(as_text=True)  # read now

    merchant.post(f"/inquiries/{inquiry_id}/messages", {"body": "Bisa, Bu. Kami kirim penawaran hari ini."})
    assert "Inquiries 1 unread" in nav_text(buyer.get("/"))
    page = buyer.get(f"/inquiries/{inquiry_id}").get_data(as_text=True)
    assert '<p class="message__body prose" lang="id">Bisa, Bu. Kami kirim penawaran hari ini.</p>' in page
    assert '<p class="message__body prose" lang="en">Hello, we would like' in page
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiry_id)
        assert (inquiry.status, inquiry.quantity, inquiry.target_price, inquiry.target_currency) == \
            (InquiryStatus.OPEN, 48, 2000, "MYR")
        assert [m.language for m in inquiry.messages] == ["en", "id"]
        assert inquiry.buyer_unread == 0 and inquiry.merchant_unread == 0


def test_a_storefront_offers_the_same_box_and_anonymous_readers_never_see_the_number(app, two_shops, buyer):
    anonymous = Client(app)
    for url in (f"/products/{two_shops['coffee']}", "/merchants/sangrai-preanger-coffee"):
        page = anonymous.get(url).get_data(as_text=True)
        assert "Ask for a quote" in page, url
        assert "wa.me" not in page and "6281221430001" not in page and "812-2143-0001" not in page, url
    page = buyer.get("/merchants/sangrai-preanger-coffee").get_data(as_text=True)
    assert 'href="/inquiries/new?merchant=sangrai-preanger-coffee"' in page and "wa.me/6281221430001" in page
    assert anonymous.get("/inquiries/new?merchant=sangrai-preanger-coffee").headers["Location"].startswith("/login")
    form = buyer.get("/inquiries/new?merchant=sangrai-preanger-coffee")
    assert form.status_code == 200 and "wa.me/6281221430001" in form.get_data(as_text=True)
    assert buyer.get("/inquiries/new?merchant=no-such-shop").status_code == 404
    assert buyer.get("/inquiries/new?product=999999").status_code == 404


OTHERS = ["buyer.kl@serumpun.example", "keripik@serumpun.example", "officer@serumpun.example",
          "admin@serumpun.example"]


@pytest.mark.parametrize("email", OTHERS)
def test_nobody_but_the_two_parties_reads_or_writes_in_a_thread(app, two_shops, buyer, merchant, email):
    inquiry_id = ask(buyer, two_shops["coffee"])
    send_quote(merchant, inquiry_id, two_shops["coffee"])
    with app.app_context():
        quote_id = db.session.scalar(select(Quote.id))
    other = signed_in(app, email)
    assert other.get(f"/inquiries/{inquiry_id}").status_code == 404
    assert other.post(f"/inquiries/{inquiry_id}/messages", {"body": "Hello"}).status_code == 404
    assert other.post(f"/inquiries/{inquiry_id}/messages", {"body": ""}).status_code == 404
    if email.startswith("keripik"):
        assert other.post(f"/inquiries/{inquiry_id}/quotes", {"unit_price": "1"}).status_code == 404
    if email.startswith("buyer"):
        assert other.post(f"/inquiries/{inquiry_id}/accept", {"quote_id": quote_id}).status_code == 404
        assert other.post(f"/inquiries/{inquiry_id}/decline", {"quote_id": quote_id}).status_code == 404
        assert other.get(f"/inquiries/{inquiry_id}/checkout").status_code == 404
    assert "48 bags a month" not in text_of(other.get("/inquiries/"))
    with app.app_context():
        assert len(db.session.scalars(select(InquiryMessage)).all()) == 1
        assert db.session.get(Quote, quote_id).status == QuoteStatus.OFFERED


def test_signed_out_readers_are_sent_to_sign_in(app, two_shops, buyer):
    inquiry_id = ask(buyer, two_shops["coffee"])
    anonymous = Client(app)
    for url in (f"/inquiries/{inquiry_id}", "/inquiries/", "/requests/", "/requests/new", "/officer/requests/"):
        assert anonymous.get(url).headers["Location"].startswith("/login?next="), url


def test_each_role_does_only_its_part(app, two_shops, buyer, merchant):
    coffee = two_shops["coffee"]
    inquiry_id = ask(buyer, coffee)
    officer = signed_in(app, "officer@serumpun.example")
    assert merchant.get(f"/inquiries/new?product={coffee}").status_code == 403  # merchants do not ask
    assert officer.get(f"/inquiries/new?product={coffee}").status_code == 403
    assert buyer.post(f"/inquiries/{inquiry_id}/quotes", {"unit_price": "1"}).status_code == 403  # buyers do not quote
    assert merchant.post(f"/inquiries/{inquiry_id}/accept", {"quote_id": "1"}).status_code == 403
    assert merchant.get(f"/inquiries/{inquiry_id}/checkout").status_code == 403
    assert merchant.get("/requests/new").status_code == 403  # merchants answer requests, they do not post them
    assert buyer.post("/requests/1/answer", {"body": "x"}).status_code == 403
    for client in (buyer, merchant):
        assert client.get("/officer/requests/").status_code == 403
    assert officer.get("/officer/requests/").status_code == 200
    assert officer.get("/requests/new").status_code == 200
    # The merchant cannot answer its own product page with an inquiry box: it sees its page as it is.
    assert "Ask for a quote" not in merchant.get(f"/products/{coffee}").get_data(as_text=True)


def test_the_merchant_quotes_and_a_newer_quote_replaces_the_waiting_one(app, two_shops, buyer, merchant):
    coffee = two_shops["coffee"]
    inquiry_id = ask(buyer, coffee)
    form = merchant.get(f"/inquiries/{inquiry_id}").get_data(as_text=True)
    assert f'<option selected value="{coffee}">' in form  # the product asked about, chosen already
    send_quote(merchant, inquiry_id, coffee)
    send_quote(merchant, inquiry_id, coffee, unit_price="68000", notes="")
    page = text_of(buyer.get(f"/inquiries/{inquiry_id}"))
    assert "Replaced by a newer quote" in page and "Accept and order" in page
    assert "Inquiries 2 unread" not in nav_text(buyer.get("/"))  # read on the page just shown
    with app.app_context():
        first, second = db.session.scalars(select(Quote).order_by(Quote.id)).all()
        assert (first.status, second.status) == (QuoteStatus.SUPERSEDED, QuoteStatus.OFFERED)
        assert (second.unit_price_idr, second.list_price_idr, second.quantity, second.notes) == (68000, 78000, 48, None)
        moves = db.session.scalars(select(InquiryMove).order_by(InquiryMove.id)).all()
        assert [(m.from_status, m.to_status) for m in moves] == [(None, "open"), ("open", "quoted"),
                                                                  ("quoted", "quoted")]
        assert all(m.actor_id is not None and m.at is not None for m in moves)


def test_the_buyer_declines_and_the_merchant_may_quote_again(app, two_shops, buyer, merchant):
    coffee = two_shops["coffee"]
    inquiry_id = ask(buyer, coffee)
    send_quote(merchant, inquiry_id, coffee)
    with app.app_context():
        quote_id = db.session.scalar(select(Quote.id))
    response = buyer.post(f"/inquiries/{inquiry_id}/decline", {"quote_id": quote_id})
    assert response.headers["Location"] == f"/inquiries/{inquiry_id}"
    assert "Quote declined." in text_of(buyer.get(f"/inquiries/{inquiry_id}"))
    again = buyer.post(f"/inquiries/{inquiry_id}/accept", {"quote_id": quote_id})
    assert "This quote was answered already (Declined)." in text_of(buyer.get(again.headers["Location"]))
    send_quote(merchant, inquiry_id, coffee, unit_price="65000")
    with app.app_context():
        assert db.session.get(Inquiry, inquiry_id).status == InquiryStatus.QUOTED


def test_a_merchant_cannot_quote_another_shops_product_or_more_than_its_stock(app, two_shops, buyer,
                                                                               merchant_en):
    merchant = merchant_en
    inquiry_id = ask(buyer, two_shops["coffee"])
    response = merchant.post(f"/inquiries/{inquiry_id}/quotes",
                             {**_quote(two_shops["keripik"]), "product_id": str(two_shops["keripik"])})
    assert response.status_code == 400 and "Please choose one of the options." in text_of(response)
    response = merchant.post(f"/inquiries/{inquiry_id}/quotes", _quote(two_shops["tea"], quantity="6"))
    assert response.status_code == 400
    assert "Only 5 are in stock. Add stock to the product first, or quote fewer." in text_of(response)
    with app.app_context():
        assert db.session.scalar(select(Quote.id)) is None
    assert inquiry_count_in(app) == 1


def _quote(product_id, **overrides):
    from .conftest import quote_form

    return quote_form(product_id, **overrides)


def inquiry_count_in(app) -> int:
    with app.app_context():
        return inquiry_count()


def test_a_question_from_the_storefront_is_quoted_on_a_product_the_merchant_chooses(app, two_shops, buyer, merchant):
    from .conftest import inquiry_form

    response = buyer.post("/inquiries/new?merchant=sangrai-preanger-coffee", inquiry_form(quantity="4"))
    inquiry_id = int(response.headers["Location"].rsplit("/", 1)[1])
    form = merchant.get(f"/inquiries/{inquiry_id}").get_data(as_text=True)
    assert '<option selected value="' not in form.split('name="product_id"')[1].split("</select>")[0]  # it chooses
    send_quote(merchant, inquiry_id, two_shops["tea"], quantity="4", unit_price="40000")
    with app.app_context():
        quote = db.session.scalar(select(Quote))
        assert (quote.product_id, quote.quantity, db.session.get(Inquiry, inquiry_id).product_id) == \
            (two_shops["tea"], 4, None)
    buyer.post(f"/inquiries/{inquiry_id}/accept", {"quote_id": quote.id})
    assert "4 × Coffee C-2" in text_of(buyer.get(f"/inquiries/{inquiry_id}/checkout"))


def test_an_accepted_quote_never_ordered_can_be_quoted_again(app, two_shops, buyer, merchant):
    """Accepted, then not ordered before it ran out: the thread must not be stuck for good."""
    coffee = two_shops["coffee"]
    inquiry_id = ask(buyer, coffee)
    send_quote(merchant, inquiry_id, coffee)
    with app.app_context():
        quote_id = db.session.scalar(select(Quote.id))
    buyer.post(f"/inquiries/{inquiry_id}/accept", {"quote_id": quote_id})
    with app.app_context():
        assert db.session.get(Inquiry, inquiry_id).status == InquiryStatus.ACCEPTED
    send_quote(merchant, inquiry_id, coffee, unit_price="66000")
    with app.app_context():
        assert db.session.get(Inquiry, inquiry_id).status == InquiryStatus.QUOTED
        quotes = db.session.scalars(select(Quote).order_by(Quote.id)).all()
        assert [q.status for q in quotes] == [QuoteStatus.SUPERSEDED, QuoteStatus.OFFERED]


def test_a_suspended_shop_cannot_be_asked(app, two_shops, buyer):
    from marketplace.accounts.models import MerchantProfile
    from marketplace.core.models import utcnow

    with app.app_context():
        shop = db.session.scalar(select(MerchantProfile).where(MerchantProfile.business_name == "Keripik Ceu Enok"))
        shop.suspended_at, slug = utcnow(), shop.slug
        db.session.commit()
    assert buyer.get(f"/inquiries/new?merchant={slug}").status_code == 404


def test_a_forged_quote_number_is_refused_not_a_500(app, two_shops, buyer, merchant):
    coffee = two_shops["coffee"]
    inquiry_id = ask(buyer, coffee)
    send_quote(merchant, inquiry_id, coffee)
    response = buyer.post(f"/inquiries/{inquiry_id}/accept", {"quote_id": "²"})
    assert response.status_code in (302, 303, 400)
    with app.app_context():
        assert db.session.get(Inquiry, inquiry_id).status == InquiryStatus.QUOTED
