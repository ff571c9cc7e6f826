"""Who may open the officers' pages and the admins' feed tokens: anonymous readers are sent to sign in, buyers and
merchants get 403 on every officer page, officers get 403 on the admins' pages."""
from __future__ import annotations

import pytest

from ..helpers import Client

OFFICER_PAGES = ["/officer/", "/officer/?since=2026-01-01&until=2026-06-30", "/officer/stats/months.csv",
                 "/officer/stats/categories.csv", "/officer/stats/states.csv", "/officer/stats/merchants.csv",
                 "/officer/stats/orders.csv", "/officer/stats/rates.csv", "/officer/rates/", "/officer/couriers/",
                 "/officer/couriers/export.csv", "/officer/customs/", "/officer/audit", "/officer/payments/",
                 "/officer/payables", "/officer/payables.csv"]
ADMIN_PAGES = ["/admin/stats-tokens"]
POSTS = [("/officer/customs/", {"key": "lvg_rate", "value": "9", "effective_on": "2026-12-01", "source": "Test"}),
         ("/admin/stats-tokens", {"name": "Someone"}), ("/admin/stats-tokens/1/revoke", {})]


def test_anonymous_readers_are_sent_to_sign_in(app, demo):
    client = Client(app)
    for url in OFFICER_PAGES + ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), url
    for url, form in POSTS:
        assert client.post(url, form, token_from="/login").status_code == 302, url


@pytest.mark.parametrize(("email", "officer_pages", "admin_pages"), [
    ("buyer@serumpun.example", 403, 403),
    ("merchant@serumpun.example", 403, 403),
    ("officer@serumpun.example", 200, 403),
    ("officer.pj@serumpun.example", 200, 403),
    ("admin@serumpun.example", 200, 200),
])
def test_each_role_gets_what_it_may_see(app, demo, email, officer_pages, admin_pages):
    client = Client(app)
    client.login(email)
    for url in OFFICER_PAGES:
        assert client.get(url).status_code == officer_pages, url
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == admin_pages, url
    if officer_pages == 403:
        for url, form in POSTS:
            assert client.post(url, form).status_code == 403, url
    elif admin_pages == 403:
        assert client.post("/admin/stats-tokens", {"name": "Someone"}).status_code == 403
        assert client.post("/admin/stats-tokens/1/revoke").status_code == 403


def test_a_signed_in_officer_is_no_token_for_the_feed(app, demo):
    client = Client(app)
    client.login("officer@serumpun.example")
    assert client.get("/api/v1/stats").status_code == 401
