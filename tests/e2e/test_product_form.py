"""The new-product form on a 360 px phone: short with its sections folded, never wider than the screen."""
from __future__ import annotations

from playwright.sync_api import expect

# Before the sections folded, the form measured 5,600-6,500 px at 360 px wide.
MOST_HEIGHT = 2500


def sizes(page) -> dict:
    page.wait_for_load_state("load")  # measured after serumpun.css applies, as a person sees it
    return page.evaluate("""() => ({height: document.scrollingElement.scrollHeight,
                                   width: document.documentElement.scrollWidth, viewport: window.innerWidth})""")


def test_the_new_product_form_is_short_on_a_phone_and_nothing_scrolls_sideways(browser, live_server, demo, screenshot):
    context = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("merchant@serumpun.example")
    page.get_by_label("Kata sandi").fill("serumpun-demo")
    page.get_by_role("button", name="Masuk").click()
    page.goto(live_server.url + "/merchant/products/new")

    folded = sizes(page)
    assert folded["height"] < MOST_HEIGHT, folded
    assert folded["width"] <= folded["viewport"], folded
    expect(page.get_by_label("Nama dalam bahasa Indonesia")).to_be_visible()  # the first section is open
    expect(page.get_by_label("Harga eceran (Rp)")).to_be_hidden()  # the others fold

    # One wholesale row to start; "Add a tier" gives another.
    page.locator("summary", has_text="Harga dan stok").click()
    expect(page.locator("[data-tier]")).to_have_count(1)
    page.get_by_role("button", name="Tambah tingkat harga").click()
    expect(page.locator("[data-tier]")).to_have_count(2)
    expect(page.locator("input[name='tiers-1-min_quantity']")).to_be_focused()

    # The courier preview's rupiah columns fit the phone: each service stacks as a card.
    page.locator("summary", has_text="Kemasan").click()
    page.get_by_label("Berat kemasan (g)").fill("320")
    page.get_by_label("Panjang (cm)").fill("18")
    page.get_by_label("Lebar (cm)").fill("12")
    page.get_by_label("Tinggi (cm)").fill("6,5")
    expect(page.get_by_text("Ukuran kotak tidak menambah biaya")).to_be_visible()
    west = page.locator(".shipping-preview td[data-label='Malaysia Barat']").first
    expect(west).to_contain_text("Rp")
    box = west.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    opened = sizes(page)
    assert opened["width"] <= opened["viewport"], opened
    screenshot(page, "product-form-new")
    context.close()
