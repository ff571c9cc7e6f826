"""Who may use the verification and moderation pages: officers' pages refuse buyers and merchants, anonymous
readers are sent to sign in, and the merchant's page is its own."""
from __future__ import annotations

import pytest

from ..helpers import Client, publish_product
from .conftest import BUYER, MERCHANT, OFFICER, OTHER_MERCHANT, profile_of


@pytest.fixture()
def ids(app, demo):
    product = publish_product(app)
    with app.app_context():
        merchant_id = profile_of(MERCHANT).id
    return {"merchant": merchant_id, "product": product, "report": 1}


def officer_gets(ids) -> list[str]:
    return ["/officer/merchants/", f"/officer/merchants/{ids['merchant']}", "/officer/merchants/?status=pending",
            "/officer/reports/", f"/officer/reports/listings/{ids['product']}"]


def officer_posts(ids) -> list[tuple[str, dict]]:
    m, p = ids["merchant"], ids["product"]
    return [(f"/officer/merchants/{m}/approve", {}), (f"/officer/merchants/{m}/reject", {"reject-reason": "other",
                                                                                        "reject-note": "x"}),
            (f"/officer/merchants/{m}/suspend", {"suspend-reason": "complaints"}), (f"/officer/merchants/{m}/lift", {}),
            (f"/officer/reports/{ids['report']}/dismiss", {}),
            (f"/officer/reports/listings/{p}/take-down", {"reason": "misleading"}),
            (f"/officer/reports/listings/{p}/lift", {})]


def test_anonymous_readers_are_sent_to_sign_in(app, ids):
    client = Client(app)
    for url in [*officer_gets(ids), "/merchant/verification/", f"/products/{ids['product']}/report"]:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), url
    for url, data in officer_posts(ids):
        response = client.post(url, data, token_from="/login")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url


@pytest.mark.parametrize("email", [BUYER, MERCHANT, OTHER_MERCHANT])
def test_buyers_and_merchants_get_403_on_every_officer_page(app, ids, email):
    client = Client(app)
    client.login(email)
    for url in officer_gets(ids):
        assert client.get(url).status_code == 403, url
    for url, data in officer_posts(ids):
        assert client.post(url, data, token_from="/").status_code == 403, url
    with app.app_context():
        profile = profile_of(MERCHANT)
        assert profile.is_verified and not profile.is_suspended


@pytest.mark.parametrize("email", [OFFICER, "admin@serumpun.example"])
def test_officers_and_admins_reach_the_officer_pages_but_not_the_merchants_or_the_report_form(app, ids, email):
    client = Client(app)
    client.login(email)
    for url in officer_gets(ids):
        assert client.get(url).status_code == 200, url
    assert client.get("/merchant/verification/").status_code == 403
    assert client.get(f"/products/{ids['product']}/report").status_code == 403


def test_merchants_do_not_report_listings(app, ids):
    client = Client(app)
    client.login(OTHER_MERCHANT)
    assert client.get(f"/products/{ids['product']}/report").status_code == 403
    client = Client(app)
    client.login(BUYER)
    assert client.get("/merchant/verification/").status_code == 403
