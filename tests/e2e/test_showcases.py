"""The showcase journey: an officer builds a showcase of three products for a Petaling Jaya trade week, and an
anonymous buyer finds it on the home page, opens it and prints its line sheet."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import open_menu, publish_product

from .test_buying import sign_in

pytestmark = pytest.mark.e2e

NO_TIERS = {"tiers-0-min_quantity": "", "tiers-0-unit_price": "", "tiers-1-min_quantity": "",
            "tiers-1-unit_price": ""}


def test_an_officer_builds_a_showcase_that_an_anonymous_buyer_sees_on_the_home_page_and_prints(
        browser, live_server, app, demo, screenshot):
    base = live_server.url
    coffee = publish_product(app, "merchant@serumpun.example", sku="PJ-KOPI", name_en="Puntang Arabica Coffee 250 g")
    chips = publish_product(app, "keripik@serumpun.example", sku="PJ-KRP", name_en="Balado Cassava Chips 200 g",
                            name_id="Keripik Singkong Balado 200 g", price="25.000", hs_code="2008.19",
                            category="snacks", moq="6", **NO_TIERS)
    sambal = publish_product(app, "sambal@serumpun.example", sku="PJ-SMB", name_en="Shallot Sambal 200 ml",
                             name_id="Sambal Bawang 200 ml", price="38.000", hs_code="2103.90",
                             category="sauces-spices", **NO_TIERS)

    officer, page = sign_in(browser, base, "officer.pj@serumpun.example", "en-MY", width=360)
    open_menu(page).get_by_role("navigation", name="Main").get_by_role("link", name="Showcases").click()
    page.get_by_role("link", name="New showcase").click()
    page.get_by_label("Title in Indonesian").fill("Pekan Dagang Petaling Jaya: Pilihan Bandung")
    page.get_by_label("Title in English").fill("Petaling Jaya Trade Week: Bandung Picks")
    page.get_by_label("Title in Malay").fill("Minggu Perdagangan Petaling Jaya: Pilihan Bandung")
    page.get_by_label("Story in English").fill("Coffee, snacks and sambal from Bandung, at the trade week.")
    page.get_by_label("Theme").select_option(label="Trade week")
    page.get_by_label("Partner event").fill("Petaling Jaya Trade Week")
    page.get_by_label("Where").fill("Dewan Sivik MBPJ")
    page.get_by_label("Event starts").fill("2027-03-10")
    page.get_by_label("Event ends").fill("2027-03-14")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Showcase saved. Now add a cover and products.")).to_be_visible()

    for words, name in (("sambal bawang", "Shallot Sambal 200 ml"), ("puntang", "Puntang Arabica Coffee 250 g"),
                        ("balado", "Balado Cassava Chips 200 g")):
        page.get_by_label("Search products").fill(words)
        page.get_by_label("Search products").press("Enter")
        page.get_by_role("button", name=f"Add: {name}").click()
        expect(page.get_by_text("Product added.")).to_be_visible()
    items = page.locator(".showcase-items > li")
    expect(items).to_have_count(3)
    page.get_by_role("button", name="Move up: Puntang Arabica Coffee 250 g").click()  # the coffee leads
    expect(items.first).to_contain_text("Puntang Arabica Coffee 250 g")
    page.get_by_label("Published: public from now on").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Showcase saved.", exact=True)).to_be_visible()
    expect(page.locator(".page-head .badge")).to_have_text("Public")
    screenshot(page, "officer-showcase")
    officer.close()

    buyer = browser.new_context(locale="en-MY", viewport={"width": 360, "height": 780})
    page = buyer.new_page()
    page.goto(base + "/")
    slot = page.locator("section", has=page.get_by_role("heading", name="Showcases"))
    expect(slot.get_by_text("Petaling Jaya Trade Week, Dewan Sivik MBPJ")).to_be_visible()
    screenshot(page, "home-showcases")
    slot.get_by_role("link", name="Petaling Jaya Trade Week: Bandung Picks").click()
    cards = page.locator(".showcase__products .product-card__name")
    expect(cards).to_have_text(["Puntang Arabica Coffee 250 g", "Shallot Sambal 200 ml",
                                "Balado Cassava Chips 200 g"])
    assert page.locator('meta[property="og:url"]').get_attribute("content").endswith(
        "/showcases/petaling-jaya-trade-week-bandung-picks")
    screenshot(page, "showcase-page")
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Line sheet (PDF)")).to_be_hidden()
    screenshot(page, "showcase-page-printed")
    page.emulate_media(media="screen")

    href = page.get_by_role("link", name="Line sheet (PDF)").get_attribute("href")
    # As the browser would fetch it from the link, in the reader's language (the page's own requests send it).
    sheet = page.request.get(base + href, headers={"Accept-Language": "en-MY,en;q=0.9"})
    assert sheet.ok and sheet.headers["content-type"] == "application/pdf"
    data = sheet.body()
    assert data.startswith(b"%PDF-")
    pdfium = pytest.importorskip("pypdfium2")
    document = pdfium.PdfDocument(data)
    pages = [document[i] for i in range(len(document))]
    text = " ".join(" ".join(p.get_textpage().get_text_range().split()) for p in pages)
    for name in ("Petaling Jaya Trade Week: Bandung Picks", "Puntang Arabica Coffee 250 g", "Shallot Sambal 200 ml",
                 "Balado Cassava Chips 200 g", "Minimum order: 6 units", "Delivered to Selangor"):
        assert name in text, name
    zxingcpp = pytest.importorskip("zxingcpp")
    found = set()
    for p in pages:
        found |= {r.text for r in zxingcpp.read_barcodes(p.render(scale=3).to_pil())}
    assert found == {f"{base}/products/{product_id}" for product_id in (coffee, chips, sambal)}
    for p in pages:
        p.close()
    document.close()
    buyer.close()
