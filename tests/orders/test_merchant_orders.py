"""The merchant works its parcels at /merchant/orders: a list by what to do first, each parcel's moves, its papers."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.accounts import services as accounts
from marketplace.catalog.models import Product
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.orders import lifecycle
from marketplace.orders.models import MerchantOrder, Order, ParcelStatus, StatusChange

from ..helpers import Client, bandung_today, text_of
from .conftest import place

COFFEE_SHOP = "merchant@serumpun.example"
CHIPS_SHOP = "keripik@serumpun.example"
P = ParcelStatus


def pay(app, number: str) -> None:
    """The order's money arrived (as the payments package will record it)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with unit_of_work(capture=False):
            lifecycle.mark_paid(db.session.scalar(select(Order).where(Order.number == number)), None, {})


def parcel_of(app, number: str, shop: str = COFFEE_SHOP) -> MerchantOrder:
    """The shop's parcel of an order, read fresh."""
    with app.app_context():
        merchant_id = accounts.find_user_by_email(shop).merchant_profile.id
        parcel = db.session.scalar(select(MerchantOrder).join(Order).where(
            Order.number == number, MerchantOrder.merchant_id == merchant_id))
        db.session.refresh(parcel)
        db.session.expunge(parcel)
        return parcel


def stock(app, product_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Product.stock).where(Product.id == product_id))


def signed_in(app, email: str, language: str | None = None) -> Client:
    """A browser signed in; with a language, the account's language set to it (merchants read id by default)."""
    client = Client(app)
    assert client.login(email).status_code == 302
    if language:
        client.post("/language", {"language": language, "next": "/"}, token_from="/")
    return client


def flashed(response) -> str:
    return " ".join(re.findall(r'class="flash flash--\w+"[^>]*>([^<]*)<', response.get_data(as_text=True)))


@pytest.fixture()
def paid_parcel(app, two_shops):
    """A paid order of coffee (24) and chips (3): the coffee roaster's parcel number."""
    number = place(app, {two_shops["coffee"]: 24, two_shops["keripik"]: 3})
    pay(app, number)
    return parcel_of(app, number).number


def test_parcels_to_pack_come_first_as_cards_in_indonesian_and_english(app, two_shops):
    waiting = place(app, {two_shops["tea"]: 1})  # not paid
    paid = place(app, {two_shops["coffee"]: 6})
    pay(app, paid)
    paid_parcel = parcel_of(app, paid).number
    merchant = signed_in(app, COFFEE_SHOP)
    page = merchant.get("/merchant/orders/")
    html, text = page.get_data(as_text=True), text_of(page)
    assert page.status_code == 200 and 'lang="id"' in html
    # The paid parcel (newer, but also the one to pack) before the unpaid one; no wide table on a phone.
    assert html.index(paid_parcel) < html.index(f"{waiting}-1") and "<table" not in html
    assert "Dibayar, siap dikemas" in text and "Menunggu pembayaran" in text
    assert "Petaling Jaya, Selangor" in text and "6 unit" in text and "Rp" in text
    assert "Pesanan" in text  # the menu entry
    # A tab per status with its count; a tab shows only its own.
    assert re.search(r"Dibayar, siap dikemas\s*\(?\s*1", text)
    only_paid = text_of(merchant.get("/merchant/orders/?status=paid"))
    assert paid_parcel in only_paid and f"{waiting}-1" not in only_paid
    assert paid_parcel in text_of(merchant.get("/merchant/orders/?status=nonsense&page=banana"))
    detail = text_of(merchant.get(f"/merchant/orders/{paid_parcel}"))
    assert "Tandai sudah dikemas" in detail and "Kopi C-1" in detail and "Kirim ke" in detail

    english = signed_in(app, COFFEE_SHOP, "en")
    text = text_of(english.get("/merchant/orders/"))
    assert "Paid, to pack" in text and "Waiting for payment" in text and "6 units" in text and "IDR" in text
    detail = english.get(f"/merchant/orders/{paid_parcel}")
    text = text_of(detail)
    assert detail.status_code == 200 and "Mark as packed" in text and "Kopi C-1" not in text
    assert "Coffee C-1" in text and "Siti Aminah" in text and 'href="tel:+60123456789"' in detail.get_data(as_text=True)


def test_an_empty_list_says_what_will_come(app, demo):
    text = text_of(signed_in(app, COFFEE_SHOP).get("/merchant/orders/"))
    assert "Belum ada pesanan." in text
    text = text_of(signed_in(app, COFFEE_SHOP, "en").get("/merchant/orders/?status=shipped"))
    assert "No orders yet." in text  # no parcel at all: the first-time message, whatever tab


def test_the_dashboard_counts_parcels_to_pack(app, paid_parcel):
    text = text_of(signed_in(app, COFFEE_SHOP, "en").get("/merchant/"))
    assert re.search(r"Orders 1 Paid, to pack", text) and "Pack them" in text


def test_the_mail_of_a_paid_parcel_leads_to_its_page(app, paid_parcel):
    from marketplace.mail.models import OutboxMessage
    from marketplace.orders import jobs

    with app.app_context():
        jobs.mail_parcel_step(parcel_of(app, paid_parcel[:-2]).id, "paid")
        body = db.session.scalars(select(OutboxMessage.body).where(
            OutboxMessage.recipient == COFFEE_SHOP)).one()
    link = re.search(r"https?://\S+(/merchant/orders/\S+)", body).group(1)
    assert link == f"/merchant/orders/{paid_parcel}"
    assert signed_in(app, COFFEE_SHOP).get(link).status_code == 200


def test_a_parcel_goes_paid_packed_shipped_delivered_and_keeps_its_tracking(app, paid_parcel):
    merchant = signed_in(app, COFFEE_SHOP, "en")
    url = f"/merchant/orders/{paid_parcel}"
    page = text_of(merchant.get(url))
    assert "Mark as packed" in page and "Mark as shipped" not in page
    packed = merchant.post(f"{url}/pack", follow_redirects=True)
    assert f"Parcel {paid_parcel} is packed." in flashed(packed)
    assert parcel_of(app, paid_parcel[:-2]).status == P.PACKED

    page = merchant.get(url).get_data(as_text=True)
    today = re.search(r'name="shipped_on"[^>]*value="([0-9-]+)"', page).group(1)
    assert abs(date.fromisoformat(today) - date.today()) <= timedelta(days=1)  # today where the merchant is
    shipped = merchant.post(f"{url}/ship", {"courier": "Pos Indonesia", "tracking_number": "EE123456789ID",
                                            "shipped_on": today,
                                            "tracking_url": "https://www.posindonesia.co.id/id/tracking"},
                            follow_redirects=True)
    assert "is shipped" in flashed(shipped)
    parcel = parcel_of(app, paid_parcel[:-2])
    assert (parcel.status, parcel.tracking_courier, parcel.tracking_number, parcel.shipped_on.isoformat(),
            parcel.tracking_url) == (P.SHIPPED, "Pos Indonesia", "EE123456789ID", today,
                                     "https://www.posindonesia.co.id/id/tracking")

    delivered = merchant.post(f"{url}/deliver", follow_redirects=True)
    assert f"Parcel {paid_parcel} is delivered." in flashed(delivered)
    page = text_of(merchant.get(url))
    assert "Pos Indonesia" in page and "EE123456789ID" in page and "Mark as" not in page
    # The timeline: every move, with who made it.
    assert re.search(r"Waiting for payment.*by the buyer.*Paid, to pack.*by Serumpun.*Packed.*by you.*Shipped.*by you"
                     r".*Pos Indonesia EE123456789ID.*Delivered.*by you", page)
    with app.app_context():
        moves = db.session.scalars(select(StatusChange.to_status).where(
            StatusChange.subject == "parcel", StatusChange.subject_id == parcel.id).order_by(StatusChange.id)).all()
    assert moves == ["pending_payment", "paid", "packed", "shipped", "delivered"]
    # The buyer follows the same tracking on the order page.
    buyer = text_of(signed_in(app, "buyer@serumpun.example").get(f"/orders/{paid_parcel[:-2]}"))
    assert "EE123456789ID" in buyer


def test_moves_out_of_turn_are_refused_with_a_message_and_change_nothing(app, two_shops, paid_parcel):
    merchant = signed_in(app, COFFEE_SHOP, "en")
    url = f"/merchant/orders/{paid_parcel}"
    shipped = merchant.post(f"{url}/ship", {"courier": "Pos Indonesia", "tracking_number": "EE1",
                                            "shipped_on": bandung_today().isoformat()}, follow_redirects=True)
    assert f"Parcel {paid_parcel} is Paid, to pack and cannot become Shipped." in flashed(shipped)
    parcel = parcel_of(app, paid_parcel[:-2])
    assert parcel.status == P.PAID and parcel.tracking_number is None
    assert merchant.post(f"{url}/deliver", follow_redirects=True).status_code == 200
    assert parcel_of(app, paid_parcel[:-2]).status == P.PAID

    unpaid = place(app, {two_shops["tea"]: 1})
    packed = merchant.post(f"/merchant/orders/{unpaid}-1/pack", follow_redirects=True)
    assert f"Parcel {unpaid}-1 is Waiting for payment and cannot become Packed." in flashed(packed)
    assert parcel_of(app, unpaid).status == P.PENDING_PAYMENT
    # In Indonesian too.
    indonesian = signed_in(app, COFFEE_SHOP, "id")  # the account reads English since the first browser chose it
    refused = indonesian.post(f"/merchant/orders/{unpaid}-1/pack", follow_redirects=True)
    assert "tidak bisa menjadi" in flashed(refused)
    # A move without its token changes nothing either.
    assert merchant.http.post(f"{url}/pack", data={}).status_code in (302, 303, 400)
    assert parcel_of(app, paid_parcel[:-2]).status == P.PAID


@pytest.mark.parametrize("field, value, message", [
    ("tracking_url", "javascript:alert(1)", "Enter a web address that starts with https:// or http://."),
    ("tracking_url", "ftp://example.com/x", "Enter a web address that starts with https:// or http://."),
    ("tracking_number", "", "This field is required."),
    ("tracking_number", "X" * 41, "Use at most 40 characters."),
    ("shipped_on", "kemarin", "Enter a date, like 2027-06-30."),
    ("shipped_on", (date.today() + timedelta(days=3)).isoformat(), "The day it went cannot be in the future."),
    ("shipped_on", "2020-01-01", "The parcel cannot have gone before the order was placed"),
])
def test_bad_shipping_details_are_shown_next_to_the_field_and_nothing_ships(app, paid_parcel, field, value, message):
    merchant = signed_in(app, COFFEE_SHOP, "en")
    url = f"/merchant/orders/{paid_parcel}"
    merchant.post(f"{url}/pack")
    form = {"courier": "J&T Express", "tracking_number": "JT0001", "shipped_on": bandung_today().isoformat(),
            "tracking_url": ""}
    form[field] = value
    response = merchant.post(f"{url}/ship", form)
    assert response.status_code == 400 and message in text_of(response)
    parcel = parcel_of(app, paid_parcel[:-2])
    assert parcel.status == P.PACKED and parcel.tracking_number is None


def test_cancelling_before_shipping_gives_the_stock_back(app, two_shops, paid_parcel):
    assert stock(app, two_shops["coffee"]) == 120 - 24
    merchant = signed_in(app, COFFEE_SHOP, "en")
    url = f"/merchant/orders/{paid_parcel}"
    no_reason = merchant.post(f"{url}/cancel", {"reason": "  "})
    assert no_reason.status_code == 400 and "This field is required." in text_of(no_reason)
    assert parcel_of(app, paid_parcel[:-2]).status == P.PAID and stock(app, two_shops["coffee"]) == 96

    cancelled = merchant.post(f"{url}/cancel", {"reason": "Roaster broke down"}, follow_redirects=True)
    assert "cancelled and its stock is back on sale" in flashed(cancelled)
    assert stock(app, two_shops["coffee"]) == 120
    assert stock(app, two_shops["keripik"]) == 40 - 3  # the other shop's parcel goes on
    assert parcel_of(app, paid_parcel[:-2]).status == P.REFUND_REQUESTED  # paid: its money goes back
    assert parcel_of(app, paid_parcel[:-2], CHIPS_SHOP).status == P.PAID
    page = text_of(merchant.get(url))
    assert "Reason: Roaster broke down" in page and "I cannot send this parcel" not in page


def test_a_shipped_parcel_cannot_be_cancelled(app, two_shops, paid_parcel):
    merchant = signed_in(app, COFFEE_SHOP, "en")
    url = f"/merchant/orders/{paid_parcel}"
    merchant.post(f"{url}/pack")
    merchant.post(f"{url}/ship", {"courier": "Pos", "tracking_number": "EE9", "shipped_on": bandung_today().isoformat()})
    refused = merchant.post(f"{url}/cancel", {"reason": "Changed my mind"}, follow_redirects=True)
    assert "is Shipped and cannot become Cancelled" in flashed(refused)
    assert parcel_of(app, paid_parcel[:-2]).status == P.SHIPPED and stock(app, two_shops["coffee"]) == 96


def test_another_merchants_parcel_is_not_found_on_every_page_and_action(app, paid_parcel):
    other = signed_in(app, CHIPS_SHOP, "en")
    url = f"/merchant/orders/{paid_parcel}"
    for page in ("", "/packing-slip", "/invoice"):
        assert other.get(url + page).status_code == 404, page
    for action, form in (("pack", {}), ("deliver", {}), ("cancel", {"reason": "mine now"}),
                         ("ship", {"courier": "Pos", "tracking_number": "X1", "shipped_on": bandung_today().isoformat()})):
        assert other.post(f"{url}/{action}", form).status_code == 404, action
    assert parcel_of(app, paid_parcel[:-2]).status == P.PAID
    assert paid_parcel not in text_of(other.get("/merchant/orders/"))
    assert other.get("/merchant/orders/SR-NOTHING-1").status_code == 404


def test_buyers_and_guests_are_kept_out(app, paid_parcel):
    buyer = signed_in(app, "buyer@serumpun.example")
    for url in ("/merchant/orders/", f"/merchant/orders/{paid_parcel}", f"/merchant/orders/{paid_parcel}/invoice"):
        assert buyer.get(url).status_code == 403
    assert buyer.post(f"/merchant/orders/{paid_parcel}/pack", token_from="/").status_code == 403
    guest = Client(app).get("/merchant/orders/")
    assert guest.status_code == 302 and "/login" in guest.headers["Location"]
    assert parcel_of(app, paid_parcel[:-2]).status == P.PAID


def test_the_packing_slip_lists_each_box(app, paid_parcel):
    merchant = signed_in(app, COFFEE_SHOP)
    response = merchant.get(f"/merchant/orders/{paid_parcel}/packing-slip")
    text, html = text_of(response), response.get_data(as_text=True)
    assert response.status_code == 200 and "Slip pengemasan" in text and "Kopi C-1" in text
    assert "Coffee C-1" in text and "@media print" not in html  # the print rules live in the stylesheet
    assert "data-print" in html and "24 unit" in text


def test_the_invoice_carries_each_boxs_customs_data(app, paid_parcel):
    merchant = signed_in(app, COFFEE_SHOP)
    response = merchant.get(f"/merchant/orders/{paid_parcel}/invoice")
    text = text_of(response)
    assert response.status_code == 200
    # Around it the merchant's language; the invoice itself in English, for customs.
    assert "Faktur ini berbahasa Inggris" in text and "Commercial invoice" in text
    assert "Sangrai Preanger Coffee" in text and "Kota Bandung" in text and "NIB (business number)" in text
    assert "Siti Aminah" in text and "12 Jalan SS2/24" in text and "47300 Petaling Jaya, Selangor" in text
    assert "090121" in text and "Indonesia" in text and "Form CN22" in text
    parcel = parcel_of(app, paid_parcel[:-2])
    box = parcel.declarations[0]["lines"][0]
    assert f"{box['weight_g'] / 1000:.3f}" in text
    assert f"RM{box['value_sen'] // 100:,}.{box['value_sen'] % 100:02d}" in text
    # The demo rules: Serumpun is a registered LVG seller and collected the tax on these lines.
    assert "LVG registration number LVG-SAMPLE-0001" in text
    assert "Certificate of origin None" in text  # Form D goes with a CN23 only


def record_rule(app, key: str, value: str) -> None:
    officer = signed_in(app, "officer@serumpun.example")
    response = officer.post("/officer/customs/", {"key": key, "value": value, "effective_on": date.today().isoformat(),
                                                  "source": f"Test order for {key}"})
    assert response.status_code == 302, text_of(response)


def test_a_box_above_the_cn22_limit_gets_a_cn23_with_form_d(app, two_shops):
    record_rule(app, "cn22_limit_sen", "10")  # RM10: the coffee box is worth more
    number = place(app, {two_shops["coffee"]: 24})
    pay(app, number)
    text = text_of(signed_in(app, COFFEE_SHOP, "en").get(f"/merchant/orders/{number}-1/invoice"))
    assert "Form CN23" in text and "Form CN22" not in text and "Certificate of origin Form D" in text
    assert "Postage RM" in text


def test_without_an_lvg_registration_the_invoice_names_none(app, two_shops):
    record_rule(app, "lvg_registration_number", "")
    number = place(app, {two_shops["coffee"]: 6})
    pay(app, number)
    text = text_of(signed_in(app, COFFEE_SHOP, "en").get(f"/merchant/orders/{number}-1/invoice"))
    assert "Form CN22" in text and "LVG" not in text and "090121" in text


def test_an_unpaid_parcel_has_no_papers_yet(app, two_shops):
    number = place(app, {two_shops["tea"]: 1})
    merchant = signed_in(app, COFFEE_SHOP, "en")
    for page in ("packing-slip", "invoice"):
        response = merchant.get(f"/merchant/orders/{number}-1/{page}")
        assert response.status_code == 409
        assert "This parcel is not paid yet. Its packing slip and invoice are ready once the buyer pays." in \
            text_of(response)
    page = text_of(merchant.get(f"/merchant/orders/{number}-1"))
    assert "Packing slip" not in page and "The buyer has not paid yet." in page
