"""An officer pays a merchant out from a phone, and the merchant reads it on its statement."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import fits_the_screen

from ..payables.conftest import paid, two_shops  # noqa: F401  fixtures used here

pytestmark = pytest.mark.e2e


def sign_in(page, url: str, email: str, button: str) -> None:
    page.goto(url + "/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill("serumpun-demo")
    page.get_by_role("button", name=button).click()


def test_an_officer_records_a_payout_on_a_phone_and_the_merchant_sees_it(browser, live_server, paid,  # noqa: F811
                                                                         screenshot):
    context = browser.new_context(locale="en-MY", viewport={"width": 360, "height": 780})
    page = context.new_page()
    sign_in(page, live_server.url, "officer@serumpun.example", "Sign in")
    page.goto(live_server.url + "/officer/payables")
    expect(page.get_by_role("heading", level=1)).to_have_text("Payables")
    assert fits_the_screen(page)
    screenshot(page, "officer-payables")
    page.set_viewport_size({"width": 360, "height": 780})
    page.get_by_role("link", name="Keripik Ceu Enok").first.click()
    page.get_by_label("Amount paid (rupiah)").fill("50.000")
    page.get_by_label("Bank reference").fill("BCA 0412-88231")
    page.get_by_role("button", name="Record payout").click()
    expect(page.get_by_text("Payout recorded.")).to_be_visible()
    assert fits_the_screen(page)
    screenshot(page, "officer-statement")
    context.close()

    context = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 780})
    page = context.new_page()
    sign_in(page, live_server.url, "keripik@serumpun.example", "Masuk")
    page.goto(live_server.url + "/merchant/statement")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mutasi saldo")
    expect(page.get_by_text("BCA 0412-88231")).to_be_visible()
    expect(page.get_by_text("Pencairan").first).to_be_visible()
    assert fits_the_screen(page)
    screenshot(page, "merchant-statement")
    context.close()
