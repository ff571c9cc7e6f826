"""The trade journey: a business buyer asks a coffee roaster for a quote, the roaster answers and quotes from
a phone in Indonesian, and the buyer accepts and orders at the quoted price, paying by bank transfer."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from marketplace.catalog.models import Product
from marketplace.core.models import utcnow
from marketplace.extensions import db
from marketplace.orders.models import OrderLine
from marketplace.trade.models import Quote
from marketplace.trade.services import bandung_today
from tests.e2e.test_buying import sign_in
from tests.helpers import open_menu, publish_product

pytestmark = pytest.mark.e2e


def test_a_buyer_asks_for_a_quote_the_merchant_quotes_and_the_buyer_orders_at_that_price(
        browser, live_server, app, demo, screenshot):
    base = live_server.url
    coffee = publish_product(app, "merchant@serumpun.example", sku="KOPI-Q1", name_en="Java Preanger Coffee 250 g")
    today = bandung_today(utcnow())

    buyer, page = sign_in(browser, base, "buyer@serumpun.example", "en-MY")
    page.goto(f"{base}/products/{coffee}")
    box = page.locator(".ask-box")
    expect(box.get_by_role("link", name="Chat on WhatsApp")).to_have_attribute(
        "href", re.compile(r"^https://wa\.me/6281221430001\?text=.*Java%20Preanger%20Coffee%20250%20g"))
    box.get_by_role("link", name="Ask for a quote").click()
    expect(page.get_by_role("heading", name="Ask Sangrai Preanger Coffee for a quote")).to_be_visible()
    page.get_by_label("Quantity").fill("48")
    page.get_by_label("Target price per unit (optional)").fill("16.50")
    page.get_by_label("Needed by").fill((today + timedelta(days=30)).isoformat())
    page.get_by_label("Your message").fill("We would like 48 bags a month for our café in PJ. Can you do RM 16.50?")
    screenshot(page, "buyer-asks-for-a-quote")
    page.get_by_role("button", name="Send inquiry").click()
    expect(page.get_by_text("Your inquiry is sent to Sangrai Preanger Coffee.")).to_be_visible()
    thread_url = page.url

    # The roaster, on a phone in Indonesian, sees one unread inquiry, answers and quotes.
    merchant, mpage = sign_in(browser, base, "merchant@serumpun.example", "id-ID", width=360)
    nav = open_menu(mpage).get_by_role("navigation", name="Utama")
    expect(nav.get_by_role("link", name="Permintaan penawaran 1 belum dibaca")).to_be_visible()
    nav.get_by_role("link", name="Permintaan penawaran").click()
    mpage.get_by_role("link", name=re.compile(r"#\d+ · Nur Aisyah")).click()
    expect(mpage.get_by_text("We would like 48 bags a month")).to_be_visible()
    mpage.get_by_label("Pesan", exact=True).fill("Bisa, Bu. Kopi disangrai seminggu sebelum dikirim.")
    mpage.get_by_role("button", name="Kirim pesan").click()
    expect(mpage.get_by_text("Pesan terkirim.")).to_be_visible()
    mpage.get_by_label("Harga per unit (rupiah)").fill("70.000")
    expect(mpage.get_by_label("Jumlah")).to_have_value("48")
    mpage.get_by_label("Berlaku sampai").fill((today + timedelta(days=14)).isoformat())
    mpage.get_by_label("Catatan (opsional)").fill("Harga belum termasuk ongkos kirim.")
    mpage.get_by_role("button", name="Kirim penawaran").click()
    expect(mpage.get_by_text("Penawaran terkirim.")).to_be_visible()
    screenshot(mpage, "merchant-quotes")
    merchant.close()

    # The list price rises after the quote; the quote holds.
    with app.app_context():
        db.session.execute(update(Product).where(Product.id == coffee).values(price_idr=99_000))
        db.session.commit()

    page.goto(thread_url)
    quote = page.locator(".quote--current")
    expect(quote).to_contain_text("Waiting for the buyer")
    expect(page.locator('.message__body[lang="id"]')).to_have_text("Bisa, Bu. Kopi disangrai seminggu sebelum dikirim.")
    screenshot(page, "buyer-reads-the-quote")
    quote.get_by_role("button", name="Accept and order").click()
    expect(page.get_by_text("Quote accepted.")).to_be_visible()
    expect(page.get_by_text("48 × Java Preanger Coffee 250 g")).to_be_visible()
    page.get_by_label("Address", exact=True).fill("Kedai Serumpun PJ, 18 Jalan SS2/24")
    page.get_by_label("Postcode").fill("47300")
    expect(page.get_by_label("Bank transfer (DuitNow or IBG)")).to_be_checked()
    screenshot(page, "buyer-checks-out-a-quote")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name="Pay by bank transfer")).to_be_visible()
    number = page.locator(".reference").inner_text()
    expect(page.get_by_text("Quoted price")).to_be_visible()
    screenshot(page, "buyer-quote-order-to-pay")
    buyer.close()

    with app.app_context():
        line = db.session.scalar(select(OrderLine))
        quote_id = db.session.scalar(select(Quote.id))
        assert (line.parcel.order.number, line.quantity, line.unit_price_idr, line.quote_id) == \
            (number, 48, 70_000, quote_id)
        assert db.session.get(Product, coffee).stock == 120 - 48
