"""A quote the buyer accepts becomes an order at the quoted price, whatever the list says by then; a quote
ends at the end of its valid-until day in Bandung, by its job or when it is read or answered after that."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from marketplace.accounts import services as accounts
from marketplace.catalog.models import PriceTier, Product
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, OrderStatus
from marketplace.trade import services
from marketplace.trade.models import Inquiry, InquiryMove, InquiryStatus, Quote, QuoteStatus

from ..helpers import queued_jobs, text_of
from .conftest import ask, send_quote, signed_in

CHECKOUT = {"name": "Nur Aisyah binti Hamzah", "phone": "+60379561234", "line1": "18 Jalan SS2/24", "line2": "",
            "city": "Petaling Jaya", "postcode": "47300", "state": "MY-10", "payment_method": "bank_transfer"}


def checkout_key(client, inquiry_id: int) -> str:
    page = client.get(f"/inquiries/{inquiry_id}/checkout").get_data(as_text=True)
    return re.search(r'name="checkout_key"[^>]*value="([^"]+)"', page).group(1)


def quoted(app, two_shops, buyer, merchant, **overrides) -> tuple[int, int]:
    inquiry_id = ask(buyer, two_shops["coffee"])
    send_quote(merchant, inquiry_id, two_shops["coffee"], **overrides)
    with app.app_context():
        return inquiry_id, db.session.scalar(select(Quote.id).where(Quote.inquiry_id == inquiry_id))


def test_an_accepted_quote_is_ordered_at_its_price_after_the_list_price_rose(app, two_shops, buyer, merchant):
    coffee = two_shops["coffee"]
    inquiry_id, quote_id = quoted(app, two_shops, buyer, merchant, unit_price="70.000", quantity="48")
    with app.app_context():  # the merchant raises the list price and the tier after quoting
        db.session.execute(update(Product).where(Product.id == coffee).values(price_idr=99_000))
        db.session.execute(update(PriceTier).where(PriceTier.product_id == coffee).values(unit_price_idr=95_000))
        db.session.commit()

    accepted = buyer.post(f"/inquiries/{inquiry_id}/accept", {"quote_id": quote_id})
    assert accepted.headers["Location"] == f"/inquiries/{inquiry_id}/checkout"
    page = buyer.get(f"/inquiries/{inquiry_id}/checkout")
    assert page.status_code == 200
    assert "48 × Coffee C-1" in text_of(page) and "Quoted price" in text_of(page)
    placed = buyer.post(f"/inquiries/{inquiry_id}/checkout", {**CHECKOUT, "checkout_key": checkout_key(buyer, inquiry_id)})
    assert placed.status_code == 303
    number = placed.headers["Location"].rsplit("/", 1)[1]
    order_page = text_of(buyer.get(placed.headers["Location"]))
    assert "Pay by bank transfer" in order_page and "Quoted price" in order_page

    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        line = db.session.scalar(select(OrderLine))
        assert (line.quantity, line.unit_price_idr, line.quote_id) == (48, 70_000, quote_id)
        assert order.goods_idr == 48 * 70_000 and order.status == OrderStatus.PENDING_PAYMENT
        assert db.session.get(Product, coffee).stock == 120 - 48  # taken at checkout, as for a cart
        quote = db.session.get(Quote, quote_id)
        assert quote.order_id == order.id and quote.status == QuoteStatus.ACCEPTED
        assert db.session.get(Inquiry, inquiry_id).status == InquiryStatus.ACCEPTED
    # The thread shows the order; the quote cannot be ordered twice.
    assert number in text_of(buyer.get(f"/inquiries/{inquiry_id}"))
    again = buyer.get(f"/inquiries/{inquiry_id}/checkout")
    assert again.headers["Location"] == f"/inquiries/{inquiry_id}"
    assert f"Order {number} was placed for this quote." in text_of(buyer.get(again.headers["Location"]))


def test_the_same_checkout_sent_twice_places_one_order(app, two_shops, buyer, merchant):
    inquiry_id, quote_id = quoted(app, two_shops, buyer, merchant)
    buyer.post(f"/inquiries/{inquiry_id}/accept", {"quote_id": quote_id})
    key = checkout_key(buyer, inquiry_id)
    first = buyer.post(f"/inquiries/{inquiry_id}/checkout", {**CHECKOUT, "checkout_key": key})
    second = buyer.post(f"/inquiries/{inquiry_id}/checkout", {**CHECKOUT, "checkout_key": key})
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert len(db.session.scalars(select(Order)).all()) == 1


def test_a_cancelled_quote_order_can_be_placed_again_and_a_short_stock_is_said_plainly(app, two_shops, buyer,
                                                                                         merchant):
    inquiry_id, quote_id = quoted(app, two_shops, buyer, merchant)
    buyer.post(f"/inquiries/{inquiry_id}/accept", {"quote_id": quote_id})
    placed = buyer.post(f"/inquiries/{inquiry_id}/checkout", {**CHECKOUT, "checkout_key": checkout_key(buyer, inquiry_id)})
    number = placed.headers["Location"].rsplit("/", 1)[1]
    buyer.post(f"/orders/{number}/cancel", {})
    with app.app_context():
        assert db.session.get(Product, two_shops["coffee"]).stock == 120  # given back
        db.session.execute(update(Product).where(Product.id == two_shops["coffee"]).values(stock=40))
        db.session.commit()
    short = buyer.post(f"/inquiries/{inquiry_id}/checkout", {**CHECKOUT, "checkout_key": checkout_key(buyer, inquiry_id)})
    assert short.status_code == 400
    assert "The merchant has fewer than 48 in stock now. Write to them in the inquiry." in text_of(short)
    with app.app_context():
        assert db.session.get(Product, two_shops["coffee"]).stock == 40
        assert len(db.session.scalars(select(Order)).all()) == 1


def test_the_checkout_address_is_checked_as_any_checkout(app, two_shops, buyer, merchant):
    inquiry_id, quote_id = quoted(app, two_shops, buyer, merchant)
    buyer.post(f"/inquiries/{inquiry_id}/accept", {"quote_id": quote_id})
    bad = buyer.post(f"/inquiries/{inquiry_id}/checkout",
                     {**CHECKOUT, "postcode": "88000", "checkout_key": checkout_key(buyer, inquiry_id)})
    assert bad.status_code == 400 and "Postcode 88000 is not in Selangor." in text_of(bad)
    with app.app_context():
        assert db.session.scalar(select(Order.id)) is None


def test_only_an_accepted_quote_is_checked_out(app, two_shops, buyer, merchant):
    inquiry_id, _ = quoted(app, two_shops, buyer, merchant)
    response = buyer.get(f"/inquiries/{inquiry_id}/checkout")
    assert response.headers["Location"] == f"/inquiries/{inquiry_id}"
    assert "Accept a quote first" in text_of(buyer.get(response.headers["Location"]))


def quote_for(app, two_shops, valid_until: date) -> Quote:
    """A quote made through the services at a chosen valid-until date (what the page allows is tested elsewhere)."""
    with app.test_request_context():
        buyer = accounts.find_user_by_email("buyer@serumpun.example")
        merchant = accounts.find_user_by_email("merchant@serumpun.example")
        now = datetime(2027, 3, 1, 2, 0)
        ask = services.Ask(48, None, "MYR", "MY-10", date(2027, 4, 1), "Hello")
        with unit_of_work(capture=False):
            product = db.session.get(Product, two_shops["coffee"])
            inquiry = services.ask_merchant(buyer, product.merchant, product, ask, "en", now)
            quote = services.make_quote(merchant, inquiry, services.QuoteTerms(
                product.id, 70_000, 48, valid_until, services.ShippingTerms.COURIER, None), "id", now)
            return quote.id


def test_a_quote_ends_at_midnight_of_its_valid_until_day_in_bandung(app, two_shops, demo):
    quote_id = quote_for(app, two_shops, date(2027, 3, 10))
    end = datetime(2027, 3, 10, 17, 0)  # 11 March 00:00 in Bandung (UTC+7)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        quote = db.session.get(Quote, quote_id)
        assert quote.expires_at == end
        buyer = accounts.find_user_by_email("buyer@serumpun.example")
        inquiry = db.session.get(Inquiry, quote.inquiry_id)
        assert services.effective_status(inquiry, end - timedelta(microseconds=1)) == InquiryStatus.QUOTED
        assert services.effective_status(inquiry, end) == InquiryStatus.EXPIRED
        with unit_of_work(capture=False):
            assert services.expire_quote(quote_id, end - timedelta(microseconds=1)) is False  # a job a moment early
        with unit_of_work() as work:
            services.accept_quote(buyer, inquiry, quote_id, end)
        assert "This quote ran out at the end of 10 Mar 2027." in str(work.refused.message)
        with unit_of_work(capture=False):
            assert services.expire_quote(quote_id, end) is True
            assert services.expire_quote(quote_id, end) is False  # the job again: nothing more
        quote = db.session.get(Quote, quote_id)
        inquiry = db.session.get(Inquiry, quote.inquiry_id)
        assert (quote.status, inquiry.status) == (QuoteStatus.EXPIRED, InquiryStatus.EXPIRED)
        assert (inquiry.buyer_unread, inquiry.merchant_unread) == (2, 2)  # both told of its end
        move = db.session.scalars(select(InquiryMove).order_by(InquiryMove.id.desc())).first()
        assert (move.from_status, move.to_status, move.actor_id, move.at) == ("quoted", "expired", None, end)


def test_the_last_moment_of_the_day_can_still_accept(app, two_shops, demo):
    quote_id = quote_for(app, two_shops, date(2027, 3, 10))
    with app.test_request_context():
        buyer = accounts.find_user_by_email("buyer@serumpun.example")
        quote = db.session.get(Quote, quote_id)
        inquiry = db.session.get(Inquiry, quote.inquiry_id)
        with unit_of_work(capture=False):
            services.accept_quote(buyer, inquiry, quote_id, datetime(2027, 3, 10, 16, 59, 59))
        assert db.session.get(Inquiry, quote.inquiry_id).status == InquiryStatus.ACCEPTED


def test_a_quote_schedules_its_own_end_and_the_job_expires_it(app_factory, two_shops):
    special = app_factory()
    quote_id = quote_for(special, two_shops, date(2027, 3, 10))
    with special.app_context():
        # Queued with its time; a consumer holds it until then.
        assert queued_jobs(special, services.EXPIRE_JOB, scheduled=True) == \
            [((quote_id,), datetime(2027, 3, 10, 17, 0))]
        from marketplace.trade.jobs import expire_when_due

        with unit_of_work(capture=False):
            expire_when_due(quote_id)  # run now (after 2027? the job checks the clock: not yet)
        assert db.session.get(Quote, quote_id).status == QuoteStatus.OFFERED
        with unit_of_work(capture=False):
            assert services.expire_due(datetime(2027, 3, 11)) == 1
        assert db.session.get(Quote, quote_id).status == QuoteStatus.EXPIRED


def test_a_quote_past_its_time_reads_expired_and_is_refused_before_its_job_runs(app, two_shops, buyer, merchant):
    inquiry_id, quote_id = quoted(app, two_shops, buyer, merchant)
    with app.app_context():
        db.session.execute(update(Quote).where(Quote.id == quote_id).values(expires_at=datetime(2020, 1, 1)))
        db.session.commit()
    page = text_of(buyer.get(f"/inquiries/{inquiry_id}"))
    assert "Quote expired" in page and "Accept and order" not in page
    refused = buyer.post(f"/inquiries/{inquiry_id}/accept", {"quote_id": quote_id})
    assert "ran out" in text_of(buyer.get(refused.headers["Location"]))
    with app.app_context():
        assert db.session.get(Quote, quote_id).status == QuoteStatus.OFFERED  # its job records the end
        assert db.session.scalar(select(Order.id)) is None


def test_an_officer_cannot_accept_a_quote_for_a_buyer(app, demo, two_shops):
    """An officer's buying request is answered in a thread with the officer; ordering is for buyer accounts."""
    from marketplace.trade import requests as buying

    with app.test_request_context(headers={"Accept-Language": "en"}):
        officer = accounts.find_user_by_email("officer.pj@serumpun.example")
        merchant = accounts.find_user_by_email("merchant@serumpun.example")
        now = datetime(2027, 3, 1, 2, 0)
        with unit_of_work(capture=False):
            posted = buying.post_request(officer, buying.RequestData(
                "Coffee for a trade week", None, "coffee-tea", 48, None, "MYR", "MY-10", date(2027, 3, 20)), now)
            inquiry = buying.answer_request(merchant, posted.id, "Bisa, Bu.", "id", now)
            quote = services.make_quote(merchant, inquiry, services.QuoteTerms(
                two_shops["coffee"], 70_000, 48, date(2027, 3, 10), services.ShippingTerms.COURIER, None), "id", now)
        with unit_of_work() as work:
            services.accept_quote(officer, inquiry, quote.id, now)
        assert "Only a buyer account can order" in str(work.refused.message)


@pytest.mark.parametrize("language", ["id", "ms"])
def test_the_thread_reads_in_each_language(app, two_shops, buyer, merchant, language):
    inquiry_id, _ = quoted(app, two_shops, buyer, merchant)
    reader = signed_in(app, "buyer@serumpun.example", language)
    page = reader.get(f"/inquiries/{inquiry_id}")
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.get_data(as_text=True)
    assert "Accept and order" not in text_of(page)  # translated


def test_a_sea_freight_quote_is_ordered_with_its_freight_instead_of_a_courier(app, two_shops, buyer, merchant):
    from marketplace.orders.models import MerchantOrder

    inquiry_id, quote_id = quoted(app, two_shops, buyer, merchant, shipping_terms="sea_freight",
                                  freight="1.500.000", freight_days="21")
    thread = text_of(buyer.get(f"/inquiries/{inquiry_id}"))
    assert "Sea freight arranged by the merchant" in thread and "for the whole order, 21 days by sea" in thread
    buyer.post(f"/inquiries/{inquiry_id}/accept", {"quote_id": quote_id})
    page = text_of(buyer.get(f"/inquiries/{inquiry_id}/checkout"))
    assert f"Sea freight (quote {quote_id})" in page
    buyer.post(f"/inquiries/{inquiry_id}/checkout", {**CHECKOUT, "checkout_key": checkout_key(buyer, inquiry_id)})
    with app.app_context():
        parcel = db.session.scalar(select(MerchantOrder))
        assert (parcel.service_code, parcel.shipping_idr, parcel.transit_days, parcel.boxes) == \
            ("agreed-freight", 1_500_000, "21-21", 1)
        assert parcel.goods_idr == 48 * 70_000
        assert parcel.total_sen == parcel.goods_sen + parcel.shipping_sen + parcel.tax_sen
        assert parcel.declarations[0]["boxes"] == 1 and parcel.declarations[0]["lines"][0]["quantity"] == 48


@pytest.mark.parametrize(("fields", "message"), [
    ({"freight": "", "freight_days": "21"}, "Enter the sea freight for the whole order, in rupiah."),
    ({"freight": "1.500.000", "freight_days": ""}, "Enter the days by sea, from 1 to 120."),
    ({"freight": "1.500.000", "freight_days": "0"}, "Enter a number from 1 to 120."),
    ({"freight": "1.500.000,5", "freight_days": "21"}, "Rupiah prices are whole numbers: no sen."),
])
def test_a_sea_freight_quote_needs_its_freight_and_days(app, two_shops, buyer, merchant_en, fields, message):
    inquiry_id = ask(buyer, two_shops["coffee"])
    from .conftest import quote_form

    response = merchant_en.post(f"/inquiries/{inquiry_id}/quotes",
                                {**quote_form(two_shops["coffee"]), "shipping_terms": "sea_freight", **fields})
    assert response.status_code == 400 and message in text_of(response)
    with app.app_context():
        assert db.session.scalar(select(Quote.id)) is None


def test_a_courier_quote_keeps_no_freight_typed_by_mistake(app, two_shops, buyer, merchant):
    inquiry_id, quote_id = quoted(app, two_shops, buyer, merchant, freight="1.500.000", freight_days="21")
    with app.app_context():
        quote = db.session.get(Quote, quote_id)
        assert (quote.shipping_terms.value, quote.freight_idr, quote.freight_days) == ("courier", None, None)
