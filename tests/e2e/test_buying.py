"""The buying journey: a buyer buys from two merchants, pays by bank transfer, an officer records it, each
merchant ships with a tracking number, and the buyer sees both parcels on their way."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import DEMO_PASSWORD, open_menu, publish_product

pytestmark = pytest.mark.e2e


def sign_in(browser, base: str, email: str, locale: str, width: int = 1280):
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    return context, page


def buy_two_parcels_by_bank_transfer(browser, base: str, app, screenshot) -> tuple[str, object, object]:
    coffee = publish_product(app, "merchant@serumpun.example", sku="KOPI-J1", name_en="Java Preanger Coffee 250 g")
    chips = publish_product(app, "keripik@serumpun.example", sku="KRP-J1", name_en="Spicy Cassava Chips",
                            price="25.000", hs_code="2008.19", category="snacks",
                            **{"tiers-0-min_quantity": "", "tiers-0-unit_price": "", "tiers-1-min_quantity": "",
                               "tiers-1-unit_price": ""})
    buyer, page = sign_in(browser, base, "buyer@serumpun.example", "en-MY", width=360)
    for product_id, quantity in ((coffee, "12"), (chips, "3")):
        page.goto(f"{base}/products/{product_id}")
        page.locator(".buy-form").get_by_label("Quantity").fill(quantity)
        page.locator(".buy-form").get_by_role("button", name="Add to cart").click()
        expect(page.get_by_text(f"In your cart: {quantity}.")).to_be_visible()
    page.goto(base + "/cart/")
    expect(page.get_by_role("heading", name="Parcel from Sangrai Preanger Coffee")).to_be_visible()
    expect(page.get_by_role("heading", name="Parcel from Keripik Ceu Enok")).to_be_visible()
    screenshot(page, "buyer-cart-two-parcels")
    page.get_by_role("link", name="Check out").click()
    expect(page.get_by_label("Phone for the courier")).to_have_value("+60379561234")  # from the profile
    page.get_by_label("Address", exact=True).fill("Kedai Serumpun PJ, 18 Jalan SS2/24")
    page.get_by_label("Postcode").fill("47300")
    expect(page.get_by_label("Bank transfer (DuitNow or IBG)")).to_be_checked()
    screenshot(page, "buyer-checkout")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name="Pay by bank transfer")).to_be_visible()
    number = page.locator(".reference").inner_text()
    assert re.fullmatch(r"SR[0-9A-Z]{8}", number)
    expect(page).to_have_url(f"{base}/orders/{number}")
    screenshot(page, "buyer-order-to-pay")
    return number, buyer, page


def test_a_buyer_buys_from_two_merchants_by_bank_transfer_and_both_parcels_ship(browser, live_server, app, demo,
                                                                                    screenshot):
    base = live_server.url
    number, buyer, buyer_page = buy_two_parcels_by_bank_transfer(browser, base, app, screenshot)

    officer, page = sign_in(browser, base, "officer@serumpun.example", "en-MY")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Payments").click()
    desk = page.locator(".payment-desk", has=page.get_by_role("heading", name=number))
    due = re.search(r"Amount due: RM([0-9,.]+)", desk.inner_text()).group(1).replace(",", "")
    desk.get_by_label("Amount received (RM)").fill(due)
    desk.get_by_label("Bank's reference of the transfer").fill("MBB20261202-0042")
    desk.get_by_role("button", name="Record transfer").click()
    expect(page.get_by_text(f"Order {number} is paid. Its merchants can pack.")).to_be_visible()
    screenshot(page, "officer-payments")
    officer.close()

    buyer_page.reload()
    expect(buyer_page.locator("h1 + p .badge")).to_have_text("Paid")

    # Each merchant, on a phone in Indonesian, packs and ships their parcel with a tracking number.
    for index, (email, tracking) in enumerate((("merchant@serumpun.example", "EE100200300ID"),
                                               ("keripik@serumpun.example", "JT0088776655")), start=1):
        merchant, page = sign_in(browser, base, email, "id-ID", width=360)
        open_menu(page).get_by_role("navigation", name="Utama").get_by_role("link", name="Pesanan").click()
        page.get_by_role("link", name=f"{number}-{index}").first.click()
        page.get_by_role("button", name="Tandai sudah dikemas").click()
        page.get_by_label("Kurir").fill("Pos Indonesia" if index == 1 else "J&T Express")
        page.get_by_label("Nomor resi").fill(tracking)
        page.get_by_role("button", name="Tandai sudah dikirim").click()
        expect(page.get_by_text(tracking).first).to_be_visible()
        screenshot(page, f"merchant-parcel-shipped-{index}")
        merchant.close()

    buyer_page.reload()
    parcels = buyer_page.locator("section.parcel")
    expect(parcels).to_have_count(2)
    for index, tracking in ((0, "EE100200300ID"), (1, "JT0088776655")):
        expect(parcels.nth(index).locator(".badge").first).to_have_text("Shipped")
        expect(parcels.nth(index).get_by_text(tracking).first).to_be_visible()
    screenshot(buyer_page, "buyer-order-shipped")
    buyer.close()


def test_a_guest_saves_a_product_signs_in_and_removes_it_from_the_saved_list(browser, live_server, app, demo,
                                                                               screenshot):
    base = live_server.url
    coffee = publish_product(app, "merchant@serumpun.example", sku="KOPI-S1", name_en="Java Preanger Coffee 250 g")
    context = browser.new_context(locale="en-MY", viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(f"{base}/products/{coffee}")
    page.get_by_role("button", name="Save for later").click()
    expect(page.get_by_text("Sign in as a buyer to save products")).to_be_visible()
    page.get_by_label("Email").fill("buyer@serumpun.example")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/products/{coffee}")
    expect(page.get_by_text("Saved to your list")).to_be_visible()
    page.goto(base + "/account/saved/")
    expect(page.get_by_role("link", name="Java Preanger Coffee 250 g")).to_be_visible()
    screenshot(page, "buyer-saved-products")
    page.get_by_role("button", name="Remove Java Preanger Coffee 250 g").click()
    expect(page.get_by_text("You have not saved any products yet.")).to_be_visible()
    context.close()
