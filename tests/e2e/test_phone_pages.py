"""Every page of every role on a 360 px phone, in Indonesian, English and Malay: nothing scrolls sideways, the
menu folds, and the main page of each role passes axe-core's accessibility checks (no serious or critical
violation: labels, contrast, names, landmarks).

The pages are the app's own GET routes (app.url_map) with demo objects in their URL parameters, so a new page is
covered as soon as it exists; a route with a parameter this file cannot fill fails the test until it is taught
one. The few routes that are not pages are listed in SKIPPED with the reason.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.helpers import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English", "ms": "Bahasa Melayu"}
ROLES = {
    "anonymous": None,
    "buyer": "buyer@serumpun.example",
    "merchant": "merchant@serumpun.example",
    "officer Bandung": "officer@serumpun.example",
    "officer PJ": "officer.pj@serumpun.example",
    "admin": "admin@serumpun.example",
}
# The page each role starts from: checked with axe-core as well.
MAIN_PAGES = {
    "anonymous": ["/", "/products?halal=1"],
    "buyer": ["/", "/products?halal=1"],
    "merchant": ["/merchant/", "/merchant/products/"],
    "officer Bandung": ["/officer/"],
    "officer PJ": ["/officer/"],
    "admin": ["/admin/"],
}
# GET routes that are not pages a person reads on a phone.
SKIPPED = {
    "static": "the stylesheet, scripts and icons",
    "media.serve": "a product photo file",
    "documents.open_document": "a merchant's document (a PDF or a photo) as a file",
    "ops.healthz": "JSON for load balancers",
    "products.shipping_preview": "a fragment the product form's script fetches; it shows inside /merchant/products/new",
    "products.export_csv": "a CSV download",
    "couriers.export_csv": "a CSV download",
    "payables.statement_csv": "a CSV download",
    "officer.payables_csv_export": "a CSV download",
    "officer.merchant_statement_csv": "a CSV download",
    "officer.stats_csv_export": "a CSV download",
    "showcases.line_sheet": "a PDF download",
}
SKIPPED_BLUEPRINTS = {"api": "JSON for partner systems (the OpenAPI document says what it holds)"}

AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core 4.14.1, see vendor/README.md

# The element that reaches furthest right, among those not clipped by a scrolling or hidden-overflow box.
WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };
  let best = null;
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5 && (!best || box.right > best.right) && !clipped(el)) best = {right: box.right, el};
  }
  if (!best) return 'none found';
  const el = best.el, classes = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
  return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${classes}> "${(el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 60)}" ends at ${Math.round(best.right)} px`;
}"""
# Boxes that scroll sideways inside the page: a table wider than its frame hides columns behind a scroll no
# one sees on a phone. A box may scroll if it says so (class scroll-hint, with a visible hint).
HIDDEN_SCROLLS = """() => [...document.body.querySelectorAll('*')].filter(el => {
  const style = getComputedStyle(el);
  return ['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1 && el.checkVisibility()
    && !el.closest('.scroll-hint') && !el.matches('textarea, select, input');
}).map(el => `<${el.tagName.toLowerCase()}.${String(el.className).trim().split(/\\s+/).join('.')}> ` +
             `${(el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 40)}`)"""


# Form fields a person cannot tell apart: no <label>, aria-label or aria-labelledby.
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')].filter(el =>
  !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type) && el.labels.length === 0
  && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')
).map(el => `<${el.tagName.toLowerCase()} name=${el.name}>`)"""
# Where the keyboard is after a few Tabs, and whether it shows: an outline at least 2 px wide.
FOCUS_SHOWN = """() => { const el = document.activeElement, style = getComputedStyle(el);
  return {element: el.outerHTML.slice(0, 80), shown: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2}; }"""


def demo_addresses(app) -> dict[str, dict]:
    """Arguments for every parametrised page, from the demo data: keyed by endpoint, then argument name."""
    from marketplace.accounts import services as accounts
    from marketplace.catalog.models import Product
    from marketplace.extensions import db
    from marketplace.moderation.models import ListingReport
    from marketplace.orders.models import MerchantOrder, Order
    from marketplace.shipping.models import CourierService
    from marketplace.showcases.models import Showcase
    from marketplace.trade.models import BuyingRequest, Inquiry

    with app.app_context():
        buyer = accounts.find_user_by_email(ROLES["buyer"])
        merchant = accounts.find_user_by_email(ROLES["merchant"]).merchant_profile
        officer = accounts.find_user_by_email(ROLES["officer Bandung"])
        product = db.session.scalar(select(Product).where(Product.merchant_id == merchant.id).order_by(Product.id))
        parcel = db.session.scalar(select(MerchantOrder).join(Order).where(
            MerchantOrder.merchant_id == merchant.id, Order.buyer_id == buyer.id).order_by(MerchantOrder.id))
        inquiry = db.session.scalar(select(Inquiry).where(Inquiry.merchant_id == merchant.id,
                                                          Inquiry.buyer_id == buyer.id).order_by(Inquiry.id))
        request = db.session.scalar(select(BuyingRequest).where(BuyingRequest.author_id == buyer.id)
                                    .order_by(BuyingRequest.id))
        reported = db.session.scalar(select(ListingReport.product_id).order_by(ListingReport.id))
        showcase = db.session.scalar(select(Showcase).order_by(Showcase.id))
        courier = db.session.scalar(select(CourierService.id).order_by(CourierService.id))
        assert all(x is not None for x in (product, parcel, inquiry, request, showcase, courier)), \
            "the demo data lacks an object these pages need"
        with app.test_request_context():
            reset = accounts.make_token(buyer, accounts.RESET_SALT)
            invite = accounts.make_token(officer, accounts.INVITE_SALT)
        by_argument = {
            "product_id": product.id, "slug": merchant.slug, "number": parcel.number, "inquiry_id": inquiry.id,
            "request_id": request.id, "merchant_id": merchant.id, "showcase_id": showcase.id, "service_id": courier,
        }
        by_endpoint = {
            "checkout.order_page": {"number": parcel.order.number},
            "catalog.product_page": {"product_id": product.id, "slug": "x"},
            "showcases.detail": {"slug": showcase.slug},
            "officer_reports.listing": {"product_id": reported or product.id},
            "accounts.reset_password": {"token": reset},
            "accounts.accept_invite": {"token": invite},
        }
        return {"by_argument": by_argument, "by_endpoint": by_endpoint}


def phone_pages(app) -> tuple[list[str], list[str]]:
    """The address of every GET page, and the routes this test cannot fill (none, or the test fails)."""
    values = demo_addresses(app)
    pages, unknown = [], []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint in SKIPPED or rule.endpoint.split(".")[0] in SKIPPED_BLUEPRINTS:
                continue
            given = values["by_endpoint"].get(rule.endpoint, {})
            arguments = {name: given.get(name, values["by_argument"].get(name)) for name in rule.arguments}
            if any(value is None for value in arguments.values()):
                unknown.append(f"{rule.rule} ({rule.endpoint})")
                continue
            pages.append(url_for(rule.endpoint, **arguments))
    # A route with an optional part (/products/<id>-<slug>) gives the same address twice.
    return list(dict.fromkeys(pages)), unknown


def sign_in(context, base: str, email: str):
    page = context.new_page()
    page.goto(base + "/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("form[action$='/logout']")).to_have_count(1)
    return page


def choose_language(page, language: str) -> None:
    """As a person does on a phone: open the menu, tap the language (saved in a cookie, and on the account)."""
    menu = page.locator("details.menu")
    menu.locator("summary").click()
    expect(menu.get_by_role("navigation")).to_be_visible()
    menu.get_by_role("button", name=LANGUAGES[language]).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page, with every folded part opened."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                           ".filter(v => ['serious', 'critical'].includes(v.impact))"
                           ".map(v => `${v.id} (${v.impact}): ${v.help}: ` + v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(' | '))")
    return result


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_fits_a_phone_in_every_language(role, browser, live_server, demo_catalog, app):
    pages, unknown = phone_pages(app)
    assert not unknown, f"routes with parameters this test cannot fill (add a demo object or a SKIPPED reason): {unknown}"
    base = live_server.url
    # bypass_csp: axe-core is put into the page as an inline script, which the site's CSP (rightly) refuses.
    context = browser.new_context(viewport=PHONE, locale="en-MY", bypass_csp=True)
    page = sign_in(context, base, ROLES[role]) if ROLES[role] else context.new_page()
    problems: list[str] = []
    own_pages = pages  # after the first language, only the pages that are this role's own (no redirect, no error)
    for language in LANGUAGES:
        page.goto(base + MAIN_PAGES[role][0])
        choose_language(page, language)
        checked: set[str] = set()
        answered: list[str] = []
        for path in own_pages:
            response = page.goto(base + path)
            final = page.url.removeprefix(base)
            where = urlsplit(final).path  # the sign-in page is one page, whatever its ?next=
            status = response.status if response else 0
            if status >= 500:
                problems.append(f"{path} [{language}]: answered {status}")
                continue
            if final != path or status != 200:
                if (where, status) in checked:
                    continue  # the sign-in page or an error page, already measured in this language
            else:
                answered.append(path)
            checked.add((where, status))
            if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
                problems.append(f"{final} [{language}] scrolls sideways at {PHONE['width']} px: widest "
                                f"{page.evaluate(WIDEST)}")
            for box in page.evaluate(HIDDEN_SCROLLS):
                problems.append(f"{final} [{language}] hides content behind a sideways scroll: {box}")
            for field in page.evaluate(UNLABELLED):
                problems.append(f"{final} [{language}] has a form field without a label: {field}")
        own_pages = answered
        for path in MAIN_PAGES[role]:
            page.goto(base + path)
            header = page.locator("header.site-header").bounding_box()
            if header["height"] > 80:
                problems.append(f"{path} [{language}]: the header takes {header['height']:.0f} px of the phone's height")
            for _ in range(3):  # the skip link, the brand, the cart (or Menu)
                page.keyboard.press("Tab")
                focus = page.evaluate(FOCUS_SHOWN)
                if not focus["shown"]:
                    problems.append(f"{path} [{language}]: the keyboard's focus does not show on {focus['element']}")
            problems += [f"{path} [{language}] axe: {v}" for v in serious_violations(page)]
    context.close()
    assert own_pages, f"{role} opened no page of its own"
    assert not problems, f"{role} on a phone:\n" + "\n".join(problems)
