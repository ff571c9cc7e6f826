"""A buyer pays by card: our checkout, the Stripe stand-in's hosted page (real HTTP), its signed webhook to our
server, and the order page back on our site."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..orders.conftest import two_shops  # noqa: F401  the fixture
from ..stripe_standin import API_KEY, WEBHOOK_SECRET

pytestmark = pytest.mark.e2e


def test_buyer_pays_by_card_on_stripes_page_and_sees_the_order_paid(browser, live_server, app, stripe_standin,
                                                                    two_shops, screenshot):  # noqa: F811
    app.config.update(STRIPE_SECRET_KEY=API_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                      STRIPE_API_BASE=stripe_standin.url)
    stripe_standin.webhook = live_server.url + "/webhooks/stripe"
    context = browser.new_context(locale="en-MY", viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("buyer@serumpun.example")
    page.get_by_label("Password").fill("serumpun-demo")
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/products/{two_shops['keripik']}")
    buy = page.locator(".buy-form")
    buy.get_by_label("Quantity").fill("3")
    buy.get_by_role("button", name="Add to cart").click()
    page.goto(live_server.url + "/checkout")
    page.get_by_label("Address", exact=True).fill("12 Jalan SS2/24")
    page.get_by_label("Card or FPX online banking (Stripe)").check()
    page.get_by_role("button", name="Place order").click()

    # Stripe's hosted page (the stand-in's), for the order's total in ringgit.
    expect(page).to_have_url(re.compile(re.escape(stripe_standin.url) + r"/pay/cs_test_"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pay MYR")
    expect(page.get_by_text("Spicy Cassava Chips × 3")).to_be_visible()
    screenshot(page, "stripe-hosted-page")
    page.get_by_role("button", name=re.compile(r"^Pay MYR")).click()

    # Back on our order page: the webhook came first, so it is paid.
    expect(page).to_have_url(re.compile(r"/orders/SR\w+\?returned=1$"))
    expect(page.locator("main")).to_contain_text("Paid")
    expect(page.get_by_role("button", name="Pay now")).to_have_count(0)
    assert stripe_standin.deliveries[-1].status == 200
    screenshot(page, "stripe-order-paid")
    context.close()
