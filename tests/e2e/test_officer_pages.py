"""An officer's day on a phone: the dashboard's charts and tables, every officer page at 360 px with its tables
stacked (no sideways scroll hiding status or category), an old exchange rate flagged and replaced, and an admin
making and revoking a token for the command center's feed."""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.helpers import DEMO_PASSWORD, fits_the_screen, open_menu

pytestmark = pytest.mark.e2e

# Every table of the page: stacked on a phone (each row a block, each cell led by its column's name), and no
# table wider than its frame (nothing hidden behind a sideways scroll).
TABLES_STACK = """() => [...document.querySelectorAll('table.table')].map(table => ({
  stacked: table.classList.contains('table--stack'),
  fits: table.closest('.table-wrap') ? table.closest('.table-wrap').scrollWidth <= table.closest('.table-wrap').clientWidth + 1 : true,
  labelled: [...table.querySelectorAll('tbody td')].every(td => getComputedStyle(td, '::before').content.length > 2),
  headHidden: table.tHead ? table.tHead.getBoundingClientRect().height <= 1 : true,
}))"""
OFFICER_PAGES = ["/officer/", "/officer/payments/", "/officer/payables", "/officer/rates/", "/officer/couriers/",
                 "/officer/customs/", "/officer/audit", "/officer/synonyms/"]


def sign_in(browser, base: str, email: str, width: int = 360):
    context = browser.new_context(locale="en-MY", viewport={"width": width, "height": 780})
    page = context.new_page()
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(open_menu(page).get_by_role("button", name="Sign out")).to_be_visible()
    return context, page


def check_phone_layout(page, path: str) -> None:
    assert fits_the_screen(page), path
    tables = page.evaluate(TABLES_STACK)
    assert all(t["stacked"] and t["fits"] and t["labelled"] and t["headHidden"] for t in tables), (path, tables)


def test_an_officer_reads_the_dashboard_and_every_officer_page_on_a_phone(browser, live_server, demo_catalog,
                                                                          screenshot):
    base = live_server.url
    context, page = sign_in(browser, base, "officer@serumpun.example")
    page.goto(base + "/officer/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    # Six months of demo trade: the monthly chart has a column for each month, titled and described.
    months = page.locator("svg[aria-labelledby^='chart-months']")
    expect(months.locator("title").first).to_have_text("Export value per month, in ringgit")
    expect(months.locator("rect.chart__bar")).to_have_count(6)
    assert re.search(r"RM[\d,]+\.\d\d", months.locator("desc").text_content())
    heights = [float(h) for h in months.locator("rect.chart__bar").evaluate_all("rs => rs.map(r => r.getAttribute('height'))")]
    assert heights[4] > heights[0]  # the trend the demo's history draws: more each month
    expect(page.locator("svg[aria-labelledby^='chart-states'] text.chart__label")).to_have_count(6)
    expect(page.get_by_role("heading", name="Exchange rates older than 7 days")).to_be_visible()
    check_phone_layout(page, "/officer/")
    screenshot(page, "officer-dashboard")
    page.set_viewport_size({"width": 360, "height": 780})

    for path in OFFICER_PAGES[1:]:
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        check_phone_layout(page, path)
    page.goto(base + "/officer/payables")
    page.locator("table a").first.click()
    expect(page.get_by_role("link", name=re.compile(r"\+62 "))).to_have_attribute("href", re.compile(r"^tel:\+62\d+$"))
    check_phone_layout(page, "statement")

    # The customs rules read as a rule book; a yes or a no is two choices, not a "1" to type.
    page.goto(base + "/officer/customs/")
    rule = page.locator("#rule-form_d")
    rule.get_by_text("Record a new value").click()
    expect(rule.get_by_label("Yes")).to_be_checked()
    rule.get_by_label("No", exact=True).check()
    rule.get_by_label("Source").fill("ATIGA review (demo)")
    rule.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Rule saved: Form D claimed: no duty on Indonesian goods.")).to_be_visible()
    expect(page.locator("#rule-form_d .rule__value")).to_have_text("No")
    check_phone_layout(page, "/officer/customs/ after saving")
    screenshot(page, "officer-customs")

    # The old rate is flagged; the officer records today's, and the flag goes.
    page.goto(base + "/officer/")
    page.get_by_role("link", name="Record a new rate").click()
    for currency, value in (("MYR", "3950.25"), ("SGD", "12800"), ("USD", "16600")):
        page.locator("form.form select[name=currency]").select_option(currency)
        page.locator("input[name=idr_per_unit]").fill(value)
        page.get_by_label("In force from").fill(date.today().isoformat())
        page.get_by_label("Source").fill("Bank Indonesia JISDOR")
        page.get_by_role("button", name="Save rate").click()
        expect(page.get_by_text("Rate saved.")).to_be_visible()
    page.goto(base + "/officer/")
    expect(page.get_by_role("heading", name="Exchange rates older than 7 days")).to_have_count(0)
    context.close()


def test_an_admin_makes_a_feed_token_on_a_phone_and_revokes_it(browser, live_server, demo_catalog, screenshot):
    base = live_server.url
    context, page = sign_in(browser, base, "admin@serumpun.example")
    page.goto(base + "/admin/stats-tokens")
    page.get_by_label("Who will use it").fill("Bandung Command Center")
    page.get_by_role("button", name="Make token").click()
    secret = page.locator(".token-once__secret").inner_text().strip()
    assert secret.startswith("srp_stats_")
    check_phone_layout(page, "/admin/stats-tokens")
    screenshot(page, "admin-stats-token")
    answer = page.request.get(base + "/api/v1/stats", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200 and answer.json()["orders"]["paid"] > 0
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(base + "/admin/stats-tokens")
    expect(page.locator(".token-once__secret")).to_have_count(0)  # shown once
    page.get_by_role("button", name=re.compile(r"^Revoke\W+Bandung Command Center$")).click()
    expect(page.get_by_text("Token of Bandung Command Center revoked")).to_be_visible()
    assert page.request.get(base + "/api/v1/stats", headers={"Authorization": f"Bearer {secret}"}).status == 401
    context.close()
